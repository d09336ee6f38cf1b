"""Feeds read models from the log in batches, with tracked positions.

The eventsourcing library tracks a position per event and its SQLite recorder cannot
subscribe; rebuilding millions of events that way costs a transaction each. Here one batch
is read once for all views, applied, and the position each view reached is written in the
same transaction as its rows, so a crash never leaves a view ahead of or behind its
recorded position.

Live, a handler that cannot apply an event stops only its view, just before that event, and
says where and why (``projections.failures``); the others go on, and the stopped view is
tried again after a delay that doubles from seconds to minutes, and at once when a process
starts. A failure of the views database itself fails the whole batch, which is retried.

A view of another version, or one rebuilt on request, is built beside the live one and
takes its place atomically once caught up (``projections.rebuilds``). Reads never apply
events: one that must reflect a position waits for the worker (``projections.worker``).
"""

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from aggregates.errors import InvalidValue
from event_store.store import EventStore, Recorded
from letopis.garbage_collector import collector_paused
from projections import builds, failures
from projections.database import ViewCursor, ViewDatabase
from projections.failures import ViewFailure
from projections.projection import Projection
from projections.reading import BatchSize, EventSource, Prefetch, Progress, Selection, read, selection_for
from projections.rebuilds import Rebuilder
from projections.status import ViewStatus

logger = logging.getLogger(__name__)

_BULK_BATCHES = 20
_FIRST_RETRY_SECONDS = 5.0
_LAST_RETRY_SECONDS = 300.0


class ProjectionLag(Exception):
    """A read asked for a log position the views did not reach in time."""


def _positions(cursor: ViewCursor, lock: bool = False) -> dict[str, int]:
    rows = cursor.execute(
        f"SELECT name, position FROM projection_positions{cursor.dialect.lock_rows if lock else ''}"
    )
    return {name: int(position) for name, position in rows}


def _versions(cursor: ViewCursor) -> dict[str, int]:
    return {
        name: int(version)
        for name, version in cursor.execute("SELECT name, version FROM projection_versions")
    }


def _retry_delay(attempts: int) -> float:
    return min(_FIRST_RETRY_SECONDS * 2.0 ** min(attempts - 1, 16), _LAST_RETRY_SECONDS)


class ProjectionRunner:
    def __init__(
        self,
        source: EventSource,
        database: ViewDatabase,
        projections: Sequence[Projection[Any]],
        batch_size: int = 2000,
        prefetch: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
        batch_seconds: float = 2.0,
    ) -> None:
        self.source = source
        self.database = database
        self.projections = list(projections)
        self.batch = BatchSize(batch_size, batch_seconds)
        # Reading ahead on another thread needs a source that may be used from any thread;
        # the event store's connection pool is.
        self.prefetch = isinstance(source, EventStore) if prefetch is None else prefetch
        self._by_name = {p.name: p for p in self.projections}
        self._lock = threading.Lock()
        self._ahead: Prefetch | None = None
        self._clock = clock
        # When this process tries each stopped view (or failed build) again; one stopped
        # before the process started, or by another process, is tried at the first batch.
        self._retry_at: dict[str, float] = {}
        self.progressed = threading.Condition()
        """Notified after every batch, so that a read waiting for a position wakes at once."""
        self.rebuilder = Rebuilder(source, database, self.projections, self.batch, self.progressed, clock)
        self.nudged = threading.Event()
        """Set when this process appended events, so that its worker need not wait to poll."""

    def nudge(self, position: int = 0) -> None:
        self.nudged.set()

    def create_tables(self) -> None:
        """Bookkeeping and the tables of views never built; a view built by another version
        keeps answering while a build of this version starts beside it."""
        with self.database.writing() as cursor:
            for table, column in (
                ("projection_positions", "position BIGINT"),
                ("projection_versions", "version INTEGER"),
                ("projection_rates", "events_per_second REAL"),
            ):
                cursor.execute(
                    f"CREATE TABLE IF NOT EXISTS {table} (name TEXT PRIMARY KEY, {column} NOT NULL)"
                )
            failures.create_table(cursor)
            builds.create_table(cursor)
            built = _versions(cursor)
            pending = builds.builds(cursor)
            log_is_empty = self.source.head() == 0
            for projection in self.projections:
                version = built.get(projection.name)
                if version is None:
                    # A view new to a log that holds events starts empty, awaiting its build,
                    # so that reads waiting for a position do not wait for it to catch up.
                    version = projection.version if log_is_empty else 0
                    projection.create_tables(cursor, {})
                    cursor.execute(
                        "INSERT INTO projection_positions (name, position) VALUES ($1, 0) "
                        "ON CONFLICT (name) DO UPDATE SET position = 0",
                        (projection.name,),
                    )
                    cursor.execute(
                        "INSERT INTO projection_versions (name, version) VALUES ($1, $2)",
                        (projection.name, version),
                    )
                if version != projection.version:
                    build = pending.get(projection.name)
                    if build is None or build.version != projection.version:
                        builds.start(cursor, projection, datetime.now(UTC))

    def positions(self) -> dict[str, int]:
        with self.database.reading() as cursor:
            return _positions(cursor)

    def status(self) -> list[ViewStatus]:
        """Each view's position, version and pace, why it stopped if it did, and any build
        beside it."""
        with self.database.reading() as cursor:
            positions = _positions(cursor)
            versions = _versions(cursor)
            rates = {
                name: float(rate)
                for name, rate in cursor.execute("SELECT name, events_per_second FROM projection_rates")
            }
            stopped = failures.stopped_views(cursor)
            pending = builds.builds(cursor)
        return [
            ViewStatus(
                p.name,
                positions.get(p.name, 0),
                stopped.get(p.name),
                versions.get(p.name, 0),
                p.version,
                pending.get(p.name),
                rates.get(p.name),
            )
            for p in self.projections
        ]

    def _live(self, versions: dict[str, int]) -> list[Projection[Any]]:
        """The views whose live tables this code writes: those built by its own version."""
        return [p for p in self.projections if versions.get(p.name) == p.version]

    def reflected_position(self) -> int:
        """The log position that every running view reflects. A stopped view is left out, and
        so is one awaiting its new version: reads that wait must not wait for them."""
        with self.database.reading() as cursor:
            positions = _positions(cursor)
            live = self._live(_versions(cursor))
            stopped = failures.stopped_views(cursor)
        return min((positions[p.name] for p in live if p.name not in stopped), default=0)

    def run_batch(self, head: int) -> int:
        """Apply one batch up to ``head`` at most to the running views and to the stopped views
        due for another try; return the position every running view reached."""
        with self.database.writing() as cursor:
            positions = _positions(cursor, lock=True)
            live = self._live(_versions(cursor))
            stopped = failures.stopped_views(cursor)
            now = self._clock()
            due = [p for p in live if p.name not in stopped or self._retry_at.get(p.name, now) <= now]
            start = min((positions[p.name] for p in due), default=head)
            if start < head:
                with collector_paused():
                    self._apply_live(cursor, start, head, due, positions, stopped)
            reached = min((positions[p.name] for p in live if p.name not in stopped), default=head)
        with self.progressed:
            self.progressed.notify_all()
        return reached

    def _apply_live(
        self,
        cursor: ViewCursor,
        start: int,
        head: int,
        due: Sequence[Projection[Any]],
        positions: dict[str, int],
        stopped: dict[str, ViewFailure],
    ) -> None:
        """Apply the batch after ``start`` to the ``due`` views, updating ``positions`` and
        ``stopped`` to what is recorded, with the pace the views moved at."""
        began = time.monotonic()
        selection = selection_for(due)
        batch = self._read(start, head, selection)
        reached = batch[-1].position if len(batch) == self.batch.events else head
        if self.prefetch and reached < head:
            self._ahead = Prefetch(self.source, reached, self.batch.events, head, selection)
        for projection in due:
            name = projection.name
            if positions[name] >= reached:
                continue
            events = projection.handled_after(batch, positions[name])
            failed = failures.apply_up_to_failure(cursor, projection, events)
            if failed is None:
                positions[name] = reached
                if stopped.pop(name, None) is not None:
                    failures.clear(cursor, name)
                    self._retry_at.pop(name, None)
                    logger.warning("view %s resumed", name)
            else:
                self._stop(cursor, name, failed, stopped, positions)
            cursor.execute(
                "UPDATE projection_positions SET position = $1 WHERE name = $2", (positions[name], name)
            )
        elapsed = max(time.monotonic() - began, 1e-6)
        self.batch.adapt(len(batch), elapsed)
        cursor.executemany(
            "INSERT INTO projection_rates (name, events_per_second) VALUES ($1, $2) "
            "ON CONFLICT (name) DO UPDATE SET events_per_second = excluded.events_per_second",
            [(projection.name, (reached - start) / elapsed) for projection in due],
        )

    def _stop(
        self,
        cursor: ViewCursor,
        name: str,
        failed: tuple[Recorded, Exception],
        stopped: dict[str, ViewFailure],
        positions: dict[str, int],
    ) -> None:
        recorded, error = failed
        failure = failures.describe(recorded, error, stopped.get(name), datetime.now(UTC))
        positions[name] = recorded.position - 1
        stopped[name] = failure
        failures.record(cursor, name, failure)
        self._retry_at[name] = self._clock() + _retry_delay(failure.attempts)
        logger.error(
            "view %s stopped before log position %d (%s), attempt %d: %s: %s",
            name,
            failure.position,
            failure.topic,
            failure.attempts,
            failure.error_type,
            failure.message,
            exc_info=error if failure.attempts == 1 else None,
        )

    def _read(self, after: int, head: int, selection: Selection) -> list[Recorded]:
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            batch = ahead.take()
            if ahead.serves(after, selection) and (ahead.limit, ahead.stop) == (self.batch.events, head):
                return batch
        return read(self.source, after, self.batch.events, head, selection)

    def catch_up(self, progress: Progress | None = None) -> int:
        """Apply everything recorded so far to the live views, then move any build beside them
        a few batches on; return the position every running view reached."""
        with self._lock:
            head = self.source.head()
            reached = self.run_batch(head)
            batches = 1
            while reached < head:
                if progress:
                    progress(reached, head)
                reached = self.run_batch(head)
                batches += 1
            if batches >= _BULK_BATCHES:
                self.refresh_statistics()
            if progress:
                progress(reached, head)
            self.rebuilder.advance_all()
            return reached

    def rebuild(self, names: Sequence[str] = (), progress: Progress | None = None) -> int:
        """Rebuild the named views (every view when none is named) beside the live ones, each
        taking its place once caught up; return the log position they reflect."""
        chosen = self.named(names)
        with self._lock:
            self.rebuilder.rebuild(chosen, progress)
            return self.source.head()

    def named(self, names: Sequence[str]) -> list[Projection[Any]]:
        """The views of these names, every view when none is named."""
        unknown = sorted(set(names) - set(self._by_name))
        if unknown:
            raise InvalidValue(
                "name", f"no view {unknown[0]!r}; the views are {', '.join(sorted(self._by_name))}"
            )
        return [self._by_name[name] for name in names] if names else list(self.projections)

    def refresh_statistics(self) -> None:
        """After a bulk load the planner's statistics describe empty tables until autovacuum
        notices; a lookup planned on them can scan instead of seek."""
        self.database.refresh_statistics([t.name for p in self.projections for t in p.tables])

    def follow(self, load_finished: Callable[[float], bool], interval: float = 0.2) -> int:
        """Apply a bulk load while it is being written: catch up every ``interval`` seconds
        until ``load_finished`` (which waits up to that long) reports the load over, then
        apply the rest. Return the position reached."""
        while not load_finished(interval):
            self.catch_up()
        reached = self.catch_up()
        self.refresh_statistics()
        return reached

    def wait_until(self, position: int, timeout: float = 5.0) -> None:
        """Read-your-writes: return once every running view reflects ``position``. The waiting
        read does no projection work: the worker catches up (in this process it wakes the
        read at once; another process's progress is seen within a few milliseconds)."""
        if position <= 0 or self.reflected_position() >= position:
            return
        if position > self.source.head():
            raise InvalidValue("after", f"the log has not reached position {position}", location="query")
        deadline = time.monotonic() + timeout
        while self.reflected_position() < position:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ProjectionLag(f"views have not reached position {position} yet")
            with self.progressed:
                self.progressed.wait(min(remaining, 0.02))
