"""Benchmark 13: plan against actual for the whole company, on PostgreSQL.

The demo company (``benchmarks.demo.seeded_demo``, ×10; ×1 with --quick) with its two years
of plans; the analyst, who reads everyone's figures, asks for the company's plan against
actual — plans, actuals by source, the weighted forecast to the period's end — for a month,
a quarter and a year, and for the largest team's month, each through the projection query
function with its own pooled connection, as a request would. Target: p95 under 50 ms.
"""

import random

from aggregates.employee import Role
from aggregates.period import Grain, Period, period_of
from aggregates.sales_plan import COMPANY, PlanTarget
from benchmarks.common import Result, timed, within_p95
from benchmarks.demo import NOW, seeded_demo
from projections.employee_directory import find_employee
from projections.plan_vs_actual import Target, plan_vs_actual

TARGET_P95_MS = 50.0


def run(quick: bool) -> list[Result]:
    scale = 1 if quick else 10
    queries = 60 if quick else 300
    rng = random.Random(13)
    bench = "13 plan vs actual"
    demo = seeded_demo(scale)
    views = demo.letopis.views
    with views.reading() as cursor:
        ((analyst_id,),) = cursor.execute(
            "SELECT id FROM employees WHERE role = $1 ORDER BY id LIMIT 1", (Role.ANALYST.value,)
        )
        analyst = find_employee(cursor, analyst_id)
        assert analyst is not None
        ((team, _members),) = cursor.execute(
            "SELECT team, COUNT(*) FROM employees WHERE team IS NOT NULL "
            "GROUP BY team ORDER BY 2 DESC, 1 LIMIT 1"
        )
        ((actual_rows,),) = cursor.execute("SELECT COUNT(*) FROM sales_actuals")
    today = NOW.date()
    company = Target(PlanTarget.COMPANY, COMPANY)
    months = [period_of(today, Grain.MONTH).shift(-step) for step in range(12)]
    cases: list[tuple[str, Target, list[Period]]] = [
        ("company, a month", company, months),
        ("company, a quarter", company, [period_of(m.first_day, Grain.QUARTER) for m in months]),
        ("company, a year", company, [period_of(today, Grain.YEAR), period_of(today, Grain.YEAR).shift(-1)]),
        (f"team {team}, a month", Target(PlanTarget.TEAM, team), months),
    ]
    results = []
    for case, target, periods in cases:
        sample = [rng.choice(periods) for _ in range(queries)]

        def report(period: Period, target: Target = target) -> None:
            with views.reading() as cursor:
                plan_vs_actual(cursor, analyst, period, target, today, "RUB")

        for period in sample[:10]:  # warm-up: pool, caches, prepared plans
            report(period)
        samples = timed([lambda p=p: report(p) for p in sample])
        results.append(
            within_p95(
                bench,
                case,
                samples,
                TARGET_P95_MS,
                f"demo ×{scale}, {queries} queries over {len(set(periods))} periods; "
                f"{actual_rows} rows of actuals",
            )
        )
    return results
