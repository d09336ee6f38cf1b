"""Writing the analytics store: the log, flattened, as Parquet part files appended per export
(history is never rewritten), and a snapshot of every view, replaced whole and atomically
each time, since views change.

The folder holds ``events/part-<first>-<last>.parquet`` (the log positions a part covers;
the last part's name is where the next export starts) and ``views/<table>.parquet``. Every
file is written under a temporary name and renamed into place, so a reader sees either the
old file or the new one, and a failed export leaves the store as it was. The raw rows go to
DuckDB as JSON lines (the stored event is JSON already), and DuckDB flattens them.
"""

import json
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from aggregates.errors import DomainError
from analytics.events import COLUMNS, FIELDS_STRUCT
from event_store.store import EventStore
from projections.database import ViewDatabase
from projections.projection import Projection
from projections.tables import Kind, Table

Progress = Callable[[int, int], None]
"""Told the log position exported so far and the position aimed at."""

PART_EVENTS = 200_000
"""Events per Parquet part: a full export of a large log writes several. Within a part, rows
are sorted by event type, then position."""
_READ_BATCH = 20_000
_ROW_GROUP = 16_384
_VIEW_CHUNK = 20_000
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)

SECRET_TABLES = frozenset({"access_tokens"})
"""View tables never exported: token digests are credentials."""

DUCKDB_TYPES = {
    Kind.TEXT: "VARCHAR",
    Kind.INTEGER: "INTEGER",
    Kind.BIGINT: "BIGINT",
    Kind.MONEY: "DECIMAL(38,6)",
    Kind.MOMENT: "TIMESTAMPTZ",
    Kind.DAY: "DATE",
    Kind.JSON: "JSON",
}


class ExportRefused(DomainError):
    """The analytics folder cannot be written; nothing in it was changed."""

    code = "export_refused"


@dataclass(frozen=True)
class Exported:
    first: int
    last: int
    """Log positions of the events added (first > last: none were new)."""
    views: int
    """View tables snapshotted."""


def part_name(first: int, last: int) -> str:
    return f"part-{first:012d}-{last:012d}.parquet"


def exported_position(folder: Path) -> int:
    """The last log position the store holds (0 for none)."""
    parts = sorted((folder / "events").glob("part-*.parquet"))
    return int(parts[-1].stem.split("-")[2]) if parts else 0


def exported_tables(projections: Sequence[Projection[Any]]) -> list[Table]:
    return [table for p in projections for table in p.tables if table.name not in SECRET_TABLES]


class AnalyticsExport:
    def __init__(
        self, folder: Path, store: EventStore, views: ViewDatabase, projections: Sequence[Projection[Any]]
    ) -> None:
        self.folder = folder
        self._store = store
        self._views = views
        self._tables = exported_tables(projections)

    def export(self, progress: Progress | None = None) -> Exported:
        """Append the events recorded since the last export, then replace the view snapshots."""
        first, last = self.append_events(progress)
        return Exported(first, last, self.snapshot_views())

    def append_events(self, progress: Progress | None = None, up_to: int | None = None) -> tuple[int, int]:
        """Append the events recorded since the last export (up to ``up_to``, by default the
        head) as new parts; return the first and last position added (first > last: none)."""
        self._check_writable()
        events = self.folder / "events"
        events.mkdir(exist_ok=True)
        after = exported_position(self.folder)
        head = self._store.head() if up_to is None else up_to
        return after + 1, self._append_events(events, after, head, progress)

    def snapshot_views(self) -> int:
        """Replace the snapshot of every view table; return how many there are."""
        self._check_writable()
        self._snapshot_views()
        return len(self._tables)

    def rebuild(self, progress: Progress | None = None) -> Exported:
        """Export the whole log afresh beside the current store, then put it in its place."""
        self._check_writable()
        fresh = Path(tempfile.mkdtemp(prefix=".events-", dir=self.folder))
        last = self._append_events(fresh, 0, self._store.head(), progress)
        events = self.folder / "events"
        retired = self.folder / f".retired-{uuid.uuid4().hex}"
        if events.exists():
            events.rename(retired)
        fresh.rename(events)
        _remove_tree(retired)
        self._snapshot_views()
        return Exported(1, last, len(self._tables))

    def _check_writable(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=self.folder):
                pass
        except OSError as error:
            raise ExportRefused(
                f"the analytics folder {self.folder} is not writable: {error.strerror}"
            ) from None

    def _append_events(self, events: Path, after: int, head: int, progress: Progress | None) -> int:
        """Write parts of at most ``PART_EVENTS`` events after ``after`` up to ``head``;
        return the last position written (``after`` when none)."""
        position = after
        with duckdb.connect() as connection:
            while position < head:
                with scratch(self.folder, ".jsonl") as lines:
                    first, last = self._write_raw(lines, position, head)
                    if last == position:
                        break
                    copy_parquet(connection, _flatten_sql(lines), events / part_name(first, last))
                position = last
                if progress:
                    progress(position, head)
        return position

    def _write_raw(self, path: Path, after: int, head: int) -> tuple[int, int]:
        """The stored events after ``after`` as JSON lines; their first and last positions."""
        first = last = after
        written = 0
        with path.open("w", encoding="utf-8") as out:
            while written < PART_EVENTS and last < head:
                batch = self._store.read_stored(last, min(_READ_BATCH, PART_EVENTS - written))
                batch = [n for n in batch if n.id <= head]
                if not batch:
                    break
                if first == after:
                    first = batch[0].id
                out.writelines(
                    f'{{"position":{n.id},"aggregate_id":"{n.originator_id}",'
                    f'"aggregate_version":{n.originator_version},"topic":"{n.topic}",'
                    f'"state":{state},"fields":{state}}}\n'
                    for n in batch
                    for state in (n.state.decode(),)
                )
                written += len(batch)
                last = batch[-1].id
        return first, last

    def _snapshot_views(self) -> None:
        folder = self.folder / "views"
        folder.mkdir(exist_ok=True)
        with duckdb.connect() as connection:
            for table in self._tables:
                with scratch(self.folder, ".json") as rows:
                    self._write_view_rows(rows, table)
                    copy_parquet(connection, _view_sql(rows, table), folder / f"{table.name}.parquet")

    def _write_view_rows(self, path: Path, table: Table) -> None:
        """The table's rows as one JSON array of objects, encoded by one call of the C encoder
        a chunk at a time (a call per row costs several times more)."""
        names = table.column_names
        with self._views.reading() as cursor:
            rows = cursor.execute(f"SELECT {', '.join(names)} FROM {table.name}")
        with path.open("w", encoding="utf-8") as out:
            out.write("[")
            for start in range(0, len(rows), _VIEW_CHUNK):
                chunk = [dict(zip(names, row, strict=True)) for row in rows[start : start + _VIEW_CHUNK]]
                out.write(("," if start else "") + _ENCODER.encode(chunk)[1:-1])
            out.write("]")


def _flatten_sql(lines: Path) -> str:
    raw = (
        "{'position': 'BIGINT', 'aggregate_id': 'VARCHAR', 'aggregate_version': 'BIGINT', "
        f"'topic': 'VARCHAR', 'state': 'JSON', 'fields': '{FIELDS_STRUCT}'}}"
    )
    selected = ", ".join(f"CAST({c.expression} AS {c.type}) AS {c.name}" for c in COLUMNS)
    return (
        f"SELECT {selected} FROM read_json({literal(lines)}, format='newline_delimited', "
        f"columns={raw}, maximum_object_size=1073741824) ORDER BY event_type, position"
    )


def _view_sql(rows: Path, table: Table) -> str:
    columns = ", ".join(f"'{name}': '{DUCKDB_TYPES[kind]}'" for name, kind in table.columns.items())
    return (
        f"SELECT * FROM read_json({literal(rows)}, format='array', columns={{{columns}}}, "
        "maximum_object_size=1073741824)"
    )


def literal(text: str | Path) -> str:
    """A string or path as a DuckDB string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def copy_parquet(connection: duckdb.DuckDBPyConnection, select: str, target: Path) -> None:
    """Write the rows as Parquet under a temporary name, then rename it into place. Row groups
    are small, so that a query for one kind of event (a part is sorted by event type) skips
    the groups that hold none by their statistics."""
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
    try:
        connection.execute(
            f"COPY ({select}) TO {literal(temporary)} "
            f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {_ROW_GROUP})"
        )
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


@contextmanager
def scratch(folder: Path, suffix: str) -> Iterator[Path]:
    descriptor, name = tempfile.mkstemp(prefix=".raw-", suffix=suffix, dir=folder)
    os.close(descriptor)
    path = Path(name)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def _remove_tree(path: Path) -> None:
    if not path.exists():
        return
    for child in path.iterdir():
        child.unlink()
    path.rmdir()
