"""Commands on the counterparty card (FEATURES A1–A3, A6, A7)."""

from collections.abc import Callable
from typing import Annotated

from pydantic import Field, StringConstraints

from aggregates.counterparty import Admission, Counterparty, CounterpartyKind, LegalForm
from aggregates.scope import Actor
from aggregates.stamp import Stamp
from commands.command import Change, Command, Line, Name, PhoneText, Reason, Tags
from commands.scope import check_assignable, load_counterparty_for_change
from commands.service import Outcome, WriteService

TaxId = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)]
Attributes = Annotated[dict[Line, Line], Field(max_length=200)]
Classifiers = Annotated[dict[Line, Tags], Field(max_length=50)]


class CounterpartyProfile(Command):
    legal_form: LegalForm = LegalForm.ORGANISATION
    kind: CounterpartyKind = CounterpartyKind.CUSTOMER
    name: Name
    tax_id: TaxId | None = None
    requisites: Attributes = Field(default_factory=dict)
    industry: Line | None = None
    region: Line | None = None
    activity: Line | None = None
    phones: Annotated[list[PhoneText], Field(max_length=20)] = Field(default_factory=list)
    attributes: Attributes = Field(default_factory=dict, description="User-defined attributes")
    classifiers: Classifiers = Field(
        default_factory=dict, description="Classifier name → the values the card is filed under"
    )
    loyalty_reasons: Tags = Field(default_factory=list)
    lead_source: Line | None = None
    interests: Tags = Field(default_factory=list)
    competitor_products: Tags = Field(default_factory=list)


class RegisterCounterparty(CounterpartyProfile):
    manager_id: str | None = Field(None, description="Responsible manager; defaults to the author")


class ChangeCounterpartyProfile(Change):
    legal_form: LegalForm | None = None
    kind: CounterpartyKind | None = None
    name: Name | None = None
    tax_id: TaxId | None = None
    requisites: Attributes | None = None
    industry: Line | None = None
    region: Line | None = None
    activity: Line | None = None
    phones: Annotated[list[PhoneText], Field(max_length=20)] | None = None
    attributes: Attributes | None = None
    classifiers: Classifiers | None = None
    loyalty_reasons: Tags | None = None
    lead_source: Line | None = None
    interests: Tags | None = None
    competitor_products: Tags | None = None


class AssignManager(Change):
    manager_id: str


class RateCounterparty(Change):
    rating: int = Field(ge=0, le=5)


class DecideAdmission(Change):
    admission: Admission
    reason: Reason


_PROFILE_KEYS = tuple(CounterpartyProfile.model_fields.keys() - Command.model_fields.keys())


def register_counterparty(service: WriteService, actor: Actor, command: RegisterCounterparty) -> Outcome:
    manager_id = command.manager_id or actor.employee_id
    check_assignable(service.store, actor, manager_id)
    profile = command.model_dump(include=set(_PROFILE_KEYS))
    return service.run(
        actor,
        command,
        lambda stamp: [Counterparty.register(stamp, manager_id=manager_id, **profile)],
    )


def _change(
    service: WriteService,
    actor: Actor,
    counterparty_id: str,
    command: Change,
    act: Callable[[Counterparty, Stamp], None],
) -> Outcome:
    def decide(stamp: Stamp) -> list[Counterparty]:
        counterparty = load_counterparty_for_change(
            service.store, actor, counterparty_id, command.expected_version
        )
        act(counterparty, stamp)
        return [counterparty]

    return service.run(actor, command, decide)


def change_counterparty_profile(
    service: WriteService, actor: Actor, counterparty_id: str, command: ChangeCounterpartyProfile
) -> Outcome:
    proposed = command.model_dump(include=set(_PROFILE_KEYS), exclude_unset=True)
    return _change(
        service,
        actor,
        counterparty_id,
        command,
        lambda counterparty, stamp: counterparty.change_profile(stamp, **proposed),
    )


def assign_manager(
    service: WriteService, actor: Actor, counterparty_id: str, command: AssignManager
) -> Outcome:
    check_assignable(service.store, actor, command.manager_id)
    return _change(
        service,
        actor,
        counterparty_id,
        command,
        lambda counterparty, stamp: counterparty.assign_manager(stamp, command.manager_id),
    )


def rate_counterparty(
    service: WriteService, actor: Actor, counterparty_id: str, command: RateCounterparty
) -> Outcome:
    return _change(
        service,
        actor,
        counterparty_id,
        command,
        lambda counterparty, stamp: counterparty.rate(stamp, command.rating),
    )


def decide_admission(
    service: WriteService, actor: Actor, counterparty_id: str, command: DecideAdmission
) -> Outcome:
    return _change(
        service,
        actor,
        counterparty_id,
        command,
        lambda counterparty, stamp: counterparty.decide_admission(stamp, command.admission, command.reason),
    )
