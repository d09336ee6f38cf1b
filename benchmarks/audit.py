"""Benchmark 8: time travel and tamper evidence on the demo company (×``SCALE``, ×1 with --quick).

- The funnel for the whole company as known at a past moment (``known_at`` → the log position
  recorded by then, nine tenths of the log) and as it had happened by a past business date
  (``as_of``, six months before the demo's today): the deal funnel's views replayed into
  memory (``replay.past_views``) and the report read from them, cold. Target: under 5 s each.
- ``EventStore.verify`` over the whole log (what ``crm audit verify`` runs) against the raw
  rate of reading the same rows with plain psycopg, in events per second. Target ≥ 0.3.
"""

from datetime import timedelta
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import tuple_row

from aggregates.employee import Role
from benchmarks.common import BENCH_CONNINFO, Result, Stopwatch, median, rate, timed
from benchmarks.demo import NOW, seeded_demo
from event_store.chain import moment
from projections.deal_funnel import DealFunnel
from projections.employee_directory import find_employee
from projections.funnel_report import funnel
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
    (link,) = store.links(head * 9 // 10 - 1, 1)
    known_at = moment(link.recorded_us)
    as_of = NOW - timedelta(days=182)

    results = []
    for case, past in (
        (f"funnel as known at {known_at:%H:%M:%S} UTC", PastMoment(store.position_known_at(known_at))),
        (f"funnel as of {as_of:%Y-%m-%d}", PastMoment(head, as_of)),
    ):
        replayed = PastViews(store)

        def report(at: PastMoment = past, views: PastViews = replayed) -> dict[str, Any]:
            with views.views(at, [DealFunnel]).reading() as cursor:
                return funnel(cursor, analyst, pipeline_id, "company", None, None)

        with Stopwatch() as watch:
            open_deals = sum(stage["open_deals"] for stage in report()["stages"])
        # Asked again (another page, another scope): the replayed views are kept.
        again = median(timed([report] * 20))
        replayed.close()
        results.append(
            Result(
                bench,
                f"{case}, whole company (replayed, cold)",
                f"{watch.elapsed:.2f} s",
                f"target {TARGET_SECONDS:g} s",
                TARGET_SECONDS / watch.elapsed,
                1.0,
                f"up to log position {past.position:,} of {head:,}; {open_deals:,} open deals then; "
                f"asked again: p50 {again * 1000:.1f} ms; demo ×{scale}, {demo.preparation}",
            )
        )

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
