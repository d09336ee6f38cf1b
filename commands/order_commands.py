"""Orders of a client (FEATURES C6): placed as a forecast or as received, optionally under a
contract, then accepted into work and completed."""

from decimal import Decimal
from typing import Annotated, Any

from eventsourcing.domain import Aggregate
from pydantic import BaseModel, ConfigDict, Field

from aggregates.catalogue_item import CatalogueItem
from aggregates.contract import Contract
from aggregates.counterparty import Counterparty
from aggregates.errors import InvalidValue
from aggregates.money import Money
from aggregates.order import Order, OrderStatus, place_and_book_order
from commands.catalogue_commands import Currency
from commands.command import Change, Command
from commands.context import Context
from commands.fields import PLANNED, Amount, Day, EntityId, Line, Name, Quantity
from commands.handling import Handlers
from commands.scope import counterparty_guard

handlers = Handlers()


class OrderLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    quantity: Quantity = Decimal(1)
    unit: Line = ""
    item_id: EntityId | None = Field(None, description="The catalogue item, when the line is one")
    amount: Amount | None = Field(
        None, description="The line's part of the order's amount; bonuses by category count it"
    )


def _lines(ctx: Context, command: "PlaceOrder") -> list[dict[str, Any]]:
    """The lines as stored: each named item exists, and together they ask no more than the order."""
    for line in command.lines:
        if line.item_id is not None:
            ctx.load(CatalogueItem, line.item_id, "lines")
    priced = sum((line.amount for line in command.lines if line.amount is not None), Decimal(0))
    if priced > command.amount:
        raise InvalidValue(
            "lines", f"the lines' amounts add up to {priced}, more than the order's {command.amount}"
        )
    return [line.model_dump() for line in command.lines]


class PlaceOrder(Command):
    """Place a client's order, as a forecast or as received, optionally under a contract."""

    counterparty_id: EntityId
    contract_id: EntityId | None = Field(None, description="Book the order under this contract")
    status: OrderStatus = Field(OrderStatus.RECEIVED, description="forecast or received")
    amount: Amount
    currency: Currency = "RUB"
    expected_on: Annotated[Day, PLANNED] = Field(description="When the service is to be delivered")
    lines: Annotated[list[OrderLine], Field(max_length=200)] = Field(default_factory=list)


class AdvanceOrder(Change):
    """Move the order to its next status: received, in work, completed."""

    status: OrderStatus = Field(description="The next status: received, in_work or completed")
    on: Day


def order_aggregates(
    ctx: Context, counterparty: Counterparty, contract_id: str | None, **order: Any
) -> list[Aggregate]:
    """The order, and the contract it is booked on (see ``place_and_book_order``)."""
    contract = None if contract_id is None else ctx.load(Contract, contract_id, "contract_id")
    placed = place_and_book_order(
        ctx.stamp,
        admission=counterparty.admission,
        counterparty_id=str(counterparty.id),
        manager_id=counterparty.manager_id,
        contract=contract,
        **order,
    )
    return [placed] if contract is None else [placed, contract]


def _may_place(ctx: Context, command: PlaceOrder) -> None:
    counterparty_guard(ctx, ctx.load(Counterparty, command.counterparty_id, "counterparty_id"))


@handlers.handles(PlaceOrder, "order.place", Order.Placed, Contract.OrderBooked, authorize=_may_place)
def place_order(ctx: Context, command: PlaceOrder) -> list[Aggregate]:
    return order_aggregates(
        ctx,
        ctx.load(Counterparty, command.counterparty_id, "counterparty_id"),
        command.contract_id,
        status=command.status,
        amount=Money(command.amount, command.currency),
        expected_on=command.expected_on,
        lines=_lines(ctx, command),
    )


@handlers.changes(Order, AdvanceOrder, "order.advance", Order.Advanced)
def advance_order(ctx: Context, order: Order, command: AdvanceOrder) -> None:
    order.advance(ctx.stamp, command.status, command.on)
