"""Commands on contact persons (FEATURES A4, A5)."""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from aggregates.contact import Contact, Influence
from aggregates.counterparty import Counterparty
from commands.command import Change, Command
from commands.context import Context
from commands.fields import Day, Email, EntityId, Line, Name, Phones, Tags, never_null, refuse_null
from commands.handling import Handlers
from commands.scope import check_assignable, counterparty_guard

Emails = Annotated[list[Email], Field(max_length=20)]

handlers = Handlers()


class NotableDate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: Day
    label: Line


NotableDates = Annotated[list[NotableDate], Field(max_length=50)]


class RegisterContact(Command):
    """Register a contact person, at an organisation or as a private client."""

    counterparty_id: EntityId | None = Field(
        None, description="The organisation the person works for; none for a private client"
    )
    manager_id: EntityId | None = Field(
        None, description="Responsible manager of a private client; defaults to the author"
    )
    full_name: Name
    position: Line | None = None
    role: Line | None = Field(None, description="Role in the client's decisions")
    influence: Influence | None = None
    phones: Phones = Field(default_factory=list)
    emails: Emails = Field(default_factory=list)
    birthday: Day | None = None
    notable_dates: NotableDates = Field(default_factory=list)
    interests: Tags = Field(default_factory=list, description="Hobbies and interests")


_NEVER_NULL = ("full_name", "phones", "emails", "notable_dates", "interests")


class ChangeContact(Change):
    """Change the fields of the contact card a request names; a field the card may hold empty
    is cleared by null."""

    model_config = ConfigDict(json_schema_extra=never_null(*_NEVER_NULL))

    full_name: Name | None = None
    position: Line | None = None
    role: Line | None = None
    influence: Influence | None = None
    phones: Phones | None = None
    emails: Emails | None = None
    birthday: Day | None = None
    notable_dates: NotableDates | None = None
    interests: Tags | None = None

    _kept_unless_given = field_validator(*_NEVER_NULL, mode="before")(refuse_null)


_DETAIL_KEYS = set(ChangeContact.model_fields) - set(Change.model_fields)


def _details(command: Command, exclude_unset: bool) -> dict[str, Any]:
    return command.model_dump(include=_DETAIL_KEYS, exclude_unset=exclude_unset, mode="json")


def _may_register(ctx: Context, command: RegisterContact) -> None:
    if command.counterparty_id:
        counterparty_guard(ctx, ctx.load(Counterparty, command.counterparty_id, "counterparty_id"))
    else:
        check_assignable(ctx, command.manager_id or ctx.actor.employee_id)


@handlers.handles(RegisterContact, "contact.register", Contact.Registered, authorize=_may_register)
def register_contact(ctx: Context, command: RegisterContact) -> list[Contact]:
    if command.counterparty_id:
        manager_id = ctx.load(Counterparty, command.counterparty_id, "counterparty_id").manager_id
    else:
        manager_id = command.manager_id or ctx.actor.employee_id
    return [
        Contact.register(
            ctx.stamp,
            counterparty_id=command.counterparty_id,
            manager_id=manager_id,
            **_details(command, exclude_unset=False),
        )
    ]


@handlers.changes(Contact, ChangeContact, "contact.change", Contact.DetailsChanged)
def change_contact(ctx: Context, contact: Contact, command: ChangeContact) -> None:
    contact.change_details(ctx.stamp, **_details(command, exclude_unset=True))
