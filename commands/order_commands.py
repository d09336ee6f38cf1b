"""Orders of a client (FEATURES C6): placed as a forecast or as received, optionally under a
contract, then accepted into work and completed."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate
from pydantic import BaseModel, ConfigDict, Field

from aggregates.counterparty import Counterparty
from aggregates.errors import InvalidValue
from aggregates.money import Money
from aggregates.order import Order, OrderStatus
from aggregates.scope import Actor
from aggregates.stamp import Stamp
from commands.catalogue_commands import Amount, Currency
from commands.command import Change, Command, Line, Name
from commands.contract_commands import load_contract
from commands.scope import load_counterparty_for_change, parse_id
from commands.service import Outcome, WriteService
from event_store.store import EventStore


class OrderLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    quantity: Annotated[Decimal, Field(gt=0, max_digits=15, decimal_places=3)] = Decimal(1)
    unit: Line = ""


class PlaceOrder(Command):
    counterparty_id: str
    contract_id: str | None = Field(None, description="Book the order under this contract")
    status: OrderStatus = Field(OrderStatus.RECEIVED, description="forecast or received")
    amount: Amount
    currency: Currency = "RUB"
    expected_on: date = Field(description="When the service is to be delivered")
    lines: Annotated[list[OrderLine], Field(max_length=200)] = Field(default_factory=list)


class AdvanceOrder(Change):
    status: OrderStatus = Field(description="The next status: received, in_work or completed")
    on: date


def order_aggregates(
    store: EventStore,
    stamp: Stamp,
    counterparty: Counterparty,
    contract_id: str | None,
    order_id: UUID,
    **order: Any,
) -> list[Aggregate]:
    """An order under a contract is booked on the contract in the same append, so the
    contract's validity and remaining amount hold even against a racing order."""
    contract = None if contract_id is None else load_contract(store, contract_id)
    if contract is not None and contract.counterparty_id != str(counterparty.id):
        raise InvalidValue("contract_id", f"contract {contract.number} is with another counterparty")
    placed = Order.place(
        stamp,
        admission=counterparty.admission,
        counterparty_id=str(counterparty.id),
        contract_id=None if contract is None else str(contract.id),
        manager_id=counterparty.manager_id,
        id=order_id,
        **order,
    )
    if contract is None:
        return [placed]
    contract.book_order(stamp, str(order_id), placed.amount, stamp.occurred_at.date())
    return [placed, contract]


def place_order(service: WriteService, actor: Actor, command: PlaceOrder) -> Outcome:
    store = service.store
    amount = Money(command.amount, command.currency)

    def decide(stamp: Stamp) -> list[Aggregate]:
        counterparty = load_counterparty_for_change(store, actor, command.counterparty_id)
        return order_aggregates(
            store,
            stamp,
            counterparty,
            command.contract_id,
            uuid4(),
            status=command.status,
            amount=amount,
            expected_on=command.expected_on,
            lines=[line.model_dump() for line in command.lines],
        )

    return service.run(actor, command, decide)


def advance_order(service: WriteService, actor: Actor, order_id: str, command: AdvanceOrder) -> Outcome:
    store = service.store

    def decide(stamp: Stamp) -> list[Order]:
        order = store.get_at_version(parse_id(order_id, "order_id"), Order, command.expected_version)
        load_counterparty_for_change(store, actor, order.counterparty_id)
        order.advance(stamp, command.status, command.on)
        return [order]

    return service.run(actor, command, decide)
