"""Commands on the counterparty card (FEATURES A1–A3, A6, A7)."""

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from aggregates.counterparty import Admission, Counterparty
from aggregates.counterparty_profile import CounterpartyKind, LegalForm
from aggregates.new_record import NewRecord
from aggregates.requisites import kpp_of
from aggregates.tax_id_claim import TaxIdClaim
from commands.command import Change, Command
from commands.context import Context
from commands.fields import (
    Day,
    EntityId,
    Line,
    Name,
    Phones,
    Reason,
    Tags,
    never_null,
    refuse_null,
    single_line,
)
from commands.handling import Handlers
from commands.scope import check_assignable, counterparty_guard
from commands.tax_id_claims import claims_of_new_card, moved_claims

TaxId = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20), AfterValidator(single_line)]
Attributes = Annotated[dict[Line, Line], Field(max_length=200)]
Classifiers = Annotated[dict[Line, Tags], Field(max_length=50)]

handlers = Handlers()


class CounterpartyProfile(BaseModel):
    """Everything on the card that a plain edit may change."""

    model_config = ConfigDict(extra="forbid")

    legal_form: LegalForm = LegalForm.ORGANISATION
    kind: CounterpartyKind = CounterpartyKind.CUSTOMER
    name: Name
    tax_id: TaxId | None = None
    requisites: Attributes = Field(default_factory=dict)
    industry: Line | None = None
    region: Line | None = None
    activity: Line | None = None
    phones: Phones = Field(default_factory=list)
    attributes: Attributes = Field(default_factory=dict, description="User-defined attributes")
    classifiers: Classifiers = Field(
        default_factory=dict, description="Classifier name → the values the card is filed under"
    )
    loyalty_reasons: Tags = Field(default_factory=list)
    lead_source: Line | None = None
    interests: Tags = Field(default_factory=list)
    competitor_products: Tags = Field(default_factory=list)
    founding_date: Day | None = Field(None, description="When it was founded: its anniversaries")


class CounterpartyCard(CounterpartyProfile):
    manager_id: EntityId | None = Field(None, description="Responsible manager; defaults to the author")
    branch: bool = Field(
        False, description="A branch of a card already registered: same ИНН, its own КПП in the requisites"
    )


PROFILE_KEYS = set(CounterpartyProfile.model_fields)


class RegisterCounterparty(CounterpartyCard, Command):
    """Open a card for a new counterparty."""


_NEVER_NULL = (
    "legal_form",
    "kind",
    "name",
    "requisites",
    "phones",
    "attributes",
    "classifiers",
    "loyalty_reasons",
    "interests",
    "competitor_products",
)


class ChangeCounterpartyProfile(Change):
    """Change the fields of the card a request names; a field the card may hold empty is
    cleared by null."""

    model_config = ConfigDict(json_schema_extra=never_null(*_NEVER_NULL))

    legal_form: LegalForm | None = None
    kind: CounterpartyKind | None = None
    name: Name | None = None
    tax_id: TaxId | None = None
    requisites: Attributes | None = None
    industry: Line | None = None
    region: Line | None = None
    activity: Line | None = None
    phones: Phones | None = None
    attributes: Attributes | None = None
    classifiers: Classifiers | None = None
    loyalty_reasons: Tags | None = None
    lead_source: Line | None = None
    interests: Tags | None = None
    competitor_products: Tags | None = None
    founding_date: Day | None = None

    _kept_unless_given = field_validator(*_NEVER_NULL, mode="before")(refuse_null)


class AssignManager(Change):
    """Make another manager responsible for the card."""

    manager_id: EntityId


class RateCounterparty(Change):
    """Rate the counterparty from 0 to 5."""

    rating: int = Field(ge=0, le=5)


class DecideAdmission(Change):
    """Decide whether the company may do business with the counterparty, and why."""

    admission: Admission
    reason: Reason


def _may_register(ctx: Context, card: CounterpartyCard) -> None:
    check_assignable(ctx, card.manager_id or ctx.actor.employee_id)


@handlers.handles(
    RegisterCounterparty,
    "counterparty.register",
    Counterparty.Registered,
    TaxIdClaim.Claimed,
    TaxIdClaim.Reclaimed,
    authorize=_may_register,
)
def register_counterparty(
    ctx: Context, command: RegisterCounterparty
) -> list[Counterparty | TaxIdClaim | NewRecord]:
    card = Counterparty.register(
        ctx.stamp,
        manager_id=command.manager_id or ctx.actor.employee_id,
        **command.model_dump(include=PROFILE_KEYS),
    )
    return [card, *claims_of_new_card(ctx, card, branch=command.branch)]


@handlers.changes(
    Counterparty,
    ChangeCounterpartyProfile,
    "counterparty.change_profile",
    Counterparty.ProfileChanged,
    TaxIdClaim.Claimed,
    TaxIdClaim.Reclaimed,
    TaxIdClaim.Released,
)
def change_counterparty_profile(
    ctx: Context, card: Counterparty, command: ChangeCounterpartyProfile
) -> list[TaxIdClaim | NewRecord]:
    tax_id_before, kpp_before = card.profile["tax_id"], kpp_of(card.profile["requisites"])
    card.change_profile(ctx.stamp, **command.model_dump(include=PROFILE_KEYS, exclude_unset=True))
    return moved_claims(ctx, card, tax_id_before, kpp_before)


def _may_assign(ctx: Context, card: Counterparty, command: AssignManager) -> None:
    counterparty_guard(ctx, card)
    check_assignable(ctx, command.manager_id)


@handlers.changes(
    Counterparty,
    AssignManager,
    "counterparty.assign_manager",
    Counterparty.ManagerAssigned,
    authorize=_may_assign,
)
def assign_manager(ctx: Context, card: Counterparty, command: AssignManager) -> None:
    card.assign_manager(ctx.stamp, command.manager_id)


@handlers.changes(Counterparty, RateCounterparty, "counterparty.rate", Counterparty.Rated)
def rate_counterparty(ctx: Context, card: Counterparty, command: RateCounterparty) -> None:
    card.rate(ctx.stamp, command.rating)


@handlers.changes(
    Counterparty, DecideAdmission, "counterparty.decide_admission", Counterparty.AdmissionDecided
)
def decide_admission(ctx: Context, card: Counterparty, command: DecideAdmission) -> None:
    card.decide_admission(ctx.stamp, command.admission, command.reason)
