from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from aggregates.counterparty import Admission
from aggregates.errors import InvalidValue, RuleViolated
from aggregates.inquiry import Inquiry
from aggregates.money import Money
from aggregates.stamp import Stamp

STAMP = Stamp("ivanov", datetime(2026, 4, 1, 9, tzinfo=UTC), "c-1", "c-1")


def registered() -> Inquiry:
    return Inquiry.register(
        STAMP,
        admission=Admission.ACTIVE,
        counterparty_id="cp-1",
        responsible_id="ivanov",
        request={"route": "Шанхай — Москва", "cargo": "40HC, электроника"},
        deadline=datetime(2026, 4, 3, 18, tzinfo=UTC),
        currency="RUB",
    )


def with_tasks(inquiry: Inquiry) -> Inquiry:
    for task, department in (("sea", "Морской отдел"), ("rail", "ЖД отдел")):
        inquiry.assign_quote_task(
            STAMP,
            task_id=task,
            department=department,
            assignee_id="expert",
            question="Ставка",
            due=datetime(2026, 4, 2, 12, tzinfo=UTC),
        )
    return inquiry


def test_the_final_price_is_every_answered_cost_plus_the_margin() -> None:
    inquiry = with_tasks(registered())
    inquiry.answer_quote_task(STAMP, "sea", [Money(Decimal("150000"), "RUB")], ["Фрахт"])
    with pytest.raises(RuleViolated, match="every quote task must be answered"):
        inquiry.set_price(STAMP, Decimal("10"))
    inquiry.answer_quote_task(
        STAMP,
        "rail",
        [Money(Decimal("90000"), "RUB"), Money(Decimal("10000"), "RUB")],
        ["ЖД тариф", "Терминал"],
    )
    inquiry.set_price(STAMP, Decimal("12.5"))
    assert inquiry.price == Money(Decimal("281250.00"), "RUB")


def test_a_task_is_answered_once_in_the_inquirys_currency() -> None:
    inquiry = with_tasks(registered())
    with pytest.raises(InvalidValue, match="in RUB, not USD"):
        inquiry.answer_quote_task(STAMP, "sea", [Money(Decimal("2000"), "USD")], ["Фрахт"])
    inquiry.answer_quote_task(STAMP, "sea", [Money(Decimal("150000"), "RUB")], ["Фрахт"])
    with pytest.raises(RuleViolated, match="already answered"):
        inquiry.answer_quote_task(STAMP, "sea", [Money(Decimal("1"), "RUB")], ["Фрахт"])
    with pytest.raises(InvalidValue, match="no quote task"):
        inquiry.answer_quote_task(STAMP, "air", [Money(Decimal("1"), "RUB")], ["Авиа"])


def test_a_proposal_keeps_its_prices_and_applies_the_discount() -> None:
    inquiry = registered()
    line = {
        "item_id": "i-1",
        "name": "Доставка контейнера",
        "unit": "конт.",
        "unit_price": Decimal("200000"),
        "currency": "RUB",
        "quantity": Decimal(2),
    }
    inquiry.issue_proposal(STAMP, [line], Decimal("5"), date(2026, 4, 30))
    assert inquiry.proposal is not None
    assert inquiry.proposal["total"] == Money(Decimal("380000.00"), "RUB")
    late = Stamp("ivanov", datetime(2026, 5, 2, 9, tzinfo=UTC), "c-2", "c-2")
    with pytest.raises(RuleViolated, match="expired on 2026-04-30"):
        inquiry.accept(late, "deal", "d-1")


def test_an_accepted_inquiry_is_closed() -> None:
    inquiry = registered()
    with pytest.raises(RuleViolated, match="open proposal"):
        inquiry.accept(STAMP, "deal", "d-1")
    inquiry.refuse(STAMP, "price", "Дорого")
    with pytest.raises(RuleViolated, match="refused"):
        inquiry.delegate(STAMP, "expert")


def test_a_forbidden_counterparty_gets_no_inquiry() -> None:
    with pytest.raises(RuleViolated, match="forbidden"):
        Inquiry.register(
            STAMP,
            admission=Admission.FORBIDDEN,
            counterparty_id="cp-1",
            responsible_id="ivanov",
            request={},
            deadline=datetime(2026, 4, 3, tzinfo=UTC),
            currency="RUB",
        )
