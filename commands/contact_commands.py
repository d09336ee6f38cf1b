"""Commands on contact persons (FEATURES A4, A5)."""

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from aggregates.contact import Contact, Influence
from aggregates.counterparty import Counterparty
from aggregates.scope import Actor, check_may_change
from aggregates.stamp import Stamp
from commands.command import Change, Command, Email, Line, Name, PhoneText, Tags
from commands.scope import check_assignable, parse_id, responsible
from commands.service import Outcome, WriteService

Phones = Annotated[list[PhoneText], Field(max_length=20)]
Emails = Annotated[list[Email], Field(max_length=20)]


class NotableDate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: date
    label: Line


NotableDates = Annotated[list[NotableDate], Field(max_length=50)]


class RegisterContact(Command):
    counterparty_id: str | None = Field(
        None, description="The organisation the person works for; none for a private client"
    )
    manager_id: str | None = Field(
        None, description="Responsible manager of a private client; defaults to the author"
    )
    full_name: Name
    position: Line | None = None
    role: Line | None = Field(None, description="Role in the client's decisions")
    influence: Influence | None = None
    phones: Phones = Field(default_factory=list)
    emails: Emails = Field(default_factory=list)
    birthday: date | None = None
    notable_dates: NotableDates = Field(default_factory=list)
    interests: Tags = Field(default_factory=list, description="Hobbies and interests")


class ChangeContact(Change):
    full_name: Name | None = None
    position: Line | None = None
    role: Line | None = None
    influence: Influence | None = None
    phones: Phones | None = None
    emails: Emails | None = None
    birthday: date | None = None
    notable_dates: NotableDates | None = None
    interests: Tags | None = None


_DETAIL_KEYS = set(ChangeContact.model_fields) - set(Change.model_fields)


def _details(command: Command, exclude_unset: bool) -> dict[str, Any]:
    return command.model_dump(include=_DETAIL_KEYS, exclude_unset=exclude_unset, mode="json")


def register_contact(service: WriteService, actor: Actor, command: RegisterContact) -> Outcome:
    store = service.store
    if command.counterparty_id:
        counterparty = store.get(parse_id(command.counterparty_id, "counterparty_id"), Counterparty)
        manager_id = counterparty.manager_id
        check_may_change(actor, responsible(store, manager_id))
    else:
        manager_id = command.manager_id or actor.employee_id
        check_assignable(store, actor, manager_id)
    details = _details(command, exclude_unset=False)
    return service.run(
        actor,
        command,
        lambda stamp: [
            Contact.register(stamp, counterparty_id=command.counterparty_id, manager_id=manager_id, **details)
        ],
    )


def load_contact_for_change(
    service: WriteService, actor: Actor, contact_id: str, expected_version: int | None = None
) -> Contact:
    store = service.store
    contact = store.get_at_version(parse_id(contact_id, "contact_id"), Contact, expected_version)
    manager_id = contact.manager_id
    if contact.counterparty_id:
        manager_id = store.get(parse_id(contact.counterparty_id, "counterparty_id"), Counterparty).manager_id
    check_may_change(actor, responsible(store, manager_id))
    return contact


def change_contact(service: WriteService, actor: Actor, contact_id: str, command: ChangeContact) -> Outcome:
    proposed = _details(command, exclude_unset=True)

    def decide(stamp: Stamp) -> list[Contact]:
        contact = load_contact_for_change(service, actor, contact_id, command.expected_version)
        contact.change_details(stamp, **proposed)
        return [contact]

    return service.run(actor, command, decide)
