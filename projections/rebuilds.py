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

from event_store.store import Recorded
from letopis.garbage_collector import collector_paused
from projections import builds, failures
from projections.builds import Build
from projections.database import ViewCursor, ViewDatabase
from projections.projection import Projection
from projections.reading import BatchSize, EventSource, Prefetch, Progress, read, selection_for

logger = logging.getLogger(__name__)

_BATCHES_A_TURN = 5
REBUILD_BATCH_SECONDS, REBUILD_LARGEST_BATCH = 8.0, 100_000
"""An operator's rebuild runs alone to its end, into tables no one reads until they are
switched in, so its batches may be larger and longer than the live views': a row that
changes in many events (a task assigned, accepted, completed, checked) is written once a
batch, and fewer batches write it fewer times. Builds moved on by the worker between live
batches keep the live views' sizes."""
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
        due = [
            (projection, build)
            for build in pending.values()
            if (projection := self._by_name.get(build.name)) is not None
            and build.version == projection.version
            and self._retry_at.get(build.name, now) <= now
        ]
        for failure in self.advance(due, _BATCHES_A_TURN):
            self._retry_at[failure.name] = now + _RETRY_FAILED_SECONDS
            logger.error("%s", failure)

    def rebuild(self, projections: Sequence[Projection[Any]], progress: Progress | None = None) -> None:
        """Start a build of each projection afresh and take them all to the end; a build met
        unfinished (a process killed half-way) starts again from the beginning. Raises the
        first failure once the other builds are done."""
        with self.database.writing() as cursor:
            started = [builds.start(cursor, projection, datetime.now(UTC)) for projection in projections]
        alone = BatchSize(self._batch.events, REBUILD_BATCH_SECONDS, REBUILD_LARGEST_BATCH)
        failed = self.advance(list(zip(projections, started, strict=True)), None, progress, alone)
        if failed:
            raise failed[0]

    @collector_paused()
    def advance(
        self,
        pending: Sequence[tuple[Projection[Any], Build]],
        batches: int | None,
        progress: Progress | None = None,
        batch_size: BatchSize | None = None,
    ) -> list[RebuildFailed]:
        """Move builds on together by up to ``batches`` batches (to the end when None), one
        read of the log serving them all, and switch each in once it is within a batch of the
        head. A build that fails stops alone and is returned; one that another process took
        over or started afresh is left be. Batches are sized as the live views' are, unless
        ``batch_size`` says otherwise.

        The cyclic collector is held off throughout: a batch decodes up to a hundred thousand
        events and the builds' rows, and a rebuild makes no cycles (a third of its time went
        on collections that found nothing)."""
        size = batch_size or self._batch
        current = dict(pending)
        failed: list[RebuildFailed] = []
        done = 0
        ahead: Prefetch | None = None
        while current and (batches is None or done < batches):
            head = self.source.head()
            for projection, build in list(current.items()):
                # Within a live batch of the head: the switch applies the rest while the live
                # views wait, so that much at most.
                if head - build.position <= self._batch.events:
                    del current[projection]
                    with self._stopping_alone(build, failed):
                        self._switch(projection, build)
            if not current:
                break
            began = time.monotonic()
            after = min(build.position for build in current.values())
            selection = selection_for(current)
            if ahead is None or not ahead.serves(after, selection):
                ahead = Prefetch(self.source, after, size.events, head, selection)
            batch = ahead.take()
            reached = ahead.reached(batch)
            reading = time.monotonic() - began
            more = reached < head and (batches is None or done + 1 < batches)
            # The next read runs while this batch is applied, as the live views' does.
            ahead = Prefetch(self.source, reached, size.events, head, selection) if more else None
            # Each build commits on its own: the batch is sized by the longest of them.
            longest = 0.0
            for projection, build in list(current.items()):
                moved: Build | None = None
                applying = time.monotonic()
                with self._stopping_alone(build, failed), self.database.writing() as cursor:
                    moved = self._apply_batch(cursor, projection, build, batch, reached, began)
                longest = max(longest, time.monotonic() - applying)
                if moved is None:
                    del current[projection]
                else:
                    current[projection] = moved
            size.adapt(len(batch), reading + longest)
            done += 1
            if progress:
                progress(min((build.position for build in current.values()), default=head), head)
        return failed

    @contextmanager
    def _stopping_alone(self, build: Build, failed: list[RebuildFailed]) -> Iterator[None]:
        """A failed build says where and why in its row, for ``status``, and the others go on.
        The batch that failed is rolled back, so that is written in a transaction of its own."""
        try:
            yield
        except RebuildFailed as failure:
            with self.database.writing() as cursor:
                builds.failed(cursor, build, failure.position, failure.error)
            failed.append(failure)

    def _apply_batch(
        self,
        cursor: ViewCursor,
        projection: Projection[Any],
        build: Build,
        batch: Sequence[Recorded],
        reached: int,
        began: float,
    ) -> Build | None:
        """A batch read up to ``reached``, applied from where the build's row (locked) says
        the build stands; None when the build is gone or was started afresh meanwhile."""
        current = builds.builds(cursor, build.name).get(build.name)
        if current is None or current.suffix != build.suffix:
            return None
        if current.position >= reached:
            return current
        failed = failures.apply_up_to_failure(
            cursor,
            projection,
            projection.handled_after(batch, current.position),
            current.physical(projection),
        )
        if failed is not None:
            recorded, error = failed
            raise RebuildFailed(projection.name, recorded.position, error)
        if statistics_due(current.position, reached):
            _analyse(cursor, projection, current)
        elapsed = max(time.monotonic() - began, 1e-6)
        return builds.advanced(cursor, current, reached, (reached - current.position) / elapsed)

    def _switch(self, projection: Projection[Any], build: Build) -> None:
        """The build takes the live view's place, in one transaction that holds the live views
        still (their positions' rows locked) and applies the last events first. The planner
        learns the new tables before they serve: without statistics it takes a large table for
        a small one."""
        with self.database.writing() as cursor:
            cursor.execute(f"SELECT position FROM projection_positions{cursor.dialect.lock_rows}")
            head = self.source.head()
            current: Build | None = build
            selection = selection_for([projection])
            while current is not None and current.position < head:
                began = time.monotonic()
                batch = read(self.source, current.position, self._batch.events, head, selection)
                reached = batch[-1].position if len(batch) == self._batch.events else head
                current = self._apply_batch(cursor, projection, current, batch, reached, began)
            if current is None:
                return
            _analyse(cursor, projection, current)
            builds.switch(cursor, projection, current)
            failures.clear(cursor, projection.name)
        self.database.mark_visible([table.name for table in projection.tables])
        self._retry_at.pop(projection.name, None)
        logger.info(
            "view %s rebuilt at version %d up to log position %d",
            current.name,
            current.version,
            current.position,
        )
        with self._switched:
            self._switched.notify_all()


def _analyse(cursor: ViewCursor, projection: Projection[Any], build: Build) -> None:
    """The planner's statistics of the build's tables brought up to date."""
    for table in build.physical(projection).values():
        cursor.execute(f"ANALYZE {table}")


FIRST_STATISTICS_AT, LAST_STATISTICS_AT = 4096, 262_144


def statistics_due(before: int, reached: int) -> bool:
    """Whether a build's tables should be analysed after a batch from ``before`` to ``reached``:
    each time the log position it reached doubles, from ``FIRST_STATISTICS_AT`` on, until
    ``LAST_STATISTICS_AT``. A new table has no statistics until then, and a statement
    prepared on the first batches keeps the plan made for an empty table: a calendar rebuild
    deleted each of its entries through an index of the employee's every entry, reading 220
    million index rows where the key reads one. Past the last, autovacuum analyses a table
    again once a tenth of it changed, as it does any table: analysing here too, every
    doubling up to millions, cost a rebuild seconds of sampling large tables."""
    return (
        reached >= FIRST_STATISTICS_AT
        and before < LAST_STATISTICS_AT
        and reached.bit_length() > max(before, FIRST_STATISTICS_AT - 1).bit_length()
    )
