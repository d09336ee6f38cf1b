"""Shared plumbing: the benchmark database, scratch schemas, timing and the machine description."""

import os
import platform
import shutil
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

PG_HOST = os.environ.get("LETOPIS_BENCH_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("LETOPIS_BENCH_PG_PORT", "5432"))
PG_USER = os.environ.get("LETOPIS_BENCH_PG_USER", "postgres")
BENCH_DB = os.environ.get("LETOPIS_BENCH_DB", "letopis_bench")

ADMIN_CONNINFO = f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/postgres"
BENCH_CONNINFO = f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{BENCH_DB}"


@dataclass
class Result:
    """One line of the results table."""

    benchmark: str
    case: str
    value: str
    baseline: str = ""
    ratio: float | None = None
    target: float | None = None
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.ratio is None or self.target is None:
            return ""
        return "met" if self.ratio >= self.target else "MISSED"


def ensure_database() -> None:
    """Create the benchmark database unless it is there; another run creating it at the same
    moment is no failure."""
    with psycopg.connect(ADMIN_CONNINFO, autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (BENCH_DB,)).fetchone()
        if not found:
            with suppress(psycopg.errors.DuplicateDatabase):
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DB)))


def drop_database() -> None:
    """Drop the benchmark database once no one uses it. A run still working in it (two runs
    given the same ``LETOPIS_BENCH_DB``, say a benchmark and a profile of it) keeps it: it was
    dropped under such a run before, which then failed with "database … does not exist"."""
    with (
        psycopg.connect(ADMIN_CONNINFO, autocommit=True) as connection,
        suppress(psycopg.errors.ObjectInUse),
    ):
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(BENCH_DB)))


@contextmanager
def pg_schema(prefix: str) -> Iterator[tuple[str, str]]:
    """A fresh schema in the benchmark database; yields (Letopis URL, schema), dropped afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(BENCH_CONNINFO, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield f"{BENCH_CONNINFO}?schema={schema}", schema
    finally:
        with psycopg.connect(BENCH_CONNINFO, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


@contextmanager
def sqlite_dir(prefix: str) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=f"letopis-bench-{prefix}-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'events.sqlite'}"


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile of a non-empty sample."""
    ordered = sorted(samples)
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def timed(calls: list[Callable[..., object]]) -> list[float]:
    """The seconds each call took, one after another."""
    samples = []
    for call in calls:
        began = time.perf_counter()
        call()
        samples.append(time.perf_counter() - began)
    return samples


def latency_text(samples_s: list[float]) -> str:
    return f"p50 {percentile(samples_s, 0.5) * 1000:.2f} ms, p95 {percentile(samples_s, 0.95) * 1000:.2f} ms"


def within_p95(bench: str, case: str, samples: list[float], target_ms: float, note: str) -> Result:
    """A latency row judged by its p95 against a target: the ratio is the target over the
    measured p95, met when it is at least 1."""
    p95_ms = percentile(samples, 0.95) * 1000
    return Result(
        bench,
        case,
        latency_text(samples),
        f"p95 target {target_ms:g} ms",
        target_ms / p95_ms if p95_ms > 0 else None,
        1.0,
        note,
    )


def web_overhead(bench: str, case: str, http: list[float], function: list[float], target_ms: float) -> Result:
    """What the web layer adds to a read: the HTTP p50 less the query function's p50."""
    added_ms = (percentile(http, 0.5) - percentile(function, 0.5)) * 1000
    return Result(
        bench,
        case,
        f"+{added_ms:.2f} ms p50",
        f"target +{target_ms:g} ms",
        target_ms / added_ms if added_ms > 0 else None,
        1.0,
        "HTTP p50 less the function's p50, same sample",
    )


def median(values: list[float]) -> float:
    return statistics.median(values)


class Stopwatch:
    def __enter__(self) -> "Stopwatch":
        self.started = time.perf_counter()
        self.elapsed = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.elapsed = time.perf_counter() - self.started


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def machine_description() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    try:
        with psycopg.connect(ADMIN_CONNINFO) as connection:
            row = connection.execute("SHOW server_version").fetchone()
            postgres = f"PostgreSQL {row[0]}" if row else "unknown"
    except psycopg.Error:
        postgres = "unreachable"
    try:
        kernel = subprocess.run(["uname", "-sr"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        kernel = platform.platform()
    return {
        "CPU": cpu,
        "Cores": str(os.cpu_count()),
        "Memory": memory,
        "PostgreSQL": postgres,
        "SQLite": __import__("sqlite3").sqlite_version,
        "Python": platform.python_version(),
        "Kernel": kernel,
    }


def raw_events_table(connection: psycopg.Connection[Any], schema: str) -> sql.Identifier:
    """The baselines' table, shaped like the event store's on PostgreSQL (the same key and
    position index), created and committed in ``schema``."""
    table = sql.Identifier(schema, "raw_events")
    connection.execute(
        sql.SQL(
            "CREATE TABLE {} (originator_id uuid NOT NULL, originator_version bigint NOT NULL, "
            "topic text, state bytea, notification_id bigserial, "
            "PRIMARY KEY (originator_id, originator_version))"
        ).format(table)
    )
    connection.execute(sql.SQL("CREATE UNIQUE INDEX ON {} (notification_id)").format(table))
    connection.commit()
    return table
