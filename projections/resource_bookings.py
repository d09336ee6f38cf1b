"""Shared resources and their bookings (FEATURES E7): what can be booked, and who holds
which resource when. A cancelled booking stays, marked, for the record."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aggregates.resource import Resource
from event_store.store import Recorded
from projections.database import Params, ViewCursor
from projections.projection import Projection, on, originators
from projections.staff import KeepsStaff, staff_table
from projections.tables import Kind, Table
from projections.writes import Rows, Writes

RESOURCES = Table(
    "resources",
    {
        "id": Kind.TEXT,
        "name": Kind.TEXT,
        "kind": Kind.TEXT,
        "location": Kind.TEXT,
        "retired_at": Kind.MOMENT,
        "version": Kind.INTEGER,
    },
    key=("id",),
    nullable=frozenset({"retired_at"}),
)
BOOKINGS = Table(
    "resource_bookings",
    {
        "booking_id": Kind.TEXT,
        "resource_id": Kind.TEXT,
        "starts_at": Kind.MOMENT,
        "ends_at": Kind.MOMENT,
        "booked_by": Kind.TEXT,
        "purpose": Kind.TEXT,
        "activity_id": Kind.TEXT,
        "cancelled_at": Kind.MOMENT,
    },
    key=("booking_id",),
    nullable=frozenset({"activity_id", "cancelled_at"}),
    indexes=(("resource_id", "starts_at"), ("booked_by", "starts_at"), ("starts_at",)),
)
STAFF = staff_table("resource_staff")


@dataclass
class _Batch:
    resources: Rows
    bookings: Rows
    staff: Rows


class ResourceBookings(KeepsStaff, Projection[_Batch]):
    name = "resource_bookings"
    tables = (RESOURCES, BOOKINGS, STAFF)

    def open(self, writes: Writes) -> _Batch:
        return _Batch(writes.rows(RESOURCES), writes.rows(BOOKINGS), writes.rows(STAFF))

    def preload(self, view: _Batch, events: Sequence[Recorded]) -> None:
        view.resources.load("id", originators(events, Resource.Event))
        cancelled = [r.event.booking_id for r in events if isinstance(r.event, Resource.BookingCancelled)]
        view.bookings.load("booking_id", cancelled)

    @on(Resource.Registered)
    def _registered(self, view: _Batch, event: Resource.Registered, _position: int) -> None:
        view.resources.put(
            {
                "id": str(event.originator_id),
                "name": event.name,
                "kind": event.kind,
                "location": event.location,
                "retired_at": None,
                "version": event.originator_version,
            }
        )

    @on(Resource.Retired)
    def _retired(self, view: _Batch, event: Resource.Retired, _position: int) -> None:
        _touch(view, event, retired_at=event.occurred_at)

    @on(Resource.Booked)
    def _booked(self, view: _Batch, event: Resource.Booked, _position: int) -> None:
        view.bookings.put(
            {
                "booking_id": event.booking_id,
                "resource_id": str(event.originator_id),
                "starts_at": event.starts_at,
                "ends_at": event.ends_at,
                "booked_by": event.actor,
                "purpose": event.purpose,
                "activity_id": event.activity_id,
                "cancelled_at": None,
            }
        )
        _touch(view, event)

    @on(Resource.BookingCancelled)
    def _cancelled(self, view: _Batch, event: Resource.BookingCancelled, _position: int) -> None:
        view.bookings.update((event.booking_id,), cancelled_at=event.occurred_at)
        _touch(view, event)


def _touch(view: _Batch, event: Resource.Event, **columns: Any) -> None:
    view.resources.update((str(event.originator_id),), version=event.originator_version, **columns)


def list_resources(cursor: ViewCursor, include_retired: bool = False) -> list[dict[str, Any]]:
    condition = "" if include_retired else "WHERE retired_at IS NULL"
    rows = cursor.execute(
        f"SELECT {', '.join(RESOURCES.column_names)} FROM {RESOURCES.name} {condition} ORDER BY name, id"
    )
    found = []
    for row in rows:
        record = dict(zip(RESOURCES.column_names, row, strict=True))
        if record["retired_at"] is not None:
            record["retired_at"] = cursor.dialect.moment_of(record["retired_at"])
        found.append(record)
    return found


def get_resource(cursor: ViewCursor, resource_id: str) -> dict[str, Any] | None:
    return next((r for r in list_resources(cursor, include_retired=True) if r["id"] == resource_id), None)


@dataclass(frozen=True)
class BookingQuery:
    since: datetime
    until: datetime
    resource_id: str | None = None
    booked_by: str | None = None
    include_cancelled: bool = False


_BOOKING_COLUMNS = (*BOOKINGS.column_names, "resource_name", "booked_by_name")


def bookings(cursor: ViewCursor, query: BookingQuery) -> list[dict[str, Any]]:
    """Bookings overlapping [since, until), by start."""
    p = Params()
    conditions = [f"b.starts_at < {p(query.until)}", f"b.ends_at > {p(query.since)}"]
    if query.resource_id:
        conditions.append(f"b.resource_id = {p(query.resource_id)}")
    if query.booked_by:
        conditions.append(f"b.booked_by = {p(query.booked_by)}")
    if not query.include_cancelled:
        conditions.append("b.cancelled_at IS NULL")
    rows = cursor.execute(
        f"SELECT {', '.join('b.' + c for c in BOOKINGS.column_names)}, r.name, e.full_name "
        f"FROM {BOOKINGS.name} b JOIN {RESOURCES.name} r ON r.id = b.resource_id "
        f"LEFT JOIN {STAFF.name} e ON e.id = b.booked_by "
        f"WHERE {' AND '.join(conditions)} ORDER BY b.starts_at, b.booking_id",
        p.values,
    )
    found = []
    for row in rows:
        record = dict(zip(_BOOKING_COLUMNS, row, strict=True))
        for column in ("starts_at", "ends_at", "cancelled_at"):
            if record[column] is not None:
                record[column] = cursor.dialect.moment_of(record[column])
        found.append(record)
    return found
