"""What Letopis's recorders add to the library's, and what they share. There is one recorder
class per database, as the library has: ``event_store.memory_recorder``,
``event_store.sqlite_recorder`` and ``event_store.postgres_recorder``.

Every recorder is taught one more condition. An append may name aggregates it was decided on
without changing them (``unchanged``: id → the version it saw). If any of them has moved on
since, nothing is written and the append fails as a version conflict does.

That condition is what lets the write side decide on aggregates remembered from earlier
commands (``event_store.cache``) without a round trip to re-read them. The check happens in
the append's own transaction, after every other writer's, so a remembered aggregate that
another thread or process has changed meanwhile can never decide a write that then succeeds.

Each recorder also links every event it appends into the hash chain kept beside the log
(``event_store.chain``), in the append's own transaction: a link table per log, with the time
the log recorded the event. A log written before the chain existed is linked once, under the
append lock, when a store opens it (``link_unlinked``). An event's recorded time is then taken
from the event itself (the time the write side created it).

Each also reads the log as plain rows, finds one event's position and writes a stretch of the
log as CSV, each in its database's own way. The store above them (``event_store.store``) then
holds no SQL of any database.
"""

import csv
import io
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import IO, Protocol
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, IntegrityError, StoredEvent

from event_store.chain import Link, Stored

Unchanged = Mapping[UUID, int]
"""Aggregates an append was decided on without changing them: id → the version it saw."""

NONE: Unchanged = MappingProxyType({})

UPGRADE_BATCH = 10_000
"""Events of an unchained log read at a time while linking it."""

CSV_QUOTE = "\x01"
"""The quote of ``write_csv``'s values, doubled where a value holds it. Each state is JSON,
which always needs quoting and holds many double quotes but never a raw control character:
with the usual double quote, every one of them was doubled, and both writing the file and
reading it back took two to three times as long."""

RecordedUs = Callable[[Stored], int]
"""An event's recorded time in microseconds, read from the event itself (for logs chained late)."""


class LogRecorder(Protocol):
    """What every recorder here offers beyond the library's: the chain beside its log, and the
    log read as it is stored."""

    def chain_links(self, after: int, limit: int) -> list[Link]:
        """Up to ``limit`` links after a position, in order."""

    def links_of(self, originator_id: UUID) -> list[Link]:
        """The links of one aggregate's events, in version order."""

    def position_recorded_by(self, recorded_us: int) -> int:
        """The last position recorded at or before a time (0: none)."""

    def link_unlinked(self, recorded_us: RecordedUs) -> int:
        """Link events appended before the chain existed; how many were linked."""

    def existing(self, originator_ids: Sequence[UUID]) -> set[UUID]:
        """Which of these aggregates have events, asked in one query (or a few)."""

    def stored_rows(
        self, after: int, limit: int, stop: int | None = None, topics: Sequence[str] = ()
    ) -> list[Stored]:
        """Up to ``limit`` events after ``after`` and up to ``stop`` (the head when None), of
        ``topics`` when some are named, in order, as they are stored."""

    def position_of(self, originator_id: UUID, version: int) -> int | None:
        """The position of one event of an aggregate (None: not in the log)."""

    def write_csv(self, after: int, upper: int, out: IO[bytes]) -> None:
        """The events after ``after`` and up to ``upper`` as CSV, in any order, one line each:
        position, aggregate id, its version, topic and the state as stored (JSON text), values
        quoted by ``CSV_QUOTE``."""


def now_us() -> int:
    return time.time_ns() // 1000


def changed(unchanged: Unchanged, current: Mapping[UUID, int]) -> IntegrityError:
    moved = ", ".join(f"{id_} (at {current[id_]}, not {unchanged[id_]})" for id_ in current)
    return IntegrityError(f"changed since the decision was taken: {moved}")


def stored_at(positions: Iterable[int], stored_events: Sequence[StoredEvent]) -> list[Stored]:
    """The events as stored at the positions they were given."""
    return [
        (position, event.originator_id, event.originator_version, event.topic, event.state)
        for position, event in zip(positions, stored_events, strict=True)
    ]


class SelectedLog(ApplicationRecorder):
    """``stored_rows`` and ``write_csv`` through the library's own selection of notifications,
    for the stores whose notifications cost no more than rows (memory, SQLite)."""

    def stored_rows(
        self, after: int, limit: int, stop: int | None = None, topics: Sequence[str] = ()
    ) -> list[Stored]:
        return [
            (n.id, n.originator_id, n.originator_version, n.topic, n.state)
            for n in self.select_notifications(
                start=after, limit=limit, stop=stop, topics=topics, inclusive_of_start=False
            )
        ]

    def write_csv(self, after: int, upper: int, out: IO[bytes]) -> None:
        """A batch of the selection at a time."""
        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        writer = csv.writer(text, quotechar=CSV_QUOTE)
        while after < upper:
            batch = self.select_notifications(start=after, limit=10_000, stop=upper, inclusive_of_start=False)
            if not batch:
                break
            writer.writerows(
                (n.id, n.originator_id, n.originator_version, n.topic, n.state.decode()) for n in batch
            )
            after = batch[-1].id
        text.detach()
