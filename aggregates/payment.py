"""Money received under a contract (FEATURES D5), and refunds of it."""

from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate

from aggregates.contract import Contract
from aggregates.errors import InvalidValue, RuleViolated
from aggregates.money import Money
from aggregates.order import Order
from aggregates.stamp import Fact, Stamp


class Payment(Aggregate):
    class Received(Aggregate.Created, Fact):
        counterparty_id: str
        contract_id: str
        order_id: str | None
        manager_id: str
        amount: Decimal
        currency: str
        received_on: date

        def apply(self, aggregate: "Payment") -> None:
            aggregate.counterparty_id = self.counterparty_id
            aggregate.contract_id = self.contract_id
            aggregate.amount = Money(self.amount, self.currency)

    class Refunded(Fact):
        counterparty_id: str
        contract_id: str
        amount: Decimal
        currency: str
        refunded_on: date
        reason: str

        def apply(self, aggregate: "Payment") -> None:
            aggregate.refunded += self.amount

    def __init__(self) -> None:
        self.counterparty_id = ""
        self.contract_id = ""
        self.amount = Money(Decimal(0), "RUB")
        self.refunded = Decimal(0)

    @classmethod
    def receive(
        cls,
        stamp: Stamp,
        *,
        contract: Contract,
        order_id: str | None,
        amount: Money,
        received_on: date,
        id: UUID | None = None,
    ) -> "Payment":
        contract.check_active()
        amount.positive()
        if amount.currency != contract.amount.currency:
            raise InvalidValue(
                "currency", f"contract {contract.number} is paid in {contract.amount.currency}"
            )
        return cls._create(
            cls.Received,
            id=id,
            counterparty_id=contract.counterparty_id,
            contract_id=str(contract.id),
            order_id=order_id,
            manager_id=contract.manager_id,
            amount=amount.amount,
            currency=amount.currency,
            received_on=received_on,
            **stamp.fields(),
        )

    def refund(self, stamp: Stamp, amount: Money, refunded_on: date, reason: str) -> None:
        amount.positive()
        if amount.currency != self.amount.currency:
            raise InvalidValue("currency", f"the payment was in {self.amount.currency}")
        refundable = self.amount.amount - self.refunded
        if amount.amount > refundable:
            raise RuleViolated(f"only {refundable} {self.amount.currency} of this payment can be refunded")
        if not reason.strip():
            raise InvalidValue("reason", "a refund needs a reason")
        self.trigger_event(
            self.Refunded,
            counterparty_id=self.counterparty_id,
            contract_id=self.contract_id,
            amount=amount.amount,
            currency=amount.currency,
            refunded_on=refunded_on,
            reason=reason.strip(),
            **stamp.fields(),
        )


def receive_under_contract(
    stamp: Stamp,
    *,
    contract: Contract,
    order: Order | None,
    amount: Money,
    received_on: date,
    id: UUID | None = None,
) -> Payment:
    """Money received under a contract, for one of its orders or, without one, on account."""
    if order is not None and order.contract_id != str(contract.id):
        raise InvalidValue("order_id", f"order {order.id} is not under contract {contract.number}")
    return Payment.receive(
        stamp,
        contract=contract,
        order_id=None if order is None else str(order.id),
        amount=amount,
        received_on=received_on,
        id=id,
    )
