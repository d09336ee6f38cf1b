"""Moving builds along the log beside the live views, and switching each in once caught up.

A build is strict: an event its handlers cannot apply stops it with the position and the
error, and the live view goes on answering. The worker moves every build a few batches a
turn, so that live views never wait long for it; ``crm projections rebuild`` moves one to
the end. Two processes never apply the same batch: each step locks the build's row and
starts from the position recorded there.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from projections import builds, failures
from projections.builds import Build
from projections.database import ViewCursor, ViewDatabase
from projections.projection import Projection
from projections.reading import BatchSize, EventSource, Progress

logger = logging.getLogger(__name__)

_BATCHES_A_TURN = 5
_RETRY_FAILED_SECONDS = 300.0


class RebuildFailed(Exception):
    """A rebuild met an event its handlers cannot apply; the live view keeps answering."""

    def __init__(self, name: str, position: int, error: Exception) -> None:
        super().__init__(
            f"rebuilding {name} stopped before log position {position}: {type(error).__name__}: {error}"
        )
        self.name = name
        self.position = position
        self.error = error


class Rebuilder:
    def __init__(
        self,
        source: EventSource,
        database: ViewDatabase,
        projections: Sequence[Projection[Any]],
        batch: BatchSize,
        switched: threading.Condition,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self.database = database
        self._by_name = {p.name: p for p in projections}
        self._batch = batch
        self._switched = switched
        self._clock = clock
        self._retry_at: dict[str, float] = {}

    def advance_all(self) -> None:
        """A few batches of every build; one that failed is tried again minutes later."""
        with self.database.reading() as cursor:
            pending = builds.builds(cursor)
        now = self._clock()
        for build in pending.values():
            projection = self._by_name.get(build.name)
            if projection is None or build.version != projection.version:
                continue
            if self._retry_at.get(build.name, now) > now:
                continue
            try:
                self.advance(projection, build, _BATCHES_A_TURN)
            except RebuildFailed as failure:
                self._retry_at[build.name] = now + _RETRY_FAILED_SECONDS
                logger.error("%s", failure)

    def rebuild(self, projections: Sequence[Projection[Any]], progress: Progress | None = None) -> None:
        """Start a build of each projection afresh and take it to the end; a build met
        unfinished (a process killed half-way) starts again from the beginning."""
        with self.database.writing() as cursor:
            started = [builds.start(cursor, projection, datetime.now(UTC)) for projection in projections]
        for projection, build in zip(projections, started, strict=True):
            self.advance(projection, build, None, progress)

    def advance(
        self, projection: Projection[Any], build: Build, batches: int | None, progress: Progress | None = None
    ) -> None:
        """Move a build on by up to ``batches`` batches (to the end when None), and switch it
        in once it is within a batch of the head. Another process may take the build over or
        start it afresh; then this one leaves it be."""
        done = 0
        current: Build | None = build
        with self._recording_failure(build):
            while current is not None and (batches is None or done < batches):
                head = self.source.head()
                if head - current.position <= self._batch.events:
                    self._switch(projection, current)
                    return
                with self.database.writing() as cursor:
                    current = self._apply_batch(cursor, projection, current, head)
                done += 1
                if progress and current is not None:
                    progress(current.position, head)

    @contextmanager
    def _recording_failure(self, build: Build) -> Iterator[None]:
        """A failed build says where and why in its row, for ``status``; the batch that failed
        is rolled back, so that is written in a transaction of its own."""
        try:
            yield
        except RebuildFailed as failure:
            with self.database.writing() as cursor:
                builds.failed(cursor, build, failure.position, failure.error)
            raise

    def _apply_batch(
        self, cursor: ViewCursor, projection: Projection[Any], build: Build, head: int
    ) -> Build | None:
        """One batch of the build, from where the build's row (locked) says it stands."""
        current = builds.builds(cursor, build.name).get(build.name)
        if current is None or current.suffix != build.suffix:
            return None
        began = time.monotonic()
        batch = self.source.read(
            after=current.position, limit=self._batch.events, stop=head, topics=projection.topics()
        )
        reached = batch[-1].position if len(batch) == self._batch.events else head
        failed = failures.apply_up_to_failure(
            cursor,
            projection,
            projection.handled_after(batch, current.position),
            current.physical(projection),
        )
        if failed is not None:
            recorded, error = failed
            raise RebuildFailed(projection.name, recorded.position, error)
        elapsed = max(time.monotonic() - began, 1e-6)
        self._batch.adapt(len(batch), elapsed)
        return builds.advanced(cursor, current, reached, (reached - current.position) / elapsed)

    def _switch(self, projection: Projection[Any], build: Build) -> None:
        """The build takes the live view's place, in one transaction that holds the live views
        still (their positions' rows locked) and applies the last events first. The planner
        learns the new tables first: without statistics it takes a large table for a small one."""
        self.database.refresh_statistics(list(build.physical(projection).values()))
        with self.database.writing() as cursor:
            cursor.execute(f"SELECT position FROM projection_positions{cursor.dialect.lock_rows}")
            head = self.source.head()
            current: Build | None = build
            while current is not None and current.position < head:
                current = self._apply_batch(cursor, projection, current, head)
            if current is None:
                return
            builds.switch(cursor, projection, current)
            failures.clear(cursor, projection.name)
        self._retry_at.pop(projection.name, None)
        logger.info(
            "view %s rebuilt at version %d up to log position %d",
            current.name,
            current.version,
            current.position,
        )
        with self._switched:
            self._switched.notify_all()
