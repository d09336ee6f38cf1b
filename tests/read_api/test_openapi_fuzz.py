"""The web API fuzzed from its own OpenAPI document.

Whatever a client sends, valid or not, the answer is never a server error, its status code
is one the document declares for the operation, and its body matches the declared schema.
The document itself must describe every route well enough to generate a client from it.
"""

import importlib
import pkgutil
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import settings
from schemathesis import checks

import read_api.routers
from aggregates.employee import Role
from letopis.settings import Settings
from letopis.wiring import Letopis, build
from read_api.app import create_app

API_PREFIX = "/api/v1"


@pytest.fixture(scope="module")
def memory_letopis() -> Iterator[Letopis]:
    built = build(Settings(database_url="memory://"))
    yield built
    built.close()


@pytest.fixture(scope="module")
def app(memory_letopis: Letopis) -> FastAPI:
    return create_app(memory_letopis)


@pytest.fixture(scope="module")
def manager_headers(memory_letopis: Letopis, app: FastAPI) -> dict[str, str]:
    """A manager with one client on file, so that reads also return cards, not only 404s."""
    _, token = memory_letopis.create_user("Иванов Иван", Role.MANAGER, "Москва-1", "Продажи")
    memory_letopis.runner.catch_up()
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(app) as client:
        created = client.post(
            f"{API_PREFIX}/counterparties",
            json={"name": "ООО «Ромашка»", "tax_id": "7701234567", "phones": ["+7 (495) 123-45-67"]},
            headers=headers,
        )
        assert created.status_code == 201, created.text
    memory_letopis.runner.catch_up()
    return headers


def openapi_document() -> dict[str, Any]:
    """The document is the same for every backend; the fuzzed calls go to the fixture's app."""
    throwaway = build(Settings(database_url="memory://"))
    try:
        return create_app(throwaway).openapi()
    finally:
        throwaway.close()


schema = schemathesis.openapi.from_dict(openapi_document())


@schema.parametrize()
@settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
)
def test_every_answer_is_declared_and_never_a_server_error(case, app, manager_headers):
    case.call_and_validate(
        app=app,
        headers=manager_headers,
        checks=[
            checks.not_a_server_error,
            checks.status_code_conformance,
            checks.content_type_conformance,
            checks.response_schema_conformance,
        ],
    )


def defined_operations() -> list[tuple[str, str]]:
    """(path, method) of every route the router modules define, as the app serves them."""
    operations = []
    for module_info in pkgutil.iter_modules(read_api.routers.__path__):
        module = importlib.import_module(f"read_api.routers.{module_info.name}")
        # The health check sits outside the API, where a container's healthcheck finds it.
        prefix = "" if module_info.name == "health" else API_PREFIX
        for route in module.router.routes:
            assert isinstance(route, APIRoute)
            operations += [(f"{prefix}{route.path}", method.lower()) for method in route.methods or ()]
    return operations


def test_the_document_describes_every_route_and_the_body_of_every_answer():
    paths = openapi_document()["paths"]
    operations = defined_operations()

    assert operations
    for path, method in operations:
        assert method in paths.get(path, {}), f"{method.upper()} {path} is missing from the document"
        answers = paths[path][method]["responses"]
        assert any(status.startswith("2") for status in answers), f"{method.upper()} {path}: no success"
        for status, answer in answers.items():
            body = answer.get("content", {}).get("application/json", {}).get("schema")
            assert body, f"{method.upper()} {path} {status} has no response schema"


def test_every_operation_has_its_own_id_for_generated_client_methods():
    operation_ids = [
        operation["operationId"]
        for operations in openapi_document()["paths"].values()
        for operation in operations.values()
    ]

    assert len(operation_ids) == len(set(operation_ids))
