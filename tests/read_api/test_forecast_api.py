"""The forecast over HTTP: deals weighted and bucketed by the period they expect to close in,
categories from stages with a per-deal override, submissions with a head's adjustment on top,
and the accuracy of past submissions."""

from datetime import UTC, datetime, time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from aggregates.period import Grain, period_of
from tests.read_api.test_sales_plans_api import MONTH, Tracking, a_deal
from tests.read_api.world import API, ITEM

LAST_MONTH = MONTH.shift(-1)


@pytest.fixture
def api(client: TestClient, auth: Any) -> Tracking:
    return Tracking(client, auth)


def test_deals_are_weighted_bucketed_and_categorised_with_an_override(api: Tracking) -> None:
    item = api.write("admin", "post", "/catalogue", ITEM)["id"]
    likely = a_deal(api, "ivanov", "500000.00", item_id=item)
    a_deal(api, "ivanov", "100000.00", stage="Квалификация")
    a_deal(api, "sidorov", "200000.00")
    rows = api.read("ivanov", "/forecast", period=MONTH.key, by="employee")
    assert {(row["category"], row["amount"], row["weighted"]) for row in rows} == {
        ("best_case", "500000.00", "300000.00"),
        ("pipeline", "100000.00", "10000.00"),
    }
    api.write(
        "ivanov",
        "put",
        f"/deals/{likely}/forecast-category",
        {"category": "commit", "reason": "Договор на подписи"},
    )
    by_team = api.read("head", "/forecast", period=MONTH.key, by="team")
    assert {(row["group"], row["category"], row["weighted"]) for row in by_team} == {
        ("Москва-1", "commit", "300000.00"),
        ("Москва-1", "pipeline", "10000.00"),
        ("Москва-2", "best_case", "120000.00"),
    }
    (product,) = api.read("ivanov", "/forecast/products", period=MONTH.key)
    assert (product["item_id"], product["quantity"], product["weighted_quantity"]) == (item, "2", "1.200")
    assert api.read("ivanov", "/forecast", period=MONTH.shift(2).key) == []
    api.write("ivanov", "post", f"/deals/{likely}/won", {})
    company = api.read("auditor", "/forecast", period=MONTH.key, by="company")
    assert ("closed", "500000.00", "500000.00") in {
        (r["category"], r["amount"], r["weighted"]) for r in company
    }


def test_a_bad_override_is_refused_and_writes_nothing(
    client: TestClient, auth: Any, api: Tracking, letopis: Any
) -> None:
    deal = a_deal(api, "ivanov", "500000.00")
    head = letopis.store.head()
    for who, body, status in (
        ("ivanov", {"category": "closed", "reason": "Уже наш"}, 422),
        ("ivanov", {"category": "won", "reason": "x"}, 422),
        ("ivanov", {"category": "commit", "reason": " "}, 422),
        ("sidorov", {"category": "commit", "reason": "Чужая сделка"}, 403),
        ("auditor", {"category": "commit", "reason": "Аудит"}, 403),
    ):
        response = client.put(f"{API}/deals/{deal}/forecast-category", json=body, headers=auth(who))
        assert response.status_code == status, (who, body, response.text)
    assert letopis.store.head() == head
    api.write("ivanov", "post", f"/deals/{deal}/won", {})
    late = client.put(
        f"{API}/deals/{deal}/forecast-category",
        json={"category": "commit", "reason": "x"},
        headers=auth("ivanov"),
    )
    assert late.status_code == 409


def test_a_submission_with_a_heads_adjustment_on_top(
    client: TestClient, auth: Any, api: Tracking, letopis: Any
) -> None:
    ivanov = api.read("ivanov", "/employees/me")["id"]
    api.write(
        "ivanov",
        "post",
        "/forecast/submissions",
        {"period": MONTH.key, "amounts": {"commit": "300000", "best_case": "500000"}},
    )
    head_position = letopis.store.head()
    for who, body, status in (
        ("ivanov", {"employee_id": ivanov}, 403),
        ("petrova", {"employee_id": ivanov}, 403),
        ("auditor", {"employee_id": ivanov}, 403),
        ("head", {"employee_id": api.read("kuznetsova", "/employees/me")["id"]}, 403),
        ("head", {"employee_id": api.read("sidorov", "/employees/me")["id"]}, 409),
        ("head", {"employee_id": ivanov, "amounts": {"someday": "1"}}, 422),
        ("head", {"employee_id": ivanov, "amounts": {"commit": "-1"}}, 422),
        ("head", {"employee_id": ivanov, "amounts": {}}, 422),
        ("head", {"employee_id": ivanov, "period": "2026-Q9"}, 422),
        ("head", {"employee_id": ivanov, "period": LAST_MONTH.key}, 409),
    ):
        adjustment = {
            "period": MONTH.key,
            "amounts": {"commit": "250000"},
            "reason": "Слишком оптимистично",
            **body,
        }
        response = client.post(f"{API}/forecast/adjustments", json=adjustment, headers=auth(who))
        assert response.status_code == status, (who, body, response.text)
    assert letopis.store.head() == head_position
    api.write(
        "head",
        "post",
        "/forecast/adjustments",
        {
            "employee_id": ivanov,
            "period": MONTH.key,
            "amounts": {"commit": "250000"},
            "reason": "Слишком оптимистично",
        },
    )
    api.write(
        "ivanov",
        "post",
        "/forecast/submissions",
        {"period": MONTH.key, "amounts": {"commit": "350000"}, "note": "Новый клиент"},
    )
    (entry,) = api.read("head", "/forecast/submissions", period=MONTH.key)
    assert entry["owner"]["amounts"] == {"commit": "350000"}
    assert entry["owner"]["revisions"] == 1
    assert entry["adjustment"]["amounts"] == {"commit": "250000"}
    assert entry["in_force"] == entry["adjustment"]
    assert api.read("sidorov", "/forecast/submissions", period=MONTH.key) == []
    refused = client.post(
        f"{API}/forecast/submissions",
        json={"period": LAST_MONTH.key, "amounts": {"commit": "1"}},
        headers=auth("ivanov"),
    )
    assert refused.status_code == 409
    assert "has closed" in refused.json()["detail"]


def test_accuracy_sets_last_periods_submission_against_what_was_won(api: Tracking) -> None:
    middle = datetime.combine(LAST_MONTH.first_day.replace(day=10), time(9), tzinfo=UTC).isoformat()
    later = datetime.combine(LAST_MONTH.first_day.replace(day=20), time(9), tzinfo=UTC).isoformat()
    api.write(
        "ivanov",
        "post",
        "/forecast/submissions",
        {
            "period": LAST_MONTH.key,
            "amounts": {"commit": "400000", "pipeline": "900000"},
            "occurred_at": middle,
        },
    )
    deal = a_deal(api, "ivanov", "300000.00")
    api.write("ivanov", "post", f"/deals/{deal}/won", {"occurred_at": later})
    (row,) = api.read("ivanov", "/forecast/accuracy")
    assert (row["period"], row["committed"], row["won"], row["error"], row["accuracy_percent"]) == (
        LAST_MONTH.key,
        "400000",
        "300000.00",
        "-100000.00",
        "75.00",
    )
    assert api.read("sidorov", "/forecast/accuracy") == []
    assert period_of(datetime.fromisoformat(later).date(), Grain.MONTH) == LAST_MONTH
