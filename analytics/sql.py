"""DuckDB over the analytics store, for statements nobody trusts.

The store's DuckDB database file (``analytics.database_file``) is opened read-only, and
its views are all a statement sees: the flattened log (``events``), the fact tables over it
(``analytics.facts``) and the view snapshots (schema ``views``). Then file access is
confined to the store's folder, every other file and the network are switched off, and the
configuration is locked, so that no statement can turn them back on. An analyst's statement
must be one SELECT (which rules out COPY, ATTACH, INSTALL, LOAD, PRAGMA, SET and every
write), is interrupted after a time limit, and may return a bounded number of rows.

A reader whose scope is limited sees ``events`` cut down to the clients in reach (by
their responsible manager in the counterparty snapshot), and so every fact table too.
"""

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from aggregates.errors import DomainError
from aggregates.scope import Reach
from analytics.database_file import current_database_file, definitions, literal
from analytics.export import exported_position
from analytics.facts import FACTS
from projections.tables import Table

EVERYONE = Reach(everyone=True)
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
        self._databases: dict[Path | None, tuple[duckdb.DuckDBPyConnection, str]] = {}
        self._lock = threading.Lock()
        self.time_limit = time_limit
        self.row_limit = row_limit

    def position(self) -> int:
        return exported_position(self.folder)

    def connect(self, reach: Reach = EVERYONE) -> duckdb.DuckDBPyConnection:
        """A sandboxed connection over the store as it is now.

        The export's database file (``analytics.database_file``) is opened read-only once,
        and each query gets a connection of its own to it; a reader whose scope is limited
        gets ``events`` and the fact tables cut down to it in that connection alone. Before
        the first export, the same views are defined in memory, over nothing."""
        path = current_database_file(self.folder)
        with self._lock:
            opened = self._databases.get(path)
            if opened is None:
                opened = self._open(path)
                self._databases = {path: opened}  # an older file's readers keep their connections
        database, catalog = opened
        connection = database.cursor()
        if not reach.everyone:
            for name in ("events", *(fact.name for fact in FACTS)):
                connection.execute(
                    f"CREATE TEMP VIEW {name} AS SELECT * FROM {catalog}.main.{name}{_scope_condition(reach)}"
                )
        return connection

    def _open(self, path: Path | None) -> tuple[duckdb.DuckDBPyConnection, str]:
        connection = duckdb.connect(str(path), read_only=True) if path else duckdb.connect(":memory:")
        try:
            if path is None:
                for statement in definitions(self.folder, self.tables):
                    connection.execute(statement)
            # DuckDB opens a file once per process: another reader of this store may have
            # sandboxed and locked it already, just as here.
            if connection.execute("SELECT current_setting('lock_configuration')").fetchone() != (True,):
                folder = str(self.folder.resolve()) + "/"
                connection.execute(f"SET allowed_directories = [{literal(folder)}]")
                connection.execute("SET enable_external_access = false")
                connection.execute("SET lock_configuration = true")
            (catalog,) = connection.execute("SELECT current_database()").fetchone() or ("",)
        except BaseException:
            connection.close()
            raise
        return connection, '"' + str(catalog).replace('"', '""') + '"'

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
