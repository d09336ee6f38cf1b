from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from aggregates.contract import Contract
from aggregates.counterparty import Admission
from aggregates.deal import Deal
from aggregates.errors import InvalidValue, RuleViolated
from aggregates.inquiry import Inquiry, InquiryStatus, accept_into_deal, accept_into_order
from aggregates.money import Money
from aggregates.order import OrderStatus
from aggregates.sales_pipeline import SalesPipeline
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


LINE = {
    "item_id": "i-1",
    "name": "Доставка контейнера",
    "unit": "конт.",
    "unit_price": Decimal("200000"),
    "currency": "RUB",
    "quantity": Decimal(2),
}


def proposed() -> Inquiry:
    inquiry = registered()
    inquiry.issue_proposal(STAMP, [LINE], Decimal("5"), date(2026, 4, 30))
    return inquiry


def pipeline() -> SalesPipeline:
    return SalesPipeline.define(
        STAMP,
        name="Продажи",
        stages=[{"name": "Квалификация", "probability": 10}, {"name": "Переговоры", "probability": 60}],
    )


def test_accepting_into_a_deal_opens_it_at_the_first_stage_for_the_proposal() -> None:
    inquiry, deal_id = proposed(), uuid4()
    deal = accept_into_deal(
        inquiry,
        STAMP,
        admission=Admission.ACTIVE,
        manager_id="petrov",
        pipeline=pipeline(),
        expected_close_on=date(2026, 6, 30),
        lead_source="Сайт",
        deal_id=deal_id,
    )
    assert inquiry.status == InquiryStatus.ACCEPTED
    accepted = inquiry.collect_events()[-1]
    assert isinstance(accepted, Inquiry.Accepted)
    assert (accepted.outcome, accepted.outcome_id) == ("deal", str(deal_id))
    assert (deal.id, deal.stage, deal.manager_id) == (deal_id, "Квалификация", "petrov")
    assert deal.amount == Money(Decimal("380000.00"), "RUB")
    opened = deal.collect_events()[0]
    assert isinstance(opened, Deal.Opened)
    assert opened.inquiry_id == str(inquiry.id)
    assert inquiry.proposal is not None
    assert opened.lines == inquiry.proposal["lines"]


def test_accepting_into_an_order_books_it_on_the_contract() -> None:
    inquiry, order_id = proposed(), uuid4()
    contract = Contract.sign(
        STAMP,
        number="ТЛ-2026/030",
        counterparty_id="cp-1",
        manager_id="ivanov",
        signed_on=date(2026, 1, 10),
        valid_from=date(2026, 1, 10),
        valid_until=date(2026, 12, 31),
        amount=Money(Decimal("1000000"), "RUB"),
        stages=[],
    )
    order = accept_into_order(
        inquiry,
        STAMP,
        admission=Admission.ACTIVE,
        manager_id="ivanov",
        contract=contract,
        expected_on=date(2026, 4, 20),
        order_id=order_id,
    )
    assert (order.id, order.status, order.contract_id) == (order_id, OrderStatus.RECEIVED, str(contract.id))
    assert contract.remaining == Money(Decimal("620000.00"), "RUB")


def test_a_refused_inquiry_opens_no_deal() -> None:
    inquiry = proposed()
    inquiry.refuse(STAMP, "price", "Дорого")
    with pytest.raises(RuleViolated, match="open proposal"):
        accept_into_deal(
            inquiry,
            STAMP,
            admission=Admission.ACTIVE,
            manager_id="petrov",
            pipeline=pipeline(),
            expected_close_on=date(2026, 6, 30),
            lead_source=None,
            deal_id=uuid4(),
        )
