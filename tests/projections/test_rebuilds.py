"""Rebuilds beside the live views: each view rebuilt alone equals the full rebuild; reads
during a rebuild answer from the old version, whole; a rebuild killed half-way leaves the old
version serving and is resumed by the next process, or started afresh."""

import gc
from datetime import UTC, datetime

import pytest

from commands.counterparty_merge_commands import MergeCounterparty
from letopis.demo import DemoSize, seed_demo
from letopis.wiring import CONSOLE, Letopis, build
from projections.duplicates import duplicate_pairs
from projections.rebuilds import FIRST_STATISTICS_AT, LAST_STATISTICS_AT, RebuildFailed, statistics_due
from projections.runner import ProjectionRunner
from tests.projections.poison import OUT_OF_RANGE, append_call
from tests.projections.views import dump_views, separate_views, table_rows

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
TINY = DemoSize(
    counterparties=25,
    contacts=50,
    interactions=200,
    inquiries=25,
    deals=20,
    contracts=8,
    orders=40,
    payments=25,
)
ON_DISK = pytest.mark.parametrize(
    "store_kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
OLD_NAME = "Имя из прошлой версии"


@pytest.fixture
def company(letopis: Letopis) -> Letopis:
    """The demo company in small, its views live."""
    seed_demo(letopis, now=NOW, size=TINY)
    letopis.runner.catch_up()
    return letopis


def merge_the_likeliest_duplicates(letopis: Letopis) -> None:
    with letopis.views.reading() as cursor:
        pairs, _total = duplicate_pairs(cursor, CONSOLE, 1, 0)
    survivor, duplicate = pairs[0]["first"]["id"], pairs[0]["second"]["id"]
    letopis.service.run(CONSOLE, MergeCounterparty(merged_id=duplicate, reason="Дубль"), survivor)
    letopis.runner.catch_up()


def mark_the_live_directory(letopis: Letopis) -> int:
    """Give every employee in the live view a name no build would write; return how many."""
    with letopis.views.writing() as cursor:
        cursor.execute("UPDATE employees SET full_name = $1", (OLD_NAME,))
        ((count,),) = cursor.execute("SELECT count(*) FROM employees")
    return int(count)


def directory_names(letopis: Letopis) -> list[str]:
    with letopis.views.reading() as cursor:
        return [name for (name,) in cursor.execute("SELECT full_name FROM employees")]


class Killed(BaseException):
    """The process dies: nothing after it runs."""


@ON_DISK
def test_each_view_rebuilt_alone_in_a_database_of_its_own_equals_the_full_rebuild(company) -> None:
    merge_the_likeliest_duplicates(company)  # so that the redirect view has a row to compare
    company.runner.rebuild()
    full = dump_views(company)

    for projection in company.runner.projections:
        with separate_views(company) as database:
            alone = ProjectionRunner(company.store, database, [projection])
            alone.create_tables()
            alone.rebuild()
            rows = table_rows(database, [projection])
        assert rows == {table.name: full[table.name] for table in projection.tables}, projection.name
        assert any(rows.values()), f"{projection.name} is empty: the comparison proves nothing"


@ON_DISK
def test_reads_during_a_rebuild_answer_from_the_old_version_whole(company) -> None:
    employees = mark_the_live_directory(company)
    company.runner.batch.events = 2
    seen: list[list[str]] = []

    company.runner.rebuild(
        ["employee_directory"], lambda _reached, _head: seen.append(directory_names(company))
    )

    assert len(seen) >= 2
    assert all(names == [OLD_NAME] * employees for names in seen)
    after = directory_names(company)
    assert len(after) == employees
    assert OLD_NAME not in after


@ON_DISK
def test_a_rebuild_killed_half_way_leaves_the_old_version_serving_and_the_next_process_finishes_it(
    company,
) -> None:
    company.runner.rebuild()
    full = dump_views(company)
    employees = mark_the_live_directory(company)
    company.runner.batch.events = 2

    def die(_reached: int, _head: int) -> None:
        raise Killed

    with pytest.raises(Killed):
        company.runner.rebuild(["employee_directory"], die)
    head = company.store.head()
    company.close()

    restarted = build(company.settings)
    try:
        (half_way,) = [view for view in restarted.runner.status() if view.build is not None]
        answered = directory_names(restarted)
        while any(view.build for view in restarted.runner.status()):
            restarted.runner.catch_up()
        finished = dump_views(restarted)
    finally:
        restarted.close()

    assert (half_way.name, half_way.state) == ("employee_directory", "rebuilding")
    assert half_way.build is not None
    assert 0 < half_way.build.position < head
    assert answered == [OLD_NAME] * employees
    assert finished == full


@ON_DISK
def test_a_rebuild_killed_half_way_can_be_started_again(company) -> None:
    company.runner.rebuild()
    full = dump_views(company)
    mark_the_live_directory(company)
    company.runner.batch.events = 2

    def die(_reached: int, _head: int) -> None:
        raise Killed

    with pytest.raises(Killed):
        company.runner.rebuild(["employee_directory"], die)
    company.runner.rebuild(["employee_directory"])

    assert dump_views(company) == full
    assert all(view.build is None and view.state == "running" for view in company.runner.status())


@ON_DISK
def test_a_build_that_meets_an_event_it_cannot_apply_stops_alone_and_the_others_switch_in(company) -> None:
    with company.views.reading() as cursor:
        ((manager_id, counterparty_id),) = cursor.execute(
            "SELECT manager_id, id FROM counterparties ORDER BY id LIMIT 1"
        )
    poison = append_call(company, manager_id, counterparty_id, "Звонок из прошлого", OUT_OF_RANGE)
    mark_the_live_directory(company)
    company.runner.batch.events = 50

    with pytest.raises(RebuildFailed) as stopped:
        company.runner.rebuild()

    assert (stopped.value.name, stopped.value.position) == ("relationship_history", poison)
    assert gc.isenabled(), "the collector is held off only while the builds move"
    states = {view.name: view for view in company.runner.status()}
    history = states.pop("relationship_history")
    assert history.build is not None
    assert (history.build.failed_position, history.state) == (poison, "rebuilding")
    assert "OverflowError" in (history.build.error or "")
    assert all(view.build is None for view in states.values())
    assert OLD_NAME not in directory_names(company)


@pytest.mark.parametrize(
    ("before", "reached", "due"),
    [
        (0, FIRST_STATISTICS_AT - 1, False),
        (0, FIRST_STATISTICS_AT, True),
        (FIRST_STATISTICS_AT, FIRST_STATISTICS_AT + 10, False),
        (FIRST_STATISTICS_AT + 10, 2 * FIRST_STATISTICS_AT - 1, False),
        (2 * FIRST_STATISTICS_AT - 1, 2 * FIRST_STATISTICS_AT, True),
        (100_000, 300_000, True),
        (0, 3_000_000, True),
        (LAST_STATISTICS_AT - 1, 2 * LAST_STATISTICS_AT, True),
        (LAST_STATISTICS_AT, 2 * LAST_STATISTICS_AT, False),
        (LAST_STATISTICS_AT, 100 * LAST_STATISTICS_AT, False),
    ],
)
def test_a_builds_tables_are_analysed_each_time_its_position_doubles_up_to_a_limit(
    before, reached, due
) -> None:
    assert statistics_due(before, reached) is due
