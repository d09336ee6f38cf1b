"""Views as they stood at a past moment, rebuilt from the log into memory.

A past moment has two axes. ``known_at`` is recorded time ("as we knew it on T"): the log up
to the last position recorded by T, found through the recorded times kept beside the log
(``event_store.chain``). ``as_of`` is business time ("as it had happened by T"): of those
events, the ones whose ``occurred_at`` is not after T. Either way the answer is one log
position and an optional business cut-off, and the same pair always gives the same views:
the log below a position never changes.

The views are the live projection classes applied by the live machinery
(``projections.failures.apply_up_to_failure``), into SQLite in memory, whatever database the
live views use: the report's own query function then reads them as it reads the live ones.
Only the projections a report needs are replayed, reading only their events; replayed views
are kept for a few moments, so that paging through a past report replays once. A replay with no
business cut-off starts from the nearest checkpoint of the same views and keeps new ones on its
way (``replay.checkpoints``).
"""

import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aggregates.errors import InvalidValue
from event_store.store import EventStore
from letopis.garbage_collector import collector_paused
from projections import failures
from projections.database import ViewDatabase
from projections.projection import Projection
from projections.reading import BatchSize
from projections.sqlite import SqliteViews
from replay.checkpoints import Checkpoints
from replay.events_up_to import batches_up_to, happened_by
from replay.past_reports import PastReport

REPLAY_BATCH = 20_000
"""Events read and applied at a time. A replay into memory holds no transaction anyone waits
on, so its batches stay this large however long one takes: fewer, larger batches sum more of
a view's running totals in memory before writing them."""


@dataclass(frozen=True)
class PastMoment:
    """The log up to ``position``, less what happened after ``as_of`` in business time."""

    position: int
    as_of: datetime | None = None


class PastViews:
    def __init__(self, store: EventStore, checkpoints: Checkpoints, kept: int = 4) -> None:
        """``kept``: replayed sets of views held at once (each is a copy of some views)."""
        self._store = store
        self._checkpoints = checkpoints
        self._kept = kept
        self._cache: OrderedDict[tuple[Any, ...], SqliteViews] = OrderedDict()
        self._lock = threading.Lock()

    def moment(
        self, as_of: datetime | None, known_at: datetime | None, at_position: int | None
    ) -> PastMoment | None:
        """The moment a request asks for; None for the present (the live views)."""
        if as_of is None and known_at is None and at_position is None:
            return None
        if known_at is not None and at_position is not None:
            raise InvalidValue("known_at", "give known_at or at_position, not both", location="query")
        head = self._store.head()
        position = head
        if at_position is not None:
            if at_position > head:
                raise InvalidValue(
                    "at_position",
                    f"log position {at_position} is beyond the head of the log ({head})",
                    location="query",
                )
            position = at_position
        if known_at is not None:
            position = self._store.position_known_at(known_at)
            if position == 0:
                raise InvalidValue(
                    "known_at", f"nothing had been recorded by {known_at.isoformat()}", location="query"
                )
        return PastMoment(position, as_of)

    def views(self, moment: PastMoment, projections: Sequence[type[Projection[Any]]]) -> ViewDatabase:
        """The given views as they stood at the moment, replayed once and kept a while."""
        key = (moment.position, moment.as_of, tuple(kind.name for kind in projections))
        with self._lock:
            found = self._cache.get(key)
            if found is None:
                found = self._replay(moment, [kind() for kind in projections])
                self._cache[key] = found
                # A set of views dropped here is closed once no reader holds it any more.
                while len(self._cache) > self._kept:
                    self._cache.popitem(last=False)
            self._cache.move_to_end(key)
            return found

    def keep_checkpoint(self, position: int, report: PastReport, stopping: threading.Event) -> None:
        """Replay a report's views up to ``position`` for a checkpoint alone, if one is wanted
        there; a replay told to stop is given up."""
        projections = [kind() for kind in report]
        if self._checkpoints.behind(projections, position):
            self._replay(PastMoment(position), projections, stopping).close()

    def _replay(
        self,
        moment: PastMoment,
        projections: Sequence[Projection[Any]],
        stopping: threading.Event | None = None,
    ) -> SqliteViews:
        """The views replayed up to the moment: from the nearest checkpoint, where the moment
        has no business cut-off (which leaves out events any checkpoint holds) and one is kept."""
        as_of, store, checkpoints = moment.as_of, self._store, self._checkpoints
        restored = checkpoints.nearest(store, projections, moment.position) if as_of is None else None
        if restored is None:
            start, happened, database = 0, 0, SqliteViews(":memory:")
            with database.writing() as cursor:
                for projection in projections:
                    projection.create_tables(cursor, {})
        else:
            start, happened, database = restored.position, restored.events, restored.views
        topics = sorted({topic for projection in projections for topic in projection.topics()})
        applying = list(projections)
        with collector_paused():
            for read in batches_up_to(
                store,
                moment.position,
                topics,
                batch_size=BatchSize(REPLAY_BATCH, seconds=math.inf),
                after=start,
            ):
                batch = read if as_of is None else [event for event in read if happened_by(event, as_of)]
                happened += len(batch)
                with database.writing() as cursor:
                    for projection in list(applying):
                        # As a live view does, a view stops before an event it cannot apply.
                        if failures.apply_up_to_failure(
                            cursor, projection, projection.handled_after(batch, 0)
                        ):
                            applying.remove(projection)
                if stopping is not None and stopping.is_set():
                    return database
                if not applying:
                    break
                # Only views that applied every event up to a position make a checkpoint there.
                whole = as_of is None and len(applying) == len(projections)
                if batch and whole and checkpoints.wanted(projections, happened):
                    checkpoints.keep(store, projections, batch[-1].position, happened, database)
        if as_of is not None and happened == 0:
            raise InvalidValue(
                "as_of",
                f"{as_of.isoformat()} is before the first event this report is built from",
                location="query",
            )
        return database

    def close(self) -> None:
        with self._lock:
            self._cache.clear()
