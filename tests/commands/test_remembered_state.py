"""Two writers on one store, each remembering the records its commands loaded: what one
writes makes the other's copy stale, and a stale copy may cost a retry but never decides a
write that succeeds, nor a refusal. Each writer stands for a process of its own: its own
store object, connections and memory, sharing only the database."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import UUID

import pytest

from aggregates.counterparty import Counterparty
from aggregates.errors import AccessDenied, RuleViolated
from commands.counterparty_commands import (
    AssignManager,
    ChangeCounterpartyProfile,
    DecideAdmission,
    RegisterCounterparty,
)
from commands.interaction_commands import LogInteraction
from commands.registry import command_registry
from commands.service import WriteService
from event_store.store import EventStore
from letopis.wiring import Letopis, utc_now

OUTGOING_CALL = {"kind": "call", "direction": "outgoing", "duration_seconds": 90}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_kind(request: pytest.FixtureRequest) -> str:
    """Stores that two processes can share."""
    return str(request.param)


@pytest.fixture
def other(letopis: Letopis) -> Iterator[WriteService]:
    """A second writer on the same database, as another process would have."""
    store = EventStore(letopis.settings.event_store_url())
    yield WriteService(store, utc_now, command_registry())
    store.close()


@pytest.fixture
def card(letopis: Letopis, staff: dict[str, Any]) -> str:
    ivanov = staff["ivanov"][0]
    return letopis.service.run(ivanov, RegisterCounterparty(name="ООО «Сибирский транзит»")).id


def _on_the_log(letopis: Letopis, card: str) -> Counterparty:
    return letopis.store.get(UUID(card), Counterparty)


def _remembered(service: WriteService, card: str) -> Counterparty:
    return service.store.get(UUID(card), Counterparty, cached=True)


def test_changes_through_two_writers_in_turn_are_all_kept(letopis, staff, card, other) -> None:
    ivanov = staff["ivanov"][0]
    here = letopis.service
    here.run(ivanov, ChangeCounterpartyProfile(region="Томск"), card)
    other.run(ivanov, ChangeCounterpartyProfile(industry="Металлургия"), card)
    assert _remembered(here, card).version == 2  # stale: the log is at 3
    here.run(ivanov, ChangeCounterpartyProfile(activity="Экспорт"), card)
    assert _remembered(other, card).version == 3  # stale: the log is at 4
    other.run(ivanov, ChangeCounterpartyProfile(lead_source="Выставка"), card)

    on_the_log = _on_the_log(letopis, card)
    assert on_the_log.version == 5
    assert {k: on_the_log.profile[k] for k in ("region", "industry", "activity", "lead_source")} == {
        "region": "Томск",
        "industry": "Металлургия",
        "activity": "Экспорт",
        "lead_source": "Выставка",
    }


def test_a_stale_copy_of_a_record_only_read_cannot_let_a_forbidden_write_through(
    letopis, staff, card, other
) -> None:
    ivanov, head = staff["ivanov"][0], staff["head"][0]
    here = letopis.service
    here.run(ivanov, LogInteraction(counterparty_id=card, subject="Звонок", details=OUTGOING_CALL))
    other.run(head, DecideAdmission(admission="forbidden", reason="Судебный спор"), card)
    assert _remembered(here, card).admission != "forbidden"
    before = letopis.store.head()

    with pytest.raises(RuleViolated, match="forbidden"):
        here.run(ivanov, LogInteraction(counterparty_id=card, subject="Звонок", details=OUTGOING_CALL))
    assert letopis.store.head() == before


def test_a_stale_copy_does_not_refuse_what_the_log_allows(letopis, staff, card, other) -> None:
    ivanov, head = staff["ivanov"][0], staff["head"][0]
    here = letopis.service
    here.run(head, DecideAdmission(admission="forbidden", reason="Судебный спор"), card)
    other.run(head, DecideAdmission(admission="active", reason="Спор урегулирован"), card)
    assert _remembered(here, card).admission == "forbidden"

    logged = here.run(ivanov, LogInteraction(counterparty_id=card, subject="Звонок", details=OUTGOING_CALL))
    assert logged.version == 1


def test_an_expected_version_from_the_other_writer_is_current(letopis, staff, card, other) -> None:
    ivanov = staff["ivanov"][0]
    here = letopis.service
    here.run(ivanov, ChangeCounterpartyProfile(region="Томск"), card)
    there = other.run(ivanov, ChangeCounterpartyProfile(industry="Металлургия"), card)

    changed = here.run(
        ivanov, ChangeCounterpartyProfile(activity="Экспорт", expected_version=there.version), card
    )
    assert changed.version == there.version + 1


def test_a_manager_whose_client_another_writer_reassigned_may_no_longer_change_it(
    letopis, staff, card, other
) -> None:
    ivanov, sidorov, head = staff["ivanov"][0], staff["sidorov"][0], staff["head"][0]
    here = letopis.service
    here.run(ivanov, ChangeCounterpartyProfile(region="Томск"), card)
    other.run(head, AssignManager(manager_id=sidorov.employee_id), card)
    before = letopis.store.head()

    with pytest.raises(AccessDenied):
        here.run(ivanov, ChangeCounterpartyProfile(region="Омск"), card)
    assert letopis.store.head() == before
    assert _on_the_log(letopis, card).profile["region"] == "Томск"


def test_two_writers_racing_on_one_record_from_several_threads_lose_no_update(
    letopis, staff, card, other
) -> None:
    ivanov = staff["ivanov"][0]
    changes: list[dict[str, Any]] = [
        {"region": "Томск"},
        {"industry": "Металлургия"},
        {"activity": "Экспорт"},
        {"lead_source": "Выставка"},
        {"interests": ["Авиаперевозки"]},
        {"competitor_products": ["ЖД-экспедиция"]},
        {"loyalty_reasons": ["Сроки"]},
        {"name": "ООО «Сибирский транзит плюс»"},
    ]
    writers = [letopis.service, other]
    # Both remember the card before the race.
    for writer in writers:
        _remembered(writer, card)

    def change(numbered: tuple[int, dict[str, Any]]) -> int:
        number, fields = numbered
        return writers[number % 2].run(ivanov, ChangeCounterpartyProfile(**fields), card).version

    with ThreadPoolExecutor(max_workers=4) as pool:
        versions = list(pool.map(change, enumerate(changes)))

    assert sorted(versions) == list(range(2, 2 + len(changes)))
    on_the_log = _on_the_log(letopis, card)
    assert on_the_log.version == 1 + len(changes)
    for fields in changes:
        for key, value in fields.items():
            assert on_the_log.profile[key] == value


def test_a_repeat_is_answered_only_to_whom_the_log_still_allows_it(letopis, staff, card, other) -> None:
    ivanov, sidorov, head = staff["ivanov"][0], staff["sidorov"][0], staff["head"][0]
    here = letopis.service
    command = ChangeCounterpartyProfile(command_id="profile-1", region="Томск")
    first = here.run(ivanov, command, card)
    assert here.run(ivanov, command, card).replayed
    other.run(head, AssignManager(manager_id=sidorov.employee_id), card)

    with pytest.raises(AccessDenied):
        here.run(ivanov, command, card)
    assert other.run(head, ChangeCounterpartyProfile(region="Омск"), card).version == first.version + 2
