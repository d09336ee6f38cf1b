"""Benchmark 5: the sales side over the demo data on PostgreSQL.

The demo company (``benchmarks.demo.seeded_demo``, the same seeding as the read latency
benchmark) is written at ×``SCALE`` (×1 with --quick) and the views catch up. Then:

- the funnel of the pipeline for the manager with the most deals and for the whole
  company (read by the analyst), a contract register page, and a client's financial
  position, each through its projection query function with its own pooled connection,
  as a request would;
- ``ProjectionRunner.rebuild()`` with only the sales projections, against a raw ``COPY``
  of exactly the rows the rebuild produced into tables of the same shape.
"""

import random

import psycopg
from psycopg import sql

from aggregates.employee import Role
from benchmarks.common import BENCH_CONNINFO, Result, Stopwatch, rate, timed, within_p95
from benchmarks.demo import NOW, SeededDemo, seeded_demo
from projections.catalogue import CatalogueView
from projections.contract_register import ContractFilter, ContractRegister, search_contracts
from projections.deal_funnel import DealFunnel
from projections.employee_directory import find_employee
from projections.exchange_rates import ExchangeRates
from projections.financial_position import financial_position
from projections.funnel_report import funnel
from projections.inquiries import InquiryView
from projections.order_status import OrderStatusView
from projections.postgres import PostgresViews
from projections.projection import Projection
from projections.refusals import RefusalView
from projections.runner import ProjectionRunner

TARGET_P95_MS = 50.0
# The issue asks for ×10. The sales views apply about 1,700 events/s on PostgreSQL (one
# round trip per statement), so seeding ×10, building its views and rebuilding the sales
# views once more takes well over half an hour here; ×3 takes about twenty minutes.
SCALE = 10


def sales_projections() -> list[Projection]:
    return [
        CatalogueView(),
        InquiryView(),
        RefusalView(),
        ContractRegister(),
        OrderStatusView(),
        ExchangeRates(),
        DealFunnel(),
    ]


def raw_copy(schema: str, tables: list[str]) -> tuple[int, float]:
    """COPY every row of ``tables`` into empty copies of them (same columns, keys and indexes)."""
    dumps: dict[str, list[bytes]] = {}
    rows = 0
    with psycopg.connect(BENCH_CONNINFO) as connection:
        for table in tables:
            source = sql.Identifier(schema, table)
            target = sql.Identifier(schema, f"{table}_raw")
            with (
                connection.cursor() as cursor,
                cursor.copy(sql.SQL("COPY {} TO STDOUT").format(source)) as copy,
            ):
                dumps[table] = [bytes(chunk) for chunk in copy]
            connection.execute(sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(target, source))
        connection.commit()
        with Stopwatch() as watch:
            with connection.cursor() as cursor:
                for table, chunks in dumps.items():
                    target = sql.Identifier(schema, f"{table}_raw")
                    with cursor.copy(sql.SQL("COPY {} FROM STDIN").format(target)) as copy:
                        copy.write(b"".join(chunks))
            connection.commit()
        for table in tables:
            row = connection.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, f"{table}_raw"))
            ).fetchone()
            rows += int(row[0]) if row else 0
    return rows, watch.elapsed


def run(quick: bool) -> list[Result]:
    scale = 1 if quick else SCALE
    queries = 100 if quick else 300
    rng = random.Random(11)
    bench = "5 sales"
    demo = seeded_demo(scale)
    views = demo.letopis.views
    with views.reading() as cursor:
        ((pipeline_id,),) = cursor.execute("SELECT id FROM sales_pipelines ORDER BY id LIMIT 1")
        ((manager_id, manager_deals),) = cursor.execute(
            "SELECT manager_id, COUNT(*) FROM deals GROUP BY manager_id "
            "ORDER BY COUNT(*) DESC, manager_id LIMIT 1"
        )
        ((analyst_id,),) = cursor.execute(
            "SELECT id FROM employees WHERE role = $1 ORDER BY id LIMIT 1", (Role.ANALYST.value,)
        )
        ((head_id,),) = cursor.execute(
            "SELECT id FROM employees WHERE role = $1 ORDER BY id LIMIT 1", (Role.HEAD_OF_SALES.value,)
        )
        manager, analyst, head = (find_employee(cursor, i) for i in (manager_id, analyst_id, head_id))
        assert manager is not None
        assert analyst is not None
        assert head is not None
        ((deals,),) = cursor.execute("SELECT COUNT(*) FROM deals")
        ((contracts,),) = cursor.execute("SELECT COUNT(*) FROM contracts")
        clients = [
            row[0] for row in cursor.execute("SELECT DISTINCT counterparty_id FROM contracts ORDER BY 1")
        ]
    pages = max(contracts // 50, 1)
    today = NOW.date()

    def manager_funnel() -> None:
        with views.reading() as cursor:
            funnel(cursor, manager, pipeline_id, f"manager:{manager_id}", None, None)

    def company_funnel() -> None:
        with views.reading() as cursor:
            funnel(cursor, analyst, pipeline_id, "company", None, None)

    def register_page(page: int) -> None:
        with views.reading() as cursor:
            search_contracts(cursor, head, ContractFilter(), today, 50, page * 50)

    def position(client: str) -> None:
        with views.reading() as cursor:
            financial_position(cursor, client)

    page_sample = [rng.randrange(pages) for _ in range(queries)]
    client_sample = [rng.choice(clients) for _ in range(queries)]
    for n in range(20):  # warm-up: pool, caches, prepared plans
        manager_funnel()
        company_funnel()
        register_page(page_sample[n])
        position(client_sample[n])
    manager_samples = timed([manager_funnel] * queries)
    company_samples = timed([company_funnel] * queries)
    page_samples = timed([lambda p=p: register_page(p) for p in page_sample])
    position_samples = timed([lambda c=c: position(c) for c in client_sample])

    summary = demo.summary
    seeded = (
        f"demo ×{scale}: {summary.position:,} events, {deals:,} deals, {contracts:,} contracts, "
        f"{summary.orders:,} orders, {summary.payments:,} payments; {demo.preparation}"
    )
    return [
        within_p95(
            bench,
            "funnel, one manager (function)",
            manager_samples,
            TARGET_P95_MS,
            f"{queries} queries, {manager_deals:,} deals of the manager; {seeded}",
        ),
        within_p95(
            bench,
            "funnel, whole company (function)",
            company_samples,
            TARGET_P95_MS,
            f"{queries} queries, {deals:,} deals",
        ),
        within_p95(
            bench,
            "contract register page 50 (function)",
            page_samples,
            TARGET_P95_MS,
            f"{queries} pages of {pages:,}, read as the head of sales",
        ),
        within_p95(
            bench,
            "financial position (function)",
            position_samples,
            TARGET_P95_MS,
            f"{queries} clients with contracts, {len(clients):,} in all",
        ),
        rebuild_against_copy(bench, "sales", demo, sales_projections()),
    ]


def rebuild_against_copy(bench: str, name: str, demo: SeededDemo, projections: list[Projection]) -> Result:
    """``ProjectionRunner.rebuild()`` with only ``projections`` beside the live views, against a
    raw ``COPY`` of exactly the rows it produced, in rows per second (target ratio 0.2)."""
    tables = [table.name for projection in projections for table in projection.tables]
    rebuild_views = PostgresViews(BENCH_CONNINFO, schema=demo.schema)
    try:
        runner = ProjectionRunner(demo.letopis.store, rebuild_views, projections)
        with Stopwatch() as watch:
            runner.rebuild()
    finally:
        rebuild_views.close()
    rows, raw_s = raw_copy(demo.schema, tables)
    ours_rows, raw_rows = rate(rows, watch.elapsed), rate(rows, raw_s)
    return Result(
        bench,
        f"{name} projections rebuild, PostgreSQL, {demo.summary.position:,} events",
        f"{ours_rows:,.0f} rows/s",
        f"{raw_rows:,.0f} rows/s COPY",
        ours_rows / raw_rows,
        0.2,
        f"{len(projections)} projections, {rows:,} rows in {len(tables)} tables, "
        f"{watch.elapsed:.1f} s vs {raw_s:.2f} s",
    )
