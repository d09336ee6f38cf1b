"""An inquiry through quote tasks, a price and a proposal to a deal, an order or a refusal."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from aggregates.contract import Contract
from aggregates.counterparty import Admission
from aggregates.deal import Deal
from aggregates.errors import AccessDenied, InvalidValue, NotFound, RuleViolated
from aggregates.inquiry import Inquiry, InquiryStatus
from aggregates.money import Money
from aggregates.order import Order, OrderStatus
from aggregates.sales_pipeline import SalesPipeline
from aggregates.stamp import Stamp
from commands.catalogue_commands import (
    ChangeCataloguePrice,
    ListCatalogueItem,
    RetireCatalogueItem,
)
from commands.counterparty_commands import (
    DecideAdmission,
    RegisterCounterparty,
)
from commands.inquiry_commands import (
    AcceptProposal,
    AnswerQuoteTask,
    AssignQuoteTask,
    DelegateInquiry,
    IssueProposal,
    PriceInquiry,
    RefuseInquiry,
    RegisterInquiry,
)
from commands.refusal_reason_commands import AddRefusalReason
from projections.inquiries import get_inquiry


def today() -> date:
    return datetime.now(UTC).date()


def setup_stamp() -> Stamp:
    return Stamp("admin", datetime.now(UTC), "setup", "setup")


def client_of(letopis, actor, name: str = "ООО «Восток-Логистик»") -> str:
    return letopis.service.run(actor, RegisterCounterparty(name=name)).id


def catalogue_item(letopis, staff, name: str = "Доставка контейнера 40HC", price: str = "200000") -> str:
    command = ListCatalogueItem(
        name=name, unit="контейнер", category="Морские перевозки", price=Decimal(price)
    )
    return letopis.service.run(staff["admin"][0], command).id


def refusal_reason(letopis, staff, code: str, label: str) -> None:
    letopis.service.run(staff["head"][0], AddRefusalReason(code=code, label=label))


def inquiry_for(letopis, actor, counterparty_id: str) -> str:
    command = RegisterInquiry(
        counterparty_id=counterparty_id,
        request={"маршрут": "Шанхай — Москва", "груз": "40HC, электроника"},
        deadline=datetime.now(UTC) + timedelta(days=2),
    )
    return letopis.service.run(actor, command).id


def proposed(letopis, actor, inquiry_id: str, *item_ids: str, **terms) -> None:
    """Two of each item at the catalogue price, 5% off."""
    command = IssueProposal(
        lines=[{"item_id": item_id, "quantity": 2} for item_id in item_ids],
        discount_percent=Decimal(5),
        valid_until=terms.pop("valid_until", today() + timedelta(days=10)),
        **terms,
    )
    letopis.service.run(actor, command, inquiry_id)


def task(letopis, actor, inquiry_id: str, department: str, assignee_id: str, due: datetime) -> None:
    command = AssignQuoteTask(department=department, assignee_id=assignee_id, question="Ставка?", due=due)
    letopis.service.run(actor, command, inquiry_id)


def answer(letopis, actor, inquiry_id: str, task_id: str, *amounts: str) -> None:
    costs = [{"name": f"Статья {n}", "amount": amount} for n, amount in enumerate(amounts, 1)]
    letopis.service.run(actor, AnswerQuoteTask(task_id=task_id, costs=costs), inquiry_id)


def viewed(letopis, inquiry_id: str) -> dict:
    letopis.runner.catch_up()
    with letopis.views.reading() as cursor:
        found = get_inquiry(cursor, inquiry_id)
    assert found is not None
    return found


def pipeline(letopis) -> str:
    defined = SalesPipeline.define(
        setup_stamp(),
        name="Основная воронка",
        stages=[{"name": "Квалификация", "probability": 10}, {"name": "Переговоры", "probability": 50}],
    )
    letopis.store.append(defined)
    return str(defined.id)


@pytest.fixture
def ivanov_inquiry(letopis, staff) -> tuple[str, str]:
    """(counterparty id, inquiry id) of a client of Ivanov's."""
    ivanov = staff["ivanov"][0]
    counterparty_id = client_of(letopis, ivanov)
    return counterparty_id, inquiry_for(letopis, ivanov, counterparty_id)


def test_quote_tasks_answered_by_departments_make_the_price_with_the_margin(
    letopis, staff, ivanov_inquiry
) -> None:
    ivanov, petrova = staff["ivanov"][0], staff["petrova"][0]
    _, inquiry_id = ivanov_inquiry
    due = datetime.now(UTC) + timedelta(days=1)
    task(letopis, ivanov, inquiry_id, "Морской отдел", staff["sidorov"][0].employee_id, due)
    task(letopis, petrova, inquiry_id, "ЖД отдел", staff["kuznetsova"][0].employee_id, due)
    answer(letopis, ivanov, inquiry_id, "1", "150000")
    answer(letopis, petrova, inquiry_id, "2", "90000", "10000")
    letopis.service.run(ivanov, PriceInquiry(margin_percent=Decimal("12.5")), inquiry_id)

    inquiry = viewed(letopis, inquiry_id)
    assert (inquiry["cost"], inquiry["margin_percent"], inquiry["price"]) == (
        Decimal("250000"),
        Decimal("12.5"),
        Decimal("281250.00"),
    )
    assert [(t["task_id"], t["department"]) for t in inquiry["tasks"]] == [
        ("1", "Морской отдел"),
        ("2", "ЖД отдел"),
    ]
    assert inquiry["tasks"][1]["costs"] == [
        {"name": "Статья 1", "amount": "90000", "currency": "RUB"},
        {"name": "Статья 2", "amount": "10000", "currency": "RUB"},
    ]


def test_task_mistakes_are_refused_and_nothing_is_written(letopis, staff, ivanov_inquiry) -> None:
    ivanov = staff["ivanov"][0]
    _, inquiry_id = ivanov_inquiry
    task(letopis, ivanov, inquiry_id, "Морской отдел", ivanov.employee_id, datetime.now(UTC))
    task(letopis, ivanov, inquiry_id, "ЖД отдел", ivanov.employee_id, datetime.now(UTC))
    answer(letopis, ivanov, inquiry_id, "1", "150000")
    head = letopis.store.head()
    with pytest.raises(RuleViolated, match="already answered"):
        answer(letopis, ivanov, inquiry_id, "1", "1")
    with pytest.raises(InvalidValue, match="no quote task 7"):
        answer(letopis, ivanov, inquiry_id, "7", "1")
    with pytest.raises(RuleViolated, match="every quote task must be answered"):
        letopis.service.run(ivanov, PriceInquiry(margin_percent=Decimal(10)), inquiry_id)
    with pytest.raises(InvalidValue, match="no employee"):
        task(letopis, ivanov, inquiry_id, "Склад", "00000000-0000-4000-8000-000000000000", datetime.now(UTC))
    with pytest.raises(InvalidValue, match="in RUB, not USD"):
        letopis.service.run(
            ivanov,
            AnswerQuoteTask(task_id="2", costs=[{"name": "Фрахт", "amount": "2000", "currency": "USD"}]),
            inquiry_id,
        )
    assert letopis.store.head() == head


def test_the_proposal_keeps_the_price_it_was_made_with_and_acceptance_opens_the_deal(
    letopis, staff, ivanov_inquiry
) -> None:
    ivanov, head_of_sales = staff["ivanov"][0], staff["head"][0]
    counterparty_id, inquiry_id = ivanov_inquiry
    item_id = catalogue_item(letopis, staff)
    proposed(letopis, ivanov, inquiry_id, item_id)
    letopis.service.run(head_of_sales, ChangeCataloguePrice(price=Decimal(250000)), item_id)
    pipeline_id = pipeline(letopis)

    letopis.service.run(
        ivanov,
        AcceptProposal(
            outcome={
                "kind": "deal",
                "pipeline_id": pipeline_id,
                "expected_close_on": today() + timedelta(days=30),
            }
        ),
        inquiry_id,
    )

    inquiry = viewed(letopis, inquiry_id)
    assert inquiry["status"] == InquiryStatus.ACCEPTED
    (line,) = inquiry["proposal"]["lines"]
    assert (line["unit_price"], line["amount"], inquiry["proposal"]["total"]) == (
        "200000",
        "400000.00",
        "380000.00",
    )
    deal = letopis.store.get(UUID(inquiry["outcome_id"]), Deal)
    assert (deal.counterparty_id, deal.manager_id, deal.stage) == (
        counterparty_id,
        ivanov.employee_id,
        "Квалификация",
    )
    assert deal.amount == Money(Decimal("380000.00"), "RUB")


def test_a_proposal_with_a_retired_item_is_refused(letopis, staff, ivanov_inquiry) -> None:
    ivanov = staff["ivanov"][0]
    _, inquiry_id = ivanov_inquiry
    item_id = catalogue_item(letopis, staff)
    letopis.service.run(staff["head"][0], RetireCatalogueItem(reason="Не возим"), item_id)
    head = letopis.store.head()
    with pytest.raises(RuleViolated, match="is retired"):
        proposed(letopis, ivanov, inquiry_id, item_id)
    with pytest.raises(NotFound):
        proposed(letopis, ivanov, inquiry_id, "00000000-0000-4000-8000-000000000000")
    assert letopis.store.head() == head


def test_acceptance_needs_a_proposal_that_has_not_expired(letopis, staff, ivanov_inquiry) -> None:
    ivanov = staff["ivanov"][0]
    _, inquiry_id = ivanov_inquiry
    as_order = AcceptProposal(outcome={"kind": "order", "expected_on": today()})
    with pytest.raises(RuleViolated, match="only an inquiry with an open proposal"):
        letopis.service.run(ivanov, as_order, inquiry_id)
    ten_days_ago = datetime.now(UTC) - timedelta(days=10)
    proposed(
        letopis,
        ivanov,
        inquiry_id,
        catalogue_item(letopis, staff),
        occurred_at=ten_days_ago,
        valid_until=(ten_days_ago + timedelta(days=5)).date(),
    )
    head = letopis.store.head()
    with pytest.raises(RuleViolated, match="the proposal expired"):
        letopis.service.run(ivanov, as_order, inquiry_id)
    assert letopis.store.head() == head


def test_an_order_under_a_contract_is_booked_on_it_and_cannot_overrun_it(letopis, staff) -> None:
    ivanov = staff["ivanov"][0]
    counterparty_id = client_of(letopis, ivanov)
    contract = Contract.sign(
        setup_stamp(),
        number="ТЭО-2026/17",
        counterparty_id=counterparty_id,
        manager_id=ivanov.employee_id,
        signed_on=today(),
        valid_from=today(),
        valid_until=today() + timedelta(days=365),
        amount=Money(Decimal(500000), "RUB"),
        stages=[],
    )
    letopis.store.append(contract)
    item_id = catalogue_item(letopis, staff)
    first, second = (inquiry_for(letopis, ivanov, counterparty_id) for _ in range(2))
    for inquiry_id in (first, second):
        proposed(letopis, ivanov, inquiry_id, item_id)
    under_contract = AcceptProposal(
        outcome={
            "kind": "order",
            "contract_id": str(contract.id),
            "expected_on": today() + timedelta(days=20),
        }
    )

    letopis.service.run(ivanov, under_contract, first)
    head = letopis.store.head()
    with pytest.raises(RuleViolated, match=r"has 120000\.00 RUB left"):
        letopis.service.run(ivanov, under_contract, second)

    assert letopis.store.head() == head
    order = letopis.store.get(UUID(viewed(letopis, first)["outcome_id"]), Order)
    assert (order.contract_id, order.status, order.amount) == (
        str(contract.id),
        OrderStatus.RECEIVED,
        Money(Decimal("380000.00"), "RUB"),
    )
    assert letopis.store.get(contract.id, Contract).remaining == Money(Decimal("120000.00"), "RUB")
    assert viewed(letopis, second)["status"] == InquiryStatus.PROPOSED


def test_a_refusal_names_a_reason_from_the_list(letopis, staff, ivanov_inquiry) -> None:
    ivanov = staff["ivanov"][0]
    _, inquiry_id = ivanov_inquiry
    head = letopis.store.head()
    with pytest.raises(InvalidValue, match="no refusal reasons are defined"):
        letopis.service.run(ivanov, RefuseInquiry(reason_code="price"), inquiry_id)
    refusal_reason(letopis, staff, "price", "Дорого")
    with pytest.raises(InvalidValue, match="'timing' is not a refusal reason"):
        letopis.service.run(ivanov, RefuseInquiry(reason_code="timing"), inquiry_id)
    assert letopis.store.head() == head + 2  # the list started and its one reason added

    letopis.service.run(ivanov, RefuseInquiry(reason_code="price", reason_text=" Нашли дешевле "), inquiry_id)
    assert viewed(letopis, inquiry_id)["refusal"] == {"reason_code": "price", "reason_text": "Нашли дешевле"}
    with pytest.raises(RuleViolated, match="is refused"):
        letopis.service.run(ivanov, RefuseInquiry(reason_code="price"), inquiry_id)


def test_no_inquiry_for_a_barred_client_or_from_outside_the_scope(letopis, staff) -> None:
    ivanov, sidorov = staff["ivanov"][0], staff["sidorov"][0]
    counterparty_id = client_of(letopis, ivanov)
    letopis.service.run(
        ivanov, DecideAdmission(admission=Admission.FORBIDDEN, reason="Санкционный список"), counterparty_id
    )
    other_client = client_of(letopis, ivanov, "АО «Балтийский терминал»")
    head = letopis.store.head()
    with pytest.raises(RuleViolated, match="is forbidden"):
        inquiry_for(letopis, ivanov, counterparty_id)
    with pytest.raises(AccessDenied):
        inquiry_for(letopis, sidorov, other_client)
    with pytest.raises(AccessDenied):
        inquiry_for(letopis, staff["auditor"][0], other_client)
    with pytest.raises(NotFound):
        inquiry_for(letopis, ivanov, "00000000-0000-4000-8000-000000000000")
    assert letopis.store.head() == head


def test_the_clients_team_and_the_delegated_expert_work_on_the_inquiry(
    letopis, staff, ivanov_inquiry
) -> None:
    ivanov, petrova, sidorov = staff["ivanov"][0], staff["petrova"][0], staff["sidorov"][0]
    expert = staff["kuznetsova"][0]
    _, inquiry_id = ivanov_inquiry
    due = datetime.now(UTC) + timedelta(hours=4)
    with pytest.raises(AccessDenied):
        task(letopis, sidorov, inquiry_id, "Морской отдел", sidorov.employee_id, due)
    with pytest.raises(AccessDenied):
        task(letopis, expert, inquiry_id, "Морской отдел", expert.employee_id, due)
    with pytest.raises(InvalidValue, match="no employee"):
        letopis.service.run(ivanov, DelegateInquiry(expert_id=str(UUID(int=7))), inquiry_id)

    letopis.service.run(petrova, DelegateInquiry(expert_id=expert.employee_id), inquiry_id)
    task(letopis, expert, inquiry_id, "Морской отдел", expert.employee_id, due)

    inquiry = viewed(letopis, inquiry_id)
    assert (inquiry["manager_id"], inquiry["responsible_id"]) == (ivanov.employee_id, expert.employee_id)
    assert letopis.store.get(UUID(inquiry_id), Inquiry).tasks == {"1": None}
