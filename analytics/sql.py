"""DuckDB over the analytics store, for statements nobody trusts.

A connection lives in memory and sees the store only through views defined here: the
flattened log (``events``), the fact tables over it (``analytics.facts``) and the view
snapshots (schema ``views``). Then file access is confined to the store's folder, every
other file and the network are switched off, and the configuration is locked, so that no
statement can turn them back on. An analyst's statement must be one SELECT (which rules out
COPY, ATTACH, INSTALL, LOAD, PRAGMA, SET and every write), is interrupted after a time
limit, and may return a bounded number of rows.

A reader whose scope is limited sees ``events`` cut down to the clients in reach (by
their responsible manager in the counterparty snapshot), and so every fact table too.
"""

import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from aggregates.errors import DomainError
from aggregates.scope import Reach
from analytics.events import COLUMNS
from analytics.export import DUCKDB_TYPES, exported_position, literal
from analytics.facts import FACTS
from projections.tables import Table

EVERYONE = Reach(everyone=True)
_KEPT_DATABASES = 32
"""Databases kept defined, one per scope asked for (the oldest goes first)."""
_ALLOWED = (duckdb.StatementType.SELECT,)


class QueryRefused(DomainError):
    """The statement may not run, or failed: the message says why in a sentence."""

    code = "query_refused"


class QueryTooLong(QueryRefused):
    code = "query_timeout"


class ResultTooLarge(QueryRefused):
    code = "result_too_large"


@dataclass(frozen=True)
class QueryResult:
    columns: list[tuple[str, str]]
    """(name, DuckDB type) of each column."""
    rows: list[tuple[Any, ...]]
    position: int
    """The log position the store reflects."""


class AnalyticsDatabase:
    def __init__(
        self, folder: Path, tables: Sequence[Table], time_limit: float = 10.0, row_limit: int = 10_000
    ) -> None:
        """``tables``: the view tables the store snapshots; one not exported yet reads as empty."""
        self.folder = folder
        self.tables = list(tables)
        self._databases: dict[tuple[Reach, tuple[bool, frozenset[str]]], duckdb.DuckDBPyConnection] = {}
        self._lock = threading.Lock()
        self.time_limit = time_limit
        self.row_limit = row_limit

    def position(self) -> int:
        return exported_position(self.folder)

    def connect(self, reach: Reach = EVERYONE) -> duckdb.DuckDBPyConnection:
        """A sandboxed connection over the store as it is now.

        Defining the views reads every file's metadata, a good part of a quick query's time;
        so one database in memory per scope and layout of the store (which snapshots and
        parts exist) is defined once and kept, and each query gets a connection of its own
        to it. Its views read the files when a query runs, so new parts and replaced
        snapshots are seen without defining anything again."""
        key = (reach, self._layout())
        with self._lock:
            database = self._databases.get(key)
            if database is None:
                database = self._open(reach)
                if len(self._databases) >= _KEPT_DATABASES:
                    self._databases.pop(next(iter(self._databases)))
                self._databases[key] = database
        return database.cursor()

    def _layout(self) -> tuple[bool, frozenset[str]]:
        views = self.folder / "views"
        snapshots = frozenset(os.listdir(views)) if views.is_dir() else frozenset()
        return any((self.folder / "events").glob("part-*.parquet")), snapshots

    def _open(self, reach: Reach) -> duckdb.DuckDBPyConnection:
        connection = duckdb.connect(":memory:")
        try:
            self._define_views(connection, reach)
            folder = str(self.folder.resolve()) + "/"
            connection.execute(f"SET allowed_directories = [{literal(folder)}]")
            connection.execute("SET enable_external_access = false")
            connection.execute("SET lock_configuration = true")
        except BaseException:
            connection.close()
            raise
        return connection

    def _define_views(self, connection: duckdb.DuckDBPyConnection, reach: Reach) -> None:
        connection.execute("CREATE SCHEMA views")
        for table in self.tables:
            snapshot = self.folder / "views" / f"{table.name}.parquet"
            if snapshot.exists():
                source = f"read_parquet({literal(snapshot)})"
            else:
                source = _empty({name: DUCKDB_TYPES[kind] for name, kind in table.columns.items()})
            connection.execute(f"CREATE VIEW views.{table.name} AS SELECT * FROM {source}")
        if any((self.folder / "events").glob("part-*.parquet")):
            source = f"read_parquet({literal(str(self.folder / 'events' / 'part-*.parquet'))})"
        else:
            source = _empty({column.name: column.type for column in COLUMNS})
        # A card merged into another counts as the survivor in every analysis, as in the views.
        connection.execute(
            "CREATE VIEW events AS SELECT e.* REPLACE (coalesce(m.survivor_id, e.counterparty_id) "
            f"AS counterparty_id) FROM {source} e LEFT JOIN views.counterparty_merges m "
            f"ON m.merged_id = e.counterparty_id{_scope_condition(reach)}"
        )
        for fact in FACTS:
            connection.execute(f"CREATE VIEW {fact.name} AS {fact.select}")

    def query(self, sql: str, reach: Reach = EVERYONE) -> QueryResult:
        """An analyst's statement: exactly one SELECT."""
        try:
            statements = duckdb.extract_statements(sql)
        except duckdb.Error as error:
            raise QueryRefused(f"the statement cannot be read: {_first_line(error)}") from None
        if len(statements) != 1:
            raise QueryRefused(f"send exactly one statement, not {len(statements)}")
        if statements[0].type not in _ALLOWED:
            raise QueryRefused(
                f"only SELECT statements may run here, not {statements[0].type.name}: "
                "the analytics store is read-only"
            )
        return self.run(sql, {}, reach)

    def run(self, sql: str, params: Mapping[str, Any], reach: Reach = EVERYONE) -> QueryResult:
        """A statement with named parameters (``$name``), within the time and row limits."""
        position = self.position()
        with self.connect(reach) as connection:
            watchdog = threading.Timer(self.time_limit, connection.interrupt)
            watchdog.start()
            try:
                cursor = connection.execute(sql, dict(params))
                rows = cursor.fetchmany(self.row_limit + 1)
            except duckdb.InterruptException:
                raise QueryTooLong(
                    f"the query ran longer than {self.time_limit:g} s and was stopped"
                ) from None
            except duckdb.Error as error:
                raise QueryRefused(_first_line(error)) from None
            finally:
                watchdog.cancel()
            description: Sequence[Any] = cursor.description or ()
        if len(rows) > self.row_limit:
            raise ResultTooLarge(
                f"the result has more than {self.row_limit} rows; aggregate it or add a LIMIT"
            )
        return QueryResult([(str(d[0]), str(d[1])) for d in description], rows, position)


def _empty(columns: Mapping[str, str]) -> str:
    typed = ", ".join(f"CAST(NULL AS {type_}) AS {name}" for name, type_ in columns.items())
    return f"(SELECT {typed} WHERE false)"


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]


def _scope_condition(reach: Reach) -> str:
    """Only events about clients whose responsible manager is in reach."""
    if reach.everyone:
        return ""
    if reach.department is not None:
        managers = f"SELECT id FROM views.employees WHERE department = {literal(reach.department)}"
    else:
        team = f" OR team = {literal(reach.team)}" if reach.team is not None else ""
        managers = f"SELECT id FROM views.employees WHERE id = {literal(reach.employee_id or '')}{team}"
    return f" WHERE counterparty_id IN (SELECT id FROM views.counterparties WHERE manager_id IN ({managers}))"
