"""/contracts: the contract register, a contract with its stages and Gantt data, and every
change to a contract."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from aggregates.contract import ContractStatus
from aggregates.errors import NotFound
from aggregates.scope import Actor, check_may_read
from commands.contract_commands import (
    AmendContract,
    CompleteStage,
    ProlongContract,
    ReceiveOriginals,
    SignContract,
    StartStage,
    TerminateContract,
    amend_contract,
    complete_stage,
    prolong_contract,
    receive_originals,
    sign_contract,
    start_stage,
    terminate_contract,
)
from projections.contract_register import ContractFilter, get_contract, search_contracts
from projections.employee_directory import responsible
from read_api.deps import (
    Backend,
    BackendDep,
    CurrentActor,
    IdempotencyKey,
    Limit,
    Offset,
    ReadAfter,
    fresh_lookup,
    keyed,
    written,
)
from read_api.schemas import Page, WriteResult, problems

router = APIRouter(prefix="/contracts", tags=["contracts"], responses=problems(400, 403, 404, 409, 503))


class ContractRow(BaseModel):
    id: str
    number: str
    counterparty_id: str
    counterparty_name: str | None
    manager_id: str
    manager_name: str | None
    signed_on: date
    valid_from: date
    valid_until: date
    amount: Decimal
    currency: str
    booked: Decimal = Field(description="Booked by orders under the contract")
    remaining: Decimal = Field(description="Still free for orders: amount less booked")
    paid: Decimal = Field(description="Payments less refunds")
    progress: str = Field(description="Paid / amount as a decimal ratio", examples=["0.2500"])
    status: ContractStatus
    originals_received: bool
    originals_received_on: date | None
    terminated_on: date | None
    late_stages: int = Field(description="Stages whose planned end passed uncompleted, or completed late")
    version: int


class StageProgress(BaseModel):
    name: str
    planned_start: date
    planned_end: date
    actual_start: date | None
    actual_end: date | None
    late: bool


class ContractCard(ContractRow):
    stages: list[StageProgress]


class ContractGantt(BaseModel):
    contract_id: str
    number: str
    valid_from: date
    valid_until: date
    stages: list[StageProgress] = Field(description="Planned against actual, in plan order")


def business_today(backend: Backend) -> date:
    """The day the write side books orders on: the clock's date."""
    return backend.service.clock().date()


def readable_contract(backend: Backend, actor: Actor, contract_id: str) -> dict[str, Any]:
    today = business_today(backend)
    found = fresh_lookup(backend, lambda cursor: get_contract(cursor, contract_id, today))
    if found is None:
        raise NotFound(f"contract {contract_id} does not exist")
    with backend.views.reading() as cursor:
        check_may_read(actor, responsible(cursor, found["manager_id"]))
    return found


@router.get("", response_model=Page[ContractRow], dependencies=[ReadAfter])
def register(
    backend: BackendDep,
    actor: CurrentActor,
    status: ContractStatus | None = None,
    counterparty_id: Annotated[str | None, Query(max_length=36)] = None,
    manager_id: Annotated[str | None, Query(max_length=36)] = None,
    expiring_within_days: Annotated[
        int | None, Query(ge=0, le=3650, description="Active contracts ending within this many days")
    ] = None,
    missing_originals: Annotated[bool, Query(description="Only contracts without signed originals")] = False,
    late: Annotated[bool, Query(description="Only contracts with a stage late against plan")] = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ContractRow]:
    criteria = ContractFilter(
        status=status,
        counterparty_id=counterparty_id,
        manager_id=manager_id,
        expiring_within_days=expiring_within_days,
        missing_originals=missing_originals,
        late=late,
    )
    today = business_today(backend)
    with backend.views.reading() as cursor:
        items, total = search_contracts(cursor, actor, criteria, today, limit, offset)
    return Page[ContractRow](
        items=[ContractRow(**item) for item in items], total=total, limit=limit, offset=offset
    )


@router.get("/{contract_id}", response_model=ContractCard, dependencies=[ReadAfter])
def card(contract_id: str, backend: BackendDep, actor: CurrentActor) -> ContractCard:
    return ContractCard(**readable_contract(backend, actor, contract_id))


@router.get("/{contract_id}/gantt", response_model=ContractGantt, dependencies=[ReadAfter])
def gantt(contract_id: str, backend: BackendDep, actor: CurrentActor) -> ContractGantt:
    contract = readable_contract(backend, actor, contract_id)
    return ContractGantt(
        contract_id=contract["id"],
        number=contract["number"],
        valid_from=contract["valid_from"],
        valid_until=contract["valid_until"],
        stages=contract["stages"],
    )


@router.post("", status_code=201, response_model=WriteResult)
def sign(
    command: SignContract,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(sign_contract(backend.service, actor, keyed(command, key)), response)


@router.post("/{contract_id}/originals", response_model=WriteResult)
def originals(
    contract_id: str,
    command: ReceiveOriginals,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    outcome = receive_originals(backend.service, actor, contract_id, keyed(command, key))
    return written(outcome, response)


@router.post("/{contract_id}/amendments", response_model=WriteResult)
def amend(
    contract_id: str,
    command: AmendContract,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(amend_contract(backend.service, actor, contract_id, keyed(command, key)), response)


@router.post("/{contract_id}/prolongations", response_model=WriteResult)
def prolong(
    contract_id: str,
    command: ProlongContract,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(prolong_contract(backend.service, actor, contract_id, keyed(command, key)), response)


@router.post("/{contract_id}/termination", response_model=WriteResult)
def terminate(
    contract_id: str,
    command: TerminateContract,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    outcome = terminate_contract(backend.service, actor, contract_id, keyed(command, key))
    return written(outcome, response)


@router.post("/{contract_id}/stage-starts", response_model=WriteResult)
def stage_started(
    contract_id: str,
    command: StartStage,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(start_stage(backend.service, actor, contract_id, keyed(command, key)), response)


@router.post("/{contract_id}/stage-completions", response_model=WriteResult)
def stage_completed(
    contract_id: str,
    command: CompleteStage,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(complete_stage(backend.service, actor, contract_id, keyed(command, key)), response)
