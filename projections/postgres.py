"""The views in PostgreSQL: money in NUMERIC, times in TIMESTAMPTZ, days in DATE, running
totals added by the server, bulk appends by COPY, statements sent with the server's own
``$n`` placeholders (psycopg's raw cursor: the text goes to the server as it is written).

When PostgreSQL cannot be used, reading and writing raise ``DatabaseUnavailable`` within
the views' timeout."""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import IO, Any

import psycopg
from psycopg.abc import Buffer
from psycopg.adapt import Loader, PyFormat
from psycopg.types.datetime import DatetimeBinaryDumper, DatetimeDumper
from psycopg.types.string import StrDumperUnknown

from event_store.postgres import DEFAULT_TIMEOUT, CheckedPool, ensure_schema, is_outage, unavailable
from projections.database import Dialect, Row, ViewCursor, ViewDatabase, upsert_statement


class PostgresDialect(Dialect):
    name = "postgres"
    money = "NUMERIC"
    moment = "TIMESTAMPTZ"
    day = "DATE"
    lock_rows = " FOR UPDATE"
    byte_order = ' COLLATE "C"'

    def add(self, table: str, column: str, money: bool) -> str:
        return f"{column} = {table}.{column} + excluded.{column}"

    def total(self, expression: str) -> str:
        return f"SUM({expression})"

    def exceeds(self, amount: str, other: str) -> str:
        return f"{amount} > {other}"

    def any_of(self, column: str, placeholder: str) -> str:
        return f"{column} = ANY({placeholder})"

    def listed(self, values: Iterable[Any]) -> Any:
        """The array as its text literal, for the server to read as an array of the column's
        type: psycopg's list dumper makes Python calls for every element, and twenty thousand
        keys took 50 ms that way where the literal takes 12 ms."""
        return "{" + ",".join(_array_element(value) for value in _as_sent(list(values))) + "}"

    def moment_of(self, stored: Any) -> datetime:
        assert isinstance(stored, datetime)
        return stored

    def day_of(self, stored: Any) -> date:
        assert isinstance(stored, date)
        return stored


_STAGED_FROM = 200
"""Rows from which an upsert goes by COPY: below it, the scratch table costs more than it saves."""


class PostgresCursor(ViewCursor):
    dialect = PostgresDialect()

    def __init__(self, cursor: psycopg.RawCursor[Row]) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        self._cursor.execute(sql, params)
        return self._cursor.fetchall() if self._cursor.description else []

    def execute_utf8(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        cursor = psycopg.RawCursor(self._cursor.connection)
        cursor.adapters.register_loader("text", _Utf8)
        cursor.execute(sql, params)
        return cursor.fetchall()

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._cursor.executemany(sql, list(rows))

    def copy_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Each row made fit for the server in one pass (``_as_sent``) and dumped by psycopg's
        own dumpers: the connection's, a Python call for every text and time, cost a calendar
        rebuild a tenth of its time."""
        self._copy_sent(table, columns, map(_as_sent, rows))

    def _copy_sent(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """COPY rows already made fit for the server (``_as_sent``)."""
        cursor = psycopg.RawCursor(self._cursor.connection)
        for kind in (str, datetime):
            cursor.adapters.register_dumper(kind, psycopg.adapters.get_dumper(kind, PyFormat.TEXT))
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def upsert_rows(
        self,
        table: str,
        columns: Sequence[str],
        key: Sequence[str],
        rows: Sequence[Sequence[Any]],
        updates: str | None = None,
    ) -> None:
        """Many rows go by COPY: those whose key the table does not hold yet straight into it,
        the others into a scratch table and from there in one upsert. A statement a row, even
        pipelined, costs a rebuild several times the rows' COPY, and the scratch table and the
        upsert from it cost twice a COPY for the rows a rebuild writes for the first time, most
        of them. A view's tables have one writer at a time (its position's row is locked), so
        no row comes in between the look and the COPY."""
        if len(rows) < _STAGED_FROM:
            super().upsert_rows(table, columns, key, rows, updates)
            return
        new, stored = self._split_by_presence(table, columns, key, [_as_sent(row) for row in rows])
        if new:
            self._copy_sent(table, columns, new)
        if len(stored) < _STAGED_FROM:
            super().upsert_rows(table, columns, key, stored, updates)
            return
        staged = f"staged_{table}"
        self.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {staged} (LIKE {table}) ON COMMIT DROP")
        self._copy_sent(staged, columns, stored)
        listed = ", ".join(columns)
        # WHERE keeps ON CONFLICT from being read as part of the SELECT.
        self.execute(
            upsert_statement(table, columns, key, f"SELECT {listed} FROM {staged} WHERE true", updates)
        )
        self.execute(f"TRUNCATE {staged}")

    def _split_by_presence(
        self, table: str, columns: Sequence[str], key: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> tuple[list[Sequence[Any]], list[Sequence[Any]]]:
        """Of rows as they are sent (``_as_sent``), those whose key the table lacks and those
        whose key it has, asked by the key's first column (an index's leading column)."""
        at = [columns.index(column) for column in key]
        keys = [tuple(row[i] for i in at) for row in rows]
        found = self.execute(
            f"SELECT {', '.join(key)} FROM {table} WHERE {key[0]} = ANY($1)",
            (self.dialect.listed({k[0] for k in keys}),),
        )
        present = {tuple(values) for values in found}
        new: list[Sequence[Any]] = []
        stored: list[Sequence[Any]] = []
        for row, row_key in zip(rows, keys, strict=True):
            (stored if row_key in present else new).append(row)
        return new, stored

    def delete_rows(
        self, table: str, key: Sequence[str], key_types: Sequence[str], keys: Sequence[Sequence[Any]]
    ) -> None:
        """One statement, each key column sent as one array: a statement a key, even
        pipelined, cost a calendar rebuild seconds of its deletes."""
        arrays = ", ".join(f"${n}::{sql_type}[]" for n, sql_type in enumerate(key_types, start=1))
        self.execute(
            f"DELETE FROM {table} WHERE ({', '.join(key)}) IN (SELECT * FROM unnest({arrays}))",
            [list(column) for column in zip(*keys, strict=True)],
        )

    def write_csv(self, table: str, columns: Sequence[str], out: IO[bytes]) -> None:
        # Text is quoted only where it must be (a comma, a quote, a line break, or the word
        # NULL itself): quoting every value made a file its reader parses more slowly.
        statement = f"COPY {table} ({', '.join(columns)}) TO STDOUT (FORMAT csv, QUOTE '''', NULL 'NULL')"
        with self._cursor.copy(statement) as copy:
            for data in copy:
                out.write(data)


class _Utf8(Loader):
    """Text as the server sends it: the views' connections speak UTF-8."""

    def load(self, data: Buffer) -> bytes:
        return bytes(data)


_NUL, _REPLACEMENT = "\x00", "\ufffd"


class _TextWithoutNul(StrDumperUnknown):
    """PostgreSQL text cannot hold NUL, which the log, SQLite and Python strings can; an
    event carrying one would stop every view that stores the text. A view stores U+FFFD,
    the replacement character, in its place instead.

    This is a dumper for ``str`` registered on the views' connections, not a cleanup in
    the handlers, because every string of a statement goes through it on its way to the
    server; the rows of COPY are cleaned by ``_as_sent``, a row at a time."""

    def dump(self, obj: str) -> Buffer | None:
        return super().dump(obj.replace(_NUL, _REPLACEMENT))


class _UtcMoment(DatetimeDumper):
    """A time goes to the server in UTC, converted here. PostgreSQL keeps times far outside
    Python's calendar (a year BC) that no read could then load: a business time such as
    0001-01-01T00:00+14:00 would be stored, and every page showing it would fail. Converted
    here, it fails as it is written, and stops only its view, at its event."""

    def dump(self, obj: datetime) -> Buffer | None:
        return super().dump(obj.astimezone(UTC))


class _UtcMomentBinary(DatetimeBinaryDumper):
    def dump(self, obj: datetime) -> Buffer | None:
        return super().dump(obj.astimezone(UTC))


def _array_element(value: Any) -> str:
    """One element, as ``_as_sent`` made it, of an array literal: quoted, so that no text is
    read as NULL or splits."""
    if value is None:
        return "NULL"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _as_sent(row: Sequence[Any]) -> list[Any]:
    """A row of COPY as ``_TextWithoutNul`` and ``_UtcMoment`` would send its values."""
    return [
        value.replace(_NUL, _REPLACEMENT)
        if isinstance(value, str)
        else value.astimezone(UTC)
        if isinstance(value, datetime)
        else value
        for value in row
    ]


def _configure(connection: psycopg.Connection[Row]) -> None:
    connection.adapters.register_dumper(str, _TextWithoutNul)
    connection.adapters.register_dumper(datetime, _UtcMoment)
    connection.adapters.register_dumper(datetime, _UtcMomentBinary)


class PostgresViews(ViewDatabase):
    dialect = PostgresDialect()

    def __init__(self, conninfo: str, schema: str = "public", timeout: float = DEFAULT_TIMEOUT) -> None:
        """``timeout``: seconds to wait for PostgreSQL before raising ``DatabaseUnavailable``."""
        ensure_schema(conninfo, schema, timeout)
        self._conninfo = conninfo
        self._timeout = timeout
        self._pool: CheckedPool[psycopg.Connection[Row]] = CheckedPool(
            conninfo,
            timeout=timeout,
            # A team's calendar sorts megabytes of rendered entries: in the default 4 MB of
            # working memory, that sort spilled to disk.
            kwargs={
                "options": f"-c search_path={schema} -c timezone=UTC -c client_encoding=UTF8 "
                "-c work_mem=32MB",
                "autocommit": True,
            },
            min_size=1,
            max_size=10,
            configure=_configure,
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
        with self._connection() as connection, connection.transaction():
            yield PostgresCursor(psycopg.RawCursor(connection))

    @contextmanager
    def reading(self) -> Iterator[ViewCursor]:
        with self._connection() as connection:
            yield PostgresCursor(psycopg.RawCursor(connection))

    def refresh_statistics(self, tables: Sequence[str]) -> None:
        """VACUUM as well as ANALYZE, in one pass over each table (see ``mark_visible``)."""
        self._vacuum("(ANALYZE) ", tables)

    def mark_visible(self, tables: Sequence[str]) -> None:
        """An index-only scan skips the table only on pages its visibility map marks, and
        freshly written pages are not marked until a vacuum."""
        self._vacuum("", tables)

    def _vacuum(self, options: str, tables: Sequence[str]) -> None:
        # VACUUM runs outside a transaction, so on the reading (autocommit) connection.
        with self.reading() as cursor:
            for table in tables:
                cursor.execute(f"VACUUM {options}{table}")

    def close(self) -> None:
        self._pool.close()
