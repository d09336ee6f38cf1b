"""Test builders over HTTP: records of every kind, owned by Ivanov's team (Москва-1), made the
way a client of the API makes them."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

API = "/api/v1"
TODAY = datetime.now(UTC).date()
STAGES = [{"name": "Квалификация", "probability": "10"}, {"name": "Переговоры", "probability": "60"}]
ITEM = {"name": "Фрахт 40HC Шанхай — Москва", "unit": "контейнер", "price": "250000.00"}


@dataclass
class Api:
    client: TestClient
    auth: Any

    def write(self, who: str, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.client.request(method, f"{API}{path}", json=body, headers=self.auth(who))
        assert response.status_code in (200, 201), f"{method.upper()} {path}: {response.text}"
        answer: dict[str, Any] = response.json()
        return answer

    def read(self, who: str, path: str, **params: Any) -> Any:
        response = self.client.get(f"{API}{path}", params=params, headers=self.auth(who))
        assert response.status_code == 200, f"GET {path}: {response.text}"
        return response.json()


def days(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def moment(hours: int) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


def a_contract(client: TestClient, auth: Any, who: str = "ivanov") -> str:
    api = Api(client, auth)
    counterparty = api.write(who, "post", "/counterparties", {"name": "ООО «Договорный»"})["id"]
    return str(api.write(who, "post", "/contracts", contract_body(counterparty))["id"])


def an_inquiry(api: Api, counterparty_id: str, deadline: str, route: str = "Шанхай — Москва") -> str:
    """Ivanov's inquiry for a route, its answer due at ``deadline``."""
    body = {"counterparty_id": counterparty_id, "request": {"Маршрут": route}, "deadline": deadline}
    return str(api.write("ivanov", "post", "/inquiries", body)["id"])


def contract_body(counterparty_id: str, number: str = "ТЛ-2026/001") -> dict[str, Any]:
    return {
        "number": number,
        "counterparty_id": counterparty_id,
        "signed_on": days(-10),
        "valid_from": days(-10),
        "valid_until": days(350),
        "amount": "100000.00",
        "stages": [{"name": "Перевозка", "planned_start": days(-5), "planned_end": days(30)}],
    }


def ivanov_world(client: TestClient, auth: Any) -> dict[str, str]:
    """One record of every kind, the company's configuration, and Ivanov's team's sales."""
    api = Api(client, auth)
    ids: dict[str, str] = {}
    ids["pipeline"] = api.write("head", "post", "/pipelines", {"name": "Основная", "stages": STAGES})["id"]
    ids["item"] = api.write("admin", "post", "/catalogue", ITEM)["id"]
    api.write("admin", "post", "/refusal-reasons", {"code": "price", "label": "Дорого"})
    ids["counterparty"] = api.write("ivanov", "post", "/counterparties", {"name": "ООО «Ёлка-Транс»"})["id"]
    ids["contact"] = api.write(
        "ivanov", "post", "/contacts", {"counterparty_id": ids["counterparty"], "full_name": "Орлова Елена"}
    )["id"]
    ids["private_contact"] = api.write("ivanov", "post", "/contacts", {"full_name": "Частный Клиент"})["id"]
    meeting = {"kind": "meeting", "agenda": "Тарифы"}
    ids["interaction"] = api.write(
        "ivanov",
        "post",
        "/interactions",
        {
            "counterparty_id": ids["counterparty"],
            "contact_ids": [ids["contact"]],
            "subject": "Встреча",
            "details": meeting,
        },
    )["id"]
    ids["private_interaction"] = api.write(
        "ivanov",
        "post",
        "/interactions",
        {"contact_ids": [ids["private_contact"]], "subject": "Звонок частнику", "details": meeting},
    )["id"]
    ids["inquiry"] = an_inquiry(api, ids["counterparty"], moment(48))
    api.write(
        "ivanov",
        "post",
        f"/inquiries/{ids['inquiry']}/quote-tasks",
        {
            "department": "Логистика",
            "assignee_id": api.read("petrova", "/employees/me")["id"],
            "question": "Ставка?",
            "due": moment(24),
        },
    )
    ids["deal"] = api.write(
        "ivanov",
        "post",
        "/deals",
        {
            "counterparty_id": ids["counterparty"],
            "pipeline_id": ids["pipeline"],
            "amount": "500000.00",
            "expected_close_on": days(60),
        },
    )["id"]
    ids["contract"] = api.write("ivanov", "post", "/contracts", contract_body(ids["counterparty"]))["id"]
    ids["order"] = api.write(
        "ivanov",
        "post",
        "/orders",
        {
            "counterparty_id": ids["counterparty"],
            "contract_id": ids["contract"],
            "amount": "30000",
            "expected_on": days(7),
        },
    )["id"]
    ids["payment"] = api.write(
        "ivanov",
        "post",
        "/payments",
        {"contract_id": ids["contract"], "amount": "10000", "received_on": days(0)},
    )["id"]
    me = api.read("ivanov", "/employees/me")
    ids["ivanov"] = me["id"]
    ids["token"] = api.read("ivanov", "/employees/me/tokens")[0]["token_id"]
    ids["calendar_feed"] = api.write("ivanov", "post", f"/employees/{me['id']}/calendar-feeds")["feed_id"]
    ids.update(planning_world(api, ids))
    ids["sales_plan"] = api.write(
        "admin",
        "post",
        "/sales-plans",
        {
            "period": TODAY.strftime("%Y-%m"),
            "target_kind": "employee",
            "target_id": me["id"],
            "measure": "won_amount",
            "amount": "1000000.00",
            "currency": "RUB",
            "reason": "План на месяц",
        },
    )["id"]
    return ids


def dashboard_world(api: Api) -> dict[str, str]:
    """Ivanov's world with something on every chart: a lost deal, a stage under way."""
    ids = ivanov_world(api.client, api.auth)
    deal = api.write(
        "ivanov",
        "post",
        "/deals",
        {"counterparty_id": ids["counterparty"], "pipeline_id": ids["pipeline"], "amount": "1000.00"}
        | {"expected_close_on": days(30)},
    )
    api.write("ivanov", "post", f"/deals/{deal['id']}/lost", {"reason_code": "price"})
    started = api.write(
        "ivanov",
        "post",
        f"/contracts/{ids['contract']}/stage-starts",
        {"stage": "Перевозка", "started_on": days(-4)},
    )
    ids["position"] = str(started["position"])
    return ids


def planning_world(api: Api, ids: dict[str, str]) -> dict[str, str]:
    """Ivanov's planned meeting with the client, his own task, his reminder, a meeting he
    recorded, and a room he booked."""
    planned: dict[str, str] = {}
    planned["activity"] = api.write("ivanov", "post", "/activities", activity_body(ids["counterparty"]))["id"]
    planned["task"] = api.write(
        "ivanov",
        "post",
        "/tasks",
        {"title": "Сверка", "due_on": days(3), "counterparty_id": ids["counterparty"]},
    )["id"]
    planned["reminder"] = api.write(
        "ivanov", "post", "/reminders", {"remind_at": moment(2), "text": "Позвонить"}
    )["id"]
    meeting = api.write("ivanov", "post", "/internal-meetings", meeting_body(ids["ivanov"]))
    planned["meeting"] = meeting["id"]
    recorded = api.read("ivanov", f"/internal-meetings/{meeting['id']}", after=meeting["position"])
    planned["decision"] = recorded["decisions"][0]["decision_id"]
    planned["resource"] = api.write(
        "head", "post", "/resources", {"name": "Переговорная «Нева»", "kind": "meeting_room"}
    )["id"]
    booked = api.write(
        "ivanov",
        "post",
        f"/resources/{planned['resource']}/bookings",
        {"starts_at": moment(24), "ends_at": moment(25)},
    )
    planned["booking"] = api.read(
        "ivanov", "/resources/bookings", after=booked["position"], since=moment(0), until=moment(48)
    )[0]["booking_id"]
    return planned


def activity_body(counterparty_id: str) -> dict[str, Any]:
    return {
        "kind": "meeting",
        "subject": "Встреча о тарифах",
        "counterparty_id": counterparty_id,
        "starts_at": moment(24),
        "duration_minutes": 60,
    }


def meeting_body(attendee_id: str) -> dict[str, Any]:
    return {
        "title": "Планёрка команды",
        "starts_at": moment(-2),
        "ends_at": moment(-1),
        "attendee_ids": [attendee_id],
        "decisions": ["Обзвонить клиентов"],
    }
