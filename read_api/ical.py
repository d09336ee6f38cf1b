"""A calendar as an iCalendar document (RFC 5545), for calendar clients that subscribe to it.

Each entry keeps its UID for life, so a client updates the event it already shows; a
changed time raises the entry's SEQUENCE; a cancelled one is sent as STATUS:CANCELLED
rather than dropped. Timed entries are in the company's time zone, described by a
VTIMEZONE; all-day entries (birthdays, stages, expected closes) are dates. Reminders are
alarms (VALARM) of the entry they remind of.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any

from icalendar import STATUS, TRANSP, Alarm, Calendar, Event, Timezone, vDuration

from aggregates.scope import Actor
from projections.calendar_entries import CALENDAR_ZONE
from projections.calendar_queries import CalendarQuery, calendar_entries
from projections.database import ViewCursor
from projections.reminders import reminders_between

REFRESH_INTERVAL = timedelta(minutes=15)
FEED_PAST = timedelta(days=30)
FEED_AHEAD = timedelta(days=90)
MEDIA_TYPE = "text/calendar; charset=utf-8"
_UID_DOMAIN = "letopis"
_CANCELLED = "cancelled"


@dataclass(frozen=True)
class FeedAlarm:
    """A reminder at a moment: an alarm of the entries of its subject (of one stage of a
    contract, if it names one), or an event of its own when it has no entry in the feed."""

    reminder_id: str
    at: datetime
    text: str
    subject_id: str | None
    stage: str | None

    def rings_for(self, entry: Mapping[str, Any]) -> bool:
        if self.subject_id != entry["source"]["id"]:
            return False
        return self.stage is None or self.stage == entry["details"].get("stage")


@cache
def _company_zone() -> Timezone:
    # Every rule Moscow has had this century: the same VTIMEZONE serves every feed.
    return Timezone.from_tzid(str(CALENDAR_ZONE), first_date=date(2000, 1, 1), last_date=date(2100, 1, 1))


def _event(entry: Mapping[str, Any], base_url: str, alarms: Sequence[FeedAlarm], now: datetime) -> Event:
    if entry["all_day"]:
        start: date | datetime = entry["first_day"]
        end: date | datetime = entry["last_day"] + timedelta(days=1)
    else:
        start = entry["starts_at"].astimezone(CALENDAR_ZONE)
        end = entry["ends_at"].astimezone(CALENDAR_ZONE)
    path = entry["source"]["path"]
    event = Event.new(
        uid=f"{entry['entry_id']}@{_UID_DOMAIN}",
        summary=entry["title"],
        start=start,
        end=end,
        stamp=entry["updated_at"] or now,
        sequence=entry["sequence"],
        status=STATUS.CANCELLED if entry["status"] == _CANCELLED else STATUS.CONFIRMED,
        transparency=TRANSP.TRANSPARENT if entry["all_day"] else TRANSP.OPAQUE,
        categories=[entry["layer"]],
        description=f"{entry['layer']}, {entry['status']}: {entry['source']['kind']} {entry['source']['id']}",
        url=base_url.rstrip("/") + path if path else None,
        location=entry["details"].get("place") or None,
    )
    for alarm in alarms:
        event.add_component(Alarm.new_display(description=alarm.text, trigger=alarm.at))
    return event


def _reminder_event(alarm: FeedAlarm, now: datetime) -> Event:
    at = alarm.at.astimezone(CALENDAR_ZONE)
    event = Event.new(
        uid=f"reminder:{alarm.reminder_id}@{_UID_DOMAIN}",
        summary=f"Reminder: {alarm.text}",
        start=at,
        end=at,
        stamp=now,
        transparency=TRANSP.TRANSPARENT,
        categories=["reminders"],
    )
    event.add_component(Alarm.new_display(description=alarm.text, trigger=alarm.at))
    return event


def calendar_document(
    entries: Iterable[Mapping[str, Any]],
    *,
    uid: str,
    name: str,
    base_url: str,
    now: datetime,
    alarms: Sequence[FeedAlarm] = (),
) -> bytes:
    calendar = Calendar.new(
        prodid="-//Letopis CRM//Calendar//RU",
        name=name,
        method="PUBLISH",
        calscale="GREGORIAN",
        uid=f"{uid}@{_UID_DOMAIN}",
    )
    # RFC 7986 requires the value type to be named.
    calendar.add("REFRESH-INTERVAL", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH_INTERVAL))
    calendar.add("X-WR-TIMEZONE", str(CALENDAR_ZONE))
    calendar.add_component(_company_zone())
    by_subject: dict[str, list[FeedAlarm]] = {}
    for alarm in alarms:
        by_subject.setdefault(alarm.subject_id or "", []).append(alarm)
    rung: set[str] = set()
    for entry in entries:
        ringing = [a for a in by_subject.get(entry["source"]["id"], ()) if a.rings_for(entry)]
        rung.update(a.reminder_id for a in ringing)
        calendar.add_component(_event(entry, base_url, ringing, now))
    for alarm in alarms:
        if alarm.reminder_id not in rung:
            calendar.add_component(_reminder_event(alarm, now))
    return bytes(calendar.to_ical())


def employee_calendar(cursor: ViewCursor, owner: Actor, now: datetime, base_url: str) -> bytes:
    """An employee's own calendar as a feed: from ``FEED_PAST`` before today to
    ``FEED_AHEAD`` after it, with their undismissed reminders as alarms."""
    today = now.astimezone(CALENDAR_ZONE).date()
    query = CalendarQuery(today - FEED_PAST, today + FEED_AHEAD, employee_id=owner.employee_id)
    entries = calendar_entries(cursor, owner, query)
    since = datetime.combine(query.first_day, time(), CALENDAR_ZONE)
    until = datetime.combine(query.last_day + timedelta(days=1), time(), CALENDAR_ZONE)
    alarms = [
        FeedAlarm(r["id"], r["remind_at"], r["text"], r["subject_id"], r["stage"])
        for r in reminders_between(cursor, owner.employee_id, since, until)
    ]
    return calendar_document(
        entries,
        uid=f"calendar:{owner.employee_id}",
        name=f"Letopis: {owner.full_name}",
        base_url=base_url,
        now=now,
        alarms=alarms,
    )
