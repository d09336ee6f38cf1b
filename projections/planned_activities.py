"""Planned activities and the control of their execution (FEATURES E1, E5): one row per
activity with its current time, its status and how it was closed; a row per person taking
part, so that each finds their own.

Overdue is not stored: a planned activity whose deadline lies before the reader's ``now``
is overdue, decided in the query. Held late likewise: held after the deadline."""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aggregates.interaction import Interaction
from aggregates.planned_activity import ActivityStatus, PlannedActivity, Schedule
from aggregates.scope import Actor
from event_store.store import Recorded
from projections.counterparty_merges import same_client
from projections.database import Params, ViewCursor
from projections.projection import Projection, on, originators
from projections.scope import in_scope
from projections.staff import KeepsStaff, staff_table
from projections.tables import Kind, Table
from projections.values import from_json
from projections.writes import Rows, Writes

ACTIVITIES = Table(
    "planned_activities",
    {
        "id": Kind.TEXT,
        "kind": Kind.TEXT,
        "subject": Kind.TEXT,
        "counterparty_id": Kind.TEXT,
        "contact_ids": Kind.JSON,
        "deal_id": Kind.TEXT,
        "contract_id": Kind.TEXT,
        "responsible_id": Kind.TEXT,
        "participant_ids": Kind.JSON,
        "place": Kind.TEXT,
        "agenda": Kind.TEXT,
        "starts_at": Kind.MOMENT,
        "ends_at": Kind.MOMENT,
        "day": Kind.DAY,
        "begins_at": Kind.MOMENT,
        "deadline": Kind.MOMENT,
        "status": Kind.TEXT,
        "reschedules": Kind.INTEGER,
        "interaction_id": Kind.TEXT,
        "held_at": Kind.MOMENT,
        "close_reason": Kind.TEXT,
        "version": Kind.INTEGER,
        "planned_at": Kind.MOMENT,
    },
    key=("id",),
    nullable=frozenset(
        {
            "counterparty_id",
            "deal_id",
            "contract_id",
            "starts_at",
            "ends_at",
            "day",
            "interaction_id",
            "held_at",
            "close_reason",
        }
    ),
    indexes=(
        ("responsible_id", "begins_at"),
        ("counterparty_id", "begins_at"),
        ("status", "deadline"),
        # An employee's overdue activities, for the daily report, without those of everyone else.
        ("responsible_id", "status", "deadline"),
        # The control of execution over a department counts a period's activities from the
        # index alone, without reading every row of the table.
        ("begins_at", "responsible_id", "status", "deadline", "held_at"),
        ("interaction_id",),
    ),
)
PEOPLE = Table(
    "planned_activity_people",
    {"activity_id": Kind.TEXT, "employee_id": Kind.TEXT},
    key=("activity_id", "employee_id"),
    indexes=(("employee_id",),),
)
STAFF = staff_table("planned_activity_staff")


@dataclass
class _Batch:
    activities: Rows
    people: Rows
    staff: Rows


def _when(starts_at: datetime | None, ends_at: datetime | None, day: Any) -> dict[str, Any]:
    schedule = Schedule(starts_at, ends_at, day)
    return {
        "starts_at": starts_at,
        "ends_at": ends_at,
        "day": day,
        "begins_at": schedule.begins,
        "deadline": schedule.deadline,
    }


_LATER = (
    PlannedActivity.Rescheduled,
    PlannedActivity.Held,
    PlannedActivity.Missed,
    PlannedActivity.Cancelled,
)


class PlannedActivities(KeepsStaff, Projection[_Batch]):
    name = "planned_activities"
    version = 3
    tables = (ACTIVITIES, PEOPLE, STAFF)

    def open(self, writes: Writes) -> _Batch:
        return _Batch(writes.rows(ACTIVITIES), writes.rows(PEOPLE), writes.rows(STAFF))

    def preload(self, view: _Batch, events: Sequence[Recorded]) -> None:
        view.activities.load("id", originators(events, *_LATER))

    @on(PlannedActivity.Planned)
    def _planned(self, view: _Batch, event: PlannedActivity.Planned, _position: int) -> None:
        key = str(event.originator_id)
        when = _when(event.starts_at, event.ends_at, event.day)
        view.activities.put(
            {
                "id": key,
                "kind": event.kind,
                "subject": event.subject,
                "counterparty_id": event.counterparty_id,
                "contact_ids": json.dumps(event.contact_ids),
                "deal_id": event.deal_id,
                "contract_id": event.contract_id,
                "responsible_id": event.responsible_id,
                "participant_ids": json.dumps(event.participant_ids),
                "place": event.place,
                "agenda": event.agenda,
                **when,
                "status": ActivityStatus.PLANNED.value,
                "reschedules": 0,
                "interaction_id": None,
                "held_at": None,
                "close_reason": None,
                "version": event.originator_version,
                "planned_at": event.occurred_at,
            }
        )
        for employee_id in (event.responsible_id, *event.participant_ids):
            view.people.put({"activity_id": key, "employee_id": employee_id})

    @on(PlannedActivity.Rescheduled)
    def _rescheduled(self, view: _Batch, event: PlannedActivity.Rescheduled, _position: int) -> None:
        key = str(event.originator_id)
        when = _when(event.starts_at, event.ends_at, event.day)
        view.activities.update((key,), **when, reschedules=event.sequence, version=event.originator_version)

    @on(PlannedActivity.Held)
    def _held(self, view: _Batch, event: PlannedActivity.Held, _position: int) -> None:
        view.activities.update(
            (str(event.originator_id),),
            status=ActivityStatus.HELD.value,
            interaction_id=event.interaction_id,
            held_at=event.held_at,
            version=event.originator_version,
        )

    @on(Interaction.Corrected)
    def _held_at_corrected(self, view: _Batch, event: Interaction.Corrected, _position: int) -> None:
        """An activity was held when the meeting that held it happened: a correction of that
        time moves it, and may make it held late or on time."""
        happened_at = event.changes.get("happened_at")
        if happened_at is None:
            return
        moment = happened_at if isinstance(happened_at, datetime) else datetime.fromisoformat(happened_at)
        for activity in view.activities.rows_where("interaction_id", str(event.originator_id)):
            view.activities.put(activity | {"held_at": moment})

    @on(PlannedActivity.Missed)
    def _missed(self, view: _Batch, event: PlannedActivity.Missed, _position: int) -> None:
        _close(view, event, ActivityStatus.MISSED, event.reason)

    @on(PlannedActivity.Cancelled)
    def _cancelled(self, view: _Batch, event: PlannedActivity.Cancelled, _position: int) -> None:
        _close(view, event, ActivityStatus.CANCELLED, event.reason)


def _close(view: _Batch, event: PlannedActivity.Event, status: ActivityStatus, reason: str) -> None:
    view.activities.update(
        (str(event.originator_id),),
        status=status.value,
        close_reason=reason,
        version=event.originator_version,
    )


_COLUMNS = ", ".join(f"a.{c}" for c in ACTIVITIES.column_names)


def _visible(actor: Actor, p: Params) -> str:
    """Within the reader's reach by the responsible employee, or one the reader takes part in."""
    mine = f"a.id IN (SELECT activity_id FROM {PEOPLE.name} WHERE employee_id = {p(actor.employee_id)})"
    return f"({in_scope(actor, 'a.responsible_id', STAFF.name, p)} OR {mine})"


def _row(cursor: ViewCursor, row: Iterable[Any], now: datetime) -> dict[str, Any]:
    record = dict(zip(ACTIVITIES.column_names, row, strict=True))
    moment, day = cursor.dialect.moment_of, cursor.dialect.day_of
    for column in ("starts_at", "ends_at", "begins_at", "deadline", "held_at", "planned_at"):
        if record[column] is not None:
            record[column] = moment(record[column])
    if record["day"] is not None:
        record["day"] = day(record["day"])
    record["contact_ids"] = from_json(record["contact_ids"])
    record["participant_ids"] = from_json(record["participant_ids"])
    record["overdue"] = record["status"] == ActivityStatus.PLANNED and record["deadline"] <= now
    record["held_late"] = record["held_at"] is not None and record["held_at"] > record["deadline"]
    return record


@dataclass(frozen=True)
class ActivityFilter:
    employee_id: str | None = None
    """Activities this employee is responsible for or takes part in."""
    counterparty_id: str | None = None
    status: ActivityStatus | None = None
    overdue: bool = False
    since: datetime | None = None
    until: datetime | None = None


def search_activities(
    cursor: ViewCursor, actor: Actor, criteria: ActivityFilter, now: datetime, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """By the time they begin, within the reader's scope; ``now`` decides what is overdue."""
    p = Params()
    conditions = [_visible(actor, p)]
    if criteria.employee_id:
        conditions.append(
            f"a.id IN (SELECT activity_id FROM {PEOPLE.name} WHERE employee_id = {p(criteria.employee_id)})"
        )
    if criteria.counterparty_id:
        conditions.append(same_client(cursor, "a.counterparty_id", criteria.counterparty_id, p))
    if criteria.status:
        conditions.append(f"a.status = {p(criteria.status.value)}")
    if criteria.overdue:
        conditions.append(f"a.status = 'planned' AND a.deadline <= {p(now)}")
    if criteria.since:
        conditions.append(f"a.deadline > {p(criteria.since)}")
    if criteria.until:
        conditions.append(f"a.begins_at < {p(criteria.until)}")
    where = " AND ".join(conditions)
    (total,) = cursor.execute(f"SELECT COUNT(*) FROM {ACTIVITIES.name} a WHERE {where}", p.values)[0]
    rows = cursor.execute(
        f"SELECT {_COLUMNS} FROM {ACTIVITIES.name} a WHERE {where} "
        f"ORDER BY a.begins_at, a.id LIMIT {p(limit)} OFFSET {p(offset)}",
        p.values,
    )
    return [_row(cursor, row, now) for row in rows], int(total)


def get_activity(cursor: ViewCursor, activity_id: str, now: datetime) -> dict[str, Any] | None:
    rows = cursor.execute(f"SELECT {_COLUMNS} FROM {ACTIVITIES.name} a WHERE a.id = $1", (activity_id,))
    return _row(cursor, rows[0], now) if rows else None


def overdue_activities(cursor: ViewCursor, employee_id: str, now: datetime) -> list[dict[str, Any]]:
    """For the daily report: activities an employee is responsible for whose time passed unclosed."""
    rows = cursor.execute(
        f"SELECT {_COLUMNS} FROM {ACTIVITIES.name} a WHERE a.responsible_id = $1 "
        "AND a.status = 'planned' AND a.deadline <= $2 ORDER BY a.deadline, a.id",
        (employee_id, now),
    )
    return [_row(cursor, row, now) for row in rows]


CONTROL_MEASURES = ("planned", "held_on_time", "held_late", "missed", "cancelled", "overdue", "upcoming")


def execution_control(
    cursor: ViewCursor,
    actor: Actor,
    now: datetime,
    since: datetime,
    until: datetime,
    team: str | None = None,
) -> list[dict[str, Any]]:
    """Per responsible employee (within the reader's scope, optionally one team), the
    activities that begin in [since, until): how many were planned, held on time, held late,
    missed, cancelled, are overdue at ``now``, or still to come."""
    p = Params(now)
    conditions = [
        in_scope(actor, "a.responsible_id", STAFF.name, p),
        f"a.begins_at >= {p(since)}",
        f"a.begins_at < {p(until)}",
    ]
    if team is not None:
        conditions.append(f"e.team = {p(team)}")
    counts = (
        "COUNT(*)",
        "SUM(CASE WHEN a.status = 'held' AND a.held_at <= a.deadline THEN 1 ELSE 0 END)",
        "SUM(CASE WHEN a.status = 'held' AND a.held_at > a.deadline THEN 1 ELSE 0 END)",
        "SUM(CASE WHEN a.status = 'missed' THEN 1 ELSE 0 END)",
        "SUM(CASE WHEN a.status = 'cancelled' THEN 1 ELSE 0 END)",
        "SUM(CASE WHEN a.status = 'planned' AND a.deadline <= $1 THEN 1 ELSE 0 END)",
        "SUM(CASE WHEN a.status = 'planned' AND a.deadline > $1 THEN 1 ELSE 0 END)",
    )
    rows = cursor.execute(
        f"SELECT a.responsible_id, e.full_name, e.team, {', '.join(counts)} "
        f"FROM {ACTIVITIES.name} a LEFT JOIN {STAFF.name} e ON e.id = a.responsible_id "
        f"WHERE {' AND '.join(conditions)} GROUP BY a.responsible_id, e.full_name, e.team "
        "ORDER BY e.full_name, a.responsible_id",
        p.values,
    )
    return [
        {
            "employee_id": employee_id,
            "full_name": full_name,
            "team": employee_team,
            **{measure: int(value or 0) for measure, value in zip(CONTROL_MEASURES, values, strict=True)},
        }
        for employee_id, full_name, employee_team, *values in rows
    ]
