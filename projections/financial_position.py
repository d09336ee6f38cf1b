"""A client's financial position for the counterparty card: per currency, what is contracted,
ordered, forecast, paid and still outstanding; and, on request, one total in a chosen currency
at the recorded rates, naming each rate used.

The figures are read from the contract register and the order status view rather than kept
as copies of their rows: the same runner feeds all of them in one transaction."""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from aggregates.contract import ContractStatus
from aggregates.errors import InvalidValue
from aggregates.money import check_currency
from aggregates.order import OrderStatus
from projections.contract_register import contract_amounts, overpaid
from projections.database import ViewCursor
from projections.exchange_rates import rate_on
from projections.order_status import order_amounts

FIGURES = ("contracted", "ordered", "forecast", "paid", "outstanding", "overpaid")
_CENT = Decimal("0.01")


def financial_position(cursor: ViewCursor, counterparty_id: str) -> dict[str, dict[str, Decimal]]:
    """Contracted counts contracts not terminated; ordered counts orders received or further on,
    forecasts apart; paid is payments less refunds; outstanding is ordered less paid; overpaid
    is what contracts were paid beyond their amounts."""
    position: dict[str, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(FIGURES, Decimal(0)))
    for status, amount, paid, currency in contract_amounts(cursor, counterparty_id):
        if status != ContractStatus.TERMINATED:
            position[currency]["contracted"] += amount
        position[currency]["paid"] += paid
        position[currency]["overpaid"] += overpaid(paid, amount)
    for status, amount, currency in order_amounts(cursor, counterparty_id):
        figure = "forecast" if status == OrderStatus.FORECAST else "ordered"
        position[currency][figure] += amount
    for figures in position.values():
        figures["outstanding"] = figures["ordered"] - figures["paid"]
    return dict(sorted(position.items()))


def converted_total(
    cursor: ViewCursor,
    position: dict[str, dict[str, Decimal]],
    target: str,
    on: date,
    figures: Sequence[str] = FIGURES,
) -> tuple[dict[str, Decimal], list[dict[str, Any]]]:
    """Every figure summed in ``target`` through the rouble, with the rates in effect on ``on``;
    a currency without a rate by then is refused, naming it."""
    check_currency(target, "in")
    foreign = set(position) - {target}
    needed = sorted((foreign | {target} if foreign else foreign) - {"RUB"})
    rates = {}
    for currency in needed:
        found = rate_on(cursor, currency, on)
        if found is None:
            raise InvalidValue("in", f"no {currency} rate is recorded on or before {on}", location="query")
        rates[currency] = found

    def roubles_per_unit(currency: str) -> Decimal:
        return Decimal(1) if currency == "RUB" else Decimal(rates[currency]["rub_per_unit"])

    def in_target(amount: Decimal, currency: str) -> Decimal:
        if currency == target:
            return amount
        return amount * roubles_per_unit(currency) / roubles_per_unit(target)

    totals = {
        figure: sum(
            (in_target(amounts.get(figure, Decimal(0)), currency) for currency, amounts in position.items()),
            Decimal(0),
        ).quantize(_CENT)
        for figure in figures
    }
    return totals, [rates[currency] for currency in needed]
