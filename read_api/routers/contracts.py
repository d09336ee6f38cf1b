"""/contracts: the contract register, a contract with its stages and Gantt data, and every
change to a contract."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from aggregates.contract import ContractStatus
from aggregates.scope import Actor
from commands.contract_commands import (
    AmendContract,
    CompleteStage,
    ProlongContract,
    ReceiveOriginals,
    SignContract,
    StartStage,
    TerminateContract,
)
from commands.fields import EntityId
from letopis.spreadsheets import Column, Kind
from letopis.vocabulary import CONTRACT_STATUS
from projections.contract_register import ContractFilter, get_contract, search_contracts
from read_api.access import readable
from read_api.deps import (
    Backend,
    BackendDep,
    CurrentActor,
    Limit,
    Offset,
    ReadAfter,
    RecordId,
    Write,
)
from read_api.schemas import READ_ONE, WRITE, DecimalText, Page, Uuid, WriteResult
from read_api.spreadsheet_routes import list_sheet, spreadsheet_route
from read_api.time_travel import ViewsAt, views_at
from replay.past_reports import CONTRACT_REGISTER_VIEWS

router = APIRouter(prefix="/contracts", tags=["contracts"])


class ContractRow(BaseModel):
    id: Uuid
    number: str
    counterparty_id: Uuid
    counterparty_name: str | None
    manager_id: Uuid
    manager_name: str | None
    signed_on: date
    valid_from: date
    valid_until: date
    amount: DecimalText
    currency: str
    booked: DecimalText = Field(description="Booked by orders under the contract")
    remaining: DecimalText = Field(description="Still free for orders: amount less booked")
    paid: DecimalText = Field(description="Payments less refunds")
    overpaid: DecimalText = Field(description="Paid beyond the contract's amount; 0 when not overpaid")
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
    contract_id: Uuid
    number: str
    valid_from: date
    valid_until: date
    stages: list[StageProgress] = Field(description="Planned against actual, in plan order")


def business_today(backend: Backend) -> date:
    """The day the write side books orders on: the clock's date."""
    return backend.service.clock().date()


def readable_contract(backend: Backend, actor: Actor, contract_id: str) -> dict[str, Any]:
    today = business_today(backend)
    return readable(
        backend, actor, f"contract {contract_id}", lambda cursor: get_contract(cursor, contract_id, today)
    )


CONTRACT_REGISTER = list_sheet(
    "Реестр договоров",
    "contracts",
    [
        Column("number", "Номер"),
        Column("counterparty_name", "Контрагент"),
        Column("manager_name", "Менеджер"),
        Column("signed_on", "Подписан", Kind.DATE),
        Column("valid_from", "Действует с", Kind.DATE),
        Column("valid_until", "Действует по", Kind.DATE),
        Column("amount", "Сумма", Kind.MONEY),
        Column("currency", "Валюта"),
        Column("booked", "Заказано", Kind.MONEY),
        Column("remaining", "Остаток", Kind.MONEY),
        Column("paid", "Оплачено", Kind.MONEY),
        Column("overpaid", "Переплата", Kind.MONEY),
        Column("progress", "Доля оплаты", Kind.DECIMAL),
        Column("status", "Статус", labels=CONTRACT_STATUS),
        Column("originals_received", "Оригиналы получены", Kind.BOOLEAN),
        Column("originals_received_on", "Оригиналы получены когда", Kind.DATE),
        Column("terminated_on", "Расторгнут", Kind.DATE),
        Column("late_stages", "Этапов с опозданием", Kind.INTEGER),
    ],
)


@spreadsheet_route(router, "", CONTRACT_REGISTER, response_model=Page[ContractRow], dependencies=[ReadAfter])
def list_contracts(
    backend: BackendDep,
    views: Annotated[ViewsAt, Depends(views_at(CONTRACT_REGISTER_VIEWS))],
    actor: CurrentActor,
    status: ContractStatus | None = None,
    counterparty_id: EntityId | None = None,
    manager_id: EntityId | None = None,
    expiring_within_days: Annotated[
        int | None, Query(ge=0, le=3650, description="Active contracts ending within this many days")
    ] = None,
    missing_originals: Annotated[bool, Query(description="Only contracts without signed originals")] = False,
    late: Annotated[bool, Query(description="Only contracts with a stage late against plan")] = False,
    overpaid: Annotated[bool, Query(description="Only contracts paid beyond their amount")] = False,
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
        overpaid=overpaid,
    )
    today = views.today(business_today(backend))
    with views.reading() as cursor:
        items, total = search_contracts(cursor, actor, criteria, today, limit, offset)
    return Page[ContractRow](
        items=[ContractRow(**item) for item in items], total=total, limit=limit, offset=offset
    )


@router.get("/{contract_id}", response_model=ContractCard, dependencies=[ReadAfter], responses=READ_ONE)
def get_contract_card(contract_id: RecordId, backend: BackendDep, actor: CurrentActor) -> ContractCard:
    return ContractCard(**readable_contract(backend, actor, contract_id))


@router.get(
    "/{contract_id}/gantt", response_model=ContractGantt, dependencies=[ReadAfter], responses=READ_ONE
)
def get_contract_gantt(contract_id: RecordId, backend: BackendDep, actor: CurrentActor) -> ContractGantt:
    contract = readable_contract(backend, actor, contract_id)
    return ContractGantt(
        contract_id=contract["id"],
        number=contract["number"],
        valid_from=contract["valid_from"],
        valid_until=contract["valid_until"],
        stages=contract["stages"],
    )


@router.post("", status_code=201, responses=WRITE)
def sign_contract(command: SignContract, write: Write) -> WriteResult:
    return write(command)


@router.post("/{contract_id}/originals", responses=WRITE)
def receive_contract_originals(contract_id: RecordId, command: ReceiveOriginals, write: Write) -> WriteResult:
    return write(command, contract_id)


@router.post("/{contract_id}/amendments", responses=WRITE)
def amend_contract(contract_id: RecordId, command: AmendContract, write: Write) -> WriteResult:
    return write(command, contract_id)


@router.post("/{contract_id}/prolongations", responses=WRITE)
def prolong_contract(contract_id: RecordId, command: ProlongContract, write: Write) -> WriteResult:
    return write(command, contract_id)


@router.post("/{contract_id}/termination", responses=WRITE)
def terminate_contract(contract_id: RecordId, command: TerminateContract, write: Write) -> WriteResult:
    return write(command, contract_id)


@router.post("/{contract_id}/stage-starts", responses=WRITE)
def start_contract_stage(contract_id: RecordId, command: StartStage, write: Write) -> WriteResult:
    return write(command, contract_id)


@router.post("/{contract_id}/stage-completions", responses=WRITE)
def complete_contract_stage(contract_id: RecordId, command: CompleteStage, write: Write) -> WriteResult:
    return write(command, contract_id)
