"""Contracts with clients (FEATURES D1–D4): signing under a unique number, originals,
amendments, prolongation, termination, and the stages' actual dates."""

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from aggregates.contract import Contract, ContractNumber, number_claim_id, sign_with_number_claim
from aggregates.counterparty import Counterparty
from aggregates.money import Money
from commands.catalogue_commands import Currency
from commands.command import Change, Command
from commands.context import Context
from commands.fields import PLANNED, Amount, Day, EntityId, Name, Reason, single_line
from commands.handling import Handlers
from commands.scope import check_assignable, counterparty_guard

ContractNumberText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), AfterValidator(single_line)
]

handlers = Handlers()


class StagePlan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    planned_start: Annotated[Day, PLANNED]
    planned_end: Annotated[Day, PLANNED]


Stages = Annotated[list[StagePlan], Field(max_length=200)]


class SignContract(Command):
    """Sign a contract with a client under a number no other contract has."""

    number: ContractNumberText
    counterparty_id: EntityId
    manager_id: EntityId | None = Field(
        None, description="Responsible manager; defaults to the client's manager"
    )
    signed_on: Day
    valid_from: Annotated[Day, PLANNED]
    valid_until: Annotated[Day, PLANNED]
    amount: Amount
    currency: Currency = "RUB"
    stages: Stages = Field(default_factory=list)


class ReceiveOriginals(Change):
    """Record that the signed originals arrived."""

    received_on: Day


class AmendContract(Change):
    """Amend the amount, the validity or the stage plan, with a reason."""

    reason: Reason
    amount: Amount | None = None
    valid_until: Annotated[Day, PLANNED] | None = None
    stages: Stages | None = Field(None, description="The whole new stage plan")


class ProlongContract(Change):
    """Extend the contract's validity."""

    valid_until: Annotated[Day, PLANNED]


class TerminateContract(Change):
    """End the contract before its time, with a reason."""

    terminated_on: Annotated[Day, PLANNED]
    reason: Reason


class StartStage(Change):
    """Record the day a stage actually started."""

    stage: Name
    started_on: Day


class CompleteStage(Change):
    """Record the day a stage actually completed."""

    stage: Name
    completed_on: Day


def _plan(stages: list[StagePlan]) -> list[dict[str, Any]]:
    return [stage.model_dump() for stage in stages]


def _may_sign(ctx: Context, command: SignContract) -> None:
    counterparty_guard(ctx, ctx.load(Counterparty, command.counterparty_id, "counterparty_id"))
    if command.manager_id is not None:
        check_assignable(ctx, command.manager_id)


@handlers.handles(SignContract, "contract.sign", Contract.Signed, ContractNumber.Claimed, authorize=_may_sign)
def sign_contract(ctx: Context, command: SignContract) -> list[Contract | ContractNumber]:
    """The number is claimed in the same append as the signing (see ``sign_with_number_claim``)."""
    counterparty = ctx.load(Counterparty, command.counterparty_id, "counterparty_id")
    return list(
        sign_with_number_claim(
            ctx.stamp,
            admission=counterparty.admission,
            number_taken=ctx.exists(number_claim_id(command.number)),
            number=command.number,
            counterparty_id=str(counterparty.id),
            manager_id=command.manager_id or counterparty.manager_id,
            signed_on=command.signed_on,
            valid_from=command.valid_from,
            valid_until=command.valid_until,
            amount=Money(command.amount, command.currency),
            stages=_plan(command.stages),
        )
    )


@handlers.changes(Contract, ReceiveOriginals, "contract.receive_originals", Contract.OriginalsReceived)
def receive_originals(ctx: Context, contract: Contract, command: ReceiveOriginals) -> None:
    contract.receive_originals(ctx.stamp, command.received_on)


@handlers.changes(Contract, AmendContract, "contract.amend", Contract.Amended)
def amend_contract(ctx: Context, contract: Contract, command: AmendContract) -> None:
    stages = None if command.stages is None else _plan(command.stages)
    contract.amend(
        ctx.stamp, command.reason, amount=command.amount, valid_until=command.valid_until, stages=stages
    )


@handlers.changes(Contract, ProlongContract, "contract.prolong", Contract.Prolonged)
def prolong_contract(ctx: Context, contract: Contract, command: ProlongContract) -> None:
    contract.prolong(ctx.stamp, command.valid_until)


@handlers.changes(Contract, TerminateContract, "contract.terminate", Contract.Terminated)
def terminate_contract(ctx: Context, contract: Contract, command: TerminateContract) -> None:
    contract.terminate(ctx.stamp, command.terminated_on, command.reason)


@handlers.changes(Contract, StartStage, "contract.start_stage", Contract.StageStarted)
def start_stage(ctx: Context, contract: Contract, command: StartStage) -> None:
    contract.start_stage(ctx.stamp, command.stage, command.started_on)


@handlers.changes(Contract, CompleteStage, "contract.complete_stage", Contract.StageCompleted)
def complete_stage(ctx: Context, contract: Contract, command: CompleteStage) -> None:
    contract.complete_stage(ctx.stamp, command.stage, command.completed_on)
