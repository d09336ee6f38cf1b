"""Benchmark 8: time travel and tamper evidence on the demo company (×``SCALE``, ×1 with --quick).

- The funnel for the whole company as known at a past moment (``known_at`` → the log position
  recorded by then, nine tenths of the log) and as it had happened by a past business date
  (``as_of``, six months before the demo's today): the deal funnel's views replayed into
  memory (``replay.past_views``) and the report read from them, cold (the first time it is
  asked). First from the log's start, as with no checkpoints; then the projection worker's
  replay that keeps checkpoints of the views (``replay.checkpoints``) is timed, and the funnel as
  known at nine and at six tenths into the log is replayed from the nearest. A business date's
  replay reads the log from its start. Target: under 5 s each.
- ``EventStore.verify`` over the whole log (what ``crm audit verify`` runs) against the raw
  rate of reading the same rows with plain psycopg, in events per second. Target ≥ 0.3.
"""

import shutil
import tempfile
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import tuple_row

from aggregates.employee import Role
from benchmarks.common import BENCH_CONNINFO, Result, Stopwatch, median, rate, timed
from benchmarks.demo import NOW, seeded_demo
from event_store.chain import moment
from projections.employee_directory import find_employee
from projections.funnel_report import funnel
from replay.checkpoints import Checkpoints
from replay.past_reports import FUNNEL_VIEWS
from replay.past_views import PastMoment, PastViews

SCALE = 10
TARGET_SECONDS = 5.0
TARGET_VERIFY_RATIO = 0.3


def raw_read(schema: str) -> tuple[int, float]:
    """Every row of the log, in order, through a server-side cursor: the floor of any check."""
    rows = 0
    with (
        Stopwatch() as watch,
        psycopg.connect(BENCH_CONNINFO) as connection,
        connection.cursor(name="raw_log", row_factory=tuple_row) as cursor,
    ):
        cursor.itersize = 10_000
        cursor.execute(
            sql.SQL(
                "SELECT notification_id, originator_id, originator_version, topic, state FROM {}.{} "
                "ORDER BY notification_id"
            ).format(sql.Identifier(schema), sql.Identifier("letopis_events"))
        )
        for _row in cursor:
            rows += 1
    return rows, watch.elapsed


def _kept(folder: Path) -> str:
    files = list(folder.rglob("*.sqlite"))
    return f"{len(files)} checkpoints kept, {sum(f.stat().st_size for f in files) / 2**20:,.0f} MB"


def run(quick: bool) -> list[Result]:
    scale = 1 if quick else SCALE
    bench = "8 audit"
    demo = seeded_demo(scale)
    store, views = demo.letopis.store, demo.letopis.views
    with views.reading() as cursor:
        ((pipeline_id,),) = cursor.execute("SELECT id FROM sales_pipelines ORDER BY id LIMIT 1")
        ((analyst_id,),) = cursor.execute(
            "SELECT id FROM employees WHERE role = $1 ORDER BY id LIMIT 1", (Role.ANALYST.value,)
        )
        analyst = find_employee(cursor, analyst_id)
        assert analyst is not None
    head = store.head()
    as_of = NOW - timedelta(days=182)
    known_at = [moment(store.links(head * share // 10 - 1, 1)[0].recorded_us) for share in (9, 6)]
    folder = Path(tempfile.mkdtemp(prefix="letopis-bench-checkpoints-"))
    none_kept = Checkpoints(folder / "none", 0, 0)  # spacing 0: nothing is ever kept or read
    kept = Checkpoints(folder, demo.letopis.settings.replay_checkpoint_events, 2**31)

    def asked(past: PastMoment, checkpoints: Checkpoints) -> tuple[float, float, int]:
        """Seconds to the first answer and the median of the next ones, and the open deals."""
        replayed = PastViews(store, checkpoints)

        def report() -> dict[str, Any]:
            with replayed.views(past, FUNNEL_VIEWS).reading() as cursor:
                return funnel(cursor, analyst, pipeline_id, "company", None, None)

        with Stopwatch() as watch:
            open_deals = sum(stage["open_deals"] for stage in report()["stages"])
        # Asked again (another page, another scope): the replayed views are kept.
        again = median(timed([report] * 20))
        replayed.close()
        return watch.elapsed, again, open_deals

    def result(case: str, past: PastMoment, checkpoints: Checkpoints, note: str) -> Result:
        first, again, open_deals = asked(past, checkpoints)
        return Result(
            bench,
            f"funnel {case}, whole company (cold: first asked)",
            f"{first:.2f} s",
            f"target {TARGET_SECONDS:g} s",
            TARGET_SECONDS / first,
            1.0,
            f"{note}; up to log position {past.position:,} of {head:,}; {open_deals:,} open deals then; "
            f"asked again: p50 {again * 1000:.1f} ms; demo ×{scale}, {demo.preparation}",
        )

    results = [
        result(
            f"as known at {known_at[0]:%H:%M:%S} UTC",
            PastMoment(store.position_known_at(known_at[0])),
            none_kept,
            "replayed from the log's start (no checkpoints)",
        )
    ]
    with Stopwatch() as keeping:
        PastViews(store, kept).keep_checkpoint(head, FUNNEL_VIEWS, threading.Event())
    results.append(
        Result(
            bench,
            "funnel's checkpoints kept by the projection worker, up to the head",
            f"{keeping.elapsed:.2f} s",
            note=f"once, in the background, then a replay of each new stretch of the log; {_kept(folder)}",
        )
    )
    for share, moment_known in zip((9, 6), known_at, strict=True):
        results.append(
            result(
                f"as known at {moment_known:%H:%M:%S} UTC",
                PastMoment(store.position_known_at(moment_known)),
                kept,
                f"{share} tenths into the log, replayed from the nearest checkpoint",
            )
        )
    results.append(
        result(
            f"as of {as_of:%Y-%m-%d}",
            PastMoment(head, as_of),
            kept,
            "replayed from the log's start (a business date leaves out events any checkpoint holds)",
        )
    )
    shutil.rmtree(folder, ignore_errors=True)

    with Stopwatch() as verifying:
        finding = store.verify()
    assert finding is None, finding
    rows, raw_seconds = raw_read(demo.schema)
    ours, raw = rate(head, verifying.elapsed), rate(rows, raw_seconds)
    results.append(
        Result(
            bench,
            f"crm audit verify, PostgreSQL, {head:,} events",
            f"{ours:,.0f} events/s",
            f"{raw:,.0f} rows/s plain read",
            ours / raw,
            TARGET_VERIFY_RATIO,
            f"whole chain in {verifying.elapsed:.1f} s vs {raw_seconds:.1f} s to read the log",
        )
    )
    return results
