"""A record created and saved at once, as its first event alone, without the aggregate.

An import registers a hundred thousand cards, their ИНН claims and their contact persons in
one append and reads none of them back before it is saved. Building each aggregate only to
collect its first event again (the library replays the event into a new object, filters its
fields for ``__init__`` and applies it) costs more than checking the row. ``NewRecord`` builds
the event exactly as ``Aggregate._create`` does — the same class, the aggregate's topic, the
id, version 1 and the moment it was made — so the log, and every view and replay reading it,
cannot tell the two apart; it offers the write side what an aggregate would: an id, a version
and the pending event.
"""

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic


class NewRecord:
    __slots__ = ("id", "pending_events")

    version = Aggregate.INITIAL_VERSION

    def __init__(
        self, aggregate: type[Aggregate], event_class: type[Aggregate.Created], id: UUID, **fields: Any
    ) -> None:
        self.id = id
        self.pending_events: list[Aggregate.Created] = [
            event_class(
                originator_topic=get_topic(aggregate),
                originator_id=id,
                originator_version=Aggregate.INITIAL_VERSION,
                timestamp=event_class.create_timestamp(),
                **fields,
            )
        ]

    def collect_events(self) -> list[Aggregate.Created]:
        collected, self.pending_events = self.pending_events, []
        return collected
