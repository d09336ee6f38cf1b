"""Reading the calendar: a period's entries of some layers, for one employee, a team or
everyone within the reader's scope.

Yearly dates are expanded here for the years the period touches. A date of 29 February
falls on 28 February in a year without one: the day before, so that it is still within the
month and never shown late.
"""

import calendar as gregorian
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from aggregates.scope import Actor
from letopis.garbage_collector import collector_paused
from projections.calendar_entries import (
    ENTRIES,
    LAYERS,
    SPAN_BOUNDS,
    STAFF,
    YEARLY,
    Layer,
    api_path,
    shown_entry,
    shown_json,
)
from projections.database import Dialect, Params, ViewCursor
from projections.scope import in_scope

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


class StoredEntry(NamedTuple):
    """A dated entry as it is stored: the body a reader is shown, when it last changed, and the
    id of the record it shows."""

    body: str
    updated_at: datetime
    source_id: str


class YearlyDate(NamedTuple):
    """A yearly date on the day it falls on in a period, as its row gives it."""

    entry_id: str
    employee_id: str
    kind: str
    label: str
    person: str
    original: date
    source_kind: str
    source_id: str
    counterparty_id: str | None
    day: date

    @property
    def shown_id(self) -> str:
        """The id of the entry it shows: one a year."""
        return f"{self.entry_id}:{self.day.year}"


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
    dated, yearly = stored_entries(cursor, actor, query)
    entries = [entry_of(stored) for stored in dated]
    entries.extend(map(yearly_entry, yearly))
    entries.sort(key=_in_order)
    return entries


@collector_paused()
def stored_entries(
    cursor: ViewCursor, actor: Actor, query: CalendarQuery
) -> tuple[list[StoredEntry], list[YearlyDate]]:
    """The period's dated entries the reader may see as they are stored, in no particular
    order, and its yearly dates' occurrences: for a reader that renders each once and
    remembers the rendering (the feeds)."""
    employees = _named_employees(cursor, query)
    dated = []
    if query.layers - {_YEARLY_LAYER}:
        condition, p = _dated(cursor.dialect, actor, query, employees)
        dated = _stored_where(cursor, condition, p)
    yearly = _yearly(cursor, actor, query, employees) if _YEARLY_LAYER in query.layers else []
    return dated, yearly


def entry_of(stored: StoredEntry) -> dict[str, Any]:
    """The entry a stored body shows, with the time it last changed: a copy of its own."""
    entry = shown_entry(stored.body)
    entry["updated_at"] = stored.updated_at
    return entry


@collector_paused()
def calendar_json(cursor: ViewCursor, actor: Actor, query: CalendarQuery) -> bytes:
    """The entries of ``calendar_entries`` as the API shows them, a JSON array in the same
    order: each dated one is the body rendered when it was written, sorted by the engine and
    sent as it is read."""
    employees = _named_employees(cursor, query)
    dated: list[tuple[Any, bytes]] = []
    if query.layers - {_YEARLY_LAYER}:
        condition, p = _dated(cursor.dialect, actor, query, employees)
        by_bytes = cursor.dialect.byte_order
        dated = cursor.execute_utf8(
            f"SELECT first_day, body FROM {ENTRIES.name} WHERE {condition} ORDER BY first_day, "
            f"starts_at IS NOT NULL, starts_at, entry_id{by_bytes}, employee_id{by_bytes}",
            p.values,
        )
    yearly = []
    if _YEARLY_LAYER in query.layers:
        yearly = sorted(_yearly(cursor, actor, query, employees), key=_yearly_order)
    # Each yearly date goes before the first dated entry of its day or a later one: a seek
    # among the dated entries, which are sent as they are read.
    day_of = cursor.dialect.day_of
    pieces: list[bytes] = []
    taken = 0
    for occurrence in yearly:
        before = bisect_left(dated, occurrence.day, lo=taken, key=lambda row: day_of(row[0]))
        pieces.extend(body for _, body in dated[taken:before])
        pieces.append(_yearly_json(occurrence))
        taken = before
    pieces.extend(body for _, body in dated[taken:])
    if not pieces:
        return b"[]"
    # The brackets join the first and last bodies, so the megabytes are copied only once.
    pieces[0] = b"[" + pieces[0]
    pieces[-1] += b"]"
    return b",".join(pieces)


def _yearly_order(occurrence: YearlyDate) -> tuple[date, str, str]:
    """``_in_order`` of the entries yearly dates show, all of them of the first rank on a day."""
    return occurrence.day, occurrence.shown_id, occurrence.employee_id


@lru_cache(maxsize=20_000)
def _yearly_json(occurrence: YearlyDate) -> bytes:
    """Remembered: a person's birthday is shown in every calendar of its month."""
    return shown_json(yearly_entry(occurrence)).encode()


def _in_order(entry: dict[str, Any]) -> tuple[Any, ...]:
    """By day; on a day, the yearly dates first, then the other all-day entries, then the
    timed ones by the time they start; an entry shown to several employees once for each,
    in the order of their ids."""
    timed = entry["starts_at"] is not None
    rank = 0 if entry["layer"] == _YEARLY_LAYER else 1 + timed
    return (
        entry["first_day"],
        rank,
        entry["starts_at"] if timed else entry["first_day"],
        entry["entry_id"],
        entry["employee_id"],
    )


def _dated(
    dialect: Dialect, actor: Actor, query: CalendarQuery, employees: list[str] | None
) -> tuple[str, Params]:
    """The condition the period's dated entries meet, with its parameters."""
    p = Params()
    layers = sorted(layer.value for layer in query.layers - {_YEARLY_LAYER})
    whose = _whose(dialect, employees, p)
    last_day = p(query.last_day)
    # One range of the index for each span: its employees (named in each, so that each is a
    # seek on both engines), then the days an entry of that span may start on and be shown.
    spans = " OR ".join(
        "("
        + (f"{whose} AND " if whose else "")
        + f"span = {p(bound)} AND first_day BETWEEN {p(_days_before(query.first_day, bound))} AND {last_day})"
        for bound in SPAN_BOUNDS
    )
    condition = (
        f"({spans}) AND last_day >= {p(query.first_day)} AND {dialect.any_of('layer', p(layers))} "
        f"AND {in_scope(actor, 'employee_id', STAFF.name, p)}"
    )
    return condition, p


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
    return [entry_of(stored) for stored in _stored_where(cursor, condition, p)]


def _stored_where(cursor: ViewCursor, condition: str, p: Params) -> list[StoredEntry]:
    moment = cursor.dialect.moment_of
    rows = cursor.execute(
        f"SELECT body, updated_at, source_id FROM {ENTRIES.name} WHERE {condition}", p.values
    )
    return [StoredEntry(body, moment(updated_at), source_id) for body, updated_at, source_id in rows]


def _month_day_ranges(first_day: date, last_day: date) -> list[tuple[int, int]] | None:
    """The month-and-day numbers (MMDD) the period covers; None for a whole year or more.
    A range reaching 28 February also takes 29 February, which falls there in common years."""
    if (last_day - first_day).days >= 365:
        return None
    start, end = first_day.month * 100 + first_day.day, last_day.month * 100 + last_day.day
    ranges = [(start, end)] if first_day.year == last_day.year else [(start, 1231), (101, end)]
    return [(low, max(high, 229) if low <= 228 <= high else high) for low, high in ranges]


def yearly_entry(occurrence: YearlyDate) -> dict[str, Any]:
    """The entry a yearly date's occurrence shows: one of its own, a year's id apart."""
    day, original = occurrence.day, occurrence.original
    return {
        "entry_id": occurrence.shown_id,
        "employee_id": occurrence.employee_id,
        "layer": _YEARLY_LAYER.value,
        "title": f"{occurrence.label}: {occurrence.person}",
        "status": "yearly",
        "all_day": True,
        "starts_at": None,
        "ends_at": None,
        "first_day": day,
        "last_day": day,
        "sequence": 0,
        "counterparty_id": occurrence.counterparty_id,
        "details": {
            "kind": occurrence.kind,
            "original": original.isoformat(),
            "years": day.year - original.year,
        },
        "updated_at": None,
        "source": {
            "kind": occurrence.source_kind,
            "id": occurrence.source_id,
            "path": api_path(_CARDS[occurrence.source_kind], occurrence.source_id),
        },
    }


def _yearly(
    cursor: ViewCursor, actor: Actor, query: CalendarQuery, employees: list[str] | None
) -> list[YearlyDate]:
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
    day_of = cursor.dialect.day_of
    found: list[YearlyDate] = []
    for entry_id, employee_id, kind, label, person, stored, source_kind, source_id, counterparty_id in rows:
        original = day_of(stored)
        found.extend(
            YearlyDate(
                entry_id,
                employee_id,
                kind,
                label,
                person,
                original,
                source_kind,
                source_id,
                counterparty_id,
                day,
            )
            for day in yearly_occurrences(original, query.first_day, query.last_day)
        )
    return found
