"""/deals: the deals of the sales funnel, and every change to one."""

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from aggregates.deal import DealStatus
from aggregates.errors import NotFound
from aggregates.scope import check_may_read
from commands.deal_commands import (
    ChangeDealAmount,
    ChangeDealCloseDate,
    LoseDeal,
    MoveDeal,
    OpenDeal,
    WinDeal,
    change_deal_amount,
    change_deal_close_date,
    lose_deal,
    move_deal,
    open_deal,
    win_deal,
)
from projections.deal_funnel import DealFilter, get_deal, search_deals
from projections.employee_directory import responsible
from read_api.deps import (
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

router = APIRouter(prefix="/deals", tags=["deals"], responses=problems(400, 403, 404, 409, 503))


class DealLineEntry(BaseModel):
    item_id: str | None
    name: str
    quantity: Decimal
    unit_price: Decimal
    currency: str


class LostReason(BaseModel):
    code: str
    text: str


class DealCard(BaseModel):
    id: str
    counterparty_id: str
    manager_id: str
    pipeline_id: str
    stage: str
    probability: Decimal
    amount: Decimal
    currency: str
    status: DealStatus
    expected_close_on: str
    lines: list[DealLineEntry]
    lead_source: str | None
    inquiry_id: str | None
    lost_reason: LostReason | None
    opened_at: str
    closed_at: str | None
    version: int
    updated_at: str


@router.get("", response_model=Page[DealCard], dependencies=[ReadAfter])
def search(
    backend: BackendDep,
    actor: CurrentActor,
    status: DealStatus | None = None,
    stage: Annotated[str | None, Query(max_length=300)] = None,
    manager_id: Annotated[str | None, Query(max_length=36)] = None,
    counterparty_id: Annotated[str | None, Query(max_length=36)] = None,
    pipeline_id: Annotated[str | None, Query(max_length=36)] = None,
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


@router.get("/{deal_id}", response_model=DealCard, dependencies=[ReadAfter])
def card(deal_id: str, backend: BackendDep, actor: CurrentActor) -> DealCard:
    found = fresh_lookup(backend, lambda cursor: get_deal(cursor, deal_id))
    if found is None:
        raise NotFound(f"deal {deal_id} does not exist")
    with backend.views.reading() as cursor:
        check_may_read(actor, responsible(cursor, found["manager_id"]))
    return DealCard(**found)


@router.post("", status_code=201, response_model=WriteResult)
def open_(
    command: OpenDeal,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(open_deal(backend.service, actor, keyed(command, key)), response)


@router.put("/{deal_id}/stage", response_model=WriteResult)
def move(
    deal_id: str,
    command: MoveDeal,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(move_deal(backend.service, actor, deal_id, keyed(command, key)), response)


@router.put("/{deal_id}/amount", response_model=WriteResult)
def change_amount(
    deal_id: str,
    command: ChangeDealAmount,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(change_deal_amount(backend.service, actor, deal_id, keyed(command, key)), response)


@router.put("/{deal_id}/expected-close-date", response_model=WriteResult)
def change_close_date(
    deal_id: str,
    command: ChangeDealCloseDate,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(change_deal_close_date(backend.service, actor, deal_id, keyed(command, key)), response)


@router.post("/{deal_id}/won", response_model=WriteResult)
def win(
    deal_id: str,
    command: WinDeal,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(win_deal(backend.service, actor, deal_id, keyed(command, key)), response)


@router.post("/{deal_id}/lost", response_model=WriteResult)
def lose(
    deal_id: str,
    command: LoseDeal,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(lose_deal(backend.service, actor, deal_id, keyed(command, key)), response)
