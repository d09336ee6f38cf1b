from decimal import Decimal

import pytest

from aggregates.errors import InvalidValue
from aggregates.money import Money, percent_of, totals_by_currency


def test_amounts_are_decimals_and_keep_their_precision() -> None:
    total = Money(Decimal("0.10"), "RUB") + Money(Decimal("0.20"), "RUB")
    assert total == Money(Decimal("0.30"), "RUB")


@pytest.mark.parametrize("code", ["RUR", "rub", "XXX", ""])
def test_unknown_currency_codes_are_refused(code: str) -> None:
    with pytest.raises(InvalidValue, match="ISO 4217"):
        Money(Decimal(1), code)


@pytest.mark.parametrize("amount", ["0", "-0.01"])
def test_zero_and_negative_amounts_are_not_positive(amount: str) -> None:
    with pytest.raises(InvalidValue, match="greater than zero"):
        Money(Decimal(amount), "RUB").positive()


def test_not_a_number_is_not_an_amount() -> None:
    with pytest.raises(InvalidValue):
        Money(Decimal("NaN"), "RUB")


def test_currencies_never_mix_without_a_rate() -> None:
    with pytest.raises(InvalidValue, match="without a rate"):
        Money(Decimal(1), "RUB") + Money(Decimal(1), "USD")


def test_totals_are_kept_per_currency() -> None:
    amounts = [Money(Decimal("100"), "RUB"), Money(Decimal("5"), "USD"), Money(Decimal("50.5"), "RUB")]
    assert totals_by_currency(amounts) == {"RUB": Decimal("150.5"), "USD": Decimal("5")}


def test_percentages_round_to_kopecks() -> None:
    assert percent_of(Decimal("1000.00"), Decimal("12.5")) == Decimal("125.00")
    assert percent_of(Decimal("33.33"), Decimal("10")) == Decimal("3.33")
