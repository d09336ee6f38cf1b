"""Benchmark 10: the analytics store over the demo company (×10, PostgreSQL; ×1 with --quick).

- Full export: ``AnalyticsExport.rebuild()`` (the log flattened to Parquet parts, then every
  view snapshotted) against DuckDB writing exactly the same rows, already in its memory, with
  ``COPY … TO parquet`` in the same run; rows per second, the ratio is ours over the raw one.
- Incremental export: the log exported up to 10,000 events before its head, then the time to
  append those 10,000 as a new part (the view snapshots are refreshed on a cadence of their
  own, ``LETOPIS_ANALYTICS_VIEWS_SECONDS``, and timed as a row of their own).
- Each ready analysis with its default parameters, and a typical analyst query (money
  received per manager per month over two years), through ``AnalyticsDatabase`` as a
  request runs them (a fresh sandboxed connection each time); the p95 of a few runs.
"""

import shutil
import tempfile
from pathlib import Path

import duckdb

from analytics.analyses import ANALYSES
from analytics.database_file import literal
from analytics.export import AnalyticsExport
from analytics.sql import EVERYONE
from benchmarks.common import Result, Stopwatch, rate, timed, within_p95
from benchmarks.demo import seeded_demo

SCALE = 10
NEW_EVENTS = 10_000
TYPICAL_QUERY = """
SELECT p.manager_id, e.full_name, date_trunc('month', p.day) AS month, sum(p.amount) AS received
FROM payments p LEFT JOIN views.employees e ON e.id = p.manager_id
WHERE p.currency = 'RUB' AND p.day > (SELECT max(day) FROM payments) - INTERVAL 2 YEAR
GROUP BY ALL ORDER BY month, received DESC"""


def _raw_copy(folder: Path) -> tuple[int, float]:
    """The rows the export wrote, loaded into DuckDB's memory, then written again by COPY."""
    target = Path(tempfile.mkdtemp(prefix="raw-", dir=folder.parent))
    files = sorted(folder.rglob("*.parquet"))
    rows = 0
    with duckdb.connect() as connection:
        for number, path in enumerate(files):
            connection.execute(f"CREATE TABLE t{number} AS SELECT * FROM read_parquet({literal(path)})")
            rows += connection.execute(f"SELECT count(*) FROM t{number}").fetchone()[0]  # type: ignore[index]
        with Stopwatch() as copying:
            for number in range(len(files)):
                destination = literal(target / f"t{number}.parquet")
                connection.execute(f"COPY t{number} TO {destination} (FORMAT parquet, COMPRESSION zstd)")
    shutil.rmtree(target, ignore_errors=True)
    return rows, copying.elapsed


def run(quick: bool) -> list[Result]:
    scale = 1 if quick else SCALE
    repeats = 3 if quick else 5
    demo = seeded_demo(scale)
    letopis = demo.letopis
    letopis.runner.catch_up()
    scratch = Path(tempfile.mkdtemp(prefix="letopis-bench-analytics-"))
    try:
        folder = scratch / "analytics"
        export = AnalyticsExport(folder, letopis.store, letopis.views, letopis.runner.projections)
        with Stopwatch() as full:
            export.rebuild()
        raw_rows, raw_seconds = _raw_copy(folder)
        ours, raw = rate(raw_rows, full.elapsed), rate(raw_rows, raw_seconds)
        head = letopis.store.head()
        results = [
            Result(
                "10 analytics",
                f"full export ×{scale} ({head:,} events, {raw_rows:,} rows with the views)",
                f"{ours:,.0f} rows/s ({full.elapsed:.1f} s)",
                f"{raw:,.0f} rows/s DuckDB COPY",
                ours / raw,
                0.3,
                demo.preparation,
            )
        ]

        shutil.rmtree(folder / "events")
        shutil.rmtree(folder / "facts")
        export.append_events(up_to=head - NEW_EVENTS)
        with Stopwatch() as incremental:
            first, last = export.append_events()
        assert last - first + 1 == NEW_EVENTS
        results.append(
            Result(
                "10 analytics",
                f"incremental export of {NEW_EVENTS:,} events",
                f"{incremental.elapsed:.2f} s",
                "target 2 s",
                2.0 / incremental.elapsed,
                1.0,
                "one new Parquet part; earlier parts untouched",
            )
        )
        with Stopwatch() as snapshot:
            export.snapshot_views()
        results.append(
            Result(
                "10 analytics",
                "view snapshots (every view table rewritten)",
                f"{snapshot.elapsed:.1f} s",
                note="on their own cadence, not part of an incremental export",
            )
        )

        database = letopis.analytics.__class__(folder, letopis.analytics.tables, time_limit=60)
        for analysis in ANALYSES.values():
            parameters = analysis.validated(_defaults(analysis.name, database))
            samples = timed([lambda a=analysis, p=parameters: a.run(database, p, EVERYONE)] * repeats)
            results.append(within_p95("10 analytics", f"analysis {analysis.name}", samples, 1000, ""))
        samples = timed([lambda: database.query(TYPICAL_QUERY)] * repeats)
        results.append(
            within_p95("10 analytics", "money per manager per month, 2 years (SQL)", samples, 500, "")
        )
        return results
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _defaults(name: str, database) -> dict[str, str]:
    """The client-activity analysis needs a client: the one with the most events."""
    if name != "client-activity":
        return {}
    busiest = database.query(
        "SELECT counterparty_id FROM events WHERE counterparty_id IS NOT NULL "
        "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    ).rows
    return {"counterparty_id": busiest[0][0]}
