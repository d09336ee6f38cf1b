"""Orders booked under contracts, payments and refunds, and exchange rates, on every store."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from aggregates.errors import AccessDenied, InvalidValue, NotFound, RuleViolated
from aggregates.order import Order, OrderStatus
from commands.contract_commands import TerminateContract
from commands.exchange_rate_commands import RecordExchangeRate
from commands.order_commands import AdvanceOrder, PlaceOrder
from commands.payment_commands import ReceivePayment, RefundPayment
from tests.commands.test_contracts import TODAY, contract, register_client, sign

UNKNOWN = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def client_of_ivanov(letopis, staff) -> str:
    return register_client(letopis, staff["ivanov"][0])


@pytest.fixture
def contract_id(letopis, staff, client_of_ivanov) -> str:
    return sign(letopis, staff["ivanov"][0], client_of_ivanov, amount=Decimal("1000"))


def order(letopis, actor, counterparty_id: str, contract_id: str | None, amount: str, **fields) -> str:
    command = PlaceOrder(
        counterparty_id=counterparty_id,
        contract_id=contract_id,
        amount=Decimal(amount),
        expected_on=TODAY + timedelta(days=10),
        lines=[{"name": "Перевозка контейнера 40'", "quantity": "1", "unit": "конт."}],
        **fields,
    )
    return letopis.service.run(actor, command).id


def pay(letopis, actor, contract_id: str, amount: str, **fields) -> str:
    command = ReceivePayment(contract_id=contract_id, amount=Decimal(amount), received_on=TODAY, **fields)
    return letopis.service.run(actor, command).id


def test_orders_are_booked_on_the_contract_until_its_amount_is_used_up(
    letopis, staff, client_of_ivanov, contract_id
):
    ivanov = staff["ivanov"][0]
    order(letopis, ivanov, client_of_ivanov, contract_id, "600")
    order(letopis, ivanov, client_of_ivanov, contract_id, "400", status=OrderStatus.FORECAST)
    assert contract(letopis, contract_id).remaining.amount == 0
    head = letopis.store.head()
    with pytest.raises(RuleViolated, match=r"has 0 RUB left, the order asks for 0\.01"):
        order(letopis, ivanov, client_of_ivanov, contract_id, "0.01")
    assert letopis.store.head() == head


def test_an_order_outside_the_contracts_validity_is_refused(letopis, staff, client_of_ivanov):
    ivanov = staff["ivanov"][0]
    expired = sign(
        letopis,
        ivanov,
        client_of_ivanov,
        number="ТЛ-2020/001",
        valid_from=date(2020, 1, 1),
        valid_until=date(2020, 12, 31),
    )
    head = letopis.store.head()
    with pytest.raises(RuleViolated, match=f"valid from 2020-01-01 to 2020-12-31, not on {TODAY}"):
        order(letopis, ivanov, client_of_ivanov, expired, "100")
    assert letopis.store.head() == head


def test_a_terminated_contract_takes_no_orders_and_no_payments(letopis, staff, client_of_ivanov, contract_id):
    ivanov = staff["ivanov"][0]
    letopis.service.run(ivanov, TerminateContract(terminated_on=TODAY, reason="Расторгнут"), contract_id)
    head = letopis.store.head()
    with pytest.raises(RuleViolated, match="ТЛ-2026/014 is terminated"):
        order(letopis, ivanov, client_of_ivanov, contract_id, "100")
    with pytest.raises(RuleViolated, match="ТЛ-2026/014 is terminated"):
        pay(letopis, ivanov, contract_id, "100")
    assert letopis.store.head() == head


def test_an_order_under_another_clients_contract_is_refused(letopis, staff, contract_id):
    ivanov = staff["ivanov"][0]
    other = register_client(letopis, ivanov, "АО «Уральские перевозки»")
    head = letopis.store.head()
    with pytest.raises(InvalidValue, match="with another counterparty"):
        order(letopis, ivanov, other, contract_id, "100")
    assert letopis.store.head() == head


def test_two_orders_racing_for_the_last_remaining_amount_never_overbook(
    letopis, staff, client_of_ivanov, contract_id
):
    ivanov, petrova = staff["ivanov"][0], staff["petrova"][0]
    order(letopis, ivanov, client_of_ivanov, contract_id, "700")

    def attempt(actor) -> str | RuleViolated:
        try:
            return order(letopis, actor, client_of_ivanov, contract_id, "300")
        except RuleViolated as refused:
            return refused

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(attempt, [ivanov, petrova]))
    placed = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, RuleViolated)]
    assert len(placed) == 1
    assert len(refused) == 1
    assert "has 0 RUB left" in str(refused[0])
    booked = contract(letopis, contract_id)
    assert booked.booked == Decimal(1000)
    assert booked.remaining.amount == 0


def test_an_order_moves_from_received_to_work_to_completed_in_turn(letopis, staff, client_of_ivanov):
    ivanov = staff["ivanov"][0]
    order_id = order(letopis, ivanov, client_of_ivanov, None, "250000")
    letopis.service.run(ivanov, AdvanceOrder(status=OrderStatus.IN_WORK, on=TODAY), order_id)
    head = letopis.store.head()
    with pytest.raises(RuleViolated, match="in_work moves to completed, not received"):
        letopis.service.run(ivanov, AdvanceOrder(status=OrderStatus.RECEIVED, on=TODAY), order_id)
    with pytest.raises(AccessDenied):
        letopis.service.run(
            staff["sidorov"][0], AdvanceOrder(status=OrderStatus.COMPLETED, on=TODAY), order_id
        )
    assert letopis.store.head() == head
    letopis.service.run(
        ivanov, AdvanceOrder(status=OrderStatus.COMPLETED, on=TODAY, expected_version=2), order_id
    )
    assert letopis.store.get(UUID(order_id), Order).status == OrderStatus.COMPLETED


def test_partial_payments_and_refunds_up_to_what_was_paid(letopis, staff, client_of_ivanov, contract_id):
    ivanov = staff["ivanov"][0]
    order_id = order(letopis, ivanov, client_of_ivanov, contract_id, "800")
    first = pay(letopis, ivanov, contract_id, "300", order_id=order_id)
    pay(letopis, ivanov, contract_id, "200")
    letopis.service.run(
        ivanov, RefundPayment(amount=Decimal("100"), refunded_on=TODAY, reason="Переплата"), first
    )
    head = letopis.store.head()
    with pytest.raises(RuleViolated, match="only 200 RUB of this payment can be refunded"):
        letopis.service.run(
            ivanov, RefundPayment(amount=Decimal("200.01"), refunded_on=TODAY, reason="Ошибка"), first
        )
    assert letopis.store.head() == head


BAD_PAYMENTS = [
    ({"contract_id": UNKNOWN}, NotFound, "does not exist"),
    ({"currency": "USD"}, InvalidValue, "is paid in RUB"),
    ({"currency": "ABC"}, InvalidValue, "not a known ISO 4217"),
    ({"order_id": UNKNOWN}, NotFound, "does not exist"),
]


def test_bad_payments_are_refused_and_nothing_is_written(letopis, staff, contract_id):
    head = letopis.store.head()
    for fields, error, message in BAD_PAYMENTS:
        with pytest.raises(error, match=message):
            pay(letopis, staff["ivanov"][0], **{"contract_id": contract_id, "amount": "100", **fields})
    assert letopis.store.head() == head


def test_a_payment_names_only_an_order_under_its_contract(letopis, staff, client_of_ivanov, contract_id):
    ivanov = staff["ivanov"][0]
    loose_order = order(letopis, ivanov, client_of_ivanov, None, "100")
    head = letopis.store.head()
    with pytest.raises(InvalidValue, match="is not under contract ТЛ-2026/014"):
        pay(letopis, ivanov, contract_id, "100", order_id=loose_order)
    assert letopis.store.head() == head


def test_payments_are_received_only_within_scope(letopis, staff, contract_id):
    head = letopis.store.head()
    with pytest.raises(AccessDenied):
        pay(letopis, staff["sidorov"][0], contract_id, "100")
    assert letopis.store.head() == head


def test_rates_are_recorded_by_a_head_of_sales_or_an_administrator_only(letopis, staff):
    rate = RecordExchangeRate(currency="USD", rub_per_unit=Decimal("92.5"), on=TODAY, source="ЦБ РФ")
    head = letopis.store.head()
    with pytest.raises(AccessDenied):
        letopis.service.run(staff["ivanov"][0], rate)
    with pytest.raises(InvalidValue, match="the rouble is the reporting currency"):
        letopis.service.run(staff["head"][0], rate.model_copy(update={"currency": "RUB"}))
    assert letopis.store.head() == head
    first = letopis.service.run(staff["head"][0], rate)
    second = letopis.service.run(staff["admin"][0], rate.model_copy(update={"rub_per_unit": Decimal("93.1")}))
    assert first.id == second.id
    assert second.version == 3


def test_two_first_rates_of_a_currency_racing_both_land_on_one_history(letopis, staff):
    head_of_sales = staff["head"][0]
    rates = [Decimal("10.1"), Decimal("10.2"), Decimal("10.3")]
    with ThreadPoolExecutor(max_workers=3) as pool:
        outcomes = list(
            pool.map(
                lambda value: letopis.service.run(
                    head_of_sales, RecordExchangeRate(currency="CNY", rub_per_unit=value, on=TODAY)
                ),
                rates,
            )
        )
    assert len({o.id for o in outcomes}) == 1
    assert max(o.version for o in outcomes) == 4
