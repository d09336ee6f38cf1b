"""Logging interactions and correcting them (FEATURES B1, B2)."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from aggregates.contact import Contact
from aggregates.counterparty import Counterparty
from aggregates.errors import InvalidValue
from aggregates.interaction import Direction, Interaction, InteractionKind
from aggregates.scope import Actor, check_may_change
from aggregates.stamp import Stamp
from commands.command import Change, Command, Line, PhoneText, Reason, Text
from commands.scope import parse_id, responsible
from commands.service import Outcome, WriteService

People = Annotated[list[Line], Field(max_length=100)]
Url = Annotated[str, Field(max_length=2_000, pattern=r"^https?://\S+$")]


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
    counterparty_id: str | None = None
    contact_ids: Annotated[list[str], Field(max_length=50)] = Field(default_factory=list)
    subject: Line
    details: Details


class CorrectInteraction(Change):
    reason: Reason
    subject: Line | None = None
    details: Details | None = None
    contact_ids: Annotated[list[str], Field(max_length=50)] | None = None
    happened_at: datetime | None = None


def _split(details: BaseModel) -> tuple[InteractionKind, Direction | None, dict[str, Any]]:
    data = details.model_dump(mode="json")
    kind = InteractionKind(data.pop("kind"))
    direction = data.pop("direction", None)
    return kind, Direction(direction) if direction else None, data


def _check_contacts(service: WriteService, contact_ids: list[str], counterparty_id: str | None) -> None:
    for contact_id in contact_ids:
        contact = service.store.get(parse_id(contact_id, "contact_ids"), Contact)
        if counterparty_id and contact.counterparty_id not in (None, counterparty_id):
            raise InvalidValue("contact_ids", f"contact {contact_id} works for another counterparty")


def log_interaction(service: WriteService, actor: Actor, command: LogInteraction) -> Outcome:
    """Rules spanning aggregates are checked on the counterparty as loaded here; an
    admission decision recorded between this check and the append is not seen. That
    window is a few milliseconds, and the history shows both facts in their order."""
    store = service.store
    kind, direction, details = _split(command.details)
    admission = None
    if command.counterparty_id:
        counterparty = store.get(parse_id(command.counterparty_id, "counterparty_id"), Counterparty)
        admission, manager_id = counterparty.admission, counterparty.manager_id
    elif command.contact_ids:
        manager_id = store.get(parse_id(command.contact_ids[0], "contact_ids"), Contact).manager_id
    else:
        raise InvalidValue("counterparty_id", "an interaction needs a counterparty or a contact")
    check_may_change(actor, responsible(store, manager_id))
    _check_contacts(service, command.contact_ids, command.counterparty_id)
    return service.run(
        actor,
        command,
        lambda stamp: [
            Interaction.log(
                stamp,
                admission=admission,
                counterparty_id=command.counterparty_id,
                contact_ids=command.contact_ids,
                kind=kind,
                direction=direction,
                subject=command.subject,
                details=details,
            )
        ],
    )


def correct_interaction(
    service: WriteService, actor: Actor, interaction_id: str, command: CorrectInteraction
) -> Outcome:
    store = service.store
    proposed: dict[str, Any] = {}
    if command.subject is not None:
        proposed["subject"] = command.subject
    if command.contact_ids is not None:
        proposed["contact_ids"] = command.contact_ids
    if command.happened_at is not None:
        proposed["happened_at"] = command.happened_at

    def decide(stamp: Stamp) -> list[Interaction]:
        interaction = store.get_at_version(
            parse_id(interaction_id, "interaction_id"), Interaction, command.expected_version
        )
        if interaction.counterparty_id:
            owner = store.get(parse_id(interaction.counterparty_id, "counterparty_id"), Counterparty)
            check_may_change(actor, responsible(store, owner.manager_id))
        if command.details is not None:
            kind, _direction, details = _split(command.details)
            if kind != interaction.kind:
                raise InvalidValue("details", f"this interaction is a {interaction.kind.value}")
            proposed["details"] = details
        if command.contact_ids is not None:
            _check_contacts(service, command.contact_ids, interaction.counterparty_id)
        interaction.correct(stamp, command.reason, **proposed)
        return [interaction]

    return service.run(actor, command, decide)
