"""Internal meetings with recorded decisions (FEATURES F5); a decision handed on becomes a
task with an owner and a due date."""

from typing import Annotated
from uuid import uuid4

from pydantic import Field

from aggregates.internal_meeting import InternalMeeting
from aggregates.scope import check_may_write
from aggregates.task import Priority, Task
from commands.command import Change, Command
from commands.context import Context
from commands.fields import PLANNED, Day, EntityId, Line, Moment, Name, Text
from commands.handling import Handlers
from commands.planned_activity_commands import check_participants
from commands.scope import internal_meeting_guard, own_or_in_reach
from commands.task_commands import check_may_assign

handlers = Handlers()


class RecordInternalMeeting(Command):
    """Record a meeting of employees: agenda, attendees, decisions taken."""

    title: Name
    starts_at: Annotated[Moment, PLANNED]
    ends_at: Annotated[Moment, PLANNED]
    place: Line = ""
    agenda: Text = ""
    attendee_ids: Annotated[list[EntityId], Field(min_length=1, max_length=100)]
    decisions: Annotated[list[Text], Field(max_length=100)] = Field(default_factory=list)


class RecordDecision(Change):
    """Add a decision to a recorded meeting."""

    text: Text


class TurnDecisionIntoTask(Change):
    """Hand a meeting's decision on as a task with an owner and a due date."""

    decision_id: EntityId
    owner_id: EntityId
    due_on: Annotated[Day, PLANNED]
    priority: Priority = Priority.NORMAL


def _may_record(ctx: Context, command: RecordInternalMeeting) -> None:
    """A meeting is recorded by one who may act for every attendee: a manager for the team,
    a head of sales for the department."""
    check_may_write(ctx.actor)
    check_participants(ctx, command.attendee_ids)
    for attendee_id in command.attendee_ids:
        own_or_in_reach(ctx, attendee_id)


@handlers.handles(
    RecordInternalMeeting, "internal_meeting.record", InternalMeeting.Recorded, authorize=_may_record
)
def record_internal_meeting(ctx: Context, command: RecordInternalMeeting) -> list[InternalMeeting]:
    return [
        InternalMeeting.record(
            ctx.stamp,
            title=command.title,
            starts_at=command.starts_at,
            ends_at=command.ends_at,
            place=command.place,
            agenda=command.agenda,
            attendee_ids=command.attendee_ids,
            decisions=[{"decision_id": str(uuid4()), "text": text.strip()} for text in command.decisions],
        )
    ]


@handlers.changes(
    InternalMeeting, RecordDecision, "internal_meeting.record_decision", InternalMeeting.DecisionRecorded
)
def record_decision(ctx: Context, meeting: InternalMeeting, command: RecordDecision) -> None:
    meeting.record_decision(ctx.stamp, str(uuid4()), command.text)


def _may_hand_on(ctx: Context, meeting: InternalMeeting, command: TurnDecisionIntoTask) -> None:
    internal_meeting_guard(ctx, meeting)
    check_may_assign(ctx, command.owner_id)


@handlers.changes(
    InternalMeeting,
    TurnDecisionIntoTask,
    "internal_meeting.decision_to_task",
    InternalMeeting.DecisionTurnedIntoTask,
    Task.Assigned,
    authorize=_may_hand_on,
)
def turn_decision_into_task(
    ctx: Context, meeting: InternalMeeting, command: TurnDecisionIntoTask
) -> list[Task]:
    task = Task.assign(
        ctx.stamp,
        assigner_id=ctx.actor.employee_id,
        assignee_id=command.owner_id,
        title=meeting.decisions.get(command.decision_id, "")[:300] or meeting.title,
        description=meeting.decisions.get(command.decision_id, ""),
        priority=command.priority,
        due_on=command.due_on,
        meeting_id=str(meeting.id),
        decision_id=command.decision_id,
    )
    meeting.hand_on(ctx.stamp, command.decision_id, str(task.id))
    return [task]
