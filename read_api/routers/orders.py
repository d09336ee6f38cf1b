"""/orders and a client's orders: placing, advancing, and where each order stands."""

from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from aggregates.errors import NotFound
from aggregates.order import OrderStatus
from commands.order_commands import AdvanceOrder, PlaceOrder, advance_order, place_order
from projections.order_status import get_order, orders_of_counterparty
from read_api.access import readable_counterparty
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

router = APIRouter(tags=["orders"], responses=problems(400, 403, 404, 409, 503))


class OrderRow(BaseModel):
    id: str
    counterparty_id: str
    contract_id: str | None
    contract_number: str | None
    manager_id: str
    status: OrderStatus
    amount: Decimal
    currency: str
    expected_on: date
    lines: list[dict[str, Any]]
    inquiry_id: str | None
    version: int
    placed_at: str
    updated_at: str


class StatusChange(BaseModel):
    status: OrderStatus
    on: date | None = Field(description="The business day of the change; none for the placement")
    occurred_at: str
    actor: str


class OrderCard(OrderRow):
    history: list[StatusChange] = Field(description="Oldest first, from the placement on")


@router.get(
    "/counterparties/{counterparty_id}/orders", response_model=Page[OrderRow], dependencies=[ReadAfter]
)
def orders_of_client(
    counterparty_id: str, backend: BackendDep, actor: CurrentActor, limit: Limit = 50, offset: Offset = 0
) -> Page[OrderRow]:
    readable_counterparty(backend, actor, counterparty_id)
    with backend.views.reading() as cursor:
        items, total = orders_of_counterparty(cursor, counterparty_id, limit, offset)
    return Page[OrderRow](items=[OrderRow(**item) for item in items], total=total, limit=limit, offset=offset)


@router.get("/orders/{order_id}", response_model=OrderCard, dependencies=[ReadAfter])
def order(order_id: str, backend: BackendDep, actor: CurrentActor) -> OrderCard:
    """An order is read within the scope of its client."""
    found = fresh_lookup(backend, lambda cursor: get_order(cursor, order_id))
    if found is None:
        raise NotFound(f"order {order_id} does not exist")
    readable_counterparty(backend, actor, found["counterparty_id"])
    return OrderCard(**found)


@router.post("/orders", status_code=201, response_model=WriteResult)
def place(
    command: PlaceOrder,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(place_order(backend.service, actor, keyed(command, key)), response)


@router.post("/orders/{order_id}/status", response_model=WriteResult)
def advance(
    order_id: str,
    command: AdvanceOrder,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(advance_order(backend.service, actor, order_id, keyed(command, key)), response)
