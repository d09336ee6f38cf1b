"""The contract register, order status, exchange rates and a client's financial position,
as the views show them after catch-up."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from aggregates.errors import InvalidValue
from aggregates.order import OrderStatus
from commands.contract_commands import (
    AmendContract,
    CompleteStage,
    ReceiveOriginals,
    StartStage,
    TerminateContract,
)
from commands.exchange_rate_commands import RecordExchangeRate
from commands.order_commands import AdvanceOrder
from commands.payment_commands import RefundPayment
from projections.contract_register import ContractFilter, get_contract, search_contracts
from projections.exchange_rates import rate_on, search_rates
from projections.financial_position import converted_total, financial_position
from projections.order_status import get_order, orders_of_counterparty
from tests.commands.test_contracts import TODAY, register_client, sign
from tests.commands.test_orders_payments import order, pay


@pytest.fixture
def client_of_ivanov(letopis, staff) -> str:
    return register_client(letopis, staff["ivanov"][0])


def register(letopis, who, today: date = TODAY, **criteria) -> list[dict]:
    with letopis.views.reading() as cursor:
        rows, total = search_contracts(cursor, who, ContractFilter(**criteria), today, 50, 0)
    assert total == len(rows)
    return rows


def test_a_row_shows_the_client_manager_paid_amount_and_progress(letopis, staff, client_of_ivanov):
    ivanov = staff["ivanov"][0]
    contract_id = sign(letopis, ivanov, client_of_ivanov, amount=Decimal("1000000.00"))
    order(letopis, ivanov, client_of_ivanov, contract_id, "400000")
    payment = pay(letopis, ivanov, contract_id, "300000")
    pay(letopis, ivanov, contract_id, "50000")
    letopis.service.run(
        ivanov, RefundPayment(amount=Decimal(100000), refunded_on=TODAY, reason="Возврат"), payment
    )
    letopis.runner.catch_up()
    (row,) = register(letopis, ivanov)
    assert row["number"] == "ТЛ-2026/014"
    assert row["counterparty_name"] == "ООО «Сибирский транзит»"
    assert row["manager_name"] == "Иванов Иван"
    assert row["paid"] == Decimal(250000)
    assert row["booked"] == Decimal(400000)
    assert row["remaining"] == Decimal(600000)
    assert row["progress"] == "0.2500"
    assert row["status"] == "active"
    assert row["originals_received"] is False


def test_the_register_filters_by_status_client_manager_expiry_and_originals(letopis, staff):
    ivanov, sidorov, service = staff["ivanov"][0], staff["sidorov"][0], letopis.service
    first = register_client(letopis, ivanov, "ООО «Ладога»")
    second = register_client(letopis, sidorov, "АО «Кама»")
    sign(letopis, ivanov, first, number="А-1", valid_until=TODAY + timedelta(days=20))
    later = sign(letopis, ivanov, first, number="А-2")
    other = sign(letopis, sidorov, second, number="Б-1", valid_until=TODAY + timedelta(days=10))
    service.run(ivanov, ReceiveOriginals(received_on=TODAY), later)
    service.run(sidorov, TerminateContract(terminated_on=TODAY, reason="Отказ клиента"), other)
    letopis.runner.catch_up()
    head = staff["head"][0]

    def numbers(**criteria) -> list[str]:
        return [row["number"] for row in register(letopis, head, **criteria)]

    assert numbers() == ["Б-1", "А-1", "А-2"]
    assert numbers(status="terminated") == ["Б-1"]
    assert numbers(counterparty_id=first) == ["А-1", "А-2"]
    assert numbers(manager_id=sidorov.employee_id) == ["Б-1"]
    assert numbers(expiring_within_days=30) == ["А-1"]
    assert numbers(expiring_within_days=19) == []
    assert numbers(missing_originals=True) == ["Б-1", "А-1"]
    assert [row["number"] for row in register(letopis, ivanov)] == ["А-1", "А-2"]
    assert [row["number"] for row in register(letopis, staff["kuznetsova"][0])] == []
    assert len(register(letopis, staff["auditor"][0])) == 3


def test_stages_late_against_plan_count_as_of_the_given_day(letopis, staff, client_of_ivanov):
    ivanov, service = staff["ivanov"][0], letopis.service
    plan = [
        {"name": "Погрузка", "planned_start": date(2026, 3, 1), "planned_end": date(2026, 3, 10)},
        {"name": "Перевозка", "planned_start": date(2026, 3, 11), "planned_end": date(2026, 4, 10)},
        {"name": "Выгрузка", "planned_start": date(2026, 4, 11), "planned_end": date(2026, 4, 15)},
    ]
    contract_id = sign(
        letopis,
        ivanov,
        client_of_ivanov,
        valid_from=date(2026, 3, 1),
        valid_until=date(2026, 12, 31),
        stages=plan,
    )
    service.run(ivanov, StartStage(stage="Погрузка", started_on=date(2026, 3, 2)), contract_id)
    service.run(ivanov, CompleteStage(stage="Погрузка", completed_on=date(2026, 3, 12)), contract_id)
    service.run(ivanov, StartStage(stage="Перевозка", started_on=date(2026, 3, 13)), contract_id)
    letopis.runner.catch_up()

    assert register(letopis, ivanov, today=date(2026, 3, 20))[0]["late_stages"] == 1
    assert register(letopis, ivanov, today=date(2026, 4, 20))[0]["late_stages"] == 3
    assert register(letopis, ivanov, today=date(2026, 3, 20), late=True)
    with letopis.views.reading() as cursor:
        card = get_contract(cursor, contract_id, date(2026, 4, 11))
    assert card is not None
    assert [(s["name"], s["actual_start"], s["actual_end"], s["late"]) for s in card["stages"]] == [
        ("Погрузка", date(2026, 3, 2), date(2026, 3, 12), True),
        ("Перевозка", date(2026, 3, 13), None, True),
        ("Выгрузка", None, None, False),
    ]


def test_on_time_stages_are_not_late(letopis, staff, client_of_ivanov):
    ivanov, service = staff["ivanov"][0], letopis.service
    contract_id = sign(letopis, ivanov, client_of_ivanov)
    service.run(ivanov, StartStage(stage="Перевозка", started_on=TODAY), contract_id)
    service.run(ivanov, CompleteStage(stage="Перевозка", completed_on=TODAY), contract_id)
    letopis.runner.catch_up()
    assert register(letopis, ivanov, late=True) == []
    assert register(letopis, ivanov)[0]["late_stages"] == 0


def test_a_new_stage_plan_keeps_the_actual_dates_of_stages_that_stay(letopis, staff, client_of_ivanov):
    ivanov, service = staff["ivanov"][0], letopis.service
    contract_id = sign(letopis, ivanov, client_of_ivanov)
    service.run(ivanov, StartStage(stage="Перевозка", started_on=TODAY), contract_id)
    new_plan = [
        {"name": "Перевозка", "planned_start": TODAY, "planned_end": TODAY + timedelta(days=90)},
        {"name": "Хранение", "planned_start": TODAY, "planned_end": TODAY + timedelta(days=120)},
    ]
    service.run(
        ivanov,
        AmendContract(reason="Доп. соглашение №2", amount=Decimal("1200000"), stages=new_plan),
        contract_id,
    )
    letopis.runner.catch_up()
    with letopis.views.reading() as cursor:
        card = get_contract(cursor, contract_id, TODAY)
    assert card is not None
    assert card["amount"] == Decimal(1200000)
    assert [(s["name"], s["actual_start"]) for s in card["stages"]] == [
        ("Перевозка", TODAY),
        ("Хранение", None),
    ]


def test_an_orders_status_history_is_kept_in_order(letopis, staff, client_of_ivanov):
    ivanov = staff["ivanov"][0]
    order_id = order(letopis, ivanov, client_of_ivanov, None, "99000", status=OrderStatus.FORECAST)
    for status in (OrderStatus.RECEIVED, OrderStatus.IN_WORK):
        letopis.service.run(ivanov, AdvanceOrder(status=status, on=TODAY), order_id)
    letopis.runner.catch_up()
    with letopis.views.reading() as cursor:
        found = get_order(cursor, order_id)
        orders, total = orders_of_counterparty(cursor, client_of_ivanov, 10, 0)
    assert found is not None
    assert found["status"] == "in_work"
    assert [(h["status"], h["on"]) for h in found["history"]] == [
        ("forecast", None),
        ("received", TODAY),
        ("in_work", TODAY),
    ]
    assert total == 1
    container = {"name": "Перевозка контейнера 40'", "quantity": "1", "unit": "конт."}
    assert orders[0]["lines"] == [container | {"item_id": None, "amount": None}]


def test_the_rate_on_a_day_is_the_latest_recorded_on_or_before_it(letopis, staff):
    head = staff["head"][0]
    for on, value in ((date(2026, 3, 1), "90.10"), (date(2026, 3, 5), "91.20"), (date(2026, 3, 5), "91.30")):
        letopis.service.run(head, RecordExchangeRate(currency="USD", rub_per_unit=Decimal(value), on=on))
    letopis.runner.catch_up()
    with letopis.views.reading() as cursor:
        in_effect = [rate_on(cursor, "USD", date(2026, *day)) for day in ((2, 28), (3, 4), (3, 31))]
        everything, total = search_rates(cursor, None, None, 10, 0)
    assert [rate and rate["rub_per_unit"] for rate in in_effect] == [None, Decimal("90.10"), Decimal("91.30")]
    assert total == 3
    assert [r["rub_per_unit"] for r in everything] == [Decimal("91.30"), Decimal("91.20"), Decimal("90.10")]


def test_a_financial_position_per_currency_and_converted_at_named_rates(letopis, staff, client_of_ivanov):
    ivanov, head = staff["ivanov"][0], staff["head"][0]
    roubles = sign(letopis, ivanov, client_of_ivanov, number="Р-1", amount=Decimal(500000))
    dollars = sign(letopis, ivanov, client_of_ivanov, number="D-1", amount=Decimal(10000), currency="USD")
    dropped = sign(letopis, ivanov, client_of_ivanov, number="Р-2", amount=Decimal(70000))
    order(letopis, ivanov, client_of_ivanov, roubles, "200000")
    order(letopis, ivanov, client_of_ivanov, roubles, "50000", status=OrderStatus.FORECAST)
    order(letopis, ivanov, client_of_ivanov, dollars, "4000", currency="USD")
    pay(letopis, ivanov, roubles, "120000")
    pay(letopis, ivanov, dollars, "1000", currency="USD")
    pay(letopis, ivanov, dropped, "5000")
    letopis.service.run(ivanov, TerminateContract(terminated_on=TODAY, reason="Отказ"), dropped)
    letopis.service.run(
        head, RecordExchangeRate(currency="USD", rub_per_unit=Decimal("90"), on=date(2026, 1, 9))
    )
    letopis.runner.catch_up()
    with letopis.views.reading() as cursor:
        position = financial_position(cursor, client_of_ivanov)
        totals, rates = converted_total(cursor, position, "RUB", date(2026, 2, 1))
        with pytest.raises(InvalidValue, match="no USD rate is recorded on or before 2026-01-08"):
            converted_total(cursor, position, "RUB", date(2026, 1, 8))
        with pytest.raises(InvalidValue, match="no EUR rate"):
            converted_total(cursor, position, "EUR", date(2026, 2, 1))
    assert position == {
        "RUB": {
            "contracted": Decimal(500000),
            "ordered": Decimal(200000),
            "forecast": Decimal(50000),
            "paid": Decimal(125000),
            "outstanding": Decimal(75000),
            "overpaid": Decimal(0),
        },
        "USD": {
            "contracted": Decimal(10000),
            "ordered": Decimal(4000),
            "forecast": Decimal(0),
            "paid": Decimal(1000),
            "outstanding": Decimal(3000),
            "overpaid": Decimal(0),
        },
    }
    assert totals["contracted"] == Decimal("1400000.00")
    assert totals["outstanding"] == Decimal("345000.00")
    assert [(r["currency"], r["rub_per_unit"], r["on"]) for r in rates] == [
        ("USD", Decimal(90), date(2026, 1, 9))
    ]
