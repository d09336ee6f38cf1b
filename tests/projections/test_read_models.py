"""What the read models answer after commands, on every store."""

from datetime import UTC, datetime

import pytest

from aggregates.phone import normalize_phone
from commands.contact_commands import RegisterContact
from commands.counterparty_commands import (
    DecideAdmission,
    RegisterCounterparty,
)
from commands.interaction_commands import (
    CorrectInteraction,
    LogInteraction,
)
from projections.contact_directory import search_contacts
from projections.counterparty_register import RegisterFilter, get_counterparty, search_counterparties
from projections.phone_lookup import lookup_phone
from projections.relationship_history import HistoryQuery, history_page
from projections.runner import ProjectionLag
from projections.worker import ProjectionWorker


@pytest.fixture
def clients(letopis, staff) -> dict[str, str]:
    ivanov, sidorov = staff["ivanov"][0], staff["sidorov"][0]
    service = letopis.service
    ids = {
        "yolka": service.run(
            ivanov,
            RegisterCounterparty(
                name="ООО «Ёлка-Транс»",
                tax_id="7701234560",
                region="Москва",
                phones=["+7 (495) 123-45-67"],
                classifiers={"Категория": ["A"], "Отрасль": ["Ритейл"]},
            ),
        ).id,
        "sibir": service.run(
            ivanov,
            RegisterCounterparty(
                name="АО «СИБИРСКАЯ ЛОГИСТИКА»",
                tax_id="5401234566",
                region="Новосибирск",
                kind="partner",
                classifiers={"Категория": ["B"]},
            ),
        ).id,
        "baltic": service.run(
            sidorov,
            RegisterCounterparty(
                name="Балтийская экспедиция",
                region="Санкт-Петербург",
            ),
        ).id,
    }
    ids["lena"] = service.run(
        ivanov,
        RegisterContact(
            counterparty_id=ids["yolka"],
            full_name="Елена Сергеевна Орлова",
            position="Логист",
            phones=["8 916 555 44 33"],
        ),
    ).id
    letopis.runner.catch_up()
    return ids


def names(items) -> list[str]:
    return [item["name"] for item in items]


def test_name_search_ignores_case_in_cyrillic_and_matches_part_of_a_word(letopis, staff, clients) -> None:
    head = staff["head"][0]
    with letopis.views.reading() as cursor:
        assert names(search_counterparties(cursor, head, RegisterFilter(text="сибирская"), 10, 0)[0]) == [
            "АО «СИБИРСКАЯ ЛОГИСТИКА»"
        ]
        # ё and е are one letter for searching, as Russian users type them.
        assert names(search_counterparties(cursor, head, RegisterFilter(text="ЕЛКА"), 10, 0)[0]) == [
            "ООО «Ёлка-Транс»"
        ]
        assert names(search_counterparties(cursor, head, RegisterFilter(text="экспед"), 10, 0)[0]) == [
            "Балтийская экспедиция"
        ]


def test_filters_and_pagination(letopis, staff, clients) -> None:
    head = staff["head"][0]
    with letopis.views.reading() as cursor:
        by_class, total = search_counterparties(
            cursor, head, RegisterFilter(classifiers={"Категория": "A"}), 10, 0
        )
        assert (names(by_class), total) == (["ООО «Ёлка-Транс»"], 1)
        assert names(search_counterparties(cursor, head, RegisterFilter(kind="partner"), 10, 0)[0]) == [
            "АО «СИБИРСКАЯ ЛОГИСТИКА»"
        ]
        assert names(search_counterparties(cursor, head, RegisterFilter(tax_id="7701234560"), 10, 0)[0]) == [
            "ООО «Ёлка-Транс»"
        ]
        first, total = search_counterparties(cursor, head, RegisterFilter(), 2, 0)
        second, _ = search_counterparties(cursor, head, RegisterFilter(), 2, 2)
        assert total == 3
        assert len(first) == 2
        assert len(second) == 1
        assert not set(names(first)) & set(names(second))


def test_a_manager_sees_only_their_teams_clients(letopis, staff, clients) -> None:
    with letopis.views.reading() as cursor:
        visible = names(search_counterparties(cursor, staff["petrova"][0], RegisterFilter(), 10, 0)[0])
        assert sorted(visible) == ["АО «СИБИРСКАЯ ЛОГИСТИКА»", "ООО «Ёлка-Транс»"]
        assert names(search_counterparties(cursor, staff["sidorov"][0], RegisterFilter(), 10, 0)[0]) == [
            "Балтийская экспедиция"
        ]
        assert search_counterparties(cursor, staff["kuznetsova"][0], RegisterFilter(), 10, 0)[1] == 0
        assert search_counterparties(cursor, staff["auditor"][0], RegisterFilter(), 10, 0)[1] == 3


@pytest.mark.parametrize("dialled", ["84951234567", "+7 495 123-45-67", "(495) 1234567"])
def test_a_phone_in_any_format_finds_the_counterparty(letopis, staff, clients, dialled) -> None:
    with letopis.views.reading() as cursor:
        (match,) = lookup_phone(cursor, staff["ivanov"][0], normalize_phone(dialled))
    assert (match["counterparty_id"], match["contact_id"]) == (clients["yolka"], None)


def test_a_contacts_phone_finds_the_contact_and_their_organisation(letopis, staff, clients) -> None:
    with letopis.views.reading() as cursor:
        (match,) = lookup_phone(cursor, staff["ivanov"][0], normalize_phone("+7 916 555-44-33"))
        assert match["contact_name"] == "Елена Сергеевна Орлова"
        assert match["counterparty_name"] == "ООО «Ёлка-Транс»"
        assert search_contacts(cursor, staff["ivanov"][0], "орлова", None, 10, 0)[1] == 1


def test_a_forbidden_counterparty_stays_findable_and_is_marked(letopis, staff, clients) -> None:
    letopis.service.run(
        staff["head"][0], DecideAdmission(admission="forbidden", reason="Мошенничество"), clients["sibir"]
    )
    letopis.runner.catch_up()
    with letopis.views.reading() as cursor:
        (found,) = search_counterparties(cursor, staff["ivanov"][0], RegisterFilter(text="сибир"), 10, 0)[0]
        assert found["admission"] == "forbidden"
        assert found["barred"]
        card = get_counterparty(cursor, clients["sibir"])
        assert card is not None
        assert card["barred"]


def test_history_is_newest_first_filterable_and_shows_corrections_beside_originals(
    letopis, staff, clients
) -> None:
    ivanov = staff["ivanov"][0]
    service = letopis.service
    moments = ["2025-01-10T09:00:00+03:00", "2025-06-01T12:00:00+03:00", "2025-03-15T15:30:00+03:00"]
    logged = [
        service.run(
            ivanov,
            LogInteraction(
                counterparty_id=clients["yolka"],
                contact_ids=[clients["lena"]],
                subject=f"Встреча {n}",
                occurred_at=moment,
                details={"kind": "meeting", "location": "Офис клиента"},
            ),
        )
        for n, moment in enumerate(moments)
    ]
    service.run(
        ivanov,
        LogInteraction(
            counterparty_id=clients["yolka"],
            subject="Звонок",
            occurred_at="2025-02-01T10:00:00+03:00",
            details={"kind": "call", "direction": "outgoing"},
        ),
    )
    service.run(ivanov, CorrectInteraction(reason="Не та тема", subject="Тарифы 2025"), logged[0].id)
    letopis.runner.catch_up()
    with letopis.views.reading() as cursor:
        meetings, total = history_page(cursor, HistoryQuery(clients["yolka"], ("meeting",)), 10, 0)
        assert total == 3
        assert [m["summary"] for m in meetings] == ["Встреча 1", "Встреча 2", "Встреча 0"]
        period, _ = history_page(
            cursor,
            HistoryQuery(
                clients["yolka"],
                since=datetime(2025, 2, 1, tzinfo=UTC),
                until=datetime(2025, 4, 1, tzinfo=UTC),
            ),
            10,
            0,
        )
        assert [e["summary"] for e in period] == ["Встреча 2", "Звонок"]
        corrections, _ = history_page(cursor, HistoryQuery(clients["yolka"], ("correction",)), 10, 0)
        assert corrections[0]["details"]["changes"] == {"subject": "Тарифы 2025"}
        assert corrections[0]["details"]["previous"] == {"subject": "Встреча 0"}
        assert corrections[0]["actor_name"] == "Иванов Иван"
        contact_timeline, contact_total = history_page(cursor, HistoryQuery(clients["lena"]), 2, 0)
        # The contact's own registration, three meetings and the correction of one of them.
        assert contact_total == 5
        assert len(contact_timeline) == 2


def log_email(letopis, staff, clients) -> int:
    return letopis.service.run(
        staff["ivanov"][0],
        LogInteraction(
            counterparty_id=clients["yolka"],
            subject="Письмо",
            details={"kind": "email", "direction": "outgoing"},
        ),
    ).position


def test_read_your_writes_waits_for_the_worker_to_reach_the_position_a_write_returned(
    letopis, staff, clients
) -> None:
    worker = ProjectionWorker(letopis.runner, interval=60)
    worker.start()
    try:
        # The worker polls once a minute: only the write's nudge can wake it in time.
        position = log_email(letopis, staff, clients)
        letopis.runner.wait_until(position)
    finally:
        worker.stop()
    assert letopis.runner.reflected_position() >= position
    with letopis.views.reading() as cursor:
        assert history_page(cursor, HistoryQuery(clients["yolka"], ("email",)), 10, 0)[1] == 1


def test_a_waiting_read_applies_no_events_itself_and_gives_up_after_its_timeout(
    letopis, staff, clients
) -> None:
    position = log_email(letopis, staff, clients)
    before = letopis.runner.positions()

    with pytest.raises(ProjectionLag, match=f"position {position}"):
        letopis.runner.wait_until(position, timeout=0.2)

    assert letopis.runner.positions() == before
