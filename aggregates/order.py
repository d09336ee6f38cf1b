"""A client's order (seed 001, FEATURES C1, C6): forecast, received, accepted into work, completed."""

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from aggregates.contract import Contract
from aggregates.counterparty import Admission
from aggregates.deal import check_counterparty_admitted
from aggregates.errors import InvalidValue, RuleViolated
from aggregates.money import Money
from aggregates.stamp import Fact, Stamp


class OrderStatus(StrEnum):
    FORECAST = "forecast"
    RECEIVED = "received"
    IN_WORK = "in_work"
    COMPLETED = "completed"


NEXT_STATUS = {
    OrderStatus.FORECAST: OrderStatus.RECEIVED,
    OrderStatus.RECEIVED: OrderStatus.IN_WORK,
    OrderStatus.IN_WORK: OrderStatus.COMPLETED,
}


class Order(Aggregate):
    class Placed(Aggregate.Created, Fact):
        counterparty_id: str
        contract_id: str | None
        manager_id: str
        status: str
        amount: Decimal
        currency: str
        expected_on: date
        lines: list[dict[str, Any]]
        inquiry_id: str | None

        def apply(self, aggregate: "Order") -> None:
            aggregate.counterparty_id = self.counterparty_id
            aggregate.contract_id = self.contract_id
            aggregate.status = OrderStatus(self.status)
            aggregate.amount = Money(self.amount, self.currency)

    class Advanced(Fact):
        counterparty_id: str
        status: str
        previous_status: str
        on: date

        def apply(self, aggregate: "Order") -> None:
            aggregate.status = OrderStatus(self.status)

    def __init__(self) -> None:
        self.counterparty_id = ""
        self.contract_id: str | None = None
        self.status = OrderStatus.FORECAST
        self.amount = Money(Decimal(0), "RUB")

    @classmethod
    def place(
        cls,
        stamp: Stamp,
        *,
        admission: Admission,
        counterparty_id: str,
        contract_id: str | None,
        manager_id: str,
        status: OrderStatus,
        amount: Money,
        expected_on: date,
        lines: list[dict[str, Any]],
        inquiry_id: str | None = None,
        id: UUID | None = None,
    ) -> "Order":
        check_counterparty_admitted(admission)
        if status not in (OrderStatus.FORECAST, OrderStatus.RECEIVED):
            raise RuleViolated("an order starts as a forecast or as received")
        amount.positive()
        return cls._create(
            cls.Placed,
            id=id,
            counterparty_id=counterparty_id,
            contract_id=contract_id,
            manager_id=manager_id,
            status=status.value,
            amount=amount.amount,
            currency=amount.currency,
            expected_on=expected_on,
            lines=lines,
            inquiry_id=inquiry_id,
            **stamp.fields(),
        )

    def advance(self, stamp: Stamp, to: OrderStatus, on: date) -> None:
        expected = NEXT_STATUS.get(self.status)
        if expected != to:
            raise RuleViolated(
                f"an order that is {self.status.value} moves to {expected.value if expected else 'nothing'}, "
                f"not {to.value}"
            )
        self.trigger_event(
            self.Advanced,
            counterparty_id=self.counterparty_id,
            status=to.value,
            previous_status=self.status.value,
            on=on,
            **stamp.fields(),
        )


def place_and_book_order(
    stamp: Stamp,
    *,
    admission: Admission,
    counterparty_id: str,
    manager_id: str,
    contract: Contract | None,
    status: OrderStatus,
    amount: Money,
    expected_on: date,
    lines: list[dict[str, Any]],
    inquiry_id: str | None = None,
    id: UUID | None = None,
) -> Order:
    """An order, and under a contract its booking on the contract on the day it is placed
    (the stamp's business day). The two are appended together, so the contract's validity
    and remaining amount hold even against a racing order: both book on the one contract,
    and one loses the version race."""
    if contract is not None and contract.counterparty_id != counterparty_id:
        raise InvalidValue("contract_id", f"contract {contract.number} is with another counterparty")
    placed = Order.place(
        stamp,
        admission=admission,
        counterparty_id=counterparty_id,
        contract_id=None if contract is None else str(contract.id),
        manager_id=manager_id,
        status=status,
        amount=amount,
        expected_on=expected_on,
        lines=lines,
        inquiry_id=inquiry_id,
        id=id,
    )
    if contract is not None:
        contract.book_order(stamp, str(placed.id), placed.amount, stamp.occurred_at.date())
    return placed
