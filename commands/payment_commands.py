"""Money received under contracts, partial or whole, and refunds of it (FEATURES D5)."""

from aggregates.contract import Contract
from aggregates.money import Money
from aggregates.order import Order
from aggregates.payment import Payment, receive_under_contract
from commands.catalogue_commands import Currency
from commands.command import Change, Command
from commands.context import Context
from commands.fields import Amount, Day, EntityId, Reason
from commands.handling import Handlers
from commands.scope import contract_guard

handlers = Handlers()


class ReceivePayment(Command):
    """Record money received under a contract, for one of its orders or on account."""

    contract_id: EntityId
    order_id: EntityId | None = None
    amount: Amount
    currency: Currency = "RUB"
    received_on: Day


class RefundPayment(Change):
    """Record money paid back from a payment."""

    amount: Amount
    currency: Currency = "RUB"
    refunded_on: Day
    reason: Reason


def _may_receive(ctx: Context, command: ReceivePayment) -> None:
    contract_guard(ctx, ctx.load(Contract, command.contract_id, "contract_id"))


@handlers.handles(ReceivePayment, "payment.receive", Payment.Received, authorize=_may_receive)
def receive_payment(ctx: Context, command: ReceivePayment) -> list[Payment]:
    contract = ctx.load(Contract, command.contract_id, "contract_id")
    order = None if command.order_id is None else ctx.load(Order, command.order_id, "order_id")
    return [
        receive_under_contract(
            ctx.stamp,
            contract=contract,
            order=order,
            amount=Money(command.amount, command.currency),
            received_on=command.received_on,
        )
    ]


@handlers.changes(Payment, RefundPayment, "payment.refund", Payment.Refunded)
def refund_payment(ctx: Context, payment: Payment, command: RefundPayment) -> None:
    payment.refund(ctx.stamp, Money(command.amount, command.currency), command.refunded_on, command.reason)
