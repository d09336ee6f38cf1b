"""A little trade to analyse: a client of Ivanov's team and one of Kuznetsova's (another
department), each with a contract, orders for catalogue items and payments, one refunded."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from commands.order_commands import PlaceOrder
from commands.payment_commands import ReceivePayment, RefundPayment
from tests.commands.test_contracts import TODAY, register_client, sign

FREIGHT, AIR = "Фрахт 40HC", "Авиаперевозка"


@dataclass(frozen=True)
class Sales:
    ivanov_client: str
    kuznetsova_client: str
    position: int


def _trade(letopis, actor, name: str, number: str, paid: list[str], item: str) -> str:
    client = register_client(letopis, actor, name)
    contract = sign(letopis, actor, client, number=number, amount=Decimal("10000000"))
    for amount in paid:
        order = letopis.service.run(
            actor,
            PlaceOrder(
                counterparty_id=client,
                contract_id=contract,
                amount=Decimal(amount),
                expected_on=TODAY + timedelta(days=10),
                lines=[{"name": item, "quantity": "2", "unit": "конт."}],
            ),
        ).id
        letopis.service.run(
            actor,
            ReceivePayment(contract_id=contract, order_id=order, amount=Decimal(amount), received_on=TODAY),
        )
    return client


def sell(letopis, staff) -> Sales:
    ivanov, kuznetsova = staff["ivanov"][0], staff["kuznetsova"][0]
    ivanov_client = _trade(
        letopis, ivanov, "ООО «Ёлка-Транс»", "ТЛ-2026/101", ["1000.50", "2000"], "Фрахт 40HC"
    )
    kuznetsova_client = _trade(
        letopis, kuznetsova, "АО «Невский порт»", "ТЛ-2026/102", ["500"], "Авиаперевозка"
    )
    payment = letopis.store.read_stored(0, 10_000)[-1].originator_id
    letopis.service.run(
        kuznetsova,
        RefundPayment(amount=Decimal("100"), refunded_on=TODAY, reason="Переплата"),
        str(payment),
    )
    letopis.runner.catch_up()
    return Sales(ivanov_client, kuznetsova_client, letopis.store.head())
