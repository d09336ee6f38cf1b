from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from aggregates.contract import Contract
from aggregates.counterparty import Admission
from aggregates.errors import InvalidValue
from aggregates.money import Money
from aggregates.order import Order, OrderStatus, place_and_book_order
from aggregates.payment import Payment, receive_under_contract
from aggregates.stamp import Stamp

STAMP = Stamp("ivanov", datetime(2026, 3, 1, 9, tzinfo=UTC), "c-1", "c-1")


def contract(number: str) -> Contract:
    return Contract.sign(
        STAMP,
        number=number,
        counterparty_id="cp-1",
        manager_id="ivanov",
        signed_on=date(2026, 2, 1),
        valid_from=date(2026, 2, 1),
        valid_until=date(2026, 12, 31),
        amount=Money(Decimal("1000"), "RUB"),
        stages=[],
    )


def order_under(under: Contract) -> Order:
    return place_and_book_order(
        STAMP,
        admission=Admission.ACTIVE,
        counterparty_id="cp-1",
        manager_id="ivanov",
        contract=under,
        status=OrderStatus.RECEIVED,
        amount=Money(Decimal("300"), "RUB"),
        expected_on=date(2026, 3, 10),
        lines=[],
    )


def test_a_payment_for_an_order_names_the_order_and_the_contracts_client() -> None:
    under = contract("ТЛ-1")
    order = order_under(under)
    payment = receive_under_contract(
        STAMP, contract=under, order=order, amount=Money(Decimal("300"), "RUB"), received_on=date(2026, 3, 5)
    )
    (received,) = payment.collect_events()
    assert isinstance(received, Payment.Received)
    assert (received.order_id, received.contract_id) == (str(order.id), str(under.id))
    assert (received.counterparty_id, received.manager_id) == ("cp-1", "ivanov")


def test_a_payment_on_account_names_no_order() -> None:
    under = contract("ТЛ-1")
    payment = receive_under_contract(
        STAMP, contract=under, order=None, amount=Money(Decimal("50"), "RUB"), received_on=date(2026, 3, 5)
    )
    received = payment.collect_events()[0]
    assert isinstance(received, Payment.Received)
    assert received.order_id is None


def test_an_order_under_another_contract_is_refused() -> None:
    order = order_under(contract("ТЛ-1"))
    with pytest.raises(InvalidValue, match="is not under contract ТЛ-2"):
        receive_under_contract(
            STAMP,
            contract=contract("ТЛ-2"),
            order=order,
            amount=Money(Decimal("300"), "RUB"),
            received_on=date(2026, 3, 5),
        )
