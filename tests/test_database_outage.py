"""PostgreSQL going away and coming back: a server of the tests' own, stopped and started
again on its port while the API, the projection worker and the command line use it."""

import logging
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from aggregates.employee import Role
from commands.registry import command_registry
from commands.service import WriteService
from event_store.errors import DatabaseUnavailable
from event_store.store import EventStore
from letopis.cli import app
from letopis.settings import Settings
from letopis.wiring import Letopis, all_projections, build, replay_checkpoints, utc_now
from projections.postgres import PostgresViews
from projections.runner import ProjectionRunner
from projections.worker import ProjectionWorker
from read_api.app import create_app
from replay.past_views import PastViews
from tests.postgres_server import ThrowawayServer, restartable_server

pytestmark = pytest.mark.postgres

# Small enough that a test waits little for a server that is away; the point is the
# outcome (a 503, one line), never how long it took.
TIMEOUT = 1.0
# More requests in a row than the event store keeps connections (up to 20 under load).
ENOUGH_TO_USE_EVERY_CONNECTION = 25
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def server() -> Iterator[ThrowawayServer]:
    with restartable_server() as started:
        yield started


@pytest.fixture
def running(server: ThrowawayServer) -> Iterator[ThrowawayServer]:
    """The module's server, up at the start and at the end of each test."""
    if not _answers(server):
        server.start()
    yield server
    if not _answers(server):
        server.start()


def _answers(server: ThrowawayServer) -> bool:
    try:
        psycopg.connect(server.url, connect_timeout=2).close()
    except psycopg.OperationalError:
        return False
    return True


@pytest.fixture
def url(running: ThrowawayServer) -> str:
    """A schema of the test's own, created by whoever first uses it."""
    return f"{running.url}?schema=t_{uuid.uuid4().hex[:16]}"


@pytest.fixture
def letopis(url: str, tmp_path: Path) -> Iterator[Letopis]:
    built = build(Settings(database_url=url, data_dir=tmp_path, database_timeout=TIMEOUT))
    yield built
    built.close()


def _names_the_server(server: ThrowawayServer) -> Callable[[str], bool]:
    return lambda text: f"127.0.0.1:{server.port}" in text


def _unavailable(response: httpx.Response, server: ThrowawayServer) -> None:
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "database_unavailable"
    assert _names_the_server(server)(body["detail"])
    assert body["errors"] == []
    assert int(response.headers["Retry-After"]) > 0


def test_the_api_answers_503_while_postgres_is_away_and_every_request_succeeds_once_it_is_back(
    letopis: Letopis, running: ThrowawayServer
) -> None:
    _, token = letopis.create_user("Иванов Иван", Role.ADMIN, None, None)
    letopis.runner.catch_up()
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(letopis)) as client:
        assert client.get("/api/v1/employees/me", headers=headers).status_code == 200

        running.stop()
        _unavailable(client.get("/api/v1/employees/me", headers=headers), running)
        _unavailable(client.get("/api/v1/employees", headers=headers), running)

        running.start()
        answers = [
            client.get("/api/v1/employees", headers=headers).status_code
            for _ in range(ENOUGH_TO_USE_EVERY_CONNECTION)
        ]
        assert answers == [200] * ENOUGH_TO_USE_EVERY_CONNECTION


def test_a_write_answers_503_while_the_event_store_is_away_and_succeeds_once_it_is_back(
    url: str, running: ThrowawayServer, postgres_schema_url: str
) -> None:
    """The views live on another server here, so that authentication passes and the write
    reaches the event store."""
    settings = Settings(database_url=url, database_timeout=TIMEOUT)
    store = EventStore(url, TIMEOUT)
    views_url, schema = postgres_schema_url.split("?schema=")
    views = PostgresViews(views_url, schema, TIMEOUT)
    runner = ProjectionRunner(store, views, all_projections())
    runner.create_tables()
    service = WriteService(store, utc_now, command_registry())
    letopis = Letopis(settings, store, views, runner, service, PastViews(store, replay_checkpoints(settings)))
    try:
        _, token = letopis.create_user("Иванов Иван", Role.MANAGER, "Москва-1", "Продажи")
        runner.catch_up()
        headers = {"Authorization": f"Bearer {token}"}

        def register(number: int) -> int:
            body = {"name": f"ООО Ромашка {number}"}
            return client.post("/api/v1/counterparties", headers=headers, json=body).status_code

        with TestClient(create_app(letopis)) as client:
            assert register(0) == 201
            running.stop()
            response = client.post("/api/v1/counterparties", headers=headers, json={"name": "ООО Лютик"})
            _unavailable(response, running)
            running.start()
            created = [register(number) for number in range(1, ENOUGH_TO_USE_EVERY_CONNECTION + 1)]
            assert created == [201] * ENOUGH_TO_USE_EVERY_CONNECTION
    finally:
        letopis.close()


def test_a_restart_costs_no_request_even_when_nobody_asked_while_it_was_away(
    letopis: Letopis, running: ThrowawayServer
) -> None:
    """Every pooled connection died with the old server; none of them may reach a caller."""
    _, token = letopis.create_user("Иванов Иван", Role.ADMIN, None, None)
    letopis.runner.catch_up()
    headers = {"Authorization": f"Bearer {token}"}

    def hire(number: int) -> int:
        body = {"full_name": f"Аудитор {number}", "role": "auditor"}
        return client.post("/api/v1/employees", headers=headers, json=body).status_code

    with TestClient(create_app(letopis)) as client:
        assert client.get("/api/v1/employees", headers=headers).status_code == 200
        running.stop()
        running.start()
        hired = [hire(number) for number in range(ENOUGH_TO_USE_EVERY_CONNECTION)]
        assert hired == [201] * ENOUGH_TO_USE_EVERY_CONNECTION
        assert letopis.store.head() >= ENOUGH_TO_USE_EVERY_CONNECTION


def test_the_event_store_names_the_server_and_the_reason_when_it_is_away(
    url: str, running: ThrowawayServer
) -> None:
    store = EventStore(url, TIMEOUT)
    try:
        running.stop()
        with pytest.raises(DatabaseUnavailable) as away:
            store.head()
        assert _names_the_server(running)(str(away.value))
        assert away.value.reason == "Connection refused"
        running.start()
        heads = [store.head() for _ in range(ENOUGH_TO_USE_EVERY_CONNECTION)]
        assert heads == [0] * ENOUGH_TO_USE_EVERY_CONNECTION
    finally:
        store.close()


def test_nothing_is_built_on_a_server_that_is_away(
    url: str, running: ThrowawayServer, tmp_path: Path
) -> None:
    running.stop()
    with pytest.raises(DatabaseUnavailable) as away:
        build(Settings(database_url=url, data_dir=tmp_path, database_timeout=TIMEOUT))
    assert str(away.value) == f"PostgreSQL at 127.0.0.1:{running.port} is unavailable: Connection refused"


def test_the_worker_says_once_per_attempt_that_the_database_is_away_and_resumes_by_itself(
    letopis: Letopis, running: ThrowawayServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="projections.worker")
    worker = ProjectionWorker(letopis.runner, interval=0.05, longest_wait=0.4)
    worker.start()
    try:
        running.stop()
        attempts = _wait_for(lambda: _worker_lines(caplog) if len(_worker_lines(caplog)) >= 4 else None)
        assert all(record.exc_info is None and record.levelno == logging.WARNING for record in attempts)
        assert all(_names_the_server(running)(record.getMessage()) for record in attempts)
        assert all("\n" not in record.getMessage() for record in attempts)
        waits = [float(re.findall(r"next attempt in ([\d.]+) s", r.getMessage())[0]) for r in attempts]
        assert waits == sorted(waits)
        assert waits[-1] > waits[0]

        running.start()
        letopis.create_user("Петрова Анна", Role.AUDITOR, None, None)
        head = letopis.store.head()
        assert _wait_for(lambda: letopis.runner.reflected_position() >= head or None)
    finally:
        worker.stop()


def _worker_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "projections.worker"]


T = TypeVar("T")


def _wait_for(outcome: Callable[[], T | None], deadline: float = 60.0) -> T:
    """Poll until ``outcome`` gives something; the deadline only keeps a broken run from hanging."""
    give_up = time.monotonic() + deadline
    while (found := outcome()) is None:
        assert time.monotonic() < give_up, "the outcome never came"
        time.sleep(0.1)
    return found


def _crm(url: str, tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "LETOPIS_DATABASE_URL": url,
        "LETOPIS_DATABASE_TIMEOUT": str(TIMEOUT),
        "LETOPIS_DATA_DIR": str(tmp_path),
    }
    return subprocess.run(
        [sys.executable, "-c", "from letopis.cli import app; app()", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("arguments", [("users", "create", "Иванов Иван"), ("serve",)])
def test_a_command_reports_a_server_that_is_away_in_one_line(
    url: str, running: ThrowawayServer, tmp_path: Path, arguments: tuple[str, ...]
) -> None:
    running.stop()
    finished = _crm(url, tmp_path, *arguments)
    assert finished.returncode != 0
    assert finished.stdout == ""
    # The reason is libpq's: usually "Connection refused", but a server caught shutting down
    # (or another test's taking the freed port) closes the connection instead.
    [line] = finished.stderr.splitlines()
    assert line.startswith(f"PostgreSQL at 127.0.0.1:{running.port} is unavailable: "), line


@pytest.mark.parametrize(
    "arguments",
    [
        ["projections", "status"],
        ["projections", "rebuild"],
        ["users", "token", str(uuid.uuid4())],
        ["seed"],
    ],
)
def test_every_command_reports_a_server_that_is_away_in_one_line(
    url: str, running: ThrowawayServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arguments: list[str]
) -> None:
    monkeypatch.setenv("LETOPIS_DATABASE_URL", url)
    monkeypatch.setenv("LETOPIS_DATABASE_TIMEOUT", str(TIMEOUT))
    monkeypatch.setenv("LETOPIS_DATA_DIR", str(tmp_path))
    running.stop()
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"PostgreSQL at 127.0.0.1:{running.port} is unavailable: Connection refused"
    ]


def test_a_schema_named_in_the_url_is_created_on_first_use(postgres_url: str, tmp_path: Path) -> None:
    schema = f"t_{uuid.uuid4().hex[:16]}"
    letopis = build(Settings(database_url=f"{postgres_url}?schema={schema}", data_dir=tmp_path))
    try:
        employee_id, _ = letopis.create_user("Иванов Иван", Role.ADMIN, None, None)
        letopis.runner.catch_up()
        with letopis.views.reading() as cursor:
            assert cursor.execute("SELECT full_name FROM employees WHERE id = $1", (employee_id,)) == [
                ("Иванов Иван",)
            ]
        with psycopg.connect(postgres_url) as connection:
            tables = connection.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,)
            ).fetchall()
        assert {"letopis_events", "projection_positions"} <= {name for (name,) in tables}
    finally:
        letopis.close()
        with psycopg.connect(postgres_url, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
