"""Money received under contracts, partial or whole, and refunds of it (FEATURES D5)."""

from datetime import date

from aggregates.errors import InvalidValue
from aggregates.money import Money
from aggregates.order import Order
from aggregates.payment import Payment
from aggregates.scope import Actor
from aggregates.stamp import Stamp
from commands.catalogue_commands import Amount, Currency
from commands.command import Change, Command, Reason
from commands.contract_commands import check_may_change_contract, load_contract
from commands.scope import parse_id
from commands.service import Outcome, WriteService


class ReceivePayment(Command):
    contract_id: str
    order_id: str | None = None
    amount: Amount
    currency: Currency = "RUB"
    received_on: date


class RefundPayment(Change):
    amount: Amount
    currency: Currency = "RUB"
    refunded_on: date
    reason: Reason


def receive_payment(service: WriteService, actor: Actor, command: ReceivePayment) -> Outcome:
    store = service.store
    amount = Money(command.amount, command.currency)

    def decide(stamp: Stamp) -> list[Payment]:
        contract = load_contract(store, command.contract_id)
        check_may_change_contract(store, actor, contract)
        order_id = None
        if command.order_id is not None:
            order = store.get(parse_id(command.order_id, "order_id"), Order)
            if order.contract_id != str(contract.id):
                raise InvalidValue("order_id", f"order {order.id} is not under contract {contract.number}")
            order_id = str(order.id)
        return [
            Payment.receive(
                stamp, contract=contract, order_id=order_id, amount=amount, received_on=command.received_on
            )
        ]

    return service.run(actor, command, decide)


def refund_payment(service: WriteService, actor: Actor, payment_id: str, command: RefundPayment) -> Outcome:
    store = service.store
    amount = Money(command.amount, command.currency)

    def decide(stamp: Stamp) -> list[Payment]:
        payment = store.get_at_version(parse_id(payment_id, "payment_id"), Payment, command.expected_version)
        check_may_change_contract(store, actor, load_contract(store, payment.contract_id))
        payment.refund(stamp, amount, command.refunded_on, command.reason)
        return [payment]

    return service.run(actor, command, decide)
