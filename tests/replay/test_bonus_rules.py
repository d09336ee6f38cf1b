"""Each rule shape on hand-made facts: what a manager's month earns, line by line."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from aggregates.bonus_rule_set import rule_set
from aggregates.period import parse_period
from replay.bonus_facts import BonusFacts, CountedPayment, Plan, Refund, UsedRate
from replay.bonus_statement import Statement, candidate_rules, statements

IVANOV, PETROVA = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"


def pay(facts: BonusFacts, amount: str, on: date, manager: str = IVANOV, **more: Any) -> CountedPayment:
    payment = CountedPayment(
        payment_id=f"p{len(facts.payments)}",
        contract_id="c1",
        contract_number="ТЛ-2026/00001",
        manager_id=manager,
        amount=Decimal(amount),
        currency=more.get("currency", "RUB"),
        received_on=on,
        category_shares=more.get("categories", ()),
    )
    facts.payments[payment.payment_id] = payment
    facts.payments_in[payment.month].append(payment)
    return payment


def refund(facts: BonusFacts, payment: CountedPayment, amount: str, on: date) -> None:
    back = Refund(payment.payment_id, Decimal(amount), on)
    facts.refunds_in[back.month].append(back)


def month(facts: BonusFacts, period: str, rules: dict[str, Any]) -> dict[str, Statement]:
    found = statements(facts, parse_period(period), candidate_rules(rule_set(rules)))
    return {statement.employee_id: statement for statement in found}


def amounts(statement: Statement) -> list[tuple[str, Decimal]]:
    return [(line.kind, line.amount) for line in statement.lines]


def test_a_flat_percentage_of_money_received_names_the_payment_and_its_contract() -> None:
    facts = BonusFacts()
    pay(facts, "100000.00", date(2026, 10, 5))
    statement = month(facts, "2026-10", {"percent": "3"})[IVANOV]
    [line] = statement.lines
    assert (line.kind, line.rule, line.percent, line.base, line.amount) == (
        "payment",
        "flat",
        Decimal(3),
        Decimal("100000.00"),
        Decimal("3000.00"),
    )
    assert (line.payment_id, line.contract_number) == ("p0", "ТЛ-2026/00001")
    assert statement.totals == {"RUB": Decimal("3000.00")}
    assert statement.converted == Decimal("3000.00")


def test_a_category_rate_applies_to_the_part_of_the_payment_its_items_made() -> None:
    facts = BonusFacts()
    pay(facts, "100000.00", date(2026, 10, 5), categories=(("Перевозки", Decimal("0.6")),))
    statement = month(facts, "2026-10", {"percent": "3", "category_percents": {"Перевозки": "5"}})[IVANOV]
    assert [(line.rule, line.base, line.amount) for line in statement.lines] == [
        ("category «Перевозки»", Decimal("60000.00"), Decimal("3000.00")),
        ("flat", Decimal("40000.00"), Decimal("1200.00")),
    ]


TIERS = [{"from_attainment": "0", "percent": "2"}, {"from_attainment": "100", "percent": "4"}]


def planned(facts: BonusFacts) -> BonusFacts:
    facts.plans[(IVANOV, parse_period("2026-10"))] = Plan(Decimal("100000"), "RUB")
    pay(facts, "60000.00", date(2026, 10, 5))
    pay(facts, "50000.00", date(2026, 10, 20))
    return facts


def test_whole_tiers_pay_every_rouble_at_the_tier_the_month_reached() -> None:
    statement = month(planned(BonusFacts()), "2026-10", {"tiers": {"method": "whole", "tiers": TIERS}})[
        IVANOV
    ]
    assert amounts(statement) == [("payment", Decimal("2400.00")), ("payment", Decimal("2000.00"))]
    assert all(line.percent == 4 for line in statement.lines)


def test_marginal_tiers_pay_each_bracket_at_its_own_rate() -> None:
    statement = month(planned(BonusFacts()), "2026-10", {"tiers": {"method": "marginal", "tiers": TIERS}})[
        IVANOV
    ]
    assert [(line.base, line.percent, line.amount) for line in statement.lines] == [
        (Decimal("60000.00"), Decimal(2), Decimal("1200.00")),
        (Decimal("40000.00"), Decimal(2), Decimal("800.00")),
        (Decimal("10000.00"), Decimal(4), Decimal("400.00")),
    ]


def test_without_a_plan_tiers_pay_the_first_tier() -> None:
    facts = BonusFacts()
    pay(facts, "1000.00", date(2026, 10, 5))
    for method in ("whole", "marginal"):
        statement = month(facts, "2026-10", {"tiers": {"method": method, "tiers": TIERS}})[IVANOV]
        assert amounts(statement) == [("payment", Decimal("20.00"))]


def test_a_team_share_is_split_between_members_by_their_percentages() -> None:
    facts = BonusFacts()
    pay(facts, "100000.00", date(2026, 10, 5))
    team = {"name": "Москва-1", "percent": "1", "members": {IVANOV: "60", PETROVA: "40"}}
    found = month(facts, "2026-10", {"percent": "3", "team_shares": [team]})
    assert amounts(found[IVANOV]) == [("payment", Decimal("3000.00")), ("team share", Decimal("600.00"))]
    assert amounts(found[PETROVA]) == [("team share", Decimal("400.00"))]


def test_the_cap_takes_off_what_exceeds_it() -> None:
    facts = BonusFacts()
    pay(facts, "100000.00", date(2026, 10, 5))
    statement = month(facts, "2026-10", {"percent": "3", "cap": {"amount": "1000", "currency": "RUB"}})[
        IVANOV
    ]
    assert amounts(statement) == [("payment", Decimal("3000.00")), ("cap", Decimal("-2000.00"))]
    assert statement.totals == {"RUB": Decimal("1000.00")}


@pytest.mark.parametrize(("cap", "clawed"), [(None, "-1200.00"), ({"amount": "1000"}, "-400.00")])
def test_a_refund_claws_back_what_the_refunded_money_earned_in_the_month_of_the_refund(
    cap: dict[str, str] | None, clawed: str
) -> None:
    facts = BonusFacts()
    payment = pay(facts, "100000.00", date(2026, 10, 5))
    refund(facts, payment, "40000.00", date(2026, 11, 3))
    rules = {"percent": "3", "cap": cap}
    before = month(facts, "2026-10", rules)[IVANOV].totals
    [line] = month(facts, "2026-11", rules)[IVANOV].lines
    assert (line.kind, line.amount, line.payment_id) == ("clawback", Decimal(clawed), payment.payment_id)
    assert month(facts, "2026-10", rules)[IVANOV].totals == before
    assert IVANOV not in month(facts, "2026-11", {**rules, "clawback": False})


def test_totals_are_converted_at_the_recorded_rate_which_the_statement_names() -> None:
    facts = BonusFacts()
    pay(facts, "1000.00", date(2026, 10, 5), currency="USD")
    pay(facts, "1000.00", date(2026, 10, 5), currency="EUR")
    facts.rates.record(UsedRate("USD", Decimal("81.5"), date(2026, 10, 30), "ЦБ РФ"))
    statement = month(facts, "2026-10", {"percent": "10"})[IVANOV]
    assert statement.totals == {"EUR": Decimal("100.00"), "USD": Decimal("100.00")}
    assert statement.converted is None
    assert statement.missing_rates == ["no exchange rate of EUR is recorded on or before 2026-10-31"]
    facts.rates.record(UsedRate("EUR", Decimal("90"), date(2026, 10, 1), "ЦБ РФ"))
    statement = month(facts, "2026-10", {"percent": "10"})[IVANOV]
    assert statement.converted == Decimal("17150.00")
    assert [(rate.currency, rate.rub_per_unit, rate.on) for rate in statement.rates] == [
        ("EUR", Decimal(90), date(2026, 10, 1)),
        ("USD", Decimal("81.5"), date(2026, 10, 30)),
    ]
