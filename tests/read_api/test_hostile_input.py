"""Requests that once broke the product: each is refused with a 4xx and a clear message, nothing
is stored, and the views keep moving afterwards.

Three of them used to freeze every view for good (a NUL in text, a business time at the end of
the calendar, a null classifier map); the others answered 500.
"""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from aggregates.counterparty import Admission
from aggregates.inquiry import Inquiry
from aggregates.stamp import Stamp
from tests.read_api.problems import field_errors
from tests.read_api.world import a_contract

NUL = "\x00"


@pytest.fixture
def card(client: TestClient, auth) -> dict:
    created = client.post(
        "/api/v1/counterparties",
        json={
            "name": "ООО «Волга-Экспресс»",
            "phones": ["+7 846 200-00-00"],
            "classifiers": {"Отрасль": ["ЖД"]},
        },
        headers=auth("ivanov"),
    )
    assert created.status_code == 201, created.text
    return created.json()


def views_keep_moving(client: TestClient, auth, card: dict) -> None:
    """A write after the refusals is visible through the views."""
    changed = client.patch(
        f"/api/v1/counterparties/{card['id']}", json={"region": "Самара"}, headers=auth("ivanov")
    )
    assert changed.status_code == 200, changed.text
    read = client.get(
        f"/api/v1/counterparties/{card['id']}",
        params={"after": changed.json()["position"]},
        headers=auth("ivanov"),
    )
    assert read.status_code == 200
    assert read.json()["region"] == "Самара"


def text_fields(card_id: str) -> list[tuple[str, str, dict, str]]:
    """(method, path, body, field) with a NUL in one text field each."""
    call = {"kind": "call", "direction": "incoming"}
    return [
        ("post", "/api/v1/counterparties", {"name": f"ООО{NUL}Ромашка"}, "name"),
        ("patch", f"/api/v1/counterparties/{card_id}", {"region": f"Тула{NUL}"}, "region"),
        (
            "patch",
            f"/api/v1/counterparties/{card_id}",
            {"attributes": {"ОКПО": f"1{NUL}2"}},
            "attributes.ОКПО",
        ),
        ("patch", f"/api/v1/counterparties/{card_id}", {"interests": [f"рыбалка{NUL}"]}, "interests.0"),
        ("post", "/api/v1/contacts", {"counterparty_id": card_id, "full_name": f"Лена{NUL}"}, "full_name"),
        (
            "post",
            "/api/v1/interactions",
            {"counterparty_id": card_id, "subject": "Звонок", "details": {**call, "notes": f"ок{NUL}"}},
            "details.call.notes",
        ),
        (
            "post",
            "/api/v1/interactions",
            {"counterparty_id": card_id, "subject": f"{NUL}", "details": call},
            "subject",
        ),
        (
            "post",
            f"/api/v1/counterparties/{card_id}/admission",
            {"admission": "active", "reason": f"Проверен{NUL}"},
            "reason",
        ),
    ]


def test_a_nul_in_any_text_field_is_refused_and_the_views_keep_moving(client, auth, card, letopis) -> None:
    head = letopis.store.head()
    for method, path, body, field in text_fields(card["id"]):
        response = client.request(method, path, json=body, headers=auth("ivanov"))
        assert response.status_code == 422, (path, response.text)
        assert "control character U+0000" in field_errors(response)[field]
    assert letopis.store.head() == head
    views_keep_moving(client, auth, card)


def test_other_control_characters_are_refused_but_multi_line_text_keeps_its_lines(client, auth, card) -> None:
    body = {"counterparty_id": card["id"], "subject": "Встреча", "details": {"kind": "meeting"}}
    for subject in ("Встреча\x1b[31m", "Вст\u0085реча", "Встре\nча"):
        refused = client.post(
            "/api/v1/interactions", json={**body, "subject": subject}, headers=auth("ivanov")
        )
        assert refused.status_code == 422, subject
    agenda = "1. Тариф\n2. Сроки\tи объёмы\r\n3. Договор"
    logged = client.post(
        "/api/v1/interactions",
        json={**body, "details": {"kind": "meeting", "agenda": agenda}},
        headers=auth("ivanov"),
    )
    assert logged.status_code == 201, logged.text


def test_a_business_time_is_stored_in_utc(client, auth, card) -> None:
    logged = client.post(
        "/api/v1/interactions",
        json={
            "counterparty_id": card["id"],
            "subject": "Встреча в Москве",
            "occurred_at": "2026-03-02T10:15:00+03:00",
            "details": {"kind": "meeting"},
        },
        headers=auth("ivanov"),
    )
    history = client.get(
        f"/api/v1/counterparties/{card['id']}/history",
        params={"type": "meeting", "after": logged.json()["position"]},
        headers=auth("ivanov"),
    )
    assert history.json()["items"][0]["occurred_at"] == "2026-03-02T07:15:00Z"


@pytest.mark.parametrize(
    "field", ["classifiers", "name", "legal_form", "kind", "phones", "requisites", "attributes", "interests"]
)
def test_null_for_a_field_the_card_cannot_hold_empty_is_refused(
    client, auth, card, unchanged_log, field
) -> None:
    response = client.patch(
        f"/api/v1/counterparties/{card['id']}", json={field: None}, headers=auth("ivanov")
    )
    assert response.status_code == 422, response.text
    assert "may not be null" in field_errors(response)[field]
    register = client.get(
        "/api/v1/counterparties", params={"after": card["position"]}, headers=auth("ivanov")
    )
    assert register.status_code == 200
    assert register.json()["items"][0]["classifiers"] == {"Отрасль": ["ЖД"]}


def test_null_clears_a_field_the_card_may_hold_empty(client, auth, card) -> None:
    path = f"/api/v1/counterparties/{card['id']}"
    client.patch(path, json={"region": "Самара"}, headers=auth("ivanov"))
    cleared = client.patch(path, json={"region": None}, headers=auth("ivanov"))
    assert cleared.status_code == 200
    read = client.get(path, params={"after": cleared.json()["position"]}, headers=auth("ivanov"))
    assert read.json()["region"] is None


def test_a_payment_dated_in_the_future_is_refused_like_any_business_time(client, auth, letopis) -> None:
    contract_id = a_contract(client, auth)
    head = letopis.store.head()
    response = client.post(
        "/api/v1/payments",
        json={"contract_id": contract_id, "amount": "1000.00", "received_on": "2999-01-01"},
        headers=auth("ivanov"),
    )
    assert response.status_code == 422
    assert "received_on" in field_errors(response)
    tomorrow_somewhere = client.post(
        "/api/v1/payments",
        json={"contract_id": contract_id, "amount": "1000.00", "received_on": "2199-12-31"},
        headers=auth("ivanov"),
    )
    assert tomorrow_somewhere.status_code == 422
    assert letopis.store.head() == head


def test_money_sent_as_a_json_fraction_is_refused_for_it_is_inexact(
    client, auth, card, unchanged_log
) -> None:
    response = client.post(
        "/api/v1/catalogue",
        json={"name": "Фрахт", "unit": "контейнер", "price": 1234567890123456.78},
        headers=auth("admin"),
    )
    assert response.status_code == 422
    assert "send decimals as text" in field_errors(response)["price"]


def test_an_inquiry_whose_quote_tasks_have_any_ids_reads_in_the_order_they_were_assigned(
    client, auth, card, staff, letopis
) -> None:
    """As the demo company records them: task ids that are UUIDs, not numbers."""
    ivanov, petrova = staff["ivanov"][0], staff["petrova"][0]
    stamp = Stamp(ivanov.employee_id, datetime.now(UTC), "demo", "demo")
    inquiry = Inquiry.register(
        stamp,
        admission=Admission.ACTIVE,
        counterparty_id=card["id"],
        responsible_id=ivanov.employee_id,
        request={"Маршрут": "Шанхай — Москва"},
        deadline=datetime.now(UTC) + timedelta(days=2),
        currency="RUB",
    )
    task_ids = [str(uuid4()) for _ in range(3)]
    for task_id in task_ids:
        inquiry.assign_quote_task(
            stamp,
            task_id=task_id,
            department="Логистика",
            assignee_id=petrova.employee_id,
            question="Ставка?",
            due=datetime.now(UTC) + timedelta(days=1),
        )
    position = letopis.store.append(inquiry)
    response = client.get(
        f"/api/v1/inquiries/{inquiry.id}", params={"after": position}, headers=auth("ivanov")
    )
    assert response.status_code == 200, response.text
    assert [task["task_id"] for task in response.json()["tasks"]] == task_ids
