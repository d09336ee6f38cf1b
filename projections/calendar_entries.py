"""The calendar's tables and entries (FEATURES E2, E6): what lies on each employee's days.

Dated entries (a meeting, a contract stage, a deal's expected close) are rows of
``calendar_entries``, one per employee whose calendar shows them, each naming its source
(kind, id and the API path of its card). Yearly dates (birthdays, notable dates) are kept
once, as the date they fell on, and expanded for the period asked
(``projections.calendar_queries``). Timed entries are placed on the days of the company's
time zone.
"""

from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from projections.database import Dialect
from projections.staff import staff_table
from projections.tables import Kind, Table
from projections.values import from_json, to_json
from projections.writes import Row, Rows, Writes

CALENDAR_ZONE = ZoneInfo("Europe/Moscow")
"""The company's time zone: the day a timed entry falls on, and "today"."""


class Layer(StrEnum):
    """What a calendar entry is, so a reader can show or hide each kind."""

    MEETINGS = "meetings"
    TASKS = "tasks"
    CONTRACT_STAGES = "contract_stages"
    DEAL_CLOSES = "deal_closes"
    DATES = "dates"
    BOOKINGS = "bookings"


LAYERS = frozenset(Layer)

SPAN_BOUNDS: tuple[int, ...] = (*(2**k - 1 for k in range(13)), (date.max - date.min).days)
"""What an entry's length in days is rounded up to: an entry of a period is sought among the
entries of each length that start at most that length before the period, so a reader never
scans every entry that ends after the period starts (a year of them, for a week a year ago)."""


def span_bound(first_day: date, last_day: date) -> int:
    return SPAN_BOUNDS[bisect_left(SPAN_BOUNDS, (last_day - first_day).days)]


ENTRIES = Table(
    "calendar_entries",
    {
        "entry_id": Kind.TEXT,
        "employee_id": Kind.TEXT,
        "layer": Kind.TEXT,
        "title": Kind.TEXT,
        "status": Kind.TEXT,
        "all_day": Kind.INTEGER,
        "starts_at": Kind.MOMENT,
        "ends_at": Kind.MOMENT,
        "first_day": Kind.DAY,
        "last_day": Kind.DAY,
        "sequence": Kind.INTEGER,
        "source_kind": Kind.TEXT,
        "source_id": Kind.TEXT,
        "source_path": Kind.TEXT,
        "counterparty_id": Kind.TEXT,
        "details": Kind.JSON,
        "updated_at": Kind.MOMENT,
        "span": Kind.INTEGER,
        "body": Kind.TEXT,
    },
    key=("entry_id", "employee_id"),
    nullable=frozenset({"starts_at", "ends_at", "counterparty_id", "source_path"}),
    # A period's entries of an employee, or of everyone, are found in the index alone: for each
    # span, those starting from that span before the period to its end, their last day read
    # there, so only the entries shown are fetched from the table.
    # An employee's contract stages late to start or to end are sought by their status, not
    # among every stage the employee ever had.
    indexes=(
        ("employee_id", "span", "first_day", "last_day"),
        ("span", "first_day", "last_day"),
        ("employee_id", "layer", "status", "first_day", "last_day"),
        ("source_id",),
    ),
    # A team's week is thousands of entries: in the first index's order, each employee's
    # entries of a period fill a few pages rather than one page each.
    written_in=("employee_id", "span", "first_day"),
)
YEARLY = Table(
    "calendar_yearly_dates",
    {
        "entry_id": Kind.TEXT,
        "employee_id": Kind.TEXT,
        "kind": Kind.TEXT,
        "label": Kind.TEXT,
        "person": Kind.TEXT,
        "original": Kind.DAY,
        "month_day": Kind.INTEGER,
        "source_kind": Kind.TEXT,
        "source_id": Kind.TEXT,
        "counterparty_id": Kind.TEXT,
    },
    key=("entry_id",),
    nullable=frozenset({"counterparty_id"}),
    indexes=(("employee_id", "month_day"), ("source_id",), ("counterparty_id",)),
)
CLIENTS = Table(
    "calendar_clients", {"id": Kind.TEXT, "name": Kind.TEXT, "manager_id": Kind.TEXT}, key=("id",)
)
CONTACTS = Table(
    "calendar_contacts",
    {
        "id": Kind.TEXT,
        "full_name": Kind.TEXT,
        "counterparty_id": Kind.TEXT,
        "manager_id": Kind.TEXT,
        "dates": Kind.JSON,
    },
    key=("id",),
    nullable=frozenset({"counterparty_id"}),
)
SOURCES = Table(
    "calendar_sources",
    {
        "id": Kind.TEXT,
        "employee_id": Kind.TEXT,
        "counterparty_id": Kind.TEXT,
        "label": Kind.TEXT,
        "others": Kind.JSON,
    },
    key=("id",),
    nullable=frozenset({"counterparty_id"}),
)
"""Records whose later events name neither whose calendar shows them nor what they are
called (contracts, deals, activities, resources, bookings, logged meetings): the employee,
any other employees who see them too, and the label titles use."""
STAFF = staff_table("calendar_staff")


def api_path(kind: str, record_id: str) -> str:
    return f"/api/v1/{kind}/{record_id}"


def days_of(starts_at: datetime, ends_at: datetime) -> tuple[date, date]:
    """The company's days a timed entry covers; its end is exclusive."""
    first = starts_at.astimezone(CALENDAR_ZONE).date()
    last = (ends_at - timedelta(microseconds=1)).astimezone(CALENDAR_ZONE).date()
    return first, max(first, last)


@dataclass(frozen=True)
class Source:
    kind: str
    id: str
    path: str | None
    counterparty_id: str | None = None


def timed_entry(
    entry_id: str,
    employee_id: str,
    layer: Layer,
    source: Source,
    *,
    title: str,
    status: str,
    starts_at: datetime,
    ends_at: datetime,
    updated_at: datetime,
    details: dict[str, Any] | None = None,
    sequence: int = 0,
) -> Row:
    first, last = days_of(starts_at, ends_at)
    day_span = all_day_entry(
        entry_id,
        employee_id,
        layer,
        source,
        title=title,
        status=status,
        first_day=first,
        last_day=last,
        updated_at=updated_at,
        details=details,
    )
    return day_span | {
        "all_day": 0,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "sequence": sequence,
    }


def all_day_entry(
    entry_id: str,
    employee_id: str,
    layer: Layer,
    source: Source,
    *,
    title: str,
    status: str,
    first_day: date,
    last_day: date,
    updated_at: datetime,
    details: dict[str, Any] | None = None,
) -> Row:
    return {
        "entry_id": entry_id,
        "employee_id": employee_id,
        "layer": layer.value,
        "title": title,
        "status": status,
        "all_day": 1,
        "starts_at": None,
        "ends_at": None,
        "first_day": first_day,
        "last_day": last_day,
        "sequence": 0,
        "source_kind": source.kind,
        "source_id": source.id,
        "source_path": source.path,
        "counterparty_id": source.counterparty_id,
        "details": to_json(details or {}),
        "updated_at": updated_at,
    }


SHOWN = (
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
    "source",
    "details",
)
"""What a reader is shown of an entry, in the order the API shows it."""


def shown_json(entry: Mapping[str, Any]) -> str:
    """An entry as the API shows it (``SHOWN`` of it), its times in UTC."""
    return orjson.dumps({name: entry[name] for name in SHOWN}, option=orjson.OPT_UTC_Z).decode()


def shown_entry(body: str) -> dict[str, Any]:
    """The entry a body shows, its days and times as dates and datetimes again: a copy of
    its own for each reader, so that none changes another's."""
    entry = dict(_parsed(body))
    entry["source"], entry["details"] = dict(entry["source"]), dict(entry["details"])
    return entry


@lru_cache(maxsize=20_000)
def _parsed(body: str) -> Mapping[str, Any]:
    """Remembered, as a feed or a report reads the same entries again and again: a few
    employees' feeds' worth, each entry a few kilobytes."""
    entry: dict[str, Any] = orjson.loads(body)
    for name in ("starts_at", "ends_at"):
        if entry[name] is not None:
            entry[name] = datetime.fromisoformat(entry[name])
    entry["first_day"] = date.fromisoformat(entry["first_day"])
    entry["last_day"] = date.fromisoformat(entry["last_day"])
    return entry


class EntryRows(Rows):
    """The entries as a batch sees them, each written with the span its days give it and the
    body a reader is shown: rendered once here, as a team's week is thousands of entries that
    would otherwise be read column by column and rebuilt on every request."""

    def __init__(self, writes: Writes, table: Table) -> None:
        super().__init__(writes, table)
        self._dialect = writes.cursor.dialect

    def written(self, row: Row) -> Row:
        day, moment = self._dialect.day_of, self._dialect.moment_of
        first_day, last_day = day(row["first_day"]), day(row["last_day"])
        starts_at, ends_at = (
            None if row[name] is None else moment(row[name]).astimezone(UTC)
            for name in ("starts_at", "ends_at")
        )
        shown = row | {
            "all_day": bool(row["all_day"]),
            "starts_at": starts_at,
            "ends_at": ends_at,
            "first_day": first_day,
            "last_day": last_day,
            "source": {"kind": row["source_kind"], "id": row["source_id"], "path": row["source_path"]},
            "details": from_json(row["details"]) or {},
        }
        # Days as dates, whether a handler put them or SQLite gave them back as text: the rows
        # of a batch are sorted by them.
        return row | {
            "first_day": first_day,
            "last_day": last_day,
            "span": span_bound(first_day, last_day),
            "body": shown_json(shown),
        }


@dataclass
class CalendarBatch:
    entries: Rows
    yearly: Rows
    clients: Rows
    contacts: Rows
    sources: Rows
    staff: Rows
    dialect: Dialect


def moved(
    view: CalendarBatch, entry: Row, starts_at: datetime, ends_at: datetime | None, updated_at: datetime
) -> Row:
    """A timed entry at another time, its length kept unless a new end is given; a calendar
    client learns of the move from the raised sequence."""
    if ends_at is None:
        length = view.dialect.moment_of(entry["ends_at"]) - view.dialect.moment_of(entry["starts_at"])
        ends_at = starts_at + length
    first_day, last_day = days_of(starts_at, ends_at)
    return entry | {
        "starts_at": starts_at,
        "ends_at": ends_at,
        "first_day": first_day,
        "last_day": last_day,
        "sequence": entry["sequence"] + 1,
        "updated_at": updated_at,
    }


def remember(
    view: CalendarBatch,
    record_id: str,
    employee_id: str,
    counterparty_id: str | None,
    label: str,
    others: list[str] | None = None,
) -> None:
    view.sources.put(
        {
            "id": record_id,
            "employee_id": employee_id,
            "counterparty_id": counterparty_id,
            "label": label,
            "others": to_json(others or []),
        }
    )
