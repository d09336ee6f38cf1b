"""The DuckDB database file of the analytics store: the views an analyst queries, defined
over the Parquet files beside it, so that a reader opens it read-only and defines nothing.

It holds ``events`` (the flattened log, every part), the fact tables over it
(``analytics.facts``) and ``views.<table>`` (the snapshots), each a view that reads the
files when a query runs: a new part or a replaced snapshot is seen without touching the
database file. Only when the definitions change (the first part, a snapshot that did not
exist before, the folder moved) is a new file written, named after a digest of its
definitions, beside the old one, which then goes; a reader takes the newest and keeps the
file it opened for as long as it needs it.
"""

import hashlib
import os
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb

from analytics.events import COLUMNS
from analytics.facts import FACTS
from projections.tables import Kind, Table

PATTERN = "store-*.duckdb"

DUCKDB_TYPES = {
    Kind.TEXT: "VARCHAR",
    Kind.INTEGER: "INTEGER",
    Kind.BIGINT: "BIGINT",
    Kind.MONEY: "DECIMAL(38,6)",
    Kind.MOMENT: "TIMESTAMPTZ",
    Kind.DAY: "DATE",
    Kind.JSON: "JSON",
}


def literal(text: str | Path) -> str:
    """A string or path as a DuckDB string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def definitions(folder: Path, tables: Sequence[Table]) -> list[str]:
    """The statements that define the store's views over the files in ``folder`` now; a
    table or the log not exported yet reads as empty, with its columns' types."""
    folder = folder.resolve()
    statements = ["CREATE SCHEMA IF NOT EXISTS views"]
    for table in tables:
        snapshot = folder / "views" / f"{table.name}.parquet"
        if snapshot.exists():
            source = f"read_parquet({literal(snapshot)})"
        else:
            source = _empty({name: DUCKDB_TYPES[kind] for name, kind in table.columns.items()})
        statements.append(f"CREATE VIEW views.{table.name} AS SELECT * FROM {source}")
    if any((folder / "events").glob("part-*.parquet")):
        source = f"read_parquet({literal(folder / 'events' / 'part-*.parquet')})"
    else:
        source = _empty({column.name: column.type for column in COLUMNS})
    statements.append(f"CREATE VIEW events AS {_as_survivors(source)}")
    parts = {path.name for path in (folder / "events").glob("part-*.parquet")}
    for fact in FACTS:
        stored = folder / "facts" / fact.name
        if parts and parts <= {path.name for path in stored.glob("part-*.parquet")}:
            rows = _as_survivors(f"read_parquet({literal(stored / 'part-*.parquet')})")
        else:  # nothing exported, or parts written before facts were kept: read the log
            rows = fact.rows
        statements.append(f"CREATE VIEW {fact.stored} AS {rows}")
        statements.append(f"CREATE VIEW {fact.name} AS {fact.select}")
    return statements


def _as_survivors(source: str) -> str:
    """Rows whose client was merged into another count as the survivor's in every analysis,
    as in the views; a split takes the merge out of ``counterparty_merges`` again."""
    return (
        "SELECT e.* REPLACE (coalesce(m.survivor_id, e.counterparty_id) AS counterparty_id) "
        f"FROM {source} e LEFT JOIN views.counterparty_merges m ON m.merged_id = e.counterparty_id"
    )


def write_database_file(folder: Path, tables: Sequence[Table]) -> Path:
    """The database file for the files in ``folder`` now: written when its definitions are
    new, under a temporary name and renamed into place; older ones removed."""
    statements = definitions(folder, tables)
    digest = hashlib.sha256("\n".join(statements).encode()).hexdigest()[:16]
    target = folder / f"store-{digest}.duckdb"
    if not target.exists():
        temporary = folder / f".store-{uuid.uuid4().hex}.duckdb"
        try:
            with duckdb.connect(str(temporary)) as connection:
                for statement in statements:
                    connection.execute(statement)
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
    for old in folder.glob(PATTERN):
        if old != target:
            old.unlink(missing_ok=True)
    return target


def current_database_file(folder: Path) -> Path | None:
    """The newest database file of the store (None before the first export)."""
    found = []
    for path in folder.glob(PATTERN):
        try:
            found.append((path.stat().st_mtime_ns, path))
        except FileNotFoundError:  # replaced by an export just now
            continue
    return max(found)[1] if found else None


def _empty(columns: Mapping[str, str]) -> str:
    typed = ", ".join(f"CAST(NULL AS {type_}) AS {name}" for name, type_ in columns.items())
    return f"(SELECT {typed} WHERE false)"
