"""Writing the analytics store: the log, flattened, as Parquet part files appended per export
(history is never rewritten), and a snapshot of every view, replaced whole and atomically
each time, since views change.

The folder holds ``events/part-<first>-<last>.parquet`` (the log positions a part covers;
the last part's name is where the next export starts), each fact table's rows from each part
(``facts/<fact>/part-<first>-<last>.parquet``, ``analytics.facts``), ``views/<table>.parquet`` and the
DuckDB database file of views over them that analysts' SQL opens read-only
(``analytics.database_file``). Every
file is written under a temporary name and renamed into place, so a reader sees either the
old file or the new one, and a failed export leaves the store as it was. The rows reach
DuckDB as CSV that the databases write themselves (PostgreSQL by ``COPY … TO STDOUT``), which
DuckDB reads in bulk; it parses each stored event's JSON once and flattens it.
"""

import os
import shutil
import tempfile
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from aggregates.errors import DomainError
from analytics.database_file import DUCKDB_TYPES, literal, write_database_file
from analytics.events import COLUMNS, FIELDS_STRUCTURE
from analytics.facts import FACTS
from event_store.recorders import CSV_QUOTE
from event_store.store import EventStore
from projections.database import ViewDatabase
from projections.projection import Projection
from projections.tables import Table

Progress = Callable[[int, int], None]
"""Told the log position exported so far and the position aimed at."""

PART_EVENTS = 200_000
"""Log positions per Parquet part: a full export of a large log writes several. Within a part, rows
are sorted by event type, then position."""
PART_ROW_GROUP = 16_384
"""Rows per row group of an events part: small, so that a query for one kind of event skips
the groups that hold none by their statistics. Other files keep DuckDB's default, larger
groups, which are quicker to write."""
WRITTEN_AHEAD = 16
"""Scratch files the database may write ahead of the one being converted."""
J = TypeVar("J")

SECRET_TABLES = frozenset({"access_tokens"})
"""View tables never exported: token digests are credentials."""


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
        last = self._append_events(self.folder, after, head, progress)
        write_database_file(self.folder, self._tables)
        return after + 1, last

    def snapshot_views(self) -> int:
        """Replace the snapshot of every view table; return how many there are."""
        self._check_writable()
        self._snapshot_views()
        write_database_file(self.folder, self._tables)
        return len(self._tables)

    def rebuild(self, progress: Progress | None = None) -> Exported:
        """Export the whole log afresh beside the current store, then put it in its place."""
        self._check_writable()
        fresh = Path(tempfile.mkdtemp(prefix=".log-", dir=self.folder))
        try:
            (fresh / "events").mkdir()
            last = self._append_events(fresh, 0, self._store.head(), progress)
            retired = Path(tempfile.mkdtemp(prefix=".retired-", dir=self.folder))
            for kept in ("facts", "events"):  # the parts last: they say what the store holds
                if (self.folder / kept).exists():
                    (self.folder / kept).rename(retired / kept)
                if (fresh / kept).exists():
                    (fresh / kept).rename(self.folder / kept)
            shutil.rmtree(retired)
        finally:
            shutil.rmtree(fresh, ignore_errors=True)
        self._snapshot_views()
        write_database_file(self.folder, self._tables)
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

    def _append_events(self, log: Path, after: int, head: int, progress: Progress | None) -> int:
        """Write parts of at most ``PART_EVENTS`` positions after ``after`` up to ``head`` into
        ``log``'s ``events`` and ``facts``; return the last position written (``after`` when
        none). The database writes the next part's rows while DuckDB flattens this one's."""
        ranges = [(start, min(head, start + PART_EVENTS)) for start in range(after, head, PART_EVENTS)]
        written = after
        with ExitStack() as stack:
            connection = stack.enter_context(duckdb.connect())
            for (start, upper), raw in _written_ahead(stack, self.folder, ranges, self._write_raw):
                if raw.stat().st_size:
                    _write_part(connection, raw, log, part_name(start + 1, upper))
                    written = upper
                if progress:
                    progress(upper, head)
        return written

    def _write_raw(self, positions: tuple[int, int], raw: Path) -> None:
        with raw.open("wb") as out:
            self._store.write_csv(*positions, out)

    def _snapshot_views(self) -> None:
        folder = self.folder / "views"
        folder.mkdir(exist_ok=True)
        with ExitStack() as stack:
            connection = stack.enter_context(duckdb.connect())
            for table, raw in _written_ahead(stack, self.folder, self._tables, self._write_view):
                _copy_csv(connection, partial(_view_sql, raw, table), folder / f"{table.name}.parquet")

    def _write_view(self, table: Table, raw: Path) -> None:
        with raw.open("wb") as out, self._views.reading() as cursor:
            cursor.write_csv(table.name, table.column_names, out)


def _written_ahead(
    stack: ExitStack, folder: Path, jobs: Sequence[J], write: Callable[[J, Path], None]
) -> Iterator[tuple[J, Path]]:
    """Each job with the CSV file ``write`` made for it in a scratch file of ``folder``; the
    database writes the next jobs' files (up to ``WRITTEN_AHEAD`` of them) while the caller
    converts this one's, so that a large table's conversion does not leave the database idle
    (two cores busy instead of one), and each file goes once the caller is done with it."""
    raws = [stack.enter_context(scratch(folder, ".csv")) for _ in jobs]
    reader = ThreadPoolExecutor(1, "analytics-reader")
    # Before the scratch files go: what is written already finishes, what is not never starts.
    stack.callback(reader.shutdown, wait=True, cancel_futures=True)
    pending: deque[Future[None]] = deque()

    def write_ahead(number: int) -> None:
        if number < len(jobs):
            pending.append(reader.submit(write, jobs[number], raws[number]))

    for number in range(WRITTEN_AHEAD + 1):
        write_ahead(number)
    for number, (job, raw) in enumerate(zip(jobs, raws, strict=True)):
        pending.popleft().result()
        write_ahead(number + WRITTEN_AHEAD + 1)
        yield job, raw
        raw.unlink()


def _write_part(connection: duckdb.DuckDBPyConnection, raw: Path, log: Path, name: str) -> None:
    """The part's fact rows first, then the part itself: a part in place has its facts."""
    staged = log / "events" / f".staged-{name}"
    try:
        _copy_csv(connection, partial(_flatten_sql, raw), staged, PART_ROW_GROUP)
        for fact in FACTS:
            folder = log / "facts" / fact.name
            folder.mkdir(parents=True, exist_ok=True)
            part = f"WITH events AS (SELECT * FROM read_parquet({literal(staged)})) {fact.rows}"
            copy_parquet(connection, part, folder / name)
        os.replace(staged, log / "events" / name)
    finally:
        staged.unlink(missing_ok=True)


_CSV = "header=false, auto_detect=false, delim=','"
_LINE = 2**21
"""The longest line DuckDB reads a CSV file for at first, its own default: the limit sizes
the buffers it splits a file into between its threads, and a file read with room for a line
of ``_LONGEST_LINE`` took one buffer, one thread, and up to twice as long."""
_LONGEST_LINE = 2**30
"""A file with a longer line than ``_LINE`` (an event or a view's row of megabytes, which
nothing forbids) is read again with room for this."""
_LOG_CSV = (
    "{'position': 'BIGINT', 'aggregate_id': 'VARCHAR', 'aggregate_version': 'BIGINT', "
    "'topic': 'VARCHAR', 'state': 'VARCHAR'}"
)


def _flatten_sql(raw: Path, longest_line: int) -> str:
    """The log's CSV (``EventStore.write_csv``) flattened: its JSON parsed once into the
    fields the typed columns read, kept whole as the payload."""
    selected = ", ".join(f"CAST({c.expression} AS {c.type}) AS {c.name}" for c in COLUMNS)
    return (
        f"SELECT {selected} FROM (SELECT *, json_transform(state, {literal(FIELDS_STRUCTURE)}) AS fields "
        f"FROM read_csv({literal(raw)}, columns={_LOG_CSV}, {_CSV}, max_line_size={longest_line}, "
        f"quote={literal(CSV_QUOTE)}, escape={literal(CSV_QUOTE)})) "
        "ORDER BY event_type, position"
    )


def _view_sql(rows: Path, table: Table, longest_line: int) -> str:
    """A view's CSV (``ViewCursor.write_csv``) read with its columns' types."""
    columns = ", ".join(f"'{name}': '{DUCKDB_TYPES[kind]}'" for name, kind in table.columns.items())
    return (
        f"SELECT * FROM read_csv({literal(rows)}, columns={{{columns}}}, {_CSV}, "
        f"max_line_size={longest_line}, quote='''', escape='''', nullstr='NULL', allow_quoted_nulls=false)"
    )


def _copy_csv(
    connection: duckdb.DuckDBPyConnection,
    select: Callable[[int], str],
    target: Path,
    row_group: int | None = None,
) -> None:
    """``copy_parquet`` of the rows ``select`` reads from a CSV file, given room for a line of
    ``_LINE``, then of ``_LONGEST_LINE`` should a line be longer."""
    try:
        copy_parquet(connection, select(_LINE), target, row_group)
    except duckdb.InvalidInputException as error:
        if "Maximum line size" not in str(error):
            raise
        copy_parquet(connection, select(_LONGEST_LINE), target, row_group)


def copy_parquet(
    connection: duckdb.DuckDBPyConnection, select: str, target: Path, row_group: int | None = None
) -> None:
    """Write the rows as Parquet under a temporary name, then rename it into place."""
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
    row_group_size = f", ROW_GROUP_SIZE {row_group}" if row_group else ""
    try:
        connection.execute(
            f"COPY ({select}) TO {literal(temporary)} (FORMAT parquet, COMPRESSION zstd{row_group_size})"
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
