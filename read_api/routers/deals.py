"""/deals: the deals of the sales funnel, and every change to one."""

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from aggregates.deal import DealStatus
from commands.deal_commands import (
    ChangeDealAmount,
    ChangeDealCloseDate,
    LoseDeal,
    MoveDeal,
    OpenDeal,
    WinDeal,
)
from commands.fields import EntityId, SearchText
from letopis.spreadsheets import Column, Kind
from letopis.vocabulary import DEAL_STATUS
from projections.deal_queries import DealFilter, get_deal, search_deals
from read_api.access import readable
from read_api.deps import BackendDep, CurrentActor, Limit, Offset, ReadAfter, RecordId, Write
from read_api.schemas import READ_ONE, WRITE, DecimalText, Page, Uuid, WriteResult
from read_api.spreadsheet_routes import list_sheet, spreadsheet_route

router = APIRouter(prefix="/deals", tags=["deals"])


class DealLineEntry(BaseModel):
    item_id: Uuid | None
    name: str
    quantity: DecimalText
    unit_price: DecimalText
    currency: str


class LostReason(BaseModel):
    code: str
    text: str


class DealCard(BaseModel):
    id: Uuid
    counterparty_id: Uuid
    manager_id: Uuid
    pipeline_id: Uuid
    stage: str
    probability: DecimalText
    amount: DecimalText
    currency: str
    status: DealStatus
    expected_close_on: date
    lines: list[DealLineEntry]
    lead_source: str | None
    inquiry_id: Uuid | None
    lost_reason: LostReason | None
    opened_at: datetime
    closed_at: datetime | None
    version: int
    updated_at: datetime


DEALS_SHEET = list_sheet(
    "Сделки",
    "deals",
    [
        Column("id", "Сделка"),
        Column("counterparty_id", "Контрагент"),
        Column("manager_id", "Менеджер"),
        Column("pipeline_id", "Воронка"),
        Column("stage", "Этап"),
        Column("probability", "Вероятность, %", Kind.PERCENT),
        Column("amount", "Сумма", Kind.MONEY),
        Column("currency", "Валюта"),
        Column("status", "Статус", labels=DEAL_STATUS),
        Column("expected_close_on", "Ожидаемое закрытие", Kind.DATE),
        Column("lead_source", "Источник"),
        Column("opened_at", "Открыта (UTC)", Kind.DATETIME),
        Column("closed_at", "Закрыта (UTC)", Kind.DATETIME),
    ],
)


@spreadsheet_route(router, "", DEALS_SHEET, response_model=Page[DealCard], dependencies=[ReadAfter])
def list_deals(
    backend: BackendDep,
    actor: CurrentActor,
    status: DealStatus | None = None,
    stage: Annotated[SearchText | None, Query(max_length=300)] = None,
    manager_id: EntityId | None = None,
    counterparty_id: EntityId | None = None,
    pipeline_id: EntityId | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[DealCard]:
    criteria = DealFilter(
        status=status,
        stage=stage,
        manager_id=manager_id,
        counterparty_id=counterparty_id,
        pipeline_id=pipeline_id,
    )
    with backend.views.reading() as cursor:
        items, total = search_deals(cursor, actor, criteria, limit, offset)
    return Page[DealCard](items=[DealCard(**item) for item in items], total=total, limit=limit, offset=offset)


@router.get("/{deal_id}", response_model=DealCard, dependencies=[ReadAfter], responses=READ_ONE)
def get_deal_card(deal_id: RecordId, backend: BackendDep, actor: CurrentActor) -> DealCard:
    return DealCard(**readable(backend, actor, f"deal {deal_id}", lambda cursor: get_deal(cursor, deal_id)))


@router.post("", status_code=201, responses=WRITE)
def open_deal(command: OpenDeal, write: Write) -> WriteResult:
    return write(command)


@router.put("/{deal_id}/stage", responses=WRITE)
def move_deal(deal_id: RecordId, command: MoveDeal, write: Write) -> WriteResult:
    return write(command, deal_id)


@router.put("/{deal_id}/amount", responses=WRITE)
def change_deal_amount(deal_id: RecordId, command: ChangeDealAmount, write: Write) -> WriteResult:
    return write(command, deal_id)


@router.put("/{deal_id}/expected-close-date", responses=WRITE)
def change_deal_close_date(deal_id: RecordId, command: ChangeDealCloseDate, write: Write) -> WriteResult:
    return write(command, deal_id)


@router.post("/{deal_id}/won", responses=WRITE)
def win_deal(deal_id: RecordId, command: WinDeal, write: Write) -> WriteResult:
    return write(command, deal_id)


@router.post("/{deal_id}/lost", responses=WRITE)
def lose_deal(deal_id: RecordId, command: LoseDeal, write: Write) -> WriteResult:
    return write(command, deal_id)
