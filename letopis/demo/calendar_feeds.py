"""Managers' calendar subscriptions: each manager's phone reads their calendar from a feed;
one in four was replaced by a new one (a lost phone), the old one revoked.

The demo's feed secrets come from the seeded generator, so they are as public as the seed:
a real employee subscribes through the API, which draws a secret nobody can repeat."""

from collections.abc import Iterator
from datetime import datetime, timedelta

from aggregates.calendar_feed import CalendarFeed
from aggregates.employee import token_digest
from letopis.demo.chronicle import Chronicle
from letopis.demo.company import TEAMS

FEED_COUNT = sum(TEAMS.values()) + sum(TEAMS.values()) // 4
"""One feed per manager, and a replacement for every fourth."""


def calendar_feeds(chronicle: Chronicle) -> Iterator[CalendarFeed]:
    for number, manager in enumerate(chronicle.managers):
        subscribed_at = chronicle.moment(chronicle.start, chronicle.now - timedelta(days=30))
        feed = _subscribe(chronicle, manager.id, "Телефон", subscribed_at)
        if number % 4 == 3:
            lost_at = chronicle.moment(subscribed_at, chronicle.now - timedelta(days=1))
            feed.revoke(chronicle.stamp(manager.id, lost_at), "телефон потерян")
            yield feed
            yield _subscribe(chronicle, manager.id, "Новый телефон", lost_at)
        else:
            yield feed


def _subscribe(chronicle: Chronicle, owner_id: str, name: str, moment: datetime) -> CalendarFeed:
    return CalendarFeed.issue(
        chronicle.stamp(owner_id, moment),
        id=chronicle.new_id(),
        owner_id=owner_id,
        name=name,
        token_digest=token_digest(f"lf_demo_{chronicle.new_id().hex}"),
    )
