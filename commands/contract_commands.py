"""Contracts with clients (FEATURES D1–D4): signing under a unique number, originals,
amendments, prolongation, termination, and the stages' actual dates."""

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from aggregates.contract import Contract, ContractNumber, number_claim_id
from aggregates.counterparty import Counterparty
from aggregates.errors import RuleViolated
from aggregates.money import Money
from aggregates.scope import Actor, check_may_change
from aggregates.stamp import Stamp
from commands.catalogue_commands import Amount, Currency
from commands.command import Change, Command, Name, Reason
from commands.scope import check_assignable, parse_id, responsible
from commands.service import Outcome, WriteService
from event_store.store import EventStore

ContractNumberText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class StagePlan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    planned_start: date
    planned_end: date


Stages = Annotated[list[StagePlan], Field(max_length=200)]


class SignContract(Command):
    number: ContractNumberText
    counterparty_id: str
    manager_id: str | None = Field(None, description="Responsible manager; defaults to the client's manager")
    signed_on: date
    valid_from: date
    valid_until: date
    amount: Amount
    currency: Currency = "RUB"
    stages: Stages = Field(default_factory=list)


class ReceiveOriginals(Change):
    received_on: date


class AmendContract(Change):
    reason: Reason
    amount: Amount | None = None
    valid_until: date | None = None
    stages: Stages | None = Field(None, description="The whole new stage plan")


class ProlongContract(Change):
    valid_until: date


class TerminateContract(Change):
    terminated_on: date
    reason: Reason


class StartStage(Change):
    stage: Name
    started_on: date


class CompleteStage(Change):
    stage: Name
    completed_on: date


def _plan(stages: list[StagePlan]) -> list[dict[str, Any]]:
    return [stage.model_dump() for stage in stages]


def load_contract(store: EventStore, contract_id: str, expected_version: int | None = None) -> Contract:
    return store.get_at_version(parse_id(contract_id, "contract_id"), Contract, expected_version)


def check_may_change_contract(store: EventStore, actor: Actor, contract: Contract) -> None:
    check_may_change(actor, responsible(store, contract.manager_id))


def sign_contract(service: WriteService, actor: Actor, command: SignContract) -> Outcome:
    """The number is claimed in the same append as the signing: of two contracts racing for
    one number, the second collides on the claim and, decided again, finds it taken."""
    store = service.store
    counterparty = store.get(parse_id(command.counterparty_id, "counterparty_id"), Counterparty)
    check_may_change(actor, responsible(store, counterparty.manager_id))
    if counterparty.is_barred:
        raise RuleViolated(
            f"the counterparty is {counterparty.admission.value}: no contract may be signed with it"
        )
    manager_id = command.manager_id or counterparty.manager_id
    if command.manager_id is not None:
        check_assignable(store, actor, manager_id)
    amount = Money(command.amount, command.currency)

    def decide(stamp: Stamp) -> list[Contract | ContractNumber]:
        if store.exists(number_claim_id(command.number)):
            raise RuleViolated(f"contract number {command.number} is already used")
        contract = Contract.sign(
            stamp,
            number=command.number,
            counterparty_id=str(counterparty.id),
            manager_id=manager_id,
            signed_on=command.signed_on,
            valid_from=command.valid_from,
            valid_until=command.valid_until,
            amount=amount,
            stages=_plan(command.stages),
        )
        return [contract, ContractNumber.claim(stamp, contract.number, str(contract.id))]

    return service.run(actor, command, decide)


def _change(
    service: WriteService,
    actor: Actor,
    contract_id: str,
    command: Change,
    act: Callable[[Contract, Stamp], None],
) -> Outcome:
    def decide(stamp: Stamp) -> list[Contract]:
        contract = load_contract(service.store, contract_id, command.expected_version)
        check_may_change_contract(service.store, actor, contract)
        act(contract, stamp)
        return [contract]

    return service.run(actor, command, decide)


def receive_originals(
    service: WriteService, actor: Actor, contract_id: str, command: ReceiveOriginals
) -> Outcome:
    return _change(
        service,
        actor,
        contract_id,
        command,
        lambda contract, stamp: contract.receive_originals(stamp, command.received_on),
    )


def amend_contract(service: WriteService, actor: Actor, contract_id: str, command: AmendContract) -> Outcome:
    stages = None if command.stages is None else _plan(command.stages)
    return _change(
        service,
        actor,
        contract_id,
        command,
        lambda contract, stamp: contract.amend(
            stamp, command.reason, amount=command.amount, valid_until=command.valid_until, stages=stages
        ),
    )


def prolong_contract(
    service: WriteService, actor: Actor, contract_id: str, command: ProlongContract
) -> Outcome:
    return _change(
        service,
        actor,
        contract_id,
        command,
        lambda contract, stamp: contract.prolong(stamp, command.valid_until),
    )


def terminate_contract(
    service: WriteService, actor: Actor, contract_id: str, command: TerminateContract
) -> Outcome:
    return _change(
        service,
        actor,
        contract_id,
        command,
        lambda contract, stamp: contract.terminate(stamp, command.terminated_on, command.reason),
    )


def start_stage(service: WriteService, actor: Actor, contract_id: str, command: StartStage) -> Outcome:
    return _change(
        service,
        actor,
        contract_id,
        command,
        lambda contract, stamp: contract.start_stage(stamp, command.stage, command.started_on),
    )


def complete_stage(service: WriteService, actor: Actor, contract_id: str, command: CompleteStage) -> Outcome:
    return _change(
        service,
        actor,
        contract_id,
        command,
        lambda contract, stamp: contract.complete_stage(stamp, command.stage, command.completed_on),
    )
