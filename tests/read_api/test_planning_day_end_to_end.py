"""From the demo company onwards, a new manager's planning over HTTP as the issue's "done when"
tells it: the daily report, a calendar client subscribed to the feed, a meeting planned with
a reminder, moved, held, and every step in the client's history."""

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from aggregates.employee import Role
from letopis.demo import seed_demo
from letopis.wiring import Letopis
from read_api.app import create_app
from tests.projections.test_rebuilds import TINY
from tests.read_api.calendar_client import CalendarApi


def test_a_new_managers_meeting_from_plan_to_history_through_the_calendar_feed(letopis: Letopis) -> None:
    seed_demo(letopis, now=datetime.now(UTC), size=TINY)
    _employee_id, token = letopis.create_user("Новикова Дарья", Role.MANAGER, "Москва-1", "Продажи")
    with TestClient(create_app(letopis)) as client:
        api = CalendarApi(client, lambda _who: {"Authorization": f"Bearer {token}"}, letopis)
        me = "novikova"

        report = api.read(me, "/me/today")
        assert report["meetings"] == []
        assert report["employee_id"] == api.me(me)

        feed = api.subscribe(me, "Календарь в телефоне")
        assert api.feed_events(feed["url"]) == {}, "a new manager's calendar holds nothing of others"

        client_id = api.write(me, "post", "/counterparties", {"name": "ООО «Новый клиент»"})["id"]
        starts_at = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
        planned = api.write(
            me,
            "post",
            "/activities",
            {
                "kind": "meeting",
                "subject": "Знакомство",
                "counterparty_id": client_id,
                "starts_at": starts_at.isoformat(),
                "duration_minutes": 60,
                "place": "Офис клиента",
            },
        )
        activity_id = planned["id"]
        api.write(
            me,
            "post",
            "/reminders",
            {
                "remind_at": (starts_at - timedelta(hours=1)).isoformat(),
                "subject": "activity",
                "subject_id": activity_id,
                "text": "Выезжать на встречу",
            },
        )
        uid = f"activity:{activity_id}@letopis"
        first = api.feed_events(feed["url"])[uid]
        assert first.start == starts_at
        assert [str(alarm["DESCRIPTION"]) for alarm in first.walk("VALARM")] == ["Выезжать на встречу"]
        assert str(first["LOCATION"]) == "Офис клиента"

        moved_to = starts_at + timedelta(days=1, hours=2)
        api.write(
            me,
            "post",
            f"/activities/{activity_id}/reschedules",
            {"starts_at": moved_to.isoformat(), "duration_minutes": 90, "reason": "Клиент перенёс"},
        )
        second = api.feed_events(feed["url"])[uid]
        assert second.start == moved_to
        assert second.sequence > first.sequence

        api.write(
            me,
            "post",
            "/interactions",
            {
                "counterparty_id": client_id,
                "subject": "Знакомство состоялось",
                "details": {"kind": "meeting"},
                "planned_activity_id": activity_id,
            },
        )
        (held,) = [e for e in api.calendar(me, 0, 7) if e["source"]["id"] == activity_id]
        assert held["status"] == "held"

        history = api.read(me, f"/counterparties/{client_id}/history")["items"]
        steps = [entry["event"] for entry in sorted(history, key=lambda entry: entry["position"])]
        assert [s for s in steps if s.startswith("activity.")] == [
            "activity.planned",
            "activity.rescheduled",
            "activity.held",
        ]
        assert "interaction.logged" in steps
        assert api.feed_events(feed["url"]).keys() == {uid}
        _others_never_appear(api, me)


def _others_never_appear(api: CalendarApi, me: str) -> None:
    mine = api.me(me)
    assert {e["employee_id"] for e in api.calendar(me, -30, 90, employee_id=mine)} == {mine}
    team: Any = api.calendar(me, -30, 90)
    assert team, "the demo's Москва-1 team has a calendar the new manager shares"
