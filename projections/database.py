"""Where read models live: SQLite (embedded, or in memory beside the in-memory store)
or PostgreSQL. Projection SQL is written once, with ``?`` placeholders, in the
dialect both engines share. When PostgreSQL cannot be used, reading and writing raise
``DatabaseUnavailable`` within the views' timeout."""

import re
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import psycopg
from psycopg.abc import Buffer
from psycopg.types.string import StrDumperUnknown

from event_store.postgres import DEFAULT_TIMEOUT, CheckedPool, ensure_schema, is_outage, unavailable

Row = tuple[Any, ...]


class ViewCursor(ABC):
    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    @abstractmethod
    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...

    @abstractmethod
    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Append many rows at once, by the fastest path the engine has."""


class ViewDatabase(ABC):
    dialect: str

    @abstractmethod
    def writing(self) -> AbstractContextManager[ViewCursor]:
        """One transaction: the view writes and the positions they reach commit together."""

    @abstractmethod
    def reading(self) -> AbstractContextManager[ViewCursor]: ...

    def refresh_statistics(self, tables: Sequence[str]) -> None:
        """Let the query planner see these tables as they are now."""
        with self.reading() as cursor:
            for table in tables:
                cursor.execute(f"ANALYZE {table}")

    @abstractmethod
    def close(self) -> None: ...


class _SqliteCursor(ViewCursor):
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return self._connection.execute(sql, tuple(params)).fetchall()

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._connection.executemany(sql, rows)

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        marks = ",".join("?" * len(columns))
        self._connection.executemany(f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})", rows)


class SqliteViews(ViewDatabase):
    """One connection guarded by a lock: SQLite has a single writer anyway."""

    dialect = "sqlite"

    def __init__(self, path: str) -> None:
        self._connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        if path != ":memory:":
            self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.execute("PRAGMA synchronous=NORMAL")
            self._connection.execute("PRAGMA cache_size=-131072")
        self._lock = threading.RLock()

    @contextmanager
    def writing(self) -> Iterator[ViewCursor]:
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield _SqliteCursor(self._connection)
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[ViewCursor]:
        with self._lock:
            yield _SqliteCursor(self._connection)

    def close(self) -> None:
        self._connection.close()


_PLACEHOLDER = re.compile(r"\?")


def _to_pyformat(sql: str) -> str:
    return _PLACEHOLDER.sub("%s", sql.replace("%", "%%"))


class _PostgresCursor(ViewCursor):
    def __init__(self, cursor: psycopg.Cursor[Row]) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        self._cursor.execute(_to_pyformat(sql), tuple(params))
        return self._cursor.fetchall() if self._cursor.description else []

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._cursor.executemany(_to_pyformat(sql), list(rows))

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        with self._cursor.copy(f"COPY {table} ({','.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


class _TextWithoutNul(StrDumperUnknown):
    """PostgreSQL text cannot hold NUL, which the log, SQLite and Python strings can; an
    event carrying one would stop every view that stores the text. A view stores U+FFFD,
    the replacement character, in its place instead.

    This is a dumper for ``str`` registered on the views' connections, not a cleanup in
    the handlers or the cursor, because every string goes through it on its way to the
    server: statement parameters and the rows of COPY alike."""

    def dump(self, obj: str) -> Buffer | None:
        return super().dump(obj.replace("\x00", "\ufffd"))


def _store_text_without_nul(connection: psycopg.Connection[Row]) -> None:
    connection.adapters.register_dumper(str, _TextWithoutNul)


class PostgresViews(ViewDatabase):
    dialect = "postgres"

    def __init__(self, conninfo: str, schema: str = "public", timeout: float = DEFAULT_TIMEOUT) -> None:
        """``timeout``: seconds to wait for PostgreSQL before raising ``DatabaseUnavailable``."""
        ensure_schema(conninfo, schema, timeout)
        self._conninfo = conninfo
        self._timeout = timeout
        self._pool: CheckedPool[psycopg.Connection[Row]] = CheckedPool(
            conninfo,
            timeout=timeout,
            kwargs={"options": f"-c search_path={schema}", "autocommit": True},
            min_size=1,
            max_size=10,
            configure=_store_text_without_nul,
            open=True,
        )

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Row]]:
        try:
            with self._pool.connection() as connection:
                yield connection
        except psycopg.OperationalError as error:
            if not is_outage(error):
                raise
            raise unavailable(self._conninfo, error, self._timeout) from error

    @contextmanager
    def writing(self) -> Iterator[ViewCursor]:
        with self._connection() as connection, connection.transaction(), connection.cursor() as cursor:
            yield _PostgresCursor(cursor)

    @contextmanager
    def reading(self) -> Iterator[ViewCursor]:
        with self._connection() as connection, connection.cursor() as cursor:
            yield _PostgresCursor(cursor)

    def close(self) -> None:
        self._pool.close()
