"""Idempotency, optimistic concurrency and scope on the write side, on every store."""

from concurrent.futures import ThreadPoolExecutor
from uuid import UUID

import pytest

from aggregates.counterparty import Counterparty
from aggregates.errors import AccessDenied, ConcurrentChange, NotFound, RuleViolated
from commands.counterparty_commands import (
    ChangeCounterpartyProfile,
    DecideAdmission,
    RateCounterparty,
    RegisterCounterparty,
)
from commands.interaction_commands import LogInteraction

CALL = {"kind": "call", "direction": "outgoing", "duration_seconds": 90}


@pytest.fixture
def client_of_ivanov(letopis, staff) -> str:
    ivanov = staff["ivanov"][0]
    return letopis.service.run(ivanov, RegisterCounterparty(name="ООО «Сибирский транзит»")).id


def test_the_same_command_id_twice_returns_the_first_result_and_writes_nothing_more(
    letopis, staff, client_of_ivanov
) -> None:
    ivanov = staff["ivanov"][0]
    command = LogInteraction(
        command_id="call-2026-03-02-001", counterparty_id=client_of_ivanov, subject="Звонок", details=CALL
    )
    first = letopis.service.run(ivanov, command)
    head = letopis.store.head()
    again = letopis.service.run(ivanov, command)
    assert (again.id, again.version, again.position) == (first.id, first.version, first.position)
    assert again.replayed
    assert not first.replayed
    assert letopis.store.head() == head


def test_concurrent_retries_of_one_command_write_it_once(letopis, staff, client_of_ivanov) -> None:
    ivanov = staff["ivanov"][0]
    command = LogInteraction(
        command_id="retry-storm", counterparty_id=client_of_ivanov, subject="Звонок", details=CALL
    )
    head = letopis.store.head()
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda _: letopis.service.run(ivanov, command), range(8)))
    assert len({(o.id, o.position) for o in outcomes}) == 1
    assert sum(not o.replayed for o in outcomes) <= 1
    # One interaction event and one receipt, whoever won the race.
    assert letopis.store.head() - head == 2


def test_a_command_id_cannot_be_reused_for_another_command(letopis, staff, client_of_ivanov) -> None:
    ivanov = staff["ivanov"][0]
    letopis.service.run(
        ivanov,
        LogInteraction(command_id="k-1", counterparty_id=client_of_ivanov, subject="Звонок", details=CALL),
    )
    with pytest.raises(ConcurrentChange, match=r"already used for another request \(interaction.log\)"):
        letopis.service.run(ivanov, RateCounterparty(command_id="k-1", rating=3), client_of_ivanov)


def test_a_stale_expected_version_is_refused_and_nothing_is_written(letopis, staff, client_of_ivanov) -> None:
    ivanov = staff["ivanov"][0]
    letopis.service.run(
        ivanov, ChangeCounterpartyProfile(region="Новосибирск", expected_version=1), client_of_ivanov
    )
    head = letopis.store.head()
    with pytest.raises(ConcurrentChange, match="at version 2, not 1"):
        letopis.service.run(
            ivanov, ChangeCounterpartyProfile(region="Омск", expected_version=1), client_of_ivanov
        )
    assert letopis.store.head() == head
    assert letopis.store.get(UUID(client_of_ivanov), Counterparty).profile["region"] == "Новосибирск"


def test_racing_changes_to_one_card_lose_no_update(letopis, staff, client_of_ivanov) -> None:
    ivanov = staff["ivanov"][0]
    fields = [
        {"region": "Томск"},
        {"industry": "Металлургия"},
        {"activity": "Экспорт"},
        {"lead_source": "Выставка"},
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(
            pool.map(
                lambda change: letopis.service.run(
                    ivanov, ChangeCounterpartyProfile(**change), client_of_ivanov
                ),
                fields,
            )
        )
    card = letopis.store.get(UUID(client_of_ivanov), Counterparty)
    assert card.version == 5
    assert {k: card.profile[k] for k in ("region", "industry", "activity", "lead_source")} == {
        "region": "Томск",
        "industry": "Металлургия",
        "activity": "Экспорт",
        "lead_source": "Выставка",
    }


def test_two_managers_logging_calls_with_one_client_at_once_both_succeed(
    letopis, staff, client_of_ivanov
) -> None:
    ivanov, petrova = staff["ivanov"][0], staff["petrova"][0]
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(
            pool.map(
                lambda actor: letopis.service.run(
                    actor, LogInteraction(counterparty_id=client_of_ivanov, subject="Звонок", details=CALL)
                ),
                [ivanov, petrova],
            )
        )
    assert len({o.id for o in outcomes}) == 2


def test_a_manager_cannot_touch_another_teams_client(letopis, staff, client_of_ivanov) -> None:
    sidorov = staff["sidorov"][0]
    head = letopis.store.head()
    with pytest.raises(AccessDenied):
        letopis.service.run(
            sidorov, LogInteraction(counterparty_id=client_of_ivanov, subject="Звонок", details=CALL)
        )
    with pytest.raises(AccessDenied):
        letopis.service.run(sidorov, RateCounterparty(rating=1), client_of_ivanov)
    assert letopis.store.head() == head


def test_the_head_of_the_department_can_and_the_auditor_cannot(letopis, staff, client_of_ivanov) -> None:
    letopis.service.run(staff["head"][0], RateCounterparty(rating=4), client_of_ivanov)
    with pytest.raises(AccessDenied):
        letopis.service.run(staff["auditor"][0], RateCounterparty(rating=1), client_of_ivanov)
    with pytest.raises(AccessDenied):
        letopis.service.run(staff["kuznetsova"][0], RateCounterparty(rating=1), client_of_ivanov)


def test_a_forbidden_counterparty_takes_only_what_it_sends_us(letopis, staff, client_of_ivanov) -> None:
    ivanov, head = staff["ivanov"][0], staff["head"][0]
    letopis.service.run(
        head, DecideAdmission(admission="forbidden", reason="Судебный спор"), client_of_ivanov
    )
    before = letopis.store.head()
    with pytest.raises(RuleViolated, match="forbidden"):
        letopis.service.run(
            ivanov, LogInteraction(counterparty_id=client_of_ivanov, subject="Звонок", details=CALL)
        )
    assert letopis.store.head() == before
    incoming = {**CALL, "direction": "incoming"}
    letopis.service.run(
        ivanov, LogInteraction(counterparty_id=client_of_ivanov, subject="Звонок", details=incoming)
    )


def test_unknown_ids_are_not_found(letopis, staff) -> None:
    ivanov = staff["ivanov"][0]
    with pytest.raises(NotFound):
        letopis.service.run(
            ivanov,
            LogInteraction(
                counterparty_id="00000000-0000-4000-8000-000000000000", subject="Звонок", details=CALL
            ),
        )
