"""A handler that fails stops only its own view, and the view says where and why.

Each view applies its part of a batch inside a savepoint; when a handler fails, the view
is rolled back to it and applied again event by event, so it keeps everything before the
event it cannot apply and stops just before it. The failure (that event's position and
topic, the error) is recorded in the views database beside the positions, so every
process that reads the views (the API, a separate projection worker, ``crm projections
status``) sees it.
"""

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from eventsourcing.utils import get_topic

from event_store.errors import DatabaseUnavailable
from event_store.store import Recorded
from projections.database import ViewCursor
from projections.projection import Projection
from projections.values import utc_text

_MESSAGE_LIMIT = 500


@dataclass(frozen=True)
class ViewFailure:
    position: int
    """The log position of the event the view could not apply; the view reflects the log
    up to the position before it."""
    topic: str
    error_type: str
    message: str
    failed_at: datetime
    """When the view first failed on this event."""
    attempts: int
    """How many times the event was tried, the first time included."""


def _database_failed(error: Exception) -> bool:
    """Whether the views database itself failed (connection lost, disk full, locked) rather
    than a handler. Such a failure is not the event's fault: the whole batch is retried.

    SQLite reports a wrong statement and an unusable database with one exception class,
    told apart by its result code."""
    if isinstance(error, psycopg.OperationalError | DatabaseUnavailable):
        return True
    if isinstance(error, sqlite3.OperationalError):
        return error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_ERROR
    return False


def describe(
    recorded: Recorded, error: Exception, previous: ViewFailure | None, now: datetime
) -> ViewFailure:
    """The failure of ``recorded``; another try of the event a view already stopped at
    counts as one more attempt."""
    again = previous is not None and previous.position == recorded.position
    error_class = type(error)
    module = "" if error_class.__module__ == "builtins" else f"{error_class.__module__}."
    message = " ".join(str(error).split())
    if len(message) > _MESSAGE_LIMIT:
        message = message[: _MESSAGE_LIMIT - 1] + "…"
    return ViewFailure(
        position=recorded.position,
        topic=get_topic(type(recorded.event)),
        error_type=module + error_class.__qualname__,
        message=message,
        failed_at=previous.failed_at if previous is not None and again else now,
        attempts=previous.attempts + 1 if previous is not None and again else 1,
    )


class _HandlerFailed(Exception):
    def __init__(self, error: Exception) -> None:
        super().__init__(error)
        self.error = error


@contextmanager
def _savepoint(cursor: ViewCursor) -> Iterator[None]:
    """Undo a view's writes when its handler fails, and say so with ``_HandlerFailed``; a
    failure of the database itself goes up as it is, failing the whole batch."""
    cursor.execute("SAVEPOINT projection_view")
    try:
        yield
    except Exception as error:
        if _database_failed(error):
            raise
        # On a connection that is gone these fail too, and that fails the batch.
        cursor.execute("ROLLBACK TO SAVEPOINT projection_view")
        cursor.execute("RELEASE SAVEPOINT projection_view")
        raise _HandlerFailed(error) from error
    cursor.execute("RELEASE SAVEPOINT projection_view")


def apply_up_to_failure(
    cursor: ViewCursor,
    projection: Projection[Any],
    events: Sequence[Recorded],
    physical: Mapping[str, str] | None = None,
) -> tuple[Recorded, Exception] | None:
    """Apply a view's part of a batch; if a handler fails, apply it again event by event, so
    that the view keeps everything before the event it cannot apply, and return that event
    with the error."""
    if not events:
        return None
    try:
        with _savepoint(cursor):
            projection.apply(cursor, events, physical or {})
        return None
    except _HandlerFailed:
        pass
    for recorded in events:
        try:
            with _savepoint(cursor):
                projection.apply(cursor, [recorded], physical or {})
        except _HandlerFailed as failed:
            return recorded, failed.error
    return None


def create_table(cursor: ViewCursor) -> None:
    cursor.execute(
        "CREATE TABLE IF NOT EXISTS projection_failures (name TEXT PRIMARY KEY, "
        "position BIGINT NOT NULL, topic TEXT NOT NULL, error_type TEXT NOT NULL, "
        "message TEXT NOT NULL, failed_at TEXT NOT NULL, attempts INTEGER NOT NULL)"
    )


def stopped_views(cursor: ViewCursor) -> dict[str, ViewFailure]:
    rows = cursor.execute(
        "SELECT name, position, topic, error_type, message, failed_at, attempts FROM projection_failures"
    )
    return {
        name: ViewFailure(
            int(position), topic, error_type, message, datetime.fromisoformat(failed_at), int(attempts)
        )
        for name, position, topic, error_type, message, failed_at, attempts in rows
    }


def record(cursor: ViewCursor, name: str, failure: ViewFailure) -> None:
    cursor.execute(
        "INSERT INTO projection_failures "
        "(name, position, topic, error_type, message, failed_at, attempts) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7) "
        "ON CONFLICT (name) DO UPDATE SET position = excluded.position, topic = excluded.topic, "
        "error_type = excluded.error_type, message = excluded.message, "
        "failed_at = excluded.failed_at, attempts = excluded.attempts",
        (
            name,
            failure.position,
            failure.topic,
            failure.error_type,
            failure.message,
            utc_text(failure.failed_at),
            failure.attempts,
        ),
    )


def clear(cursor: ViewCursor, name: str) -> None:
    cursor.execute("DELETE FROM projection_failures WHERE name = $1", (name,))
