"""Calendar feeds: which secret address belongs to whom, and which still work.

A feed stops working when it is revoked or when its owner is deactivated; a reactivated
employee subscribes anew."""

from dataclasses import dataclass
from typing import Any

from aggregates.calendar_feed import CalendarFeed
from aggregates.employee import Employee
from projections.database import ViewCursor
from projections.projection import Projection, on
from projections.tables import Kind, Table
from projections.writes import Rows, Writes

FEEDS = Table(
    "calendar_feeds",
    {
        "feed_id": Kind.TEXT,
        "owner_id": Kind.TEXT,
        "name": Kind.TEXT,
        "digest": Kind.TEXT,
        "issued_at": Kind.MOMENT,
        "issued_by": Kind.TEXT,
        "revoked_at": Kind.MOMENT,
        "revoked_by": Kind.TEXT,
    },
    key=("feed_id",),
    nullable=frozenset({"revoked_at", "revoked_by"}),
    indexes=(("digest",), ("owner_id",)),
)


@dataclass
class _Batch:
    feeds: Rows


class CalendarFeeds(Projection[_Batch]):
    name = "calendar_feeds"
    tables = (FEEDS,)

    def open(self, writes: Writes) -> _Batch:
        return _Batch(writes.rows(FEEDS))

    @on(CalendarFeed.Issued)
    def _issued(self, view: _Batch, event: CalendarFeed.Issued, _position: int) -> None:
        view.feeds.put(
            {
                "feed_id": str(event.originator_id),
                "owner_id": event.owner_id,
                "name": event.name,
                "digest": event.token_digest,
                "issued_at": event.timestamp,
                "issued_by": event.actor,
                "revoked_at": None,
                "revoked_by": None,
            }
        )

    @on(CalendarFeed.Revoked)
    def _revoked(self, view: _Batch, event: CalendarFeed.Revoked, _position: int) -> None:
        view.feeds.update((str(event.originator_id),), revoked_at=event.timestamp, revoked_by=event.actor)

    @on(Employee.Deactivated)
    def _owner_deactivated(self, view: _Batch, event: Employee.Deactivated, _position: int) -> None:
        for feed in view.feeds.rows_where("owner_id", str(event.originator_id)):
            if feed["revoked_at"] is None:
                view.feeds.put(feed | {"revoked_at": event.timestamp, "revoked_by": event.actor})


def feed_owner(cursor: ViewCursor, digest: str) -> str | None:
    """Whose calendar a live feed token shows."""
    rows = cursor.execute(
        f"SELECT owner_id FROM {FEEDS.name} WHERE digest = $1 AND revoked_at IS NULL", (digest,)
    )
    return str(rows[0][0]) if rows else None


_SHOWN = tuple(c for c in FEEDS.column_names if c != "digest")


def feeds_of(cursor: ViewCursor, owner_id: str) -> list[dict[str, Any]]:
    """Every feed the employee issued, newest first; never a digest."""
    rows = cursor.execute(
        f"SELECT {', '.join(_SHOWN)} FROM {FEEDS.name} WHERE owner_id = $1 ORDER BY issued_at DESC, feed_id",
        (owner_id,),
    )
    return [dict(zip(_SHOWN, row, strict=True)) for row in rows]
