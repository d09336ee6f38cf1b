"""Feeds read models from the log in batches, with tracked positions.

The eventsourcing library tracks a position per event and its SQLite recorder cannot
subscribe; rebuilding millions of events that way costs a transaction each. Here one
batch is read once for all projections, applied, and the position each view reached is
written in the same transaction as its rows, so a crash never leaves a view ahead of or
behind its recorded position. Rebuild and live catch-up are the same loop.

Each view applies its part of a batch inside a savepoint of its own. A handler that cannot
apply an event stops only its view, just before that event, and says where and why
(``projections.failures``); the batch commits for the other views, which go on without it.
A stopped view is tried again after a delay that doubles from a few seconds to minutes,
and at once when a process starts, so a corrected release resumes it where it stopped.
A failure of the views database itself fails the whole batch, which is retried.

Any source with ``head()`` and ``read(after, limit, stop, topics)`` can feed the runner:
the local event store, or a consumer of the Kafka relay.
"""

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from aggregates.errors import InvalidValue
from event_store.errors import DatabaseUnavailable
from event_store.store import EventStore, Recorded
from projections import failures
from projections.database import ViewCursor, ViewDatabase
from projections.failures import ViewFailure
from projections.projection import Projection

logger = logging.getLogger(__name__)

_BULK_BATCHES = 20
_FIRST_RETRY_SECONDS = 5.0
_LAST_RETRY_SECONDS = 300.0

Progress = Callable[[int, int], None]


class EventSource(Protocol):
    def head(self) -> int: ...

    def read(
        self, after: int, limit: int, stop: int | None = None, topics: Sequence[str] = ()
    ) -> list[Recorded]: ...


class _Prefetch:
    """The next batch, read on a thread of its own while the current one is applied, so
    that the database's work on the read overlaps the views' work on the last batch."""

    def __init__(self, source: EventSource, after: int, limit: int, stop: int, topics: Sequence[str]) -> None:
        self.key = (after, limit, stop)
        self._source = source
        self._topics = topics
        self._batch: list[Recorded] = []
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._read, name="projection-prefetch", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        after, limit, stop = self.key
        try:
            self._batch = self._source.read(after=after, limit=limit, stop=stop, topics=self._topics)
        except BaseException as error:
            self._error = error

    def take(self) -> list[Recorded]:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._batch


class ProjectionLag(Exception):
    """A read asked for a log position the views did not reach in time."""


@dataclass(frozen=True)
class ViewStatus:
    name: str
    position: int
    failure: ViewFailure | None

    @property
    def state(self) -> Literal["running", "stopped"]:
        return "running" if self.failure is None else "stopped"


def _positions(cursor: ViewCursor, lock: bool = False) -> dict[str, int]:
    rows = cursor.execute(
        f"SELECT name, position FROM projection_positions{cursor.dialect.lock_rows if lock else ''}"
    )
    return {name: int(position) for name, position in rows}


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
    ) -> None:
        self.source = source
        self.database = database
        self.projections = list(projections)
        self.batch_size = batch_size
        # Reading ahead on another thread needs a source that may be used from any thread;
        # the event store's connection pool is.
        self.prefetch = isinstance(source, EventStore) if prefetch is None else prefetch
        self._topics = sorted({t for p in self.projections for t in p.topics()})
        # A view gets only the events it handles: one with none in a batch takes no savepoint.
        self._handled = {p.name: p.handled() for p in self.projections}
        self._lock = threading.Lock()
        self._ahead: _Prefetch | None = None
        self._clock = clock
        # When this process tries each stopped view again; a view stopped before the
        # process started (or by another process) is tried at the first batch.
        self._retry_at: dict[str, float] = {}

    def create_tables(self) -> None:
        with self.database.writing() as cursor:
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS projection_positions "
                "(name TEXT PRIMARY KEY, position BIGINT NOT NULL)"
            )
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS projection_versions "
                "(name TEXT PRIMARY KEY, version INTEGER NOT NULL)"
            )
            failures.create_table(cursor)
            built = {
                name: int(version)
                for name, version in cursor.execute("SELECT name, version FROM projection_versions")
            }
            for projection in self.projections:
                # Views from before versions were recorded are version 1.
                if built.get(projection.name, 1) != projection.version:
                    projection.drop_tables(cursor, {})
                    cursor.execute(
                        "UPDATE projection_positions SET position = 0 WHERE name = $1", (projection.name,)
                    )
                    failures.clear(cursor, projection.name)
                projection.create_tables(cursor, {})
                cursor.execute(
                    "INSERT INTO projection_positions (name, position) VALUES ($1, 0) "
                    "ON CONFLICT (name) DO NOTHING",
                    (projection.name,),
                )
                cursor.execute(
                    "INSERT INTO projection_versions (name, version) VALUES ($1, $2) "
                    "ON CONFLICT (name) DO UPDATE SET version = excluded.version",
                    (projection.name, projection.version),
                )

    def positions(self) -> dict[str, int]:
        with self.database.reading() as cursor:
            return _positions(cursor)

    def status(self) -> list[ViewStatus]:
        """Each view's position, and why it stopped if it did."""
        with self.database.reading() as cursor:
            positions = _positions(cursor)
            stopped = failures.stopped_views(cursor)
        return [ViewStatus(p.name, positions.get(p.name, 0), stopped.get(p.name)) for p in self.projections]

    def reflected_position(self) -> int:
        """The log position that every running view reflects. A stopped view is left out: reads
        that wait for a position must not wait for it (0 when no view runs)."""
        return min((view.position for view in self.status() if view.failure is None), default=0)

    def _locked_positions(self, cursor: ViewCursor) -> dict[str, int]:
        return _positions(cursor, lock=True)

    def run_batch(self, head: int) -> int:
        """Apply one batch up to ``head`` at most to the running views and to the stopped views
        due for another try; return the position every running view reached (``head`` when
        none runs)."""
        with self.database.writing() as cursor:
            positions = self._locked_positions(cursor)
            stopped = failures.stopped_views(cursor)
            now = self._clock()
            due = [
                p for p in self.projections if p.name not in stopped or self._retry_at.get(p.name, now) <= now
            ]
            start = min((positions[p.name] for p in due), default=head)
            if start < head:
                self._apply_batch(cursor, start, head, due, positions, stopped)
            return min((positions[p.name] for p in self.projections if p.name not in stopped), default=head)

    def _apply_batch(
        self,
        cursor: ViewCursor,
        start: int,
        head: int,
        due: Sequence[Projection[Any]],
        positions: dict[str, int],
        stopped: dict[str, ViewFailure],
    ) -> None:
        """Apply the batch after ``start`` to the ``due`` views, updating ``positions`` and
        ``stopped`` to what is recorded."""
        batch = self._read(start, head)
        reached = batch[-1].position if len(batch) == self.batch_size else head
        if self.prefetch and reached < head:
            self._ahead = _Prefetch(self.source, reached, self.batch_size, head, self._topics)
        for projection in due:
            name = projection.name
            if positions[name] >= reached:
                continue
            handled = self._handled[name]
            events = [r for r in batch if r.position > positions[name] and type(r.event) in handled]
            failed = failures.apply_up_to_failure(cursor, projection, events)
            if failed is None:
                positions[name] = reached
                if stopped.pop(name, None) is not None:
                    failures.clear(cursor, name)
                    self._retry_at.pop(name, None)
                    logger.warning("view %s resumed", name)
            else:
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
            cursor.execute(
                "UPDATE projection_positions SET position = $1 WHERE name = $2", (positions[name], name)
            )

    def _read(self, after: int, head: int) -> list[Recorded]:
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            batch = ahead.take()
            if ahead.key == (after, self.batch_size, head):
                return batch
        return self.source.read(after=after, limit=self.batch_size, stop=head, topics=self._topics)

    def catch_up(self, progress: Progress | None = None) -> int:
        """Apply everything recorded so far; return the position every running view reached."""
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
            return reached

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
        """Read-your-writes: return once every running view reflects ``position``."""
        if position <= 0 or self.reflected_position() >= position:
            return
        if position > self.source.head():
            raise InvalidValue("after", f"the log has not reached position {position}")
        deadline = time.monotonic() + timeout
        while self.catch_up() < position or self.reflected_position() < position:
            if time.monotonic() > deadline:
                raise ProjectionLag(f"views have not reached position {position} yet")
            time.sleep(0.01)

    def rebuild(self, progress: Progress | None = None) -> int:
        """Drop every view and replay the whole log into it; a stopped view starts afresh."""
        with self._lock, self.database.writing() as cursor:
            for projection in self.projections:
                projection.drop_tables(cursor, {})
            cursor.execute("DROP TABLE IF EXISTS projection_positions")
            cursor.execute("DROP TABLE IF EXISTS projection_failures")
            self._retry_at.clear()
        self.create_tables()
        return self.catch_up(progress)


class ProjectionWorker:
    """Keeps the views current in the background of a long-running process. While the
    database is away it says so once per attempt and waits longer each time, up to
    ``longest_wait`` seconds, then resumes by itself."""

    def __init__(self, runner: ProjectionRunner, interval: float = 0.2, longest_wait: float = 10.0) -> None:
        self._runner = runner
        self._interval = interval
        self._longest_wait = longest_wait
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="projection-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def join(self) -> None:
        while self._thread.is_alive():
            self._thread.join(timeout=1)

    def _run(self) -> None:
        backoff = self._interval
        while not self._stop.is_set():
            try:
                self._runner.catch_up()
            except DatabaseUnavailable as unavailable:
                backoff = min(backoff * 2, self._longest_wait)
                logger.warning("views not updated: %s; next attempt in %.1f s", unavailable, backoff)
                self._stop.wait(backoff)
                continue
            except Exception:
                # A failing view must not stop the others for good: log, wait, retry.
                logger.exception("projection catch-up failed")
            backoff = self._interval
            self._stop.wait(self._interval)
