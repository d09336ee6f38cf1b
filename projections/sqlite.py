"""The views in SQLite: the embedded default, and in memory beside the in-memory store.

SQLite has no decimal type, so money is kept as decimal text and added up, summed and
compared by functions registered on every connection (``dec_add``, ``dec_sum``,
``dec_cmp``), which do exact ``Decimal`` arithmetic inside the statement: a running total
is still added by the database, never read into Python and written back. Times are
fixed-width UTC text, which sorts and compares as the times do.

One connection writes (SQLite has one writer anyway); each reading thread has a connection
of its own, so a read never waits for a batch being written (WAL lets it read the last
commit). A store in memory has one connection for both, guarded by a lock.
"""

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import IO, Any

from projections.database import Dialect, Row, ViewCursor, ViewDatabase
from projections.values import utc_text

_UTC_TEXT = "%Y-%m-%dT%H:%M:%S.%fZ"


class SqliteDialect(Dialect):
    name = "sqlite"
    money = "TEXT"
    moment = "TEXT"
    day = "TEXT"

    def add(self, table: str, column: str, money: bool) -> str:
        if money:
            return f"{column} = dec_add({table}.{column}, excluded.{column})"
        return f"{column} = {table}.{column} + excluded.{column}"

    def total(self, expression: str) -> str:
        return f"dec_sum({expression})"

    def exceeds(self, amount: str, other: str) -> str:
        return f"dec_cmp({amount}, {other}) > 0"

    def any_of(self, column: str, placeholder: str) -> str:
        return f"{column} IN (SELECT value FROM json_each({placeholder}))"

    def moment_of(self, stored: Any) -> datetime:
        if isinstance(stored, datetime):  # put by the batch, not yet read back
            return stored
        return datetime.strptime(str(stored), _UTC_TEXT).replace(tzinfo=UTC)

    def day_of(self, stored: Any) -> date:
        if isinstance(stored, date):
            return stored
        return date.fromisoformat(stored.decode() if isinstance(stored, bytes) else str(stored))


_BOUND_AS_THEY_ARE = frozenset({str, int, float, bool, bytes, type(None)})
"""Most values a view binds: told by their exact class first, as a replay binds millions."""


def _stored(value: Any) -> Any:
    """What SQLite stores for a value a statement binds."""
    if type(value) in _BOUND_AS_THEY_ARE:
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return json.dumps([_stored(item) for item in value], ensure_ascii=False)
    return value


def _bound(params: Sequence[Any]) -> dict[str, Any]:
    """``$1, $2, …`` are named parameters to SQLite: bound by name, whatever their order."""
    return {str(number): _stored(value) for number, value in enumerate(params, start=1)}


def _dec_add(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return b if a is None else a
    return format(Decimal(a) + Decimal(b), "f")


def _dec_cmp(a: str | None, b: str | None) -> int | None:
    if a is None or b is None:
        return None
    first, second = Decimal(a), Decimal(b)
    return (first > second) - (first < second)


class _DecimalSum:
    """The ``dec_sum`` aggregate."""

    def __init__(self) -> None:
        self.total: Decimal | None = None

    def step(self, value: str | None) -> None:
        if value is not None:
            self.total = (self.total or Decimal(0)) + Decimal(value)

    def finalize(self) -> str | None:
        return None if self.total is None else format(self.total, "f")


class SqliteCursor(ViewCursor):
    dialect = SqliteDialect()

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return self._connection.execute(sql, _bound(params)).fetchall()

    def execute_utf8(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        self._connection.text_factory = bytes
        try:
            return self.execute(sql, params)
        finally:
            self._connection.text_factory = str

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._connection.executemany(sql, (_bound(row) for row in rows))

    def copy_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        # The bulk path binds by position: it is SQLite's own statement, and dictionaries of
        # named parameters for every row would cost more than the insert.
        marks = ", ".join("?" * len(columns))
        self._connection.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
            ([_stored(value) for value in row] for row in rows),
        )

    def write_csv(self, table: str, columns: Sequence[str], out: IO[bytes]) -> None:
        # quote() spells a value as an SQL literal, which is this CSV: 'text', 'it''s', 12, NULL.
        line = " || ',' || ".join(f"quote({column})" for column in columns)
        lines = self._connection.execute(f"SELECT {line} FROM {table}")
        while batch := lines.fetchmany(10_000):
            out.write("".join(f"{text}\n" for (text,) in batch).encode())


def _connect(path: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
    connection.create_function("dec_add", 2, _dec_add, deterministic=True)
    connection.create_function("dec_cmp", 2, _dec_cmp, deterministic=True)
    connection.create_aggregate("dec_sum", 1, _DecimalSum)  # type: ignore[arg-type]
    if path != ":memory:":
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA cache_size=-131072")
    return connection


class SqliteViews(ViewDatabase):
    dialect = SqliteDialect()

    def __init__(self, path: str) -> None:
        self._path = path
        self._writer = _connect(path)
        self._write_lock = threading.RLock()
        self._readers = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._opened_lock = threading.Lock()

    @classmethod
    def from_image(cls, image: bytes) -> "SqliteViews":
        """Views in memory holding what ``image`` held; ``sqlite3.DatabaseError`` if it is not
        a database."""
        views = cls(":memory:")
        try:
            views._writer.deserialize(image)
            views._writer.execute("SELECT count(*) FROM sqlite_schema").fetchone()
        except sqlite3.DatabaseError:
            views.close()
            raise
        return views

    def image(self) -> bytes:
        """The whole database, as the bytes of its file."""
        with self._write_lock:
            return self._writer.serialize()

    def _reader(self) -> sqlite3.Connection:
        if self._path == ":memory:":
            return self._writer
        connection: sqlite3.Connection | None = getattr(self._readers, "connection", None)
        if connection is None:
            connection = self._readers.connection = _connect(self._path)
            with self._opened_lock:
                self._opened.append(connection)
        return connection

    @contextmanager
    def writing(self) -> Iterator[ViewCursor]:
        with self._write_lock:
            self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield SqliteCursor(self._writer)
            except BaseException:
                self._writer.execute("ROLLBACK")
                raise
            self._writer.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[ViewCursor]:
        if self._path == ":memory:":
            with self._write_lock:
                yield SqliteCursor(self._writer)
            return
        connection = self._reader()
        # One snapshot for the whole read, however many statements it takes.
        connection.execute("BEGIN")
        try:
            yield SqliteCursor(connection)
        finally:
            connection.execute("ROLLBACK")

    def mark_visible(self, tables: Sequence[str]) -> None:
        """SQLite keeps no visibility map: an index that covers a query never reads the table."""

    def close(self) -> None:
        with self._opened_lock:
            for connection in self._opened:
                connection.close()
            self._opened.clear()
        self._writer.close()
