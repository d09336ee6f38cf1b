"""A handler that fails stops only its own view, just before the event it cannot apply; the
view is tried again with backoff and at start, and a failure of the views database itself
fails the whole batch instead."""

import gc
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aggregates.employee import Employee, Role
from event_store.errors import DatabaseUnavailable
from letopis import cli
from letopis.settings import Settings
from letopis.wiring import Letopis, all_projections, build
from projections.projection import Projection, on
from projections.rebuilds import RebuildFailed
from projections.runner import ProjectionRunner
from projections.status import ViewStatus
from projections.tables import Kind, Table
from projections.writes import Rows, Writes
from tests.projections.poison import OUT_OF_RANGE, append_call

NAMES = Table("hired_names", {"position": Kind.BIGINT, "full_name": Kind.TEXT}, key=("position",))


class HiredNames(Projection[Rows]):
    """Names of the hired, in a column that refuses NULL: one name it is told to refuse
    becomes NULL, so the database itself turns its event down."""

    name = "hired_names"
    tables = (NAMES,)

    def __init__(self, refused: str | None = "Сбой Сбоевич") -> None:
        self.refused = refused

    def open(self, writes: Writes) -> Rows:
        return writes.rows(NAMES)

    @on(Employee.Hired)
    def _hired(self, view: Rows, event: Employee.Hired, position: int) -> None:
        refused = event.full_name == self.refused
        view.put({"position": position, "full_name": None if refused else event.full_name})


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def runner_with(letopis: Letopis, extra: Projection, clock: Clock | None = None) -> ProjectionRunner:
    runner = ProjectionRunner(
        letopis.store, letopis.views, [*all_projections(), extra], clock=clock or Clock()
    )
    runner.create_tables()
    return runner


def hire_three(letopis: Letopis) -> int:
    """Hire three people, the second of them one that HiredNames refuses; return the log
    position of that hire."""
    for full_name in ("Иванов Иван", "Сбой Сбоевич", "Петрова Анна"):
        letopis.create_user(full_name, Role.MANAGER, "Москва-1", "Продажи")
    hired = letopis.store.read(after=0, limit=100)
    return next(r.position for r in hired if getattr(r.event, "full_name", None) == "Сбой Сбоевич")


def views(runner: ProjectionRunner) -> dict[str, ViewStatus]:
    return {view.name: view for view in runner.status()}


def hired_names(letopis: Letopis) -> list[str]:
    with letopis.views.reading() as cursor:
        return [name for (name,) in cursor.execute("SELECT full_name FROM hired_names ORDER BY position")]


def test_the_view_keeps_what_came_before_the_failing_event_and_the_others_commit(letopis) -> None:
    runner = runner_with(letopis, HiredNames())
    refused = hire_three(letopis)

    reached = runner.catch_up()

    head = letopis.store.head()
    status = views(runner)
    stopped = status.pop("hired_names")
    assert reached == runner.reflected_position() == head
    assert {(view.state, view.position) for view in status.values()} == {("running", head)}
    assert stopped.state == "stopped"
    assert stopped.position == refused - 1
    assert stopped.failure is not None
    assert (stopped.failure.position, stopped.failure.topic, stopped.failure.attempts) == (
        refused,
        "aggregates.employee:Employee.Hired",
        1,
    )
    assert "IntegrityError" in stopped.failure.error_type or "NotNullViolation" in stopped.failure.error_type
    assert hired_names(letopis) == ["Иванов Иван"]
    with letopis.views.reading() as cursor:
        hired = [name for (name,) in cursor.execute("SELECT full_name FROM employees ORDER BY full_name")]
    assert hired == ["Иванов Иван", "Петрова Анна", "Сбой Сбоевич"]
    assert gc.isenabled(), "the collector is held off only while a batch is applied"


def test_a_stopped_view_is_tried_again_with_backoff_and_at_start_then_resumes(letopis) -> None:
    clock = Clock()
    view = HiredNames()
    runner = runner_with(letopis, view, clock)
    hire_three(letopis)

    def attempts_at(moment: float, tried: ProjectionRunner = runner) -> int | None:
        clock.now = moment
        tried.catch_up()
        failure = views(tried)["hired_names"].failure
        return None if failure is None else failure.attempts

    first = [attempts_at(moment) for moment in (0.0, 4.9, 5.0, 14.9, 15.0, 34.9, 35.0)]
    restarted = runner_with(letopis, view, clock)
    at_start = attempts_at(35.1, restarted)
    view.refused = None
    still_waiting = attempts_at(115.0, restarted)
    resumed = attempts_at(115.1, restarted)

    assert first == [1, 1, 2, 2, 3, 3, 4]
    assert at_start == 5
    assert (still_waiting, resumed) == (5, None)
    assert views(restarted)["hired_names"].position == letopis.store.head()
    assert hired_names(letopis) == ["Иванов Иван", "Сбой Сбоевич", "Петрова Анна"]


def test_a_rebuild_is_strict_it_stops_at_the_event_and_the_stopped_view_answers_meanwhile(letopis) -> None:
    view = HiredNames()
    runner = runner_with(letopis, view)
    refused = hire_three(letopis)
    runner.catch_up()

    with pytest.raises(RebuildFailed) as failed:
        runner.rebuild(["hired_names"])
    during = views(runner)["hired_names"]
    answered = hired_names(letopis)

    assert (failed.value.name, failed.value.position) == ("hired_names", refused)
    assert during.state == "stopped"
    assert during.failure is not None
    assert during.failure.position == refused
    assert during.build is not None
    assert (during.build.failed_position, during.build.position) == (refused, 0)
    assert "full_name" in (during.build.error or "")
    assert answered == ["Иванов Иван"]


def test_a_rebuild_of_the_corrected_view_clears_its_failure(letopis) -> None:
    view = HiredNames()
    runner = runner_with(letopis, view)
    hire_three(letopis)
    runner.catch_up()

    view.refused = None
    runner.rebuild(["hired_names"])
    rebuilt = views(runner)["hired_names"]

    assert (rebuilt.state, rebuilt.position, rebuilt.failure, rebuilt.build) == (
        "running",
        letopis.store.head(),
        None,
        None,
    )
    assert hired_names(letopis) == ["Иванов Иван", "Сбой Сбоевич", "Петрова Анна"]


def test_a_new_version_that_cannot_apply_an_event_leaves_the_old_one_answering(letopis) -> None:
    runner = runner_with(letopis, HiredNames(refused=None))
    refused = hire_three(letopis) + 2  # Hired, then TokenIssued, for each
    runner.catch_up()

    class NextVersion(HiredNames):
        version = 2

    next_version = runner_with(letopis, NextVersion(refused="Петрова Анна"))
    next_version.catch_up()
    waiting = views(next_version)["hired_names"]

    assert (waiting.state, waiting.version, waiting.current_version) == ("rebuilding", 1, 2)
    assert waiting.failure is None
    assert waiting.build is not None
    assert waiting.build.failed_position == refused
    assert hired_names(letopis) == ["Иванов Иван", "Сбой Сбоевич", "Петрова Анна"]
    # Reads that wait for a position do not wait for a view awaiting its new version.
    assert next_version.reflected_position() == letopis.store.head()


class LosesItsConnection(Projection[Writes]):
    """A view whose handler ends its own database session, once."""

    name = "loses_its_connection"
    tables = (Table("outlived", {"position": Kind.BIGINT}, key=("position",)),)

    def __init__(self) -> None:
        self.sessions_to_end = 1

    def open(self, writes: Writes) -> Writes:
        return writes

    @on(Employee.Hired)
    def _hired(self, view: Writes, _event: Employee.Hired, position: int) -> None:
        if self.sessions_to_end:
            self.sessions_to_end -= 1
            view.cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        view.cursor.execute("INSERT INTO outlived (position) VALUES ($1)", (position,))


@pytest.mark.parametrize("store_kind", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_a_lost_database_connection_fails_the_whole_batch_and_stops_no_view(letopis) -> None:
    runner = runner_with(letopis, LosesItsConnection())
    before = runner.positions()
    letopis.create_user("Иванов Иван", Role.MANAGER, "Москва-1", "Продажи")

    with pytest.raises(DatabaseUnavailable):
        runner.catch_up()
    after_failure = runner.status()
    runner.catch_up()

    assert {view.name: view.position for view in after_failure} == before
    assert all(view.failure is None for view in after_failure)
    assert {(view.state, view.position) for view in runner.status()} == {("running", letopis.store.head())}


def test_status_shows_where_and_why_a_view_stopped(tmp_path: Path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'events.sqlite'}"
    letopis = build(Settings(database_url=url, data_dir=tmp_path))
    try:
        employee_id, _ = letopis.create_user("Иванов Иван", Role.MANAGER, "Москва-1", "Продажи")
        poison = append_call(letopis, employee_id, employee_id, "Звонок из прошлого", OUT_OF_RANGE)
        letopis.runner.catch_up()
    finally:
        letopis.close()
    monkeypatch.setenv("LETOPIS_DATABASE_URL", url)
    monkeypatch.setattr(cli.console, "width", 300)

    result = CliRunner().invoke(cli.app, ["projections", "status"])

    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"Log head: {poison}" in result.output
    (stopped,) = [line for line in lines if "stopped" in line]
    assert "relationship_history" in stopped
    assert f"{poison} aggregates.interaction:Interaction.Logged" in stopped
    assert "OverflowError: date value out of range" in stopped
    running = [line for line in lines if "running" in line]
    assert len(running) == len(all_projections()) - 1
