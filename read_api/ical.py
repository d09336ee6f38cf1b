"""A calendar as an iCalendar document (RFC 5545), for calendar clients that subscribe to it.

Each entry keeps its UID for life, so a client updates the event it already shows; a
changed time raises the entry's SEQUENCE; a cancelled one is sent as STATUS:CANCELLED
rather than dropped. Timed entries are in the company's time zone, described by a
VTIMEZONE; all-day entries (birthdays, stages, expected closes) are dates. Reminders are
alarms (VALARM) of the entry they remind of.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from icalendar import STATUS, TRANSP, Alarm, Calendar, Event, Timezone, vDuration

from projections.calendar_entries import CALENDAR_ZONE

REFRESH_INTERVAL = timedelta(minutes=15)
MEDIA_TYPE = "text/calendar; charset=utf-8"
_UID_DOMAIN = "letopis"
_CANCELLED = "cancelled"


@dataclass(frozen=True)
class FeedAlarm:
    """A reminder of an entry, at a moment."""

    at: datetime
    text: str


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


def calendar_document(
    entries: Iterable[Mapping[str, Any]],
    *,
    uid: str,
    name: str,
    base_url: str,
    now: datetime,
    alarms: Mapping[str, Sequence[FeedAlarm]] | None = None,
) -> bytes:
    """The feed: ``alarms`` are keyed by the id of the entry's source."""
    alarms = alarms or {}
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
    for entry in entries:
        calendar.add_component(_event(entry, base_url, alarms.get(entry["source"]["id"], ()), now))
    return bytes(calendar.to_ical())
