"""The demo company on PostgreSQL, shared by the benchmarks that read it; ``release`` drops it
when the run ends.

Seeding the demo at ×10 (1.7 million events, with its views) takes about 7 minutes on two
cores and restoring a dump of it under one, so it is seeded once and kept: the seeded
schema, views included, is dumped with ``pg_dump`` into ``benchmarks/.work/`` under a name
made of the seed, the scale, the generator's version and the views' versions, and a later
run restores it with ``pg_restore``. A change to the generator (or to anything that shapes
what it writes) or to a view's version names another file, so a run never measures a stale
copy; older copies of the same seed and scale are deleted when a new one is kept.
"""

import dataclasses
import hashlib
import json
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from benchmarks.common import BENCH_CONNINFO, Stopwatch
from letopis.bulk_load import views_built_alongside
from letopis.demo import DemoSummary, Showcase, generator_version, seed_demo
from letopis.settings import Settings
from letopis.wiring import Letopis, all_projections, build

NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
SEED = 2024
FIXTURES = Path(__file__).resolve().parent / ".work"

_RUN = ExitStack()


@dataclass(frozen=True)
class SeededDemo:
    url: str
    schema: str
    letopis: Letopis
    summary: DemoSummary
    scale: int
    seconds: float
    """Seeding, with the views built alongside, until they reflect all of it."""
    restored_seconds: float | None = None
    """Restoring the kept copy, when this run did so instead of seeding."""

    @property
    def preparation(self) -> str:
        """How the demo came to be, for a benchmark's notes."""
        if self.restored_seconds is None:
            return f"seeded in {self.seconds:.0f} s"
        return f"restored in {self.restored_seconds:.0f} s (seeding took {self.seconds:.0f} s)"


def fixture_key(scale: int, seed: int = SEED) -> str:
    """What a kept copy depends on: the seed, the scale, the generator's version, the views'
    versions and the event store library's version."""
    views = ",".join(sorted(f"{p.name}:{p.version}" for p in all_projections()))
    store = version("eventsourcing")
    digest = hashlib.sha256(f"{generator_version()}|{views}|{store}".encode()).hexdigest()[:16]
    return f"demo-s{seed}-x{scale}-{digest}"


@cache
def seeded_demo(scale: int) -> SeededDemo:
    """The demo at ``scale`` in a schema of its own, restored from the kept copy when there is
    one, else seeded as ``crm seed`` seeds it (views built alongside) and then kept."""
    key = fixture_key(scale)
    dump, about = FIXTURES / f"{key}.dump", FIXTURES / f"{key}.json"
    schema = f"bench_demo_x{scale}"
    url = f"{BENCH_CONNINFO}?schema={schema}"
    _RUN.enter_context(_dropped_afterwards(schema))
    if dump.exists() and about.exists():
        with Stopwatch() as restoring:
            _restore(dump, schema)
        kept = json.loads(about.read_text(encoding="utf-8"))
        letopis = build(Settings(database_url=url))
        _RUN.callback(letopis.close)
        return SeededDemo(
            url, schema, letopis, _summary(kept["summary"]), scale, kept["seconds"], restoring.elapsed
        )
    letopis = build(Settings(database_url=url))
    _RUN.callback(letopis.close)
    with Stopwatch() as seeding, views_built_alongside(letopis):
        summary = seed_demo(letopis, scale=scale, seed=SEED, now=NOW)
    _keep(schema, key, summary, seeding.elapsed)
    _vacuumed(schema)
    return SeededDemo(url, schema, letopis, summary, scale, seeding.elapsed)


def release() -> None:
    """Close every demo and drop its schema."""
    _RUN.close()
    seeded_demo.cache_clear()


@contextmanager
def _dropped_afterwards(schema: str) -> Iterator[None]:
    """The schema is this run's own (a run has a database of its own): any left by a run that
    died is dropped first."""
    _drop(schema)
    try:
        yield
    finally:
        _drop(schema)


def _drop(schema: str) -> None:
    with psycopg.connect(BENCH_CONNINFO, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def _keep(schema: str, key: str, summary: DemoSummary, seconds: float) -> None:
    """Dump the seeded schema under ``key``, written aside and renamed, so an interrupted dump
    is never taken for a copy; older copies of the same seed and scale go."""
    FIXTURES.mkdir(parents=True, exist_ok=True)
    partial = FIXTURES / f"{key}.dump.partial"
    subprocess.run(
        [
            "pg_dump",
            "--format=custom",
            "--compress=1",
            f"--schema={schema}",
            f"--file={partial}",
            BENCH_CONNINFO,
        ],
        check=True,
    )
    family = key.rsplit("-", 1)[0]
    for old in FIXTURES.glob(f"{family}-*"):
        if not old.name.startswith(key):
            old.unlink()
    about = {"summary": dataclasses.asdict(summary), "seconds": seconds, "generator": generator_version()}
    (FIXTURES / f"{key}.json").write_text(json.dumps(about, indent=2), encoding="utf-8")
    partial.rename(FIXTURES / f"{key}.dump")


def _restore(dump: Path, schema: str) -> None:
    subprocess.run(
        ["pg_restore", "--jobs=2", "--no-owner", f"--dbname={BENCH_CONNINFO}", str(dump)], check=True
    )
    _vacuumed(schema)


def _vacuumed(schema: str) -> None:
    """Vacuum and analyse the demo's tables, as autovacuum would have after seeding, whether
    the demo was just seeded or restored (which carries no planner statistics and no visibility
    map): straight after seeding, the calendar's rebuild took 47.5 s where on the restored and
    vacuumed copy it took 39.7 s."""
    with psycopg.connect(BENCH_CONNINFO, autocommit=True) as connection:
        tables = connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", (schema,)
        ).fetchall()
        for (table,) in tables:
            connection.execute(
                sql.SQL("VACUUM (ANALYZE) {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
            )


def _summary(kept: dict[str, Any]) -> DemoSummary:
    return DemoSummary(**{**kept, "showcase": Showcase(**kept["showcase"])})
