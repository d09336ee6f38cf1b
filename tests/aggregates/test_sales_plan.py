from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from aggregates.errors import InvalidValue, RuleViolated
from aggregates.period import parse_period
from aggregates.sales_plan import COMPANY, PlanBasis, PlanMeasure, PlanTarget, SalesPlan, plan_id
from aggregates.stamp import Fact, Stamp

STAMP = Stamp("admin-1", datetime(2026, 1, 10, 9, tzinfo=UTC), "c-1", "c-1")


def planned(**overrides: Any) -> SalesPlan:
    terms: dict[str, Any] = {
        "period": parse_period("2026-Q1"),
        "target_kind": PlanTarget.EMPLOYEE,
        "target_id": "ivanov",
        "measure": PlanMeasure.WON_AMOUNT,
        "basis": PlanBasis.DIRECT,
        "amount": Decimal("1500000.00"),
        "currency": "RUB",
        "reason": "План на квартал",
    }
    return SalesPlan.set(STAMP, **{**terms, **overrides})


def test_one_plan_per_period_target_product_and_measure() -> None:
    plan = planned()
    assert plan.id == plan_id(parse_period("2026-Q1"), PlanTarget.EMPLOYEE, "ivanov", PlanMeasure.WON_AMOUNT)
    monthly = planned(period=parse_period("2026-01"))
    assert monthly.id != plan.id
    by_item = planned(item_id="item-1")
    assert by_item.id != plan.id


def test_a_plan_is_changed_withdrawn_and_set_again_by_events_that_keep_the_earlier_figure() -> None:
    plan = planned()
    plan.change(STAMP, basis=PlanBasis.DIRECT, amount=Decimal("1800000"), currency="RUB", reason="Рост")
    plan.withdraw(STAMP, "Сотрудник переведён")
    with pytest.raises(RuleViolated, match="withdrawn"):
        plan.change(STAMP, basis=PlanBasis.DIRECT, amount=Decimal("1"), currency="RUB", reason="x")
    plan.reinstate(STAMP, basis=PlanBasis.DIRECT, amount=Decimal("900000"), currency="RUB", reason="Вернулся")
    events = plan.collect_events()
    assert [type(e).__name__ for e in events] == ["Set", "Changed", "Withdrawn", "Reinstated"]
    changed = events[1]
    assert isinstance(changed, SalesPlan.Changed)
    assert (changed.previous_amount, changed.amount) == (Decimal("1500000.00"), Decimal("1800000"))
    assert all(isinstance(e, Fact) and e.actor == "admin-1" for e in events)
    assert not plan.withdrawn
    assert plan.amount == Decimal("900000")


def test_a_team_plan_may_be_the_sum_of_its_members_but_an_employee_plan_may_not() -> None:
    team = planned(target_kind=PlanTarget.TEAM, target_id="Москва-1", basis=PlanBasis.MEMBERS, amount=None)
    assert team.basis == PlanBasis.MEMBERS
    assert team.amount is None
    with pytest.raises(InvalidValue, match="no members"):
        planned(basis=PlanBasis.MEMBERS, amount=None)
    with pytest.raises(InvalidValue, match="no amount of its own"):
        planned(target_kind=PlanTarget.TEAM, target_id="Москва-1", basis=PlanBasis.MEMBERS)
    assert planned(target_kind=PlanTarget.COMPANY, target_id="").target_id == COMPANY


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"amount": Decimal("-1")}, "negative"),
        ({"amount": Decimal("NaN")}, "not an amount"),
        ({"amount": Decimal("Infinity")}, "not an amount"),
        ({"amount": Decimal("1e16")}, "typo"),
        ({"amount": Decimal("10.001")}, "kopeck"),
        ({"currency": "XXX"}, "ISO 4217"),
        ({"currency": None}, "needs a currency"),
        ({"amount": None}, "needs an amount"),
        ({"measure": PlanMeasure.WON_DEALS, "currency": None, "amount": Decimal("2.5")}, "whole"),
        ({"measure": PlanMeasure.WON_DEALS}, "no currency"),
        ({"target_id": "  "}, "names its employee"),
        ({"reason": " \t"}, "say why"),
        ({"category": "Авиа", "item_id": "item-1"}, "not both"),
    ],
)
def test_a_plan_with_a_bad_figure_is_refused(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidValue, match=message):
        planned(**overrides)


def test_a_change_to_the_same_figure_is_refused() -> None:
    plan = planned()
    with pytest.raises(RuleViolated, match="already"):
        plan.change(STAMP, basis=PlanBasis.DIRECT, amount=Decimal("1500000.00"), currency="RUB", reason="x")
