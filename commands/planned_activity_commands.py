"""Planning activities and following them through (FEATURES E1, E5): plan, reschedule,
hold (naming the interaction that records it), miss, cancel. Logging an interaction can
close a planned activity too (``LogInteraction.planned_activity_id``)."""

from datetime import datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, Field

from aggregates.contract import Contract
from aggregates.counterparty import Counterparty
from aggregates.deal import Deal
from aggregates.errors import InvalidValue
from aggregates.interaction import Interaction
from aggregates.planned_activity import ActivityKind, PlannedActivity, Schedule
from commands.command import Change, Command
from commands.context import Context
from commands.fields import PLANNED, Day, EntityId, Line, Moment, Reason, Text
from commands.handling import Handlers
from commands.scope import (
    check_contacts,
    contract_guard,
    counterparty_guard,
    deal_guard,
    interaction_guard,
    planned_activity_guard,
)

handlers = Handlers()

Participants = Annotated[list[EntityId], Field(max_length=50)]


class When(BaseModel):
    """A time with an end or a duration, or a whole day."""

    starts_at: Annotated[Moment, PLANNED] | None = None
    ends_at: Annotated[Moment, PLANNED] | None = None
    duration_minutes: int | None = Field(
        None, ge=-100_000, le=100_000, description="Instead of ends_at: how long, 1 to 1440 minutes"
    )
    day: Annotated[Day, PLANNED] | None = Field(None, description="A whole-day activity, instead of a time")

    def schedule(self) -> Schedule:
        if self.day is not None:
            if self.starts_at or self.ends_at or self.duration_minutes is not None:
                raise InvalidValue("day", "a whole-day activity has a day and no time")
            return Schedule.whole_day(self.day)
        if self.starts_at is None:
            raise InvalidValue("starts_at", "give a start time, or a day for a whole-day activity")
        return Schedule.timed(self.starts_at, self._end(self.starts_at))

    def _end(self, starts_at: datetime) -> datetime:
        if (self.ends_at is None) == (self.duration_minutes is None):
            raise InvalidValue("ends_at", "give either an end time or a duration")
        if self.ends_at is not None:
            return self.ends_at
        assert self.duration_minutes is not None
        return starts_at + timedelta(minutes=self.duration_minutes)


class PlanActivity(Command, When):
    """Plan a call, meeting, negotiation, visit or to-do."""

    kind: ActivityKind
    subject: Line
    counterparty_id: EntityId | None = None
    contact_ids: Annotated[list[EntityId], Field(max_length=50)] = Field(default_factory=list)
    deal_id: EntityId | None = None
    contract_id: EntityId | None = None
    responsible_id: EntityId | None = Field(None, description="Defaults to the employee planning it")
    participant_ids: Participants = Field(default_factory=list, description="Other employees taking part")
    place: Line = ""
    agenda: Text = ""


class RescheduleActivity(Change, When):
    """Move a planned activity to another time, with the reason."""

    reason: Reason


class HoldActivity(Change):
    """Record that a planned activity was held, naming the interaction that records it."""

    interaction_id: EntityId


class MissActivity(Change):
    """Record that a planned activity did not take place."""

    reason: Text = ""


class CancelActivity(Change):
    """Cancel a planned activity, with the reason."""

    reason: Reason


def check_participants(ctx: Context, participant_ids: list[str]) -> None:
    for participant_id in participant_ids:
        ctx.employee(participant_id, "participant_ids")


def _may_plan(ctx: Context, command: PlanActivity) -> None:
    if command.counterparty_id:
        counterparty_guard(ctx, ctx.load(Counterparty, command.counterparty_id, "counterparty_id"))
    elif not command.contact_ids:
        ctx.check_may_change(command.responsible_id or ctx.actor.employee_id)
    check_contacts(ctx, command.contact_ids, command.counterparty_id)
    if command.deal_id:
        deal = ctx.load(Deal, command.deal_id, "deal_id")
        _check_same_client(command.counterparty_id, deal, "deal_id")
        deal_guard(ctx, deal)
    if command.contract_id:
        contract = ctx.load(Contract, command.contract_id, "contract_id")
        _check_same_client(command.counterparty_id, contract, "contract_id")
        contract_guard(ctx, contract)
    if command.responsible_id:
        ctx.employee(command.responsible_id, "responsible_id")
        ctx.check_may_change(command.responsible_id)
    check_participants(ctx, command.participant_ids)


def _check_same_client(counterparty_id: str | None, record: Deal | Contract, field: str) -> None:
    if counterparty_id and record.counterparty_id != counterparty_id:
        raise InvalidValue(field, f"{field.removesuffix('_id')} {record.id} is another counterparty's")


@handlers.handles(PlanActivity, "activity.plan", PlannedActivity.Planned, authorize=_may_plan)
def plan_activity(ctx: Context, command: PlanActivity) -> list[PlannedActivity]:
    return [
        PlannedActivity.plan(
            ctx.stamp,
            kind=command.kind,
            subject=command.subject,
            schedule=command.schedule(),
            responsible_id=command.responsible_id or ctx.actor.employee_id,
            counterparty_id=command.counterparty_id,
            contact_ids=command.contact_ids,
            deal_id=command.deal_id,
            contract_id=command.contract_id,
            participant_ids=command.participant_ids,
            place=command.place,
            agenda=command.agenda,
        )
    ]


@handlers.changes(PlannedActivity, RescheduleActivity, "activity.reschedule", PlannedActivity.Rescheduled)
def reschedule_activity(ctx: Context, activity: PlannedActivity, command: RescheduleActivity) -> None:
    activity.reschedule(ctx.stamp, command.schedule(), command.reason)


def hold_with(ctx: Context, activity: PlannedActivity, interaction: Interaction) -> None:
    """The interaction records the activity: it concerns the same client, and its time is
    when the activity was held."""
    if activity.counterparty_id and interaction.counterparty_id != activity.counterparty_id:
        raise InvalidValue("interaction_id", "the interaction is with another counterparty than the activity")
    activity.hold(
        ctx.stamp,
        interaction_id=str(interaction.id),
        interaction_kind=interaction.kind.value,
        held_at=interaction.content["happened_at"],
    )


def _may_hold(ctx: Context, activity: PlannedActivity, command: HoldActivity) -> None:
    planned_activity_guard(ctx, activity)
    interaction_guard(ctx, ctx.load(Interaction, command.interaction_id, "interaction_id"))


@handlers.changes(PlannedActivity, HoldActivity, "activity.hold", PlannedActivity.Held, authorize=_may_hold)
def hold_activity(ctx: Context, activity: PlannedActivity, command: HoldActivity) -> None:
    hold_with(ctx, activity, ctx.load(Interaction, command.interaction_id, "interaction_id"))


@handlers.changes(PlannedActivity, MissActivity, "activity.miss", PlannedActivity.Missed)
def miss_activity(ctx: Context, activity: PlannedActivity, command: MissActivity) -> None:
    activity.miss(ctx.stamp, command.reason)


@handlers.changes(PlannedActivity, CancelActivity, "activity.cancel", PlannedActivity.Cancelled)
def cancel_activity(ctx: Context, activity: PlannedActivity, command: CancelActivity) -> None:
    activity.cancel(ctx.stamp, command.reason)
