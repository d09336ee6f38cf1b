"""Internal meetings with their decisions (FEATURES F5), and the task each decision became."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aggregates.internal_meeting import InternalMeeting
from aggregates.scope import Actor
from event_store.store import Recorded
from projections.database import Params, ViewCursor
from projections.projection import Projection, on, originators
from projections.tables import Kind, Table
from projections.values import from_json
from projections.writes import Rows, Writes

MEETINGS = Table(
    "internal_meetings",
    {
        "id": Kind.TEXT,
        "title": Kind.TEXT,
        "starts_at": Kind.MOMENT,
        "ends_at": Kind.MOMENT,
        "place": Kind.TEXT,
        "agenda": Kind.TEXT,
        "attendee_ids": Kind.JSON,
        "recorded_by": Kind.TEXT,
        "version": Kind.INTEGER,
    },
    key=("id",),
    indexes=(("starts_at",),),
)
ATTENDEES = Table(
    "internal_meeting_attendees",
    {"meeting_id": Kind.TEXT, "employee_id": Kind.TEXT},
    key=("meeting_id", "employee_id"),
    indexes=(("employee_id",),),
)
DECISIONS = Table(
    "internal_meeting_decisions",
    {
        "meeting_id": Kind.TEXT,
        "decision_id": Kind.TEXT,
        "position": Kind.BIGINT,
        "text": Kind.TEXT,
        "task_id": Kind.TEXT,
    },
    key=("meeting_id", "decision_id"),
    nullable=frozenset({"task_id"}),
)


@dataclass
class _Batch:
    meetings: Rows
    attendees: Rows
    decisions: Rows


class InternalMeetings(Projection[_Batch]):
    name = "internal_meetings"
    tables = (MEETINGS, ATTENDEES, DECISIONS)

    def open(self, writes: Writes) -> _Batch:
        return _Batch(writes.rows(MEETINGS), writes.rows(ATTENDEES), writes.rows(DECISIONS))

    def preload(self, view: _Batch, events: Sequence[Recorded]) -> None:
        later = (InternalMeeting.DecisionRecorded, InternalMeeting.DecisionTurnedIntoTask)
        view.meetings.load("id", originators(events, *later))
        view.decisions.load("meeting_id", originators(events, InternalMeeting.DecisionTurnedIntoTask))

    @on(InternalMeeting.Recorded)
    def _recorded(self, view: _Batch, event: InternalMeeting.Recorded, position: int) -> None:
        key = str(event.originator_id)
        view.meetings.put(
            {
                "id": key,
                "title": event.title,
                "starts_at": event.starts_at,
                "ends_at": event.ends_at,
                "place": event.place,
                "agenda": event.agenda,
                "attendee_ids": json.dumps(event.attendee_ids),
                "recorded_by": event.actor,
                "version": event.originator_version,
            }
        )
        for employee_id in {event.actor, *event.attendee_ids}:
            view.attendees.put({"meeting_id": key, "employee_id": employee_id})
        for index, decision in enumerate(event.decisions):
            _decide(view, key, decision["decision_id"], position * 1000 + index, decision["text"])

    @on(InternalMeeting.DecisionRecorded)
    def _decision(self, view: _Batch, event: InternalMeeting.DecisionRecorded, position: int) -> None:
        key = str(event.originator_id)
        _decide(view, key, event.decision_id, position * 1000, event.text)
        view.meetings.update((key,), version=event.originator_version)

    @on(InternalMeeting.DecisionTurnedIntoTask)
    def _handed_on(self, view: _Batch, event: InternalMeeting.DecisionTurnedIntoTask, _position: int) -> None:
        key = str(event.originator_id)
        view.decisions.update((key, event.decision_id), task_id=event.task_id)
        view.meetings.update((key,), version=event.originator_version)


def _decide(view: _Batch, meeting_id: str, decision_id: str, order: int, text: str) -> None:
    view.decisions.put(
        {
            "meeting_id": meeting_id,
            "decision_id": decision_id,
            "position": order,
            "text": text,
            "task_id": None,
        }
    )


def _visible(actor: Actor, p: Params) -> str:
    """Whoever attended or recorded a meeting reads it; so does anyone who reads everything."""
    if actor.reads_everything:
        return "1 = 1"
    return f"m.id IN (SELECT meeting_id FROM {ATTENDEES.name} WHERE employee_id = {p(actor.employee_id)})"


def _meeting(cursor: ViewCursor, row: tuple[Any, ...]) -> dict[str, Any]:
    record = dict(zip(MEETINGS.column_names, row, strict=True))
    record["starts_at"] = cursor.dialect.moment_of(record["starts_at"])
    record["ends_at"] = cursor.dialect.moment_of(record["ends_at"])
    record["attendee_ids"] = from_json(record["attendee_ids"])
    return record


_COLUMNS = ", ".join(f"m.{c}" for c in MEETINGS.column_names)


def search_meetings(
    cursor: ViewCursor, actor: Actor, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """The meetings the reader may read, latest first."""
    p = Params()
    where = _visible(actor, p)
    (total,) = cursor.execute(f"SELECT COUNT(*) FROM {MEETINGS.name} m WHERE {where}", p.values)[0]
    rows = cursor.execute(
        f"SELECT {_COLUMNS} FROM {MEETINGS.name} m WHERE {where} "
        f"ORDER BY m.starts_at DESC, m.id LIMIT {p(limit)} OFFSET {p(offset)}",
        p.values,
    )
    return [_meeting(cursor, row) for row in rows], int(total)


def get_meeting(cursor: ViewCursor, actor: Actor, meeting_id: str) -> dict[str, Any] | None:
    """A meeting with its decisions in the order taken, or None if unknown or not the reader's."""
    p = Params()
    rows = cursor.execute(
        f"SELECT {_COLUMNS} FROM {MEETINGS.name} m WHERE m.id = {p(meeting_id)} AND {_visible(actor, p)}",
        p.values,
    )
    if not rows:
        return None
    meeting = _meeting(cursor, rows[0])
    meeting["decisions"] = [
        {"decision_id": decision_id, "text": text, "task_id": task_id}
        for decision_id, text, task_id in cursor.execute(
            f"SELECT decision_id, text, task_id FROM {DECISIONS.name} WHERE meeting_id = $1 "
            "ORDER BY position, decision_id",
            (meeting_id,),
        )
    ]
    return meeting
