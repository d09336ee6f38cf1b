"""Views replayed for a past moment from a kept checkpoint are the views replayed from the log's
start; a checkpoint of another log is never read; a report keeps a bounded number of them."""

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from letopis.settings import Settings
from letopis.wiring import Letopis, build
from projections.contract_register import ContractRegister
from projections.counterparty_merges import CounterpartyMerges
from projections.database import ViewDatabase
from projections.relationship_history import RelationshipHistory
from replay.checkpoint_schedule import CheckpointSchedule
from replay.checkpoints import KEPT, Checkpoints
from replay.past_reports import CONTRACT_REGISTER_VIEWS, HISTORY_VIEWS
from replay.past_views import PastMoment, PastViews
from tests.analytics.sales import sell
from tests.commands.test_contracts import register_client
from tests.conftest import hire

REPORT = (RelationshipHistory, ContractRegister, CounterpartyMerges)


def contents(database: ViewDatabase) -> dict[str, list[Any]]:
    with database.reading() as cursor:
        return {
            table.name: sorted(map(repr, cursor.execute(f"SELECT * FROM {table.name}")))
            for kind in REPORT
            for table in kind.tables
        }


def replayed(letopis: Letopis, checkpoints: Checkpoints, position: int) -> dict[str, list[Any]]:
    past = PastViews(letopis.store, checkpoints)
    try:
        return contents(past.views(PastMoment(position), REPORT))
    finally:
        past.close()


def kept(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.sqlite"))


def test_views_replayed_from_a_checkpoint_are_those_replayed_from_the_start(letopis, staff, tmp_path):
    sell(letopis, staff)
    from_start = Checkpoints(tmp_path / "none", 0, 2**30)
    checkpoints = Checkpoints(tmp_path / "kept", 5, 2**30)
    head = letopis.store.head()
    for position in range(1, head + 1):
        assert replayed(letopis, checkpoints, position) == replayed(letopis, from_start, position)
    assert 1 < len(kept(tmp_path / "kept")) <= KEPT
    assert kept(tmp_path / "none") == []
    nearest = checkpoints.nearest(letopis.store, [kind() for kind in REPORT], head)
    assert nearest is not None
    assert head // 2 < nearest.position <= head


def test_a_checkpoint_of_another_log_is_never_read(letopis, staff, tmp_path):
    sell(letopis, staff)
    checkpoints = Checkpoints(tmp_path / "kept", 1, 2**30)
    for position in range(1, letopis.store.head() + 1):
        replayed(letopis, checkpoints, position)
    assert kept(tmp_path / "kept")

    other = build(Settings(database_url="memory://", data_dir=tmp_path / "other"))
    try:
        ivanov, _token = hire(other, "Иванов Иван", staff["ivanov"][0].role, "Москва-1", "Продажи")
        sell(other, {**staff, "ivanov": (ivanov, ""), "kuznetsova": (ivanov, "")})
        head = other.store.head()
        assert checkpoints.nearest(other.store, [kind() for kind in REPORT], head) is None
        assert replayed(other, checkpoints, head) == replayed(
            other, Checkpoints(tmp_path / "none", 0, 2**30), head
        )
    finally:
        other.close()


def test_a_report_keeps_at_most_a_bounded_number_of_checkpoints(letopis, staff, tmp_path):
    sell(letopis, staff)
    checkpoints = Checkpoints(tmp_path / "kept", 1, 2**30)
    for position in range(1, letopis.store.head() + 1):
        replayed(letopis, checkpoints, position)
    assert KEPT // 2 <= len(kept(tmp_path / "kept")) <= KEPT


def test_views_larger_than_allowed_or_cut_off_by_a_business_time_are_not_kept(letopis, staff, tmp_path):
    sell(letopis, staff)
    too_small = Checkpoints(tmp_path / "small", 1, 1)
    replayed(letopis, too_small, letopis.store.head())
    assert kept(tmp_path / "small") == []

    checkpoints = Checkpoints(tmp_path / "kept", 1, 2**30)
    past = PastViews(letopis.store, checkpoints)
    past.views(PastMoment(letopis.store.head(), as_of=letopis.store.read(0, 1)[0].event.occurred_at), REPORT)
    past.close()
    assert kept(tmp_path / "kept") == []


def test_the_worker_keeps_a_checkpoint_of_each_past_report_before_it_is_asked_for(letopis, staff, tmp_path):
    sell(letopis, staff)
    folder = tmp_path / "kept"
    past = PastViews(letopis.store, Checkpoints(folder, 1, 2**30))
    now = [0.0]
    reports = (HISTORY_VIEWS, CONTRACT_REGISTER_VIEWS)
    schedule = CheckpointSchedule(past, reports, 60, clock=lambda: now[0])

    def positions_kept() -> list[int | None]:
        found = []
        for report in reports:
            nearest = Checkpoints(folder, 1, 2**30).nearest(letopis.store, [kind() for kind in report], 2**62)
            found.append(None if nearest is None else nearest.position)
        return found

    def kept_in_time(kept: Callable[[list[int | None]], bool]) -> bool:
        deadline = time.monotonic() + 60
        while not kept(positions_kept()):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    head = letopis.store.head()
    schedule(head)
    assert kept_in_time(lambda found: all(position is not None and position <= head for position in found))
    first = positions_kept()

    for number in range(8):
        register_client(letopis, staff["ivanov"][0], f"ООО «Позже-{number}»")
    now[0] += 30
    schedule(letopis.store.head())  # not due: no replay starts
    assert positions_kept() == first
    now[0] += 31
    schedule(letopis.store.head())
    assert kept_in_time(lambda found: (found[0] or 0) > (first[0] or 0))
    schedule.wait()
    past.close()


def test_a_checkpoint_that_is_not_a_database_is_passed_over(letopis, staff, tmp_path):
    sell(letopis, staff)
    head = letopis.store.head()
    checkpoints = Checkpoints(tmp_path / "kept", 1, 2**30)
    for position in range(1, head + 1):
        replayed(letopis, checkpoints, position)
    for number, path in enumerate(kept(tmp_path / "kept")):
        path.write_bytes(b"\0" * 4096 if number % 2 else b"not a database")
    assert checkpoints.nearest(letopis.store, [kind() for kind in REPORT], head) is None
    assert replayed(letopis, checkpoints, head) == replayed(
        letopis, Checkpoints(tmp_path / "none", 0, 0), head
    )
