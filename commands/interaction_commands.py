"""Logging interactions and correcting them (FEATURES B1, B2); an interaction logged with
a planned activity's id closes that activity as held (FEATURES E5)."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from aggregates.counterparty import Counterparty
from aggregates.errors import InvalidValue
from aggregates.interaction import Direction, Interaction, InteractionKind
from aggregates.planned_activity import PlannedActivity
from commands.command import Change, Command
from commands.context import Context
from commands.fields import EntityId, Line, Moment, PhoneText, Reason, Text
from commands.handling import Handlers
from commands.planned_activity_commands import hold_with
from commands.scope import check_contacts, counterparty_guard, interaction_guard, planned_activity_guard

People = Annotated[list[Line], Field(max_length=100)]
Url = Annotated[str, Field(max_length=2_000, pattern=r"^https?://\S+$")]
ContactIds = Annotated[list[EntityId], Field(max_length=50)]

handlers = Handlers()


class _Details(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CallDetails(_Details):
    kind: Literal["call"] = "call"
    direction: Direction
    phone: PhoneText | None = None
    duration_seconds: int = Field(0, ge=0, le=86_400)
    recording_url: Url | None = Field(None, description="Link to the call recording")
    notes: Text = ""


class MeetingDetails(_Details):
    kind: Literal["meeting"] = "meeting"
    location: Line | None = None
    participants_ours: People = Field(default_factory=list)
    participants_theirs: People = Field(default_factory=list)
    agenda: Text = ""
    result: Text = ""


class NegotiationDetails(_Details):
    kind: Literal["negotiation"] = "negotiation"
    participants_ours: People = Field(default_factory=list)
    participants_theirs: People = Field(default_factory=list)
    agenda: Text = ""
    result: Text = ""
    agreements: Annotated[list[Text], Field(max_length=100)] = Field(default_factory=list)


class EmailDetails(_Details):
    kind: Literal["email"] = "email"
    direction: Direction
    address: Line | None = None
    body: Text = ""


class ServiceVisitDetails(_Details):
    kind: Literal["service_visit"] = "service_visit"
    work_done: Text = ""
    time_spent_minutes: int = Field(0, ge=0, le=100_000)
    follow_ups: Annotated[list[Text], Field(max_length=100)] = Field(default_factory=list)


class MessageDetails(_Details):
    kind: Literal["message"] = "message"
    direction: Direction
    channel: Literal["web_form", "chat", "messenger", "social", "sms", "other"]
    body: Text = ""


Details = Annotated[
    CallDetails | MeetingDetails | NegotiationDetails | EmailDetails | ServiceVisitDetails | MessageDetails,
    Field(discriminator="kind"),
]


class LogInteraction(Command):
    """Record a call, meeting, negotiation, e-mail, service visit or message."""

    counterparty_id: EntityId | None = None
    contact_ids: ContactIds = Field(default_factory=list)
    subject: Line
    details: Details
    planned_activity_id: EntityId | None = Field(
        None, description="The planned activity this interaction records: it is closed as held"
    )


class CorrectInteraction(Change):
    """Correct a recorded interaction; the original stays on record beside the correction."""

    reason: Reason
    subject: Line | None = None
    details: Details | None = None
    contact_ids: ContactIds | None = None
    happened_at: Moment | None = None


def _split(details: BaseModel) -> tuple[InteractionKind, Direction | None, dict[str, Any]]:
    data = details.model_dump(mode="json")
    kind = InteractionKind(data.pop("kind"))
    direction = data.pop("direction", None)
    return kind, Direction(direction) if direction else None, data


def _may_log(ctx: Context, command: LogInteraction) -> None:
    """Whoever logs an interaction may change everyone it concerns: the counterparty and
    every contact, a private client's own manager included."""
    if command.counterparty_id is None and not command.contact_ids:
        raise InvalidValue("counterparty_id", "an interaction needs a counterparty or a contact")
    if command.counterparty_id:
        counterparty_guard(ctx, ctx.load(Counterparty, command.counterparty_id, "counterparty_id"))
    check_contacts(ctx, command.contact_ids, command.counterparty_id)
    if command.planned_activity_id:
        planned_activity_guard(ctx, _planned(ctx, command.planned_activity_id))


def _planned(ctx: Context, activity_id: str) -> PlannedActivity:
    return ctx.load(PlannedActivity, activity_id, "planned_activity_id")


@handlers.handles(
    LogInteraction, "interaction.log", Interaction.Logged, PlannedActivity.Held, authorize=_may_log
)
def log_interaction(ctx: Context, command: LogInteraction) -> list[Interaction | PlannedActivity]:
    """Rules spanning aggregates are checked on the counterparty as loaded here. An
    admission decision recorded between this check and the append makes the append fail
    (it names the counterparty's version), and the command is decided again on it."""
    kind, direction, details = _split(command.details)
    counterparty = (
        ctx.load(Counterparty, command.counterparty_id, "counterparty_id")
        if command.counterparty_id
        else None
    )
    interaction = Interaction.log(
        ctx.stamp,
        admission=counterparty.admission if counterparty else None,
        counterparty_id=command.counterparty_id,
        contact_ids=command.contact_ids,
        kind=kind,
        direction=direction,
        subject=command.subject,
        details=details,
    )
    if command.planned_activity_id is None:
        return [interaction]
    activity = _planned(ctx, command.planned_activity_id)
    hold_with(ctx, activity, interaction)
    return [interaction, activity]


def _may_correct(ctx: Context, interaction: Interaction, command: CorrectInteraction) -> None:
    """A correction checks what the original write checked, for the contacts it names too."""
    interaction_guard(ctx, interaction)
    if command.contact_ids is not None:
        check_contacts(ctx, command.contact_ids, interaction.counterparty_id)


@handlers.changes(
    Interaction, CorrectInteraction, "interaction.correct", Interaction.Corrected, authorize=_may_correct
)
def correct_interaction(ctx: Context, interaction: Interaction, command: CorrectInteraction) -> None:
    proposed: dict[str, Any] = {}
    if command.subject is not None:
        proposed["subject"] = command.subject
    if command.contact_ids is not None:
        proposed["contact_ids"] = command.contact_ids
    if command.happened_at is not None:
        proposed["happened_at"] = command.happened_at
    if command.details is not None:
        kind, _direction, details = _split(command.details)
        if kind != interaction.kind:
            raise InvalidValue("details", f"this interaction is a {interaction.kind.value}")
        proposed["details"] = details
    interaction.correct(ctx.stamp, command.reason, **proposed)
