"""A view rebuilt beside the one that answers: a new version, or a rebuild on request.

The build writes into tables of its own (the live names with a suffix of the build's own)
while the live view keeps answering and, at the same version, keeps moving. Once the build
has caught up with the log, one transaction applies what is left, drops the live tables
and gives the build's tables their names: a reader sees the old view or the new one, never
an empty or half-built one. A build remembers how far it got, so one interrupted (a process
killed) resumes where it was; a build that meets an event its handlers cannot apply stops
there, with the position and the error, and the live view goes on answering.
"""

import secrets
from dataclasses import dataclass
from typing import Any

from projections.database import ViewCursor
from projections.projection import Projection
from projections.values import utc_text


@dataclass(frozen=True)
class Build:
    name: str
    version: int
    suffix: str
    position: int
    error: str | None = None
    failed_position: int | None = None
    events_per_second: float | None = None

    def physical(self, projection: Projection[Any]) -> dict[str, str]:
        return {table.name: f"{table.name}__{self.suffix}" for table in projection.tables}


def create_table(cursor: ViewCursor) -> None:
    cursor.execute(
        "CREATE TABLE IF NOT EXISTS projection_builds (name TEXT PRIMARY KEY, version INTEGER NOT NULL, "
        "suffix TEXT NOT NULL, position BIGINT NOT NULL, error TEXT, failed_position BIGINT, "
        "events_per_second REAL, started_at TEXT NOT NULL)"
    )


def builds(cursor: ViewCursor, name: str | None = None) -> dict[str, Build]:
    """Every build, or the named one locked against another process advancing it too."""
    where = f" WHERE name = $1{cursor.dialect.lock_rows}" if name else ""
    rows = cursor.execute(
        "SELECT name, version, suffix, position, error, failed_position, events_per_second "
        f"FROM projection_builds{where}",
        (name,) if name else (),
    )
    return {
        name: Build(name, int(version), suffix, int(position), error, failed, rate)
        for name, version, suffix, position, error, failed, rate in rows
    }


def start(cursor: ViewCursor, projection: Projection[Any], started_at: Any) -> Build:
    """A fresh build of the projection's current version, its tables created empty."""
    drop(cursor, projection)
    build = Build(projection.name, projection.version, secrets.token_hex(4), 0)
    projection.create_tables(cursor, build.physical(projection))
    cursor.execute(
        "INSERT INTO projection_builds (name, version, suffix, position, started_at) "
        "VALUES ($1, $2, $3, 0, $4)",
        (build.name, build.version, build.suffix, utc_text(started_at)),
    )
    return build


def advanced(cursor: ViewCursor, build: Build, position: int, events_per_second: float) -> Build:
    cursor.execute(
        "UPDATE projection_builds SET position = $1, events_per_second = $2, error = NULL, "
        "failed_position = NULL WHERE name = $3",
        (position, events_per_second, build.name),
    )
    return Build(build.name, build.version, build.suffix, position, events_per_second=events_per_second)


def failed(cursor: ViewCursor, build: Build, position: int, error: Exception) -> None:
    cursor.execute(
        "UPDATE projection_builds SET error = $1, failed_position = $2 WHERE name = $3",
        (f"{type(error).__name__}: {' '.join(str(error).split())}"[:500], position, build.name),
    )


def drop(cursor: ViewCursor, projection: Projection[Any]) -> None:
    """Forget a build of the projection, and its tables."""
    found = builds(cursor).get(projection.name)
    if found is not None:
        projection.drop_tables(cursor, found.physical(projection))
    cursor.execute("DELETE FROM projection_builds WHERE name = $1", (projection.name,))


def switch(cursor: ViewCursor, projection: Projection[Any], build: Build) -> None:
    """The build becomes the view: in the caller's transaction, the live tables go and the
    build's tables take their names."""
    physical = build.physical(projection)
    projection.drop_tables(cursor, {})
    for table in projection.tables:
        cursor.execute(f"ALTER TABLE {physical[table.name]} RENAME TO {table.name}")
    cursor.execute(
        "INSERT INTO projection_versions (name, version) VALUES ($1, $2) "
        "ON CONFLICT (name) DO UPDATE SET version = excluded.version",
        (projection.name, build.version),
    )
    cursor.execute(
        "INSERT INTO projection_positions (name, position) VALUES ($1, $2) "
        "ON CONFLICT (name) DO UPDATE SET position = excluded.position",
        (projection.name, build.position),
    )
    cursor.execute("DELETE FROM projection_builds WHERE name = $1", (projection.name,))
