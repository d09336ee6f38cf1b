"""The sales flow over HTTP: catalogue, inquiry, quote tasks, proposal, the client's answer,
the refusals report; and every bad input refused with a clear message and nothing written."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from aggregates.counterparty import Admission
from commands.catalogue_commands import RetireCatalogueItem
from commands.counterparty_commands import DecideAdmission
from tests.commands.test_inquiries import (
    answer,
    catalogue_item,
    client_of,
    inquiry_for,
    proposed,
    refusal_reason,
    task,
    today,
)

API = "/api/v1"
UNKNOWN = "00000000-0000-4000-8000-000000000000"


class Session:
    """Writes as one employee or another, and reads what was written (``?after=``)."""

    def __init__(self, client, auth) -> None:
        self.client, self.auth, self.position = client, auth, 0

    def write(self, who: str, method: str, path: str, body: dict[str, Any] | None = None) -> str:
        response = self.client.request(method, API + path, json=body, headers=self.auth(who))
        assert response.status_code in (200, 201), response.text
        self.position = response.json()["position"]
        return str(response.json()["id"])

    def read(self, who: str, path: str, status: int = 200) -> Any:
        separator = "&" if "?" in path else "?"
        response = self.client.get(f"{API}{path}{separator}after={self.position}", headers=self.auth(who))
        assert response.status_code == status, response.text
        return response.json()


def test_from_catalogue_to_an_order_and_a_refusal_report(client, auth, staff) -> None:
    now = datetime.now(UTC)
    api = Session(client, auth)
    item = {"name": "Доставка контейнера 20DC", "unit": "контейнер", "price": "120000.00"}
    item_id = api.write("admin", "post", "/catalogue", item)
    assert [found["id"] for found in api.read("ivanov", "/catalogue?q=КОНТЕЙНЕРА")["items"]] == [item_id]
    assert api.read("ivanov", f"/catalogue/{item_id}")["price"] == "120000.00"
    api.write("head", "post", "/refusal-reasons", {"code": "price", "label": "Дорого"})
    assert api.read("ivanov", "/refusal-reasons") == [{"code": "price", "label": "Дорого"}]

    client_id = api.write("ivanov", "post", "/counterparties", {"name": "ООО «Амур-Транс»"})
    inquiry = {
        "counterparty_id": client_id,
        "request": {"маршрут": "Нинбо — Хабаровск"},
        "deadline": str(now),
    }
    inquiry_id = api.write("ivanov", "post", "/inquiries", inquiry)
    expert = staff["petrova"][0].employee_id
    for department, due in (
        ("Морской отдел", now - timedelta(hours=1)),
        ("ЖД отдел", now + timedelta(days=1)),
    ):
        assigned = {"department": department, "assignee_id": expert, "question": "Ставка?", "due": str(due)}
        api.write("ivanov", "post", f"/inquiries/{inquiry_id}/quote-tasks", assigned)

    overdue = api.read("petrova", "/inquiries/quote-tasks/overdue")
    assert [(task["inquiry_id"], task["department"]) for task in overdue] == [(inquiry_id, "Морской отдел")]
    assert api.read("sidorov", "/inquiries/quote-tasks/overdue") == []

    for task_id, amount in (("1", "80000"), ("2", "20000")):
        costs = {"costs": [{"name": "Фрахт", "amount": amount, "currency": "RUB"}]}
        api.write("ivanov", "post", f"/inquiries/{inquiry_id}/quote-tasks/{task_id}/answer", costs)
    api.write("petrova", "put", f"/inquiries/{inquiry_id}/price", {"margin_percent": 20})
    proposal = {"lines": [{"item_id": item_id, "quantity": 1}], "valid_until": str(today())}
    api.write("ivanov", "post", f"/inquiries/{inquiry_id}/proposal", proposal)
    as_order = {"outcome": {"kind": "order", "expected_on": str(today())}}
    api.write("ivanov", "post", f"/inquiries/{inquiry_id}/acceptance", as_order)

    card = api.read("petrova", f"/inquiries/{inquiry_id}")
    assert (card["status"], card["outcome"], card["price"], card["proposal"]["total"]) == (
        "accepted",
        "order",
        "120000.00",
        "120000.00",
    )
    assert [task["answered_at"] is not None for task in card["tasks"]] == [True, True]
    assert card["proposal"]["lines"][0]["name"] == "Доставка контейнера 20DC"
    api.read("sidorov", f"/inquiries/{inquiry_id}", status=403)
    assert api.read("ivanov", "/inquiries?status=accepted")["total"] == 1
    assert api.read("sidorov", "/inquiries")["total"] == 0

    second = api.write("ivanov", "post", "/inquiries", inquiry)
    refusal = {"reason_code": "price", "reason_text": "Дорого для клиента"}
    api.write("ivanov", "post", f"/inquiries/{second}/refusal", refusal)
    report = api.read("head", f"/reports/refusals?group_by=reason&since={today()}")
    assert (report["total"], report["groups"][0]["label"], report["groups"][0]["count"]) == (1, "Дорого", 1)
    api.write("admin", "delete", "/refusal-reasons/price")
    assert api.read("ivanov", "/refusal-reasons") == []


@pytest.fixture
def sales(letopis, staff) -> dict[str, str]:
    """Ivanov's inquiry with task 1 answered and task 2 open, a forbidden client, an active
    and a retired catalogue item, and one refusal reason."""
    ivanov = staff["ivanov"][0]
    client_id = client_of(letopis, ivanov)
    inquiry_id = inquiry_for(letopis, ivanov, client_id)
    due = datetime.now(UTC) + timedelta(days=1)
    task(letopis, ivanov, inquiry_id, "Морской отдел", ivanov.employee_id, due)
    task(letopis, ivanov, inquiry_id, "ЖД отдел", ivanov.employee_id, due)
    answer(letopis, ivanov, inquiry_id, "1", "150000")
    forbidden = client_of(letopis, ivanov, "ООО «Серая схема»")
    letopis.service.run(
        ivanov, DecideAdmission(admission=Admission.FORBIDDEN, reason="Мошенничество"), forbidden
    )
    retired = catalogue_item(letopis, staff, "Авиадоставка", "90000")
    letopis.service.run(staff["head"][0], RetireCatalogueItem(reason="Нет рейсов"), retired)
    refusal_reason(letopis, staff, "price", "Дорого")
    return {
        "client": client_id,
        "inquiry": inquiry_id,
        "item": catalogue_item(letopis, staff),
        "retired": retired,
        "forbidden": forbidden,
    }


def filled(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {key: filled(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [filled(item, ids) for item in value]
    return value


COST = {"name": "Фрахт", "currency": "RUB"}
ITEM = {"name": "Хранение на складе", "unit": "паллето-место"}
DEADLINE = "2026-06-01T18:00:00+03:00"


@pytest.mark.parametrize(
    ("who", "method", "path", "body", "status", "message"),
    [
        ("admin", "post", "/catalogue", {**ITEM, "price": 0}, 422, "greater than 0"),
        ("admin", "post", "/catalogue", {**ITEM, "price": "500", "currency": "RUR"}, 422, "ISO 4217"),
        ("head", "put", "/catalogue/{item}/price", {"price": "-5"}, 422, "greater than 0"),
        ("ivanov", "post", "/catalogue", {**ITEM, "price": "500"}, 403, "head of sales"),
        ("head", "put", f"/catalogue/{UNKNOWN}/price", {"price": "5"}, 404, "does not exist"),
        (
            "ivanov",
            "post",
            "/inquiries/{inquiry}/quote-tasks/2/answer",
            {"costs": [{**COST, "amount": 0}]},
            422,
            "greater than 0",
        ),
        (
            "ivanov",
            "post",
            "/inquiries/{inquiry}/quote-tasks/2/answer",
            {"costs": [{**COST, "amount": "-1"}]},
            422,
            "greater than 0",
        ),
        (
            "ivanov",
            "post",
            "/inquiries/{inquiry}/quote-tasks/9/answer",
            {"costs": [{**COST, "amount": 1}]},
            422,
            "no quote task 9",
        ),
        (
            "ivanov",
            "post",
            "/inquiries/{inquiry}/quote-tasks/1/answer",
            {"costs": [{**COST, "amount": 1}]},
            409,
            "already answered",
        ),
        (
            "ivanov",
            "put",
            "/inquiries/{inquiry}/price",
            {"margin_percent": 10},
            409,
            "every quote task must be answered",
        ),
        (
            "ivanov",
            "post",
            "/inquiries/{inquiry}/proposal",
            {"lines": [{"item_id": "{retired}", "quantity": 1}], "valid_until": "2199-01-01"},
            409,
            "is retired",
        ),
        (
            "ivanov",
            "post",
            "/inquiries/{inquiry}/acceptance",
            {"outcome": {"kind": "order", "expected_on": "2026-07-01"}},
            409,
            "open proposal",
        ),
        (
            "ivanov",
            "post",
            "/inquiries/{inquiry}/refusal",
            {"reason_code": "timing"},
            422,
            "not a refusal reason",
        ),
        (
            "ivanov",
            "post",
            "/inquiries",
            {"counterparty_id": "{forbidden}", "request": {}, "deadline": DEADLINE},
            409,
            "is forbidden",
        ),
        (
            "ivanov",
            "post",
            "/inquiries",
            {"counterparty_id": "{client}", "request": {}, "deadline": "2026-06-01T18:00:00"},
            422,
            "time zone",
        ),
        (
            "ivanov",
            "post",
            "/inquiries",
            {"counterparty_id": UNKNOWN, "request": {}, "deadline": DEADLINE},
            404,
            "does not exist",
        ),
        ("sidorov", "post", "/inquiries/{inquiry}/refusal", {"reason_code": "price"}, 403, "another team"),
        ("auditor", "post", "/refusal-reasons", {"code": "late", "label": "Поздно"}, 403, "head of sales"),
        ("head", "post", "/refusal-reasons", {"code": "price", "label": "Цена"}, 409, "already exists"),
        ("ivanov", "post", f"/inquiries/{UNKNOWN}/refusal", {"reason_code": "price"}, 404, "does not exist"),
        ("ivanov", "get", f"/inquiries/{UNKNOWN}", None, 404, "does not exist"),
        ("ivanov", "get", f"/catalogue/{UNKNOWN}", None, 404, "does not exist"),
        ("sidorov", "get", "/inquiries/{inquiry}", None, 403, "another team"),
        ("head", "delete", "/refusal-reasons/timing", None, 422, "not a refusal reason"),
        ("head", "get", "/reports/refusals?since=2026-05-01&until=2026-04-01", None, 422, "before it starts"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_written(
    client, auth, letopis, sales, who, method, path, body, status, message
) -> None:
    head = letopis.store.head()
    response = client.request(method, API + filled(path, sales), json=filled(body, sales), headers=auth(who))
    assert response.status_code == status, response.text
    assert message in str(response.json()["detail"])
    assert letopis.store.head() == head


def test_an_expired_proposal_cannot_be_accepted(client, auth, letopis, staff, sales) -> None:
    issued = datetime.now(UTC) - timedelta(days=10)
    proposed(
        letopis,
        staff["ivanov"][0],
        sales["inquiry"],
        sales["item"],
        occurred_at=issued,
        valid_until=(issued + timedelta(days=3)).date(),
    )
    head = letopis.store.head()
    response = client.post(
        f"{API}/inquiries/{sales['inquiry']}/acceptance",
        json={"outcome": {"kind": "order", "expected_on": str(today())}},
        headers=auth("ivanov"),
    )
    assert response.status_code == 409
    assert "the proposal expired on" in response.json()["detail"]
    assert letopis.store.head() == head
