"""Who did what: one row per recorded fact, by its author and when it was recorded.

Feeds the audit of one employee's actions (``GET /audit/actors/{id}``): on a log of millions
of events, a page of one author's facts in a period is one index range, not a scan."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aggregates.command_receipt import CommandReceipt
from aggregates.facts import every_fact, fact_name
from aggregates.stamp import Fact
from projections.database import Params, ViewCursor
from projections.projection import Projection, on
from projections.tables import Kind, Table
from projections.writes import Appends, Writes

ACTIVITY = Table(
    "actor_activity",
    {
        "position": Kind.BIGINT,
        "actor": Kind.TEXT,
        "recorded_at": Kind.MOMENT,
        # As the event gives it: a business time the write side let through must not stop
        # the view that every event passes (one near year 1 has no UTC form).
        "occurred_at": Kind.TEXT,
        "record_id": Kind.TEXT,
        "event": Kind.TEXT,
    },
    key=("position",),
    indexes=(("actor", "recorded_at", "position"),),
)


@dataclass
class _Batch:
    activity: Appends


class ActorActivity(Projection[_Batch]):
    name = "actor_activity"
    tables = (ACTIVITY,)

    def open(self, writes: Writes) -> _Batch:
        return _Batch(writes.appends(ACTIVITY))

    # A command's receipt repeats what its facts say, under the same command id.
    @on(*[kind for kind in every_fact() if kind is not CommandReceipt.Handled])
    def _recorded(self, view: _Batch, event: Fact, position: int) -> None:
        view.activity.add(
            (
                position,
                event.actor,
                event.timestamp,
                event.occurred_at.isoformat(),
                str(event.originator_id),
                fact_name(type(event)),
            )
        )


def actor_activity(
    cursor: ViewCursor,
    actor: str,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """One author's facts recorded from ``since`` (inclusive) to ``until`` (exclusive), in log order."""
    p = Params()
    conditions = [f"actor = {p(actor)}"]
    if since is not None:
        conditions.append(f"recorded_at >= {p(since)}")
    if until is not None:
        conditions.append(f"recorded_at < {p(until)}")
    where = " AND ".join(conditions)
    (total,) = cursor.execute(f"SELECT COUNT(*) FROM {ACTIVITY.name} WHERE {where}", p.values)[0]
    rows = cursor.execute(
        f"SELECT position, recorded_at, occurred_at, record_id, event FROM {ACTIVITY.name} WHERE {where} "
        f"ORDER BY recorded_at, position LIMIT {p(limit)} OFFSET {p(offset)}",
        p.values,
    )
    moment = cursor.dialect.moment_of
    return [
        {
            "position": int(position),
            "recorded_at": moment(recorded_at),
            "occurred_at": datetime.fromisoformat(occurred_at),
            "record_id": record_id,
            "event": event,
        }
        for position, recorded_at, occurred_at, record_id, event in rows
    ], int(total)
