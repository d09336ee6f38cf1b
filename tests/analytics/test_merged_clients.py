"""A card merged into another counts as the survivor in the analytics store, as in the views,
and as itself again once split off."""

from decimal import Decimal

from commands.counterparty_commands import RegisterCounterparty
from commands.counterparty_merge_commands import MergeCounterparty, SplitCounterparty
from tests.analytics.sales import sell


def _paying_clients(letopis) -> list[tuple[str, Decimal]]:
    letopis.runner.catch_up()
    letopis.analytics_export.export()
    query = "SELECT counterparty_id, sum(amount) FROM payments GROUP BY counterparty_id ORDER BY 2"
    return letopis.analytics.query(query).rows


def test_the_payments_of_a_merged_card_are_the_survivors(letopis, staff) -> None:
    sales = sell(letopis, staff)
    ivanov = staff["ivanov"][0]
    survivor = letopis.service.run(ivanov, RegisterCounterparty(name="ООО «Ёлка»")).id
    letopis.service.run(ivanov, MergeCounterparty(merged_id=sales.ivanov_client, reason="Дубль"), survivor)
    assert _paying_clients(letopis) == [
        (sales.kuznetsova_client, Decimal("400.00")),
        (survivor, Decimal("3000.50")),
    ]

    letopis.service.run(ivanov, SplitCounterparty(reason="Ошибка"), sales.ivanov_client)
    assert _paying_clients(letopis)[-1] == (sales.ivanov_client, Decimal("3000.50"))
