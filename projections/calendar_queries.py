"""Reading the calendar: a period's entries of some layers, for one employee, a team or
everyone within the reader's scope.

Yearly dates are expanded here for the years the period touches. A date of 29 February
falls on 28 February in a year without one: the day before, so that it is still within the
month and never shown late.
"""

import calendar as gregorian
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from aggregates.scope import Actor
from letopis.garbage_collector import collector_paused
from projections.calendar_entries import ENTRIES, LAYERS, SPAN_BOUNDS, STAFF, YEARLY, Layer, api_path
from projections.database import Dialect, Params, ViewCursor
from projections.scope import in_scope
from projections.values import from_json

_YEARLY_LAYER = Layer.DATES
_CARDS = {"contact": "contacts", "counterparty": "counterparties"}
"""Where the API shows the card a yearly date belongs to."""


def yearly_occurrence(original: date, year: int) -> date:
    """The day a yearly date falls on in ``year``."""
    if original.month == 2 and original.day == 29 and not gregorian.isleap(year):
        return date(year, 2, 28)
    return original.replace(year=year)


def yearly_occurrences(original: date, first_day: date, last_day: date) -> list[date]:
    """Every occurrence within the period, none before the original date itself."""
    found = []
    for year in range(max(first_day.year, original.year), last_day.year + 1):
        day = yearly_occurrence(original, year)
        if first_day <= day <= last_day and day >= original:
            found.append(day)
    return found


@dataclass(frozen=True)
class CalendarQuery:
    first_day: date
    last_day: date
    layers: frozenset[Layer] = LAYERS
    employee_id: str | None = None
    team: str | None = None


def _named_employees(cursor: ViewCursor, query: CalendarQuery) -> list[str] | None:
    """The employees the query names, if it names any: a team's members are named one by one,
    so the planner seeks each one's entries by the employee index."""
    if query.employee_id is not None:
        return [query.employee_id]
    if query.team is None:
        return None
    team = cursor.execute(f"SELECT id FROM {STAFF.name} WHERE team = $1", (query.team,))
    return [member for (member,) in team]


def _whose(dialect: Dialect, employees: list[str] | None, p: Params) -> str | None:
    return None if employees is None else dialect.any_of("employee_id", p(employees))


@collector_paused()
def calendar_entries(cursor: ViewCursor, actor: Actor, query: CalendarQuery) -> list[dict[str, Any]]:
    """The period's entries the reader may see, in the order they fall.

    A team's week is thousands of entries: were the collector to run while they are built,
    it would count them long-lived and soon walk every object of the process (tens of ms)."""
    employees = _named_employees(cursor, query)
    entries = _dated(cursor, actor, query, employees) if query.layers - {_YEARLY_LAYER} else []
    if _YEARLY_LAYER in query.layers:
        entries.extend(_yearly(cursor, actor, query, employees))
    entries.sort(key=_in_order)
    return entries


def _in_order(entry: dict[str, Any]) -> tuple[Any, ...]:
    """By day; on a day, all-day entries first, then by the time they start."""
    timed = entry["starts_at"] is not None
    return (entry["first_day"], timed, entry["starts_at"] if timed else entry["first_day"], entry["entry_id"])


def _dated(
    cursor: ViewCursor, actor: Actor, query: CalendarQuery, employees: list[str] | None
) -> list[dict[str, Any]]:
    p = Params()
    layers = sorted(layer.value for layer in query.layers - {_YEARLY_LAYER})
    whose = _whose(cursor.dialect, employees, p)
    last_day = p(query.last_day)
    # One range of the index for each span: its employees (named in each, so that each is a
    # seek on both engines), then the days an entry of that span may start on and be shown.
    spans = " OR ".join(
        "("
        + (f"{whose} AND " if whose else "")
        + f"span = {p(bound)} AND first_day BETWEEN {p(_days_before(query.first_day, bound))} AND {last_day})"
        for bound in SPAN_BOUNDS
    )
    return _entries_where(
        cursor,
        f"({spans}) AND last_day >= {p(query.first_day)} AND {cursor.dialect.any_of('layer', p(layers))} "
        f"AND {in_scope(actor, 'employee_id', STAFF.name, p)}",
        p,
    )


def _days_before(day: date, days: int) -> date:
    return day - timedelta(days=min(days, (day - date.min).days))


def stage_plans_due(cursor: ViewCursor, employee_id: str, today: date, until: date) -> list[dict[str, Any]]:
    """The employee's contract stages planned to start by ``until`` that have not started, and
    those whose planned end passed uncompleted. A stage's plan is planned, started or
    completed: naming each status sought lets the status index find them."""
    p = Params()
    return sorted(
        _entries_where(
            cursor,
            f"employee_id = {p(employee_id)} AND layer = {p(Layer.CONTRACT_STAGES.value)} "
            f"AND entry_id LIKE {p('%:plan')} AND first_day <= {p(until)} "
            f"AND (status = {p('planned')} OR (status = {p('started')} AND last_day < {p(today)}))",
            p,
        ),
        key=_in_order,
    )


def _entries_where(cursor: ViewCursor, condition: str, p: Params) -> list[dict[str, Any]]:
    sql = f"SELECT {', '.join(_SELECTED)} FROM {ENTRIES.name} WHERE {condition}"
    day, moment = cursor.dialect.day_of, cursor.dialect.moment_of
    # A team's week reads thousands of entries: each is built in one pass, its details
    # decoded once for every entry and request that shows the same.
    return [
        {
            "entry_id": entry_id,
            "employee_id": employee_id,
            "layer": layer,
            "title": title,
            "status": status,
            "all_day": bool(all_day),
            "starts_at": None if starts_at is None else moment(starts_at),
            "ends_at": None if ends_at is None else moment(ends_at),
            "first_day": day(first_day),
            "last_day": day(last_day),
            "sequence": sequence,
            "counterparty_id": counterparty_id,
            "details": dict(_decoded(details)),
            "updated_at": moment(updated_at),
            "source": {"kind": kind, "id": source_id, "path": path},
        }
        for (
            entry_id,
            employee_id,
            layer,
            title,
            status,
            all_day,
            starts_at,
            ends_at,
            first_day,
            last_day,
            sequence,
            counterparty_id,
            details,
            updated_at,
            kind,
            source_id,
            path,
        ) in cursor.execute(sql, p.values)
    ]


_SELECTED = (
    "entry_id",
    "employee_id",
    "layer",
    "title",
    "status",
    "all_day",
    "starts_at",
    "ends_at",
    "first_day",
    "last_day",
    "sequence",
    "counterparty_id",
    "details",
    "updated_at",
    "source_kind",
    "source_id",
    "source_path",
)
assert set(_SELECTED) == set(ENTRIES.column_names) - {"span"}


@lru_cache(maxsize=100_000)
def _decoded(details: str) -> dict[str, Any]:
    """Read-only: each entry is given a copy, so that no reader changes another's."""
    return from_json(details) or {}


def _month_day_ranges(first_day: date, last_day: date) -> list[tuple[int, int]] | None:
    """The month-and-day numbers (MMDD) the period covers; None for a whole year or more.
    A range reaching 28 February also takes 29 February, which falls there in common years."""
    if (last_day - first_day).days >= 365:
        return None
    start, end = first_day.month * 100 + first_day.day, last_day.month * 100 + last_day.day
    ranges = [(start, end)] if first_day.year == last_day.year else [(start, 1231), (101, end)]
    return [(low, max(high, 229) if low <= 228 <= high else high) for low, high in ranges]


def _yearly(
    cursor: ViewCursor, actor: Actor, query: CalendarQuery, employees: list[str] | None
) -> list[dict[str, Any]]:
    p = Params()
    conditions = [in_scope(actor, "employee_id", STAFF.name, p)]
    whose = _whose(cursor.dialect, employees, p)
    if whose is not None:
        conditions.append(whose)
    ranges = _month_day_ranges(query.first_day, query.last_day)
    if ranges is not None:
        conditions.append(
            "(" + " OR ".join(f"month_day BETWEEN {p(low)} AND {p(high)}" for low, high in ranges) + ")"
        )
    rows = cursor.execute(
        "SELECT entry_id, employee_id, kind, label, person, original, source_kind, source_id, "
        f"counterparty_id FROM {YEARLY.name} WHERE {' AND '.join(conditions)}",
        p.values,
    )
    entries = []
    for entry_id, employee_id, kind, label, person, stored, source_kind, source_id, counterparty_id in rows:
        original = cursor.dialect.day_of(stored)
        for day in yearly_occurrences(original, query.first_day, query.last_day):
            entries.append(
                {
                    "entry_id": f"{entry_id}:{day.year}",
                    "employee_id": employee_id,
                    "layer": _YEARLY_LAYER.value,
                    "title": f"{label}: {person}",
                    "status": "yearly",
                    "all_day": True,
                    "starts_at": None,
                    "ends_at": None,
                    "first_day": day,
                    "last_day": day,
                    "sequence": 0,
                    "counterparty_id": counterparty_id,
                    "details": {
                        "kind": kind,
                        "original": original.isoformat(),
                        "years": day.year - original.year,
                    },
                    "updated_at": None,
                    "source": {
                        "kind": source_kind,
                        "id": source_id,
                        "path": api_path(_CARDS[source_kind], source_id),
                    },
                }
            )
    return entries
