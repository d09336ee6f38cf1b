"""Every query and path value of every route, tried with what used to answer 500: a NUL, and
dates at the ends of the calendar. Each is a 422 naming the value, never a server error.

The routes and their parameters come from the OpenAPI document, so a new route is tried
without anyone adding it here."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.read_api.world import days, ivanov_world

CALENDAR_ENDS = {
    "date": ["0001-01-01", "9999-12-31", "1899-12-31"],
    "date-time": ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "1899-12-31T12:00:00Z"],
}


def operations(client: TestClient) -> list[tuple[str, str, dict[str, Any]]]:
    document = client.app.openapi()  # type: ignore[attr-defined]
    return [
        (method, path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
        if path.startswith("/api/v1")
    ]


def parameter_format(parameter: dict[str, Any]) -> str | None:
    schema = parameter.get("schema", {})
    for option in [schema, *schema.get("anyOf", [])]:
        if option.get("format") in CALENDAR_ENDS:
            return str(option["format"])
    return None


@pytest.fixture
def world(client, auth) -> dict[str, str]:
    return ivanov_world(client, auth)


def valid_path(path: str, world: dict[str, str], nul_in: str | None = None) -> str:
    """The path with a real id (or code) in every parameter, and a NUL in ``nul_in``."""
    values = {
        "counterparty_id": world["counterparty"],
        "contact_id": world["contact"],
        "interaction_id": world["interaction"],
        "employee_id": world["ivanov"],
        "token_id": world["token"],
        "item_id": world["item"],
        "inquiry_id": world["inquiry"],
        # A quote task is numbered within its inquiry; any other task has an id.
        "task_id": "1" if "/quote-tasks/" in path else world["task"],
        "code": "price",
        "pipeline_id": world["pipeline"],
        "deal_id": world["deal"],
        "contract_id": world["contract"],
        "order_id": world["order"],
        "payment_id": world["payment"],
        "record_id": world["contract"],
        "name": "client-value",
        "activity_id": world["activity"],
        "reminder_id": world["reminder"],
        "resource_id": world["resource"],
        "meeting_id": world["meeting"],
        "feed_id": world["calendar_feed"],
        "token": "lf_unknown",
        "plan_id": world["sales_plan"],
        "period": "2026-01",
    }
    for name, value in values.items():
        path = path.replace("{" + name + "}", "%00" if name == nul_in else value)
    assert "{" not in path, f"no value for a parameter of {path}"
    return path


def required_query(operation: dict[str, Any], world: dict[str, str]) -> dict[str, str]:
    """Valid values for the required query parameters; ``from``/``to`` are days on the calendar
    and periods on the plan forms, told apart by the declared format."""
    known = {"pipeline_id": world["pipeline"], "number": "+7 495 123-45-67", "period": "2026-10"}
    days_known = {"from": days(0), "to": days(7)}
    periods_known = {"from": "2026-10", "to": "2026-12"}
    values = {}
    for p in operation.get("parameters", []):
        if p["in"] == "query" and p.get("required"):
            dated = parameter_format(p) == "date"
            values[p["name"]] = {**known, **(days_known if dated else periods_known)}[p["name"]]
    return values


def refused(response: Any, location: str, name: str) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert [location, name] in [error["loc"][:2] for error in body["errors"]], body


def test_a_nul_in_any_query_value_is_422_naming_it(client, auth, world) -> None:
    tried = 0
    for method, path, operation in operations(client):
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            params = {**required_query(operation, world), parameter["name"]: "\x00"}
            response = client.request(
                method, valid_path(path, world), params=params, json={}, headers=auth("admin")
            )
            refused(response, "query", parameter["name"])
            tried += 1
    assert tried > 30


def test_a_nul_in_any_path_value_is_422_naming_it(client, auth, world, letopis) -> None:
    head = letopis.store.head()
    tried = 0
    for method, path, _operation in operations(client):
        for name in [part[1:-1] for part in path.split("/") if part.startswith("{")]:
            response = client.request(
                method, valid_path(path, world, nul_in=name), json={}, headers=auth("admin")
            )
            refused(response, "path", name)
            tried += 1
    assert tried > 40
    assert letopis.store.head() == head


def test_dates_at_the_ends_of_the_calendar_in_any_query_are_422(client, auth, world) -> None:
    tried = 0
    for method, path, operation in operations(client):
        for parameter in operation.get("parameters", []):
            kind = parameter_format(parameter) if parameter["in"] == "query" else None
            for value in CALENDAR_ENDS.get(kind or "", []):
                params = {**required_query(operation, world), parameter["name"]: value}
                response = client.request(
                    method, valid_path(path, world), params=params, headers=auth("head")
                )
                refused(response, "query", parameter["name"])
                tried += 1
    assert tried >= 24
