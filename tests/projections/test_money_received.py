"""Money received per month within the reader's scope: payments in their month, refunds in
theirs, for the manager who received the payment; on every store."""

from datetime import timedelta
from decimal import Decimal

from commands.payment_commands import ReceivePayment, RefundPayment
from projections.money_received import money_received_by_month, month_of
from tests.commands.test_contracts import TODAY, register_client, sign
from tests.commands.test_orders_payments import pay


def test_payments_and_refunds_fall_in_their_months_and_scopes(letopis, staff) -> None:
    ivanov, sidorov = staff["ivanov"][0], staff["sidorov"][0]
    ivanovs = sign(letopis, ivanov, register_client(letopis, ivanov), amount=Decimal("5000"))
    sidorovs = sign(
        letopis,
        sidorov,
        register_client(letopis, sidorov, "АО «Балтика»"),
        amount=Decimal("5000"),
        number="С-1",
    )
    earlier = TODAY - timedelta(days=31)
    letopis.service.run(
        ivanov, ReceivePayment(contract_id=ivanovs, amount=Decimal("200.50"), received_on=earlier)
    )
    refunded = pay(letopis, ivanov, ivanovs, "300")
    letopis.service.run(
        ivanov, RefundPayment(amount=Decimal("100"), refunded_on=TODAY, reason="Переплата"), refunded
    )
    pay(letopis, sidorov, sidorovs, "500")
    letopis.runner.catch_up()
    now, before = month_of(TODAY), month_of(earlier)

    def seen_by(who: str) -> list[tuple[str, str, Decimal]]:
        with letopis.views.reading() as cursor:
            return money_received_by_month(cursor, staff[who][0])

    assert seen_by("ivanov") == [(before, "RUB", Decimal("200.50")), (now, "RUB", Decimal("200"))]
    assert seen_by("petrova") == seen_by("ivanov"), "the same team"
    assert seen_by("sidorov") == [(now, "RUB", Decimal("500"))]
    assert seen_by("kuznetsova") == []
    everyone = [(before, "RUB", Decimal("200.50")), (now, "RUB", Decimal("700"))]
    assert seen_by("head") == everyone
    assert seen_by("analyst") == everyone
