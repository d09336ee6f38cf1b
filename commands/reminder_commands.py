"""Reminders (FEATURES F6): set for oneself or another employee, at a time, about a planned
activity, a task, a contract stage or free text; dismissed by the one reminded."""

from typing import Annotated

from pydantic import Field

from aggregates.contract import Contract
from aggregates.errors import InvalidValue
from aggregates.planned_activity import PlannedActivity
from aggregates.reminder import Reminder, ReminderSubject
from aggregates.task import Task
from commands.command import Change, Command
from commands.context import Context
from commands.fields import PLANNED, EntityId, Moment, Name, Text
from commands.handling import Handlers
from commands.scope import contract_guard, own_or_in_reach, planned_activity_guard, task_guard

handlers = Handlers()


class SetReminder(Command):
    """Set a reminder for yourself or another employee."""

    recipient_id: EntityId | None = Field(None, description="Defaults to the employee setting it")
    remind_at: Annotated[Moment, PLANNED]
    subject: ReminderSubject = ReminderSubject.TEXT
    subject_id: EntityId | None = Field(None, description="The activity, task or contract it is about")
    stage: Name | None = Field(None, description="The contract stage, for a reminder about one")
    text: Text = ""


class DismissReminder(Change):
    """Dismiss a reminder you received."""


def _counterparty_of(ctx: Context, command: SetReminder) -> str | None:
    """The subject the reminder names, checked to be the actor's to see; its client."""
    if command.subject == ReminderSubject.TEXT or command.subject_id is None:
        return None
    if command.subject == ReminderSubject.ACTIVITY:
        activity = ctx.load(PlannedActivity, command.subject_id, "subject_id")
        planned_activity_guard(ctx, activity)
        return activity.counterparty_id
    if command.subject == ReminderSubject.TASK:
        task = ctx.load(Task, command.subject_id, "subject_id")
        task_guard(ctx, task)
        return task.counterparty_id
    contract = ctx.load(Contract, command.subject_id, "subject_id")
    contract_guard(ctx, contract)
    if command.stage not in contract.stages:
        raise InvalidValue("stage", f"contract {contract.number} has no stage {command.stage!r}")
    return contract.counterparty_id


def _may_set(ctx: Context, command: SetReminder) -> None:
    recipient_id = command.recipient_id or ctx.actor.employee_id
    ctx.employee(recipient_id, "recipient_id")
    own_or_in_reach(ctx, recipient_id)
    _counterparty_of(ctx, command)


@handlers.handles(SetReminder, "reminder.set", Reminder.Set, authorize=_may_set)
def set_reminder(ctx: Context, command: SetReminder) -> list[Reminder]:
    return [
        Reminder.set(
            ctx.stamp,
            recipient_id=command.recipient_id or ctx.actor.employee_id,
            remind_at=command.remind_at,
            text=command.text,
            subject=command.subject,
            subject_id=command.subject_id,
            stage=command.stage,
            counterparty_id=_counterparty_of(ctx, command),
        )
    ]


@handlers.changes(Reminder, DismissReminder, "reminder.dismiss", Reminder.Dismissed)
def dismiss_reminder(ctx: Context, reminder: Reminder, _command: DismissReminder) -> None:
    reminder.dismiss(ctx.stamp)
