from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from aggregates.contract import Contract
from aggregates.counterparty import Admission
from aggregates.errors import InvalidValue, RuleViolated
from aggregates.money import Money
from aggregates.order import Order, OrderStatus, place_and_book_order
from aggregates.stamp import Stamp

# The order's day is the stamp's date in the stamp's own zone: here the last day of the
# contract, though in Moscow it is already the next.
STAMP = Stamp("ivanov", datetime(2026, 3, 1, 22, 30, tzinfo=UTC), "c-1", "c-1")


def contract(counterparty_id: str = "cp-1", amount: str = "1000") -> Contract:
    signed = Contract.sign(
        STAMP,
        number="ТЛ-2026/020",
        counterparty_id=counterparty_id,
        manager_id="ivanov",
        signed_on=date(2026, 2, 1),
        valid_from=date(2026, 2, 1),
        valid_until=date(2026, 3, 1),
        amount=Money(Decimal(amount), "RUB"),
        stages=[],
    )
    signed.collect_events()
    return signed


def placed(under: Contract | None, amount: str = "600", stamp: Stamp = STAMP, **overrides: Any) -> Order:
    terms: dict[str, Any] = {
        "admission": Admission.ACTIVE,
        "counterparty_id": "cp-1",
        "manager_id": "ivanov",
        "contract": under,
        "status": OrderStatus.RECEIVED,
        "amount": Money(Decimal(amount), "RUB"),
        "expected_on": date(2026, 3, 10),
        "lines": [{"name": "Автоперевозка 20т", "quantity": Decimal(1), "unit": "рейс"}],
    }
    return place_and_book_order(stamp, **{**terms, **overrides})


def test_an_order_under_a_contract_is_booked_on_it_on_the_stamps_day() -> None:
    under = contract()
    order = placed(under)
    assert order.contract_id == str(under.id)
    (booked,) = under.collect_events()
    assert isinstance(booked, Contract.OrderBooked)
    assert (booked.order_id, booked.amount) == (str(order.id), Decimal("600"))
    assert under.remaining == Money(Decimal("400"), "RUB")


def test_an_order_past_the_contracts_validity_or_its_remaining_amount_is_refused() -> None:
    under = contract()
    next_day = Stamp("ivanov", datetime(2026, 3, 2, 9, tzinfo=UTC), "c-2", "c-2")
    with pytest.raises(RuleViolated, match="not on 2026-03-02"):
        placed(under, stamp=next_day)
    placed(under, "600")
    with pytest.raises(RuleViolated, match="has 400 RUB left"):
        placed(under, "400.01")
    assert under.remaining == Money(Decimal("400"), "RUB")


def test_another_counterpartys_contract_is_refused_and_nothing_is_booked() -> None:
    theirs = contract(counterparty_id="cp-2")
    with pytest.raises(InvalidValue, match="with another counterparty"):
        placed(theirs)
    assert theirs.collect_events() == []


def test_an_order_without_a_contract_books_nothing() -> None:
    order = placed(None)
    assert order.contract_id is None


def test_a_forbidden_counterparty_places_no_order_and_its_contract_stays_untouched() -> None:
    under = contract()
    with pytest.raises(RuleViolated, match="forbidden"):
        placed(under, admission=Admission.FORBIDDEN)
    assert under.remaining == Money(Decimal("1000"), "RUB")
