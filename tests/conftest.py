"""Fixtures shared by every test: the three stores, and a Letopis wired to each."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from aggregates.employee import Role
from aggregates.scope import Actor
from letopis.cli import console
from letopis.settings import Settings
from letopis.wiring import Letopis, build
from tests.kafka_broker import tansu_broker
from tests.postgres_server import postgres_server

STORES = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with postgres_server() as url:
        yield url


@contextmanager
def fresh_schema(postgres_url: str) -> Iterator[str]:
    """A database URL pointing at a schema of its own, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{postgres_url}?schema={schema}"
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def postgres_schema_url(postgres_url: str) -> Iterator[str]:
    with fresh_schema(postgres_url) as url:
        yield url


def database_url(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if kind == "memory":
        return "memory://"
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'events.sqlite'}"
    return str(request.getfixturevalue("postgres_schema_url"))


@pytest.fixture(params=STORES)
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def letopis(store_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Letopis]:
    # No background analytics export or replays: the tests that read the analytics store or
    # checkpoints make them when they mean to, and an export at every app's start would cost
    # each test a second or two.
    settings = Settings(
        database_url=database_url(store_kind, tmp_path, request),
        data_dir=tmp_path,
        analytics_events_seconds=0,
        analytics_views_seconds=0,
        replay_checkpoint_seconds=0,
    )
    built = build(settings)
    yield built
    built.close()


def hire(
    letopis: Letopis,
    full_name: str,
    role: Role,
    team: str | None = None,
    department: str | None = None,
) -> tuple[Actor, str]:
    """An employee with a token, as the identities view sees them."""
    employee_id, token = letopis.create_user(full_name, role, team, department)
    return Actor(employee_id, full_name, role, team, department), token


@pytest.fixture
def staff(letopis: Letopis) -> dict[str, tuple[Actor, str]]:
    """A small sales organisation: two teams in one department, a second department, and
    the roles that only read or administer."""
    people = {
        "ivanov": hire(letopis, "Иванов Иван", Role.MANAGER, "Москва-1", "Продажи"),
        "petrova": hire(letopis, "Петрова Анна", Role.MANAGER, "Москва-1", "Продажи"),
        "sidorov": hire(letopis, "Сидоров Пётр", Role.MANAGER, "Москва-2", "Продажи"),
        "kuznetsova": hire(letopis, "Кузнецова Ольга", Role.MANAGER, "Питер", "Северо-Запад"),
        "head": hire(letopis, "Смирнов Олег", Role.HEAD_OF_SALES, None, "Продажи"),
        "auditor": hire(letopis, "Волкова Мария", Role.AUDITOR),
        "analyst": hire(letopis, "Морозов Денис", Role.ANALYST),
        "admin": hire(letopis, "Администратор", Role.ADMIN),
    }
    letopis.runner.catch_up()
    return people


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """A Kafka-compatible broker for the whole run (each test uses topics of its own)."""
    with tansu_broker() as broker:
        yield broker.address


@pytest.fixture
def console_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A SQLite store the ``crm`` command line finds through its environment, with the
    console wide enough that tables are not folded."""
    url = f"sqlite:///{tmp_path / 'events.sqlite'}"
    monkeypatch.setenv("LETOPIS_DATABASE_URL", url)
    monkeypatch.setattr(console, "width", 250)
    return Settings(database_url=url, data_dir=tmp_path)
