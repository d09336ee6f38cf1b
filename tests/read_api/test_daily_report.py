"""The daily report over HTTP: read days after the work was planned, by a clock the test moves."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from letopis.settings import Settings
from letopis.wiring import Letopis, build
from projections.calendar_entries import CALENDAR_ZONE
from projections.daily_report import INQUIRIES_SHOWN, SECTIONS
from tests.conftest import database_url
from tests.read_api.calendar_client import CalendarApi
from tests.read_api.world import API, an_inquiry, contract_body, days, ivanov_world


class MovingClock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock()


@pytest.fixture
def letopis(
    store_kind: str, tmp_path: Path, request: pytest.FixtureRequest, clock: MovingClock
) -> Iterator[Letopis]:
    settings = Settings(database_url=database_url(store_kind, tmp_path, request), data_dir=tmp_path)
    built = build(settings, clock=clock)
    yield built
    built.close()


def _ids(report: dict[str, Any], section: str) -> list[str]:
    return [item["id"] for item in report[section]]


def test_the_daily_report_gathers_the_day_each_item_linked_to_its_source(
    client: TestClient, auth: Any, calendar_api: CalendarApi, clock: MovingClock, staff: dict[str, Any]
) -> None:
    api = calendar_api
    ids = ivanov_world(client, auth)
    to_check = api.write(
        "ivanov",
        "post",
        "/tasks",
        {"title": "Проверить договор", "due_on": days(1), "assignee_id": staff["petrova"][0].employee_id},
    )["id"]
    api.write("petrova", "post", f"/tasks/{to_check}/acceptance", {})
    api.write("petrova", "post", f"/tasks/{to_check}/completion", {"note": "Готово"})

    clock.now += timedelta(days=5)
    today = clock.now.astimezone(CALENDAR_ZONE).date()
    birthday = (today + timedelta(days=2)).replace(year=1970)
    person = api.write(
        "ivanov", "post", "/contacts", {"full_name": "Юбиляр Олег", "birthday": birthday.isoformat()}
    )
    lunch = api.write(
        "ivanov",
        "post",
        "/activities",
        {
            "kind": "meeting",
            "subject": "Обед",
            "counterparty_id": ids["counterparty"],
            "day": today.isoformat(),
        },
    )["id"]

    report = api.read("ivanov", "/me/today")
    assert report["today"] == today.isoformat()
    assert _ids(report, "meetings") == [lunch]
    assert _ids(report, "overdue_activities") == [ids["activity"]]
    assert _ids(report, "tasks_to_do") == [ids["task"]]
    assert _ids(report, "overdue_tasks") == [ids["task"]]
    assert _ids(report, "tasks_to_check") == [to_check]
    assert _ids(report, "reminders_due") == [ids["reminder"]]
    (anniversary,) = report["dates"]
    assert (anniversary["id"], anniversary["day"]) == (person["id"], (today + timedelta(days=2)).isoformat())
    (stage,) = report["contract_stages"]
    assert (stage["id"], stage["details"]["state"]) == (ids["contract"], "late to start")
    (quote_task,) = report["overdue_quote_tasks"]
    assert quote_task["path"] == f"{API}/inquiries/{ids['inquiry']}"
    assert _ids(report, "inquiries_waiting") == [ids["inquiry"]]
    assert report["inquiries_waiting"][0]["details"]["waiting_for"] == "our proposal"
    assert report["inquiries_waiting_total"] == 1
    for section in SECTIONS:
        for item in report[section]:
            assert client.get(item["path"], headers=auth("ivanov")).status_code == 200, item


def test_a_report_lists_the_inquiries_with_the_nearest_deadlines_and_counts_them_all(
    calendar_api: CalendarApi,
) -> None:
    api = calendar_api
    counterparty = api.write("ivanov", "post", "/counterparties", {"name": "ООО «Запросы»"})["id"]
    waiting = [
        an_inquiry(api, counterparty, f"{days(INQUIRIES_SHOWN + 2 - n)}T12:00:00+03:00", f"Рейс {n}")
        for n in range(INQUIRIES_SHOWN + 2)
    ]

    report = api.read("ivanov", "/me/today")

    assert report["inquiries_waiting_total"] == INQUIRIES_SHOWN + 2
    assert _ids(report, "inquiries_waiting") == waiting[::-1][:INQUIRIES_SHOWN]


def test_another_teams_day_shows_nothing_of_ivanovs(
    client: TestClient, auth: Any, calendar_api: CalendarApi, clock: MovingClock
) -> None:
    ivanov_world(client, auth)
    clock.now += timedelta(days=5)
    report = calendar_api.read("sidorov", "/me/today")
    assert all(report[section] == [] for section in SECTIONS), report
    assert calendar_api.read("ivanov", "/me/today")["overdue_quote_tasks"]


def test_a_stage_under_way_past_its_planned_end_is_late_and_a_completed_one_is_not_shown(
    calendar_api: CalendarApi,
) -> None:
    api = calendar_api
    counterparty = api.write("ivanov", "post", "/counterparties", {"name": "ООО «Этапы»"})["id"]
    planned = {"planned_start": days(-20), "planned_end": days(-10)}
    body = contract_body(counterparty) | {
        "signed_on": days(-30),
        "valid_from": days(-30),
        "stages": [{"name": "Погрузка"} | planned, {"name": "Таможня"} | planned],
    }
    contract = api.write("ivanov", "post", "/contracts", body)["id"]
    for stage in ("Погрузка", "Таможня"):
        api.write(
            "ivanov", "post", f"/contracts/{contract}/stage-starts", {"stage": stage, "started_on": days(-19)}
        )
    api.write(
        "ivanov",
        "post",
        f"/contracts/{contract}/stage-completions",
        {"stage": "Таможня", "completed_on": days(-9)},
    )

    report = api.read("ivanov", "/me/today")

    stages = [
        (item["id"], item["details"]["stage"], item["details"]["state"]) for item in report["contract_stages"]
    ]
    assert stages == [(contract, "Погрузка", "late")]
