"""Calendar feeds over HTTP: secret addresses issued, listed and revoked, and the RFC 5545
document a calendar client reads from them, checked by parsing it with ``icalendar``."""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

from fastapi.testclient import TestClient

from tests.read_api.calendar_client import CalendarApi
from tests.read_api.world import API, TODAY, ivanov_world


def test_a_feed_is_a_calendar_a_client_can_subscribe_to(
    client: TestClient, auth: Any, calendar_api: CalendarApi
) -> None:
    api = calendar_api
    ids = ivanov_world(client, auth)
    contact = api.write(
        "ivanov", "post", "/contacts", {"full_name": "Именинник Пётр", "birthday": "1980-01-01"}
    )
    api.write(
        "ivanov", "patch", f"/contacts/{contact['id']}", {"birthday": TODAY.replace(year=1980).isoformat()}
    )
    feed = api.subscribe("ivanov")
    calendar = api.feed(feed["url"])

    assert str(calendar["VERSION"]) == "2.0"
    assert calendar["PRODID"]
    assert calendar.refresh_interval == timedelta(minutes=15)
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT15M"
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Moscow"]

    events = {event.uid: event for event in calendar.events}
    meeting = events[f"interaction:{ids['interaction']}@letopis"]
    assert isinstance(meeting.start, datetime)
    assert meeting["DTSTART"].params["TZID"] == "Europe/Moscow"
    assert meeting.end > meeting.start
    assert (meeting.sequence, meeting.status) == (0, "CONFIRMED")
    assert str(meeting["URL"]).endswith(f"{API}/counterparties/{ids['counterparty']}/history")
    assert "DTSTAMP" in meeting

    (birthday,) = [e for uid, e in events.items() if uid.startswith(f"contact:{contact['id']}:birthday")]
    assert type(birthday.start) is date
    assert birthday.start == TODAY
    assert birthday.end == TODAY + timedelta(days=1)
    assert birthday.transparency == "TRANSPARENT"

    assert set(api.feed_events(feed["url"])) == set(events), "UIDs are stable across reads"


def test_a_moved_meeting_keeps_its_uid_and_raises_its_sequence(
    client: TestClient, auth: Any, calendar_api: CalendarApi
) -> None:
    api = calendar_api
    ids = ivanov_world(client, auth)
    feed = api.subscribe("ivanov")
    uid = f"interaction:{ids['interaction']}@letopis"
    before = api.feed_events(feed["url"])[uid]
    moved_to = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
    api.write(
        "ivanov",
        "post",
        f"/interactions/{ids['interaction']}/corrections",
        {"reason": "Встреча была позавчера", "happened_at": moved_to.isoformat()},
    )
    after = api.feed_events(feed["url"])[uid]
    assert after.sequence == before.sequence + 1
    assert after.start == moved_to


def test_feeds_are_listed_without_their_secrets_and_stop_when_revoked(
    client: TestClient, auth: Any, calendar_api: CalendarApi
) -> None:
    api = calendar_api
    feed = api.subscribe("ivanov")
    token = urlparse(feed["url"]).path.rsplit("/", 1)[-1]
    (listed,) = api.feeds("ivanov")
    assert listed["feed_id"] == feed["feed_id"]
    assert listed["revoked_at"] is None
    assert token not in str(listed)
    assert "digest" not in listed
    assert api.feeds("petrova") == []

    api.write("ivanov", "delete", f"/calendar-feeds/{feed['feed_id']}")
    gone = client.get(urlparse(feed["url"]).path)
    assert gone.status_code == 404, "a revoked feed is not found, so feeds cannot be probed"
    assert gone.json()["code"] == "not_found"
    (listed,) = api.feeds("ivanov")
    assert listed["revoked_by"] == api.me("ivanov")
    assert client.get(f"{API}/calendar/feeds/lf_not-a-feed").status_code == 404


def test_a_revoked_feed_stays_revoked(client: TestClient, auth: Any, calendar_api: CalendarApi) -> None:
    feed = calendar_api.subscribe("ivanov")
    calendar_api.write("ivanov", "delete", f"/calendar-feeds/{feed['feed_id']}")
    head = calendar_api.letopis.store.head()
    again = client.delete(f"{API}/calendar-feeds/{feed['feed_id']}", headers=auth("ivanov"))
    assert again.status_code == 409
    assert "already revoked" in again.json()["detail"]
    assert calendar_api.letopis.store.head() == head
    assert client.get(urlparse(feed["url"]).path).status_code == 404


def test_nobody_subscribes_to_anothers_calendar_nor_revokes_anothers_feed(
    client: TestClient, auth: Any, calendar_api: CalendarApi, staff: dict[str, Any]
) -> None:
    api = calendar_api
    feed = api.subscribe("ivanov")
    head = api.letopis.store.head()
    for who in ("petrova", "head"):
        path = f"{API}/employees/{api.me('ivanov')}/calendar-feeds"
        assert client.post(path, json={}, headers=auth(who)).status_code == 403
        assert client.get(path, headers=auth(who)).status_code == 403
        refused = client.delete(f"{API}/calendar-feeds/{feed['feed_id']}", headers=auth(who))
        assert refused.status_code == 403
    assert api.letopis.store.head() == head
    assert client.get(urlparse(feed["url"]).path).status_code == 200
    assert api.feeds("ivanov")[0]["revoked_at"] is None
    assert len(api.read("admin", f"/employees/{api.me('ivanov')}/calendar-feeds")) == 1
    api.write("admin", "delete", f"/calendar-feeds/{feed['feed_id']}")
    assert api.feeds("ivanov")[0]["revoked_by"] == staff["admin"][0].employee_id


def test_a_feed_shows_only_its_owners_calendar(
    client: TestClient, auth: Any, calendar_api: CalendarApi
) -> None:
    api = calendar_api
    ivanov_world(client, auth)
    for who in ("sidorov", "petrova", "head"):
        assert api.feed_events(api.subscribe(who)["url"]) == {}, who


def test_a_deactivated_employees_feeds_stop(
    client: TestClient, auth: Any, calendar_api: CalendarApi, staff: dict[str, Any]
) -> None:
    api = calendar_api
    feed = api.subscribe("petrova")
    api.write(
        "admin", "post", f"/employees/{staff['petrova'][0].employee_id}/deactivation", {"reason": "Уволена"}
    )
    assert client.get(urlparse(feed["url"]).path).status_code == 404


def test_a_feed_follows_a_planned_meeting_with_its_alarm_moves_and_cancellation(
    client: TestClient, auth: Any, calendar_api: CalendarApi
) -> None:
    api = calendar_api
    ids = ivanov_world(client, auth)
    ring_at = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=23)
    api.write(
        "ivanov",
        "post",
        "/reminders",
        {
            "remind_at": ring_at.isoformat(),
            "subject": "activity",
            "subject_id": ids["activity"],
            "text": "Тарифы",
        },
    )
    feed = api.subscribe("ivanov")
    uid = f"activity:{ids['activity']}@letopis"
    planned = api.feed_events(feed["url"])[uid]
    assert (planned.sequence, planned.status) == (0, "CONFIRMED")
    (alarm,) = planned.walk("VALARM")
    assert (alarm.decoded("TRIGGER"), str(alarm["ACTION"]), str(alarm["DESCRIPTION"])) == (
        ring_at,
        "DISPLAY",
        "Тарифы",
    )
    text_reminders = [e for u, e in api.feed_events(feed["url"]).items() if u.startswith("reminder:")]
    assert [e.summary for e in text_reminders] == ["Reminder: Позвонить"], (
        "a reminder with no entry is an event"
    )

    new_start = ring_at + timedelta(days=2)
    api.write(
        "ivanov",
        "post",
        f"/activities/{ids['activity']}/reschedules",
        {"starts_at": new_start.isoformat(), "duration_minutes": 90, "reason": "Клиент попросил"},
    )
    moved = api.feed_events(feed["url"])[uid]
    assert moved.sequence == 1
    assert (moved.start, moved.end) == (new_start, new_start + timedelta(minutes=90))

    api.write("ivanov", "post", f"/activities/{ids['activity']}/cancellation", {"reason": "Отменили"})
    cancelled = api.feed_events(feed["url"])[uid]
    assert (cancelled.status, cancelled.sequence) == ("CANCELLED", 2)
