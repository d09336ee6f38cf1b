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
from functools import cache, lru_cache
from typing import Any, NamedTuple

from icalendar import STATUS, TRANSP, Alarm, Calendar, Event, Timezone, vDuration

from aggregates.scope import Actor
from letopis.garbage_collector import collector_paused
from projections.calendar_entries import CALENDAR_ZONE
from projections.calendar_queries import (
    CalendarQuery,
    StoredEntry,
    YearlyDate,
    entry_of,
    stored_entries,
    yearly_entry,
)
from projections.database import ViewCursor
from projections.reminders import reminders_between

REFRESH_INTERVAL = timedelta(minutes=15)
FEED_PAST = timedelta(days=30)
FEED_AHEAD = timedelta(days=90)
MEDIA_TYPE = "text/calendar; charset=utf-8"
_UID_DOMAIN = "letopis"
_CANCELLED = "cancelled"
_END = b"END:VCALENDAR\r\n"


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


class _Shown(NamedTuple):
    """Everything one event shows: its rendering is remembered on it, so a feed read again
    renders only what changed (the library takes milliseconds an event). A named tuple, not
    a frozen dataclass: a feed of thousands of events builds, hashes and compares one an
    event, and a tuple does each without Python code."""

    uid: str
    summary: str
    start: date | datetime
    end: date | datetime
    stamp: datetime
    sequence: int = 0
    cancelled: bool = False
    transparent: bool = False
    """Takes no time from one's day: an all-day date, a reminder."""
    category: str = ""
    description: str | None = None
    url: str | None = None
    location: str | None = None
    alarms: tuple[tuple[datetime, str], ...] = ()


@lru_cache(maxsize=50_000)
def _rendered(shown: _Shown) -> bytes:
    event = Event.new(
        uid=shown.uid,
        summary=shown.summary,
        start=shown.start,
        end=shown.end,
        stamp=shown.stamp,
        sequence=shown.sequence,
        status=STATUS.CANCELLED if shown.cancelled else STATUS.CONFIRMED,
        transparency=TRANSP.TRANSPARENT if shown.transparent else TRANSP.OPAQUE,
        categories=[shown.category],
        description=shown.description,
        url=shown.url,
        location=shown.location,
    )
    for at, text in shown.alarms:
        event.add_component(Alarm.new_display(description=text, trigger=at))
    return bytes(event.to_ical())


def _event(entry: Mapping[str, Any], base_url: str, alarms: Sequence[FeedAlarm], stamp: datetime) -> bytes:
    if entry["all_day"]:
        start: date | datetime = entry["first_day"]
        end: date | datetime = entry["last_day"] + timedelta(days=1)
    else:
        start = entry["starts_at"].astimezone(CALENDAR_ZONE)
        end = entry["ends_at"].astimezone(CALENDAR_ZONE)
    source = entry["source"]
    path = source["path"]
    return _rendered(
        _Shown(
            uid=f"{entry['entry_id']}@{_UID_DOMAIN}",
            summary=entry["title"],
            start=start,
            end=end,
            stamp=entry["updated_at"] or stamp,
            sequence=entry["sequence"],
            cancelled=entry["status"] == _CANCELLED,
            transparent=entry["all_day"],
            category=entry["layer"],
            description=f"{entry['layer']}, {entry['status']}: {source['kind']} {source['id']}",
            url=base_url.rstrip("/") + path if path else None,
            location=entry["details"].get("place") or None,
            alarms=tuple((alarm.at, alarm.text) for alarm in alarms),
        )
    )


@lru_cache(maxsize=20_000)
def _stored_event(stored: StoredEntry, base_url: str) -> bytes:
    """A dated entry with no alarms, remembered by its body: a feed read again sends what it
    sent before without parsing the body or building the event again."""
    return _event(entry_of(stored), base_url, (), stored.updated_at)


@lru_cache(maxsize=20_000)
def _yearly_event(occurrence: YearlyDate, base_url: str, stamp: datetime) -> bytes:
    """A yearly date with no alarms, remembered for the day it is read on."""
    return _event(yearly_entry(occurrence), base_url, (), stamp)


def _reminder_event(alarm: FeedAlarm, stamp: datetime) -> bytes:
    at = alarm.at.astimezone(CALENDAR_ZONE)
    return _rendered(
        _Shown(
            uid=f"reminder:{alarm.reminder_id}@{_UID_DOMAIN}",
            summary=f"Reminder: {alarm.text}",
            start=at,
            end=at,
            stamp=stamp,
            transparent=True,
            category="reminders",
            alarms=((alarm.at, alarm.text),),
        )
    )


@lru_cache(maxsize=1024)
def _calendar_head(uid: str, name: str) -> bytes:
    """The calendar's own lines and its time zone, up to its events: the same on every read."""
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
    document = bytes(calendar.to_ical())
    assert document.endswith(_END)
    return document[: -len(_END)]


def calendar_document(
    dated: Iterable[StoredEntry],
    yearly: Iterable[YearlyDate],
    *,
    uid: str,
    name: str,
    base_url: str,
    now: datetime,
    alarms: Sequence[FeedAlarm] = (),
) -> bytes:
    """What ``stored_entries`` found as a calendar, with the reminders as alarms of the
    entries they remind of, or as events of their own."""
    # What has no time of its own to stamp (a yearly date, a reminder) is stamped with the
    # day it is read, so its rendering is remembered for the day.
    stamp = now.replace(hour=0, minute=0, second=0, microsecond=0)
    by_subject: dict[str, list[FeedAlarm]] = {}
    for alarm in alarms:
        by_subject.setdefault(alarm.subject_id or "", []).append(alarm)
    rung: set[str] = set()

    def with_alarms(entry: Mapping[str, Any]) -> bytes:
        ringing = [a for a in by_subject.get(entry["source"]["id"], ()) if a.rings_for(entry)]
        rung.update(a.reminder_id for a in ringing)
        return _event(entry, base_url, ringing, stamp)

    events = [
        with_alarms(entry_of(stored)) if stored.source_id in by_subject else _stored_event(stored, base_url)
        for stored in dated
    ]
    events.extend(
        with_alarms(yearly_entry(occurrence))
        if occurrence.source_id in by_subject
        else _yearly_event(occurrence, base_url, stamp)
        for occurrence in yearly
    )
    events.extend(_reminder_event(alarm, stamp) for alarm in alarms if alarm.reminder_id not in rung)
    return _calendar_head(uid, name) + b"".join(events) + _END


@collector_paused()
def employee_calendar(cursor: ViewCursor, owner: Actor, now: datetime, base_url: str) -> bytes:
    """An employee's own calendar as a feed: from ``FEED_PAST`` before today to
    ``FEED_AHEAD`` after it, with their undismissed reminders as alarms."""
    today = now.astimezone(CALENDAR_ZONE).date()
    query = CalendarQuery(today - FEED_PAST, today + FEED_AHEAD, employee_id=owner.employee_id)
    dated, yearly = stored_entries(cursor, owner, query)
    since = datetime.combine(query.first_day, time(), CALENDAR_ZONE)
    until = datetime.combine(query.last_day + timedelta(days=1), time(), CALENDAR_ZONE)
    alarms = [
        FeedAlarm(r["id"], r["remind_at"], r["text"], r["subject_id"], r["stage"])
        for r in reminders_between(cursor, owner.employee_id, since, until)
    ]
    return calendar_document(
        dated,
        yearly,
        uid=f"calendar:{owner.employee_id}",
        name=f"Letopis: {owner.full_name}",
        base_url=base_url,
        now=now,
        alarms=alarms,
    )
