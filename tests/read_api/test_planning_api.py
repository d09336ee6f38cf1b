"""Planning over HTTP: an activity planned, moved and held by logging the meeting, seen in the
client's history; control of execution; tasks with time and its cost; reminders; bookings;
and every bad input refused with a clear message and nothing written."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

API = "/api/v1"
NOW = datetime.now(UTC).replace(microsecond=0)
TOMORROW = NOW + timedelta(days=1)
TODAY = NOW.date()


def created(response) -> dict:
    assert response.status_code == 201, response.text
    return response.json()


def ok(response):
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def volga(client: TestClient, auth) -> str:
    return created(
        client.post(f"{API}/counterparties", json={"name": "ООО «Волга-Логистик»"}, headers=auth("ivanov"))
    )["id"]


def meeting_body(counterparty_id: str, **overrides) -> dict:
    body = {
        "kind": "meeting",
        "subject": "Встреча о ставках на 2027 год",
        "counterparty_id": counterparty_id,
        "starts_at": TOMORROW.isoformat(),
        "duration_minutes": 90,
        "place": "Офис клиента, Казань",
    }
    return {**body, **overrides}


def test_a_meeting_planned_moved_and_held_shows_in_the_clients_history(client, auth, volga) -> None:
    ivanov = auth("ivanov")
    activity = created(client.post(f"{API}/activities", json=meeting_body(volga), headers=ivanov))
    later = (TOMORROW + timedelta(hours=2)).isoformat()
    ok(
        client.post(
            f"{API}/activities/{activity['id']}/reschedules",
            json={"starts_at": later, "duration_minutes": 60, "reason": "Клиент попросил позже"},
            headers=ivanov,
        )
    )
    logged = created(
        client.post(
            f"{API}/interactions",
            json={
                "counterparty_id": volga,
                "subject": "Обсудили ставки",
                "details": {"kind": "meeting", "result": "Согласовали"},
                "planned_activity_id": activity["id"],
            },
            headers=ivanov,
        )
    )
    card = ok(
        client.get(f"{API}/activities/{activity['id']}", params={"after": logged["position"]}, headers=ivanov)
    )
    assert card["status"] == "held"
    assert card["interaction_id"] == logged["id"]
    assert card["reschedules"] == 1
    assert card["starts_at"].startswith(later[:16])
    history = ok(client.get(f"{API}/counterparties/{volga}/history", headers=ivanov))["items"]
    events = [entry["event"] for entry in history]
    assert {"activity.planned", "activity.rescheduled", "activity.held", "interaction.logged"} <= set(events)


def test_control_of_execution_counts_overdue_and_missed(client, auth, volga, staff) -> None:
    ivanov = auth("ivanov")
    past = NOW - timedelta(hours=3)
    overdue = created(
        client.post(
            f"{API}/activities",
            json=meeting_body(volga, kind="call", starts_at=past.isoformat()),
            headers=ivanov,
        )
    )
    missed = created(
        client.post(
            f"{API}/activities",
            json=meeting_body(volga, kind="call", starts_at=past.isoformat()),
            headers=ivanov,
        )
    )
    done = ok(
        client.post(
            f"{API}/activities/{missed['id']}/missing", json={"reason": "Не дозвонились"}, headers=ivanov
        )
    )
    control = ok(
        client.get(
            f"{API}/activities/control",
            params={"after": done["position"], "since": (NOW - timedelta(days=1)).isoformat()},
            headers=auth("head"),
        )
    )
    (row,) = control["employees"]
    assert row["employee_id"] == staff["ivanov"][0].employee_id
    assert (row["planned"], row["overdue"], row["missed"]) == (2, 1, 1)
    assert control["total"]["overdue"] == 1
    listed = ok(client.get(f"{API}/activities", params={"overdue": "true"}, headers=ivanov))["items"]
    assert [a["id"] for a in listed] == [overdue["id"]]
    assert ok(client.get(f"{API}/activities/control", headers=auth("sidorov")))["employees"] == []


def test_a_task_with_time_spent_is_costed_at_the_rate_in_effect(client, auth, volga, staff) -> None:
    ivanov, head = auth("ivanov"), auth("head")
    ivanov_id = staff["ivanov"][0].employee_id
    for days_ago, rate in ((30, "1200.00"), (1, "1500.00")):
        created(
            client.post(
                f"{API}/hourly-rates",
                json={
                    "employee_id": ivanov_id,
                    "effective_from": (TODAY - timedelta(days=days_ago)).isoformat(),
                    "rate": rate,
                },
                headers=head,
            )
        )
    task = created(
        client.post(
            f"{API}/tasks",
            json={
                "assignee_id": ivanov_id,
                "title": "Подготовить КП",
                "due_on": TODAY.isoformat(),
                "counterparty_id": volga,
            },
            headers=head,
        )
    )
    ok(client.post(f"{API}/tasks/{task['id']}/acceptance", json={}, headers=ivanov))
    for days_ago, minutes in ((5, 90), (0, 30)):
        ok(
            client.post(
                f"{API}/tasks/{task['id']}/time-entries",
                json={
                    "day": (TODAY - timedelta(days=days_ago)).isoformat(),
                    "minutes": minutes,
                    "work_done": "Расчёт",
                },
                headers=ivanov,
            )
        )
    ok(client.post(f"{API}/tasks/{task['id']}/completion", json={"note": "Готово"}, headers=ivanov))
    check = client.post(f"{API}/tasks/{task['id']}/approval", json={}, headers=auth("petrova"))
    assert check.status_code == 409
    assert "only the employee who assigned the task checks it" in check.json()["detail"]
    approved = ok(client.post(f"{API}/tasks/{task['id']}/approval", json={}, headers=head))

    card = ok(client.get(f"{API}/tasks/{task['id']}", params={"after": approved["position"]}, headers=ivanov))
    assert (card["status"], card["minutes_spent"]) == ("approved", 120)
    (by_client,) = ok(
        client.get(
            f"{API}/time-audit",
            params={"by": "client", "since": (TODAY - timedelta(days=10)).isoformat()},
            headers=head,
        )
    )
    assert by_client["id"] == volga
    assert by_client["minutes"] == 120
    assert by_client["cost"] == [{"amount": "2550.00", "currency": "RUB"}]
    used = {(part["rate"], part["effective_from"]) for part in by_client["parts"]}
    assert used == {
        ("1200.00", (TODAY - timedelta(days=30)).isoformat()),
        ("1500.00", (TODAY - timedelta(days=1)).isoformat()),
    }


def test_due_reminders_are_the_readers_and_leave_when_dismissed(client, auth, staff) -> None:
    ivanov = auth("ivanov")
    due = created(
        client.post(
            f"{API}/reminders",
            json={"remind_at": (NOW - timedelta(minutes=1)).isoformat(), "text": "Позвонить в «Волгу»"},
            headers=ivanov,
        )
    )
    later = created(
        client.post(
            f"{API}/reminders", json={"remind_at": TOMORROW.isoformat(), "text": "Завтрашнее"}, headers=ivanov
        )
    )
    listed = ok(client.get(f"{API}/reminders/due", params={"after": later["position"]}, headers=ivanov))
    assert [r["text"] for r in listed] == ["Позвонить в «Волгу»"]
    assert ok(client.get(f"{API}/reminders/due", headers=auth("petrova"))) == []
    dismissed = ok(client.post(f"{API}/reminders/{due['id']}/dismissal", json={}, headers=ivanov))
    assert (
        ok(client.get(f"{API}/reminders/due", params={"after": dismissed["position"]}, headers=ivanov)) == []
    )


def test_a_booking_that_overlaps_is_refused_naming_the_other(client, auth, letopis) -> None:
    head = auth("head")
    room = created(
        client.post(
            f"{API}/resources", json={"name": "Переговорная «Нева»", "kind": "meeting_room"}, headers=head
        )
    )
    period = {"starts_at": TOMORROW.isoformat(), "ends_at": (TOMORROW + timedelta(hours=2)).isoformat()}
    booked = created(
        client.post(
            f"{API}/resources/{room['id']}/bookings",
            json={**period, "purpose": "Встреча"},
            headers=auth("ivanov"),
        )
    )
    (booking,) = ok(
        client.get(
            f"{API}/resources/bookings",
            params={"after": booked["position"], "since": NOW.isoformat()},
            headers=head,
        )
    )
    head_of_log = letopis.store.head()
    refused = client.post(f"{API}/resources/{room['id']}/bookings", json=period, headers=auth("petrova"))
    assert refused.status_code == 409
    assert letopis.store.head() == head_of_log
    assert booking["booking_id"] in refused.json()["detail"]


@pytest.mark.parametrize(
    ("schedule", "field", "message"),
    [
        ({"ends_at": (TOMORROW - timedelta(hours=1)).isoformat()}, "ends_at", "before it starts"),
        ({"duration_minutes": 0}, "ends_at", "longer than zero"),
        ({"duration_minutes": 1500}, "ends_at", "at most 24 hours"),
    ],
)
def test_a_bad_schedule_is_refused_with_its_field(
    client, auth, volga, unchanged_log, schedule, field, message
) -> None:
    body = {k: v for k, v in meeting_body(volga).items() if k != "duration_minutes"}
    answer = client.post(f"{API}/activities", json={**body, **schedule}, headers=auth("ivanov"))
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["code"] == "invalid_value"
    assert message in problem["detail"]
    assert problem["errors"][0]["loc"] == ["body", field]


def test_an_unknown_participant_is_refused(client, auth, volga, unchanged_log) -> None:
    body = meeting_body(volga, participant_ids=["00000000-0000-4000-8000-000000000000"])
    answer = client.post(f"{API}/activities", json=body, headers=auth("ivanov"))
    assert answer.status_code == 422
    assert "no employee" in answer.json()["detail"]


def test_negative_time_is_refused(client, auth, volga, staff) -> None:
    ivanov = auth("ivanov")
    task = created(
        client.post(f"{API}/tasks", json={"title": "Сверка", "due_on": TODAY.isoformat()}, headers=ivanov)
    )
    ok(client.post(f"{API}/tasks/{task['id']}/acceptance", json={}, headers=ivanov))
    answer = client.post(
        f"{API}/tasks/{task['id']}/time-entries",
        json={"day": TODAY.isoformat(), "minutes": -15, "work_done": "Сверка"},
        headers=ivanov,
    )
    assert answer.status_code == 422
    assert "positive" in answer.json()["detail"]
