"""The OpenAPI document is good enough to generate a client from: every route with readable
operation ids, the statuses each can return with one error body, money as decimal text,
times as date-time and ids as UUIDs."""

import importlib
import pkgutil
import re
from typing import Any

import pytest
from fastapi.routing import APIRoute

import read_api.routers
from letopis.settings import Settings
from letopis.wiring import build
from read_api.app import create_app

API_PREFIX = "/api/v1"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    throwaway = build(Settings(database_url="memory://"))
    try:
        return create_app(throwaway).openapi()
    finally:
        throwaway.close()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]


def defined_routes() -> list[tuple[str, str]]:
    routes = []
    for module_info in pkgutil.iter_modules(read_api.routers.__path__):
        module = importlib.import_module(f"read_api.routers.{module_info.name}")
        for route in module.router.routes:
            assert isinstance(route, APIRoute)
            prefix = "" if route.path == "/health" else API_PREFIX
            routes += [(f"{prefix}{route.path}", method.lower()) for method in route.methods or ()]
    return routes


def schema_of(document: dict[str, Any], name: str) -> dict[str, Any]:
    return dict(document["components"]["schemas"][name]["properties"])


def test_every_route_is_described_with_a_body_for_every_answer(document) -> None:
    paths = document["paths"]
    for path, method in defined_routes():
        assert method in paths.get(path, {}), f"{method.upper()} {path} is missing from the document"
        answers = paths[path][method]["responses"]
        assert any(status.startswith("2") for status in answers), f"{method.upper()} {path}: no success"
        for status, answer in answers.items():
            # A calendar feed answers text/calendar; every other answer is JSON.
            content = answer.get("content", {})
            body = content.get("application/json", content.get("text/calendar", {})).get("schema")
            assert body, f"{method.upper()} {path} {status} has no response schema"
            if status.startswith(("4", "5")):
                assert body == {"$ref": "#/components/schemas/Problem"}, f"{method.upper()} {path} {status}"


def test_operation_ids_are_unique_readable_names(document) -> None:
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", operation_id) for operation_id in ids), ids
    assert {"list_counterparties", "get_counterparty", "register_counterparty", "log_interaction"} <= set(ids)


def test_reads_declare_no_conflict_and_writes_declare_theirs(document) -> None:
    for method, path, operation in operations(document):
        statuses = set(operation["responses"])
        if not path.startswith(API_PREFIX):
            continue
        assert {"401", "422", "429", "503"} <= statuses, f"{method.upper()} {path}"
        if method == "get" or operation.get("x-read-only"):
            assert "409" not in statuses, f"{method.upper()} {path} reads and cannot conflict"
        else:
            assert {"403", "409"} <= statuses, f"{method.upper()} {path}"


def test_money_is_decimal_text_times_are_date_time_and_ids_are_uuids(document) -> None:
    card = schema_of(document, "CounterpartyCard")
    assert card["id"]["format"] == "uuid"
    assert card["registered_at"]["format"] == "date-time"
    contract = schema_of(document, "ContractRow")
    for money in ("amount", "paid", "overpaid"):
        assert contract[money]["type"] == "string", money
        assert "pattern" in contract[money], money
    order = schema_of(document, "PlaceOrder")
    assert order["amount"]["type"] == "string"
    assert "pattern" in order["amount"]
    assert order["counterparty_id"]["format"] == "uuid"
    (counterparty_id,) = document["paths"][f"{API_PREFIX}/counterparties/{{counterparty_id}}"]["get"][
        "parameters"
    ][:1]
    assert counterparty_id["schema"]["format"] == "uuid"
    assert schema_of(document, "LogInteraction")["occurred_at"]["anyOf"][0]["format"] == "date-time"


def test_a_patch_shows_which_fields_may_be_cleared_with_null(document) -> None:
    change = schema_of(document, "ChangeCounterpartyProfile")
    assert "anyOf" not in change["name"]
    assert "anyOf" not in change["classifiers"]
    assert {"type": "null"} in change["region"]["anyOf"]
