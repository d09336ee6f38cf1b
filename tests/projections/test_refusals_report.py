"""The refusals report: refused inquiries and lost deals by reason, manager and product."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from aggregates.counterparty import Admission
from aggregates.deal import Deal
from aggregates.money import Money
from commands.inquiry_commands import RefuseInquiry
from commands.refusal_reason_commands import RetireRefusalReason
from projections.refusals import RefusalGrouping, active_refusal_reasons, refusals_report
from tests.commands.test_inquiries import (
    catalogue_item,
    client_of,
    inquiry_for,
    pipeline,
    proposed,
    refusal_reason,
    setup_stamp,
    today,
)


def refused(letopis, actor, reason_code: str, item_ids=(), occurred_at: datetime | None = None) -> None:
    inquiry_id = inquiry_for(letopis, actor, client_of(letopis, actor))
    if item_ids:
        proposed(letopis, actor, inquiry_id, *item_ids)
    command = RefuseInquiry(
        reason_code=reason_code, reason_text="Клиент ответил письмом", occurred_at=occurred_at
    )
    letopis.service.run(actor, command, inquiry_id)


def lost_deal(letopis, manager, item_id: str, reason_code: str) -> None:
    deal = Deal.open(
        setup_stamp(),
        admission=Admission.ACTIVE,
        counterparty_id=client_of(letopis, manager, "ООО «Северный путь»"),
        manager_id=manager.employee_id,
        pipeline_id=pipeline(letopis),
        stage={"name": "Переговоры", "probability": Decimal(50)},
        amount=Money(Decimal(900000), "RUB"),
        expected_close_on=today(),
        lines=[{"item_id": item_id, "name": "Таможенное оформление", "quantity": "1"}],
        lead_source=None,
    )
    letopis.store.append(deal)
    deal.lose(setup_stamp(), reason_code, "Выбрали другого экспедитора")
    letopis.store.append(deal)


@pytest.fixture
def refusals(letopis, staff) -> dict[str, str]:
    """Refusals across two departments, one of them forty days ago; returns the item ids."""
    for code, label in (
        ("price", "Дорого"),
        ("timing", "Не успеваем по срокам"),
        ("rival", "Ушли к конкуренту"),
    ):
        refusal_reason(letopis, staff, code, label)
    freight = catalogue_item(letopis, staff, "Фрахт 40HC", "200000")
    customs = catalogue_item(letopis, staff, "Таможенное оформление", "15000")
    refused(letopis, staff["ivanov"][0], "price", (freight, customs))
    refused(letopis, staff["petrova"][0], "timing")
    refused(letopis, staff["sidorov"][0], "price", (freight,), datetime.now(UTC) - timedelta(days=40))
    lost_deal(letopis, staff["kuznetsova"][0], customs, "rival")
    letopis.runner.catch_up()
    return {"freight": freight, "customs": customs}


def report(letopis, actor, grouping: RefusalGrouping, since: date | None = None, until: date | None = None):
    with letopis.views.reading() as cursor:
        return refusals_report(cursor, actor, grouping, since, until)


def counts(groups) -> dict:
    return {group["label"]: group["count"] for group in groups}


def test_refusals_by_reason_over_a_period_carry_the_reason_labels(letopis, staff, refusals) -> None:
    analyst = staff["analyst"][0]
    total, groups = report(letopis, analyst, RefusalGrouping.REASON, today(), today())
    assert total == 3
    assert [(g["key"], g["label"], g["count"]) for g in groups] == [
        ("price", "Дорого", 1),
        ("timing", "Не успеваем по срокам", 1),
        ("rival", "Ушли к конкуренту", 1),
    ]
    assert counts(report(letopis, analyst, RefusalGrouping.REASON)[1])["Дорого"] == 2
    assert report(letopis, analyst, RefusalGrouping.REASON, until=today() - timedelta(days=30))[0] == 1


def test_refusals_by_manager_follow_the_readers_scope(letopis, staff, refusals) -> None:
    by_head = report(letopis, staff["head"][0], RefusalGrouping.MANAGER)[1]
    assert counts(by_head) == {"Иванов Иван": 1, "Петрова Анна": 1, "Сидоров Пётр": 1}
    assert counts(report(letopis, staff["ivanov"][0], RefusalGrouping.MANAGER)[1]) == {
        "Иванов Иван": 1,
        "Петрова Анна": 1,
    }
    # The lost deal names no manager: it is the one it was opened with.
    assert counts(report(letopis, staff["kuznetsova"][0], RefusalGrouping.MANAGER)[1]) == {
        "Кузнецова Ольга": 1
    }


def test_refusals_by_product_count_each_proposed_item(letopis, staff, refusals) -> None:
    total, groups = report(letopis, staff["auditor"][0], RefusalGrouping.PRODUCT)
    assert total == 4
    by_key = {group["key"]: group for group in groups}
    assert (by_key[refusals["freight"]]["label"], by_key[refusals["freight"]]["count"]) == ("Фрахт 40HC", 2)
    assert by_key[refusals["customs"]]["reasons"] == [
        {"code": "price", "label": "Дорого", "count": 1},
        {"code": "rival", "label": "Ушли к конкуренту", "count": 1},
    ]
    assert by_key[None]["count"] == 1


def test_a_retired_reason_leaves_the_list_but_keeps_its_label_in_the_report(letopis, staff, refusals) -> None:
    letopis.service.run(staff["admin"][0], RetireRefusalReason(code="price"))
    letopis.runner.catch_up()
    with letopis.views.reading() as cursor:
        assert [reason["code"] for reason in active_refusal_reasons(cursor)] == ["timing", "rival"]
    assert counts(report(letopis, staff["analyst"][0], RefusalGrouping.REASON)[1])["Дорого"] == 2
