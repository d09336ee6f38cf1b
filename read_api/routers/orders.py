"""/orders and a client's orders: placing, advancing, and where each order stands."""

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from aggregates.errors import NotFound
from aggregates.order import OrderStatus
from commands.order_commands import AdvanceOrder, PlaceOrder
from letopis.spreadsheets import Column, Kind
from letopis.vocabulary import ORDER_STATUS
from projections.order_status import get_order, orders_of_counterparty
from read_api.access import readable_counterparty
from read_api.deps import BackendDep, CurrentActor, Limit, Offset, ReadAfter, RecordId, Write, fresh_lookup
from read_api.schemas import READ_ONE, WRITE, DecimalText, Page, Uuid, WriteResult
from read_api.spreadsheet_routes import list_sheet, spreadsheet_route

router = APIRouter(tags=["orders"])


class OrderRow(BaseModel):
    id: Uuid
    counterparty_id: Uuid
    contract_id: Uuid | None
    contract_number: str | None
    manager_id: Uuid
    status: OrderStatus
    amount: DecimalText
    currency: str
    expected_on: date
    lines: list[dict[str, Any]]
    inquiry_id: Uuid | None
    version: int
    placed_at: datetime
    updated_at: datetime


class StatusChange(BaseModel):
    status: OrderStatus
    on: date | None = Field(description="The business day of the change; none for the placement")
    occurred_at: datetime
    actor: str


class OrderCard(OrderRow):
    history: list[StatusChange] = Field(description="Oldest first, from the placement on")


ORDERS_SHEET = list_sheet(
    "Заказы",
    "orders",
    [
        Column("contract_number", "Договор"),
        Column("status", "Статус", labels=ORDER_STATUS),
        Column("amount", "Сумма", Kind.MONEY),
        Column("currency", "Валюта"),
        Column("expected_on", "Ожидается", Kind.DATE),
        Column("placed_at", "Размещён (UTC)", Kind.DATETIME),
        Column("id", "Заказ"),
        Column("manager_id", "Менеджер"),
    ],
)


@spreadsheet_route(
    router,
    "/counterparties/{counterparty_id}/orders",
    ORDERS_SHEET,
    response_model=Page[OrderRow],
    dependencies=[ReadAfter],
    responses=READ_ONE,
)
def list_orders_of_counterparty(
    counterparty_id: RecordId, backend: BackendDep, actor: CurrentActor, limit: Limit = 50, offset: Offset = 0
) -> Page[OrderRow]:
    readable_counterparty(backend, actor, counterparty_id)
    with backend.views.reading() as cursor:
        items, total = orders_of_counterparty(cursor, counterparty_id, limit, offset)
    return Page[OrderRow](items=[OrderRow(**item) for item in items], total=total, limit=limit, offset=offset)


@router.get("/orders/{order_id}", response_model=OrderCard, dependencies=[ReadAfter], responses=READ_ONE)
def get_order_card(order_id: RecordId, backend: BackendDep, actor: CurrentActor) -> OrderCard:
    """An order is read within the scope of its client."""
    found = fresh_lookup(backend, lambda cursor: get_order(cursor, order_id))
    if found is None:
        raise NotFound(f"order {order_id} does not exist")
    readable_counterparty(backend, actor, found["counterparty_id"])
    return OrderCard(**found)


@router.post("/orders", status_code=201, responses=WRITE)
def place_order(command: PlaceOrder, write: Write) -> WriteResult:
    return write(command)


@router.post("/orders/{order_id}/status", responses=WRITE)
def advance_order(order_id: RecordId, command: AdvanceOrder, write: Write) -> WriteResult:
    return write(command, order_id)
