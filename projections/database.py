"""Where read models live, and what the two engines do differently.

SQL text is never rewritten. Statements both engines accept are written once, with the
numbered placeholders ``$1, $2, …`` that PostgreSQL takes natively and SQLite takes as
named parameters. Where the engines differ — money and time types, adding running totals
of money, a list parameter, a bulk append — each ``Dialect`` has its own statement
(``projections.sqlite``, ``projections.postgres``)."""

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import IO, Any

Row = tuple[Any, ...]


class Dialect(ABC):
    name: str
    money: str
    """The column type of exact amounts."""
    moment: str
    """The column type of a point in time (stored in UTC)."""
    day: str
    """The column type of a calendar day."""

    @abstractmethod
    def add(self, table: str, column: str, money: bool) -> str:
        """The SET expression that adds ``excluded.column`` to a running total of ``table``."""

    @abstractmethod
    def total(self, expression: str) -> str:
        """The aggregate that sums money exactly."""

    @abstractmethod
    def exceeds(self, amount: str, other: str) -> str:
        """A condition true when the money ``amount`` is greater than ``other``."""

    @abstractmethod
    def any_of(self, column: str, placeholder: str) -> str:
        """A condition true when ``column`` equals one of the list bound to ``placeholder``."""

    def listed(self, values: Iterable[Any]) -> Any:
        """What to bind to ``any_of``'s placeholder for these values."""
        return list(values)

    @abstractmethod
    def moment_of(self, stored: Any) -> datetime:
        """A time as the engine hands it back, as an aware datetime."""

    @abstractmethod
    def day_of(self, stored: Any) -> date: ...

    lock_rows: str = ""
    """What makes a SELECT lock the rows it reads until the transaction ends."""
    byte_order: str = ""
    """What makes text sort by its code points, as Python sorts strings."""


class Params:
    """Numbered placeholders for a statement built from parts: each value asked for gets the
    next number, so a condition can be added wherever the statement needs it."""

    def __init__(self, *values: Any) -> None:
        self.values: list[Any] = list(values)

    def __call__(self, value: Any) -> str:
        self.values.append(value)
        return f"${len(self.values)}"


def placeholders(count: int, first: int = 1) -> str:
    return ", ".join(f"${number}" for number in range(first, first + count))


def key_match(key: Sequence[str]) -> str:
    """The condition that finds a row by its key, its columns bound in order from ``$1``."""
    return " AND ".join(f"{column} = ${n}" for n, column in enumerate(key, start=1))


class ViewCursor(ABC):
    dialect: Dialect

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    @abstractmethod
    def execute_utf8(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """``execute``, its text values as the UTF-8 bytes the engine holds: a document
        rendered when it was written is sent on as it is read, neither decoded nor encoded."""

    @abstractmethod
    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...

    @abstractmethod
    def copy_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Append many rows at once, by the fastest path the engine has."""

    @abstractmethod
    def write_csv(self, table: str, columns: Sequence[str], out: IO[bytes]) -> None:
        """Every row of a table as CSV, written by the engine itself, for a reader that loads
        a whole view at once: comma-separated, text in single quotes where it needs them (a
        quote inside doubled; the text NULL always quoted), NULL as the bare word NULL, so
        that a NULL stays apart from any text."""

    def upsert_rows(
        self,
        table: str,
        columns: Sequence[str],
        key: Sequence[str],
        rows: Sequence[Sequence[Any]],
        updates: str | None = None,
    ) -> None:
        """Write many rows at once, each replacing the row of the same ``key`` if there is one,
        or changing it by ``updates`` (a SET list that may name ``excluded``) when given."""
        values = f"VALUES ({placeholders(len(columns))})"
        self.executemany(upsert_statement(table, columns, key, values, updates), rows)

    def delete_rows(
        self, table: str, key: Sequence[str], key_types: Sequence[str], keys: Sequence[Sequence[Any]]
    ) -> None:
        """Delete the rows of many keys at once; ``key_types`` are the key columns' SQL types."""
        self.executemany(f"DELETE FROM {table} WHERE {key_match(key)}", keys)


def upsert_statement(
    table: str, columns: Sequence[str], key: Sequence[str], values: str, updates: str | None = None
) -> str:
    """``INSERT … {values} ON CONFLICT (key) DO UPDATE`` by ``updates``, by default every other
    column replaced."""
    if updates is None:
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
    return f"INSERT INTO {table} ({', '.join(columns)}) {values} ON CONFLICT ({', '.join(key)}) DO " + (
        f"UPDATE SET {updates}" if updates else "NOTHING"
    )


class ViewDatabase(ABC):
    dialect: Dialect

    @abstractmethod
    def writing(self) -> AbstractContextManager[ViewCursor]:
        """One transaction: the view writes and the positions they reach commit together."""

    @abstractmethod
    def reading(self) -> AbstractContextManager[ViewCursor]:
        """A read that never waits for a writer."""

    def refresh_statistics(self, tables: Sequence[str]) -> None:
        """Let the query planner see these tables as they are now."""
        with self.writing() as cursor:
            for table in tables:
                cursor.execute(f"ANALYZE {table}")

    @abstractmethod
    def mark_visible(self, tables: Sequence[str]) -> None:
        """Let index-only scans skip the freshly written pages of these tables."""

    @abstractmethod
    def close(self) -> None: ...
