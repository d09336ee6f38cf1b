"""The web API fuzzed from its own OpenAPI document, against a seeded store on SQLite (as a
manager) and on PostgreSQL (as an administrator, whose writes reach the most code): both
stores and both roles, in half the time of every pairing of them.

Whatever a client sends, valid or not, the answer is never a server error, its status code
is one the document declares for the operation, and its body matches the declared schema.
Path ids are drawn either at random or from the seeded records, so that reads find cards and
writes reach real records, not only 404s.
"""

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import settings
from hypothesis import strategies as st
from schemathesis import checks

from aggregates.employee import Role
from letopis.settings import Settings
from letopis.wiring import Letopis, build
from read_api.app import create_app
from read_api.sign_ins import SignInLimit
from tests.conftest import fresh_schema, hire
from tests.read_api.world import ivanov_world

API_PREFIX = "/api/v1"


def openapi_document() -> dict[str, Any]:
    """The document is the same for every backend; the fuzzed calls go to the fixture's app."""
    throwaway = build(Settings(database_url="memory://"))
    try:
        return create_app(throwaway).openapi()
    finally:
        throwaway.close()


schema = schemathesis.openapi.from_dict(openapi_document())
SEEDED: dict[str, str] = {}
"""Path parameter → a seeded record's id, for the backend being fuzzed now."""


@schema.hook
def flatmap_path_parameters(_ctx: Any, parameters: dict[str, Any] | None) -> Any:
    if not parameters:
        return st.just(parameters)
    seeded = {name: SEEDED.get(name, value) for name, value in parameters.items()}
    return st.sampled_from([parameters, seeded])


def seed(letopis: Letopis) -> dict[str, str]:
    """Staff, Ivanov's team's records of every kind, and an employee of their own for the
    routes that change employees, so that fuzzing them never locks the fuzzing users out."""
    staff = {
        "ivanov": hire(letopis, "Иванов Иван", Role.MANAGER, "Москва-1", "Продажи"),
        "petrova": hire(letopis, "Петрова Анна", Role.MANAGER, "Москва-1", "Продажи"),
        "head": hire(letopis, "Смирнов Олег", Role.HEAD_OF_SALES, None, "Продажи"),
        "admin": hire(letopis, "Администратор", Role.ADMIN),
    }
    scratch, _ = hire(letopis, "Пробный Сотрудник", Role.MANAGER, "Москва-2", "Продажи")
    scratch_token = letopis.issue_token(scratch.employee_id, "пробный")
    letopis.runner.catch_up()
    with TestClient(create_app(letopis)) as client:
        world = ivanov_world(client, lambda who: {"Authorization": f"Bearer {staff[who][1]}"})
    letopis.runner.catch_up()
    SEEDED.clear()
    SEEDED.update(
        counterparty_id=world["counterparty"],
        contact_id=world["contact"],
        interaction_id=world["interaction"],
        item_id=world["item"],
        inquiry_id=world["inquiry"],
        pipeline_id=world["pipeline"],
        deal_id=world["deal"],
        contract_id=world["contract"],
        order_id=world["order"],
        payment_id=world["payment"],
        plan_id=world["sales_plan"],
        employee_id=scratch.employee_id,
        token_id=scratch_token.token_id,
        task_id="1",
        code="price",
        activity_id=world["activity"],
        reminder_id=world["reminder"],
        resource_id=world["resource"],
        meeting_id=world["meeting"],
        feed_id=world["calendar_feed"],
    )
    return {"manager": staff["ivanov"][1], "admin": staff["admin"][1]}


@pytest.fixture(
    scope="module",
    params=[
        pytest.param(("sqlite", "manager"), id="sqlite-manager"),
        pytest.param(("postgres", "admin"), id="postgres-admin", marks=pytest.mark.postgres),
    ],
)
def seeded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    """The seeded store and the token of the role fuzzing it."""
    store, role = request.param
    with ExitStack() as stack:
        if store == "sqlite":
            folder: Path = tmp_path_factory.mktemp("fuzz")
            store_settings = Settings(database_url=f"sqlite:///{folder / 'events.sqlite'}", data_dir=folder)
        else:
            store_settings = Settings(
                database_url=stack.enter_context(fresh_schema(request.getfixturevalue("postgres_url")))
            )
        letopis = build(store_settings)
        stack.callback(letopis.close)
        yield letopis, seed(letopis)[role]


@pytest.fixture(scope="module")
def target(seeded: tuple) -> tuple[FastAPI, dict[str, str]]:
    letopis, token = seeded
    # Fuzzed requests that send a token of their own fail to sign in; the default limit would
    # soon answer every request with 429 and leave the rest of the run untried.
    unlimited = SignInLimit(failures=1_000_000, window_seconds=1)
    return create_app(letopis, unlimited), {"Authorization": f"Bearer {token}"}


@schema.parametrize()
@settings(max_examples=12, derandomize=True, deadline=None)
def test_every_answer_is_declared_and_never_a_server_error(case, target):
    app, headers = target
    case.call_and_validate(
        app=app,
        headers=headers,
        checks=[
            checks.not_a_server_error,
            checks.status_code_conformance,
            checks.content_type_conformance,
            checks.response_schema_conformance,
        ],
    )
