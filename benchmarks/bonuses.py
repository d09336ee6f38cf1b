"""Benchmark 14: bonus statements recomputed from the log of the demo company on PostgreSQL.

The demo (``benchmarks.demo.seeded_demo``, ×``SCALE``; ×1 with --quick) holds three bonus
rule versions. Measured, each from a cold start (the log read again every time, as a request
does):

- every manager's statement for one month, by replay of the log up to its head;
- every manager's statements for a whole year; target under 10 s;
- a what-if for the same year under a candidate rule set beside the rules in force; target
  under 10 s;

with the events the replay read per second beside the raw rate of reading the whole log
(``SELECT`` of every stored row with a server-side cursor, nothing decoded) in the same run.
"""

from datetime import date

import psycopg
from psycopg import sql

from aggregates.bonus_rule_set import rule_set
from aggregates.period import Grain, Period, period_of
from benchmarks.common import BENCH_CONNINFO, Result, Stopwatch, rate
from benchmarks.demo import NOW, seeded_demo
from replay.bonus_statement import replay_bonus_facts, rules_in_force, statements, what_if

SCALE = 10
TARGET_SECONDS = 10.0
CANDIDATE = rule_set(
    {
        "tiers": {
            "method": "whole",
            "tiers": [{"from_attainment": "0", "percent": "2.5"}, {"from_attainment": "100", "percent": "5"}],
        },
        "category_percents": {"Морские перевозки": "4"},
        "cap": {"amount": "500000", "currency": "RUB"},
    }
)


def raw_read(schema: str) -> tuple[int, float]:
    """Every row of the log, in order, through a server-side cursor, nothing decoded."""
    rows = 0
    statement = sql.SQL("SELECT notification_id, topic, state FROM {} ORDER BY notification_id").format(
        sql.Identifier(schema, "letopis_events")
    )
    with (
        psycopg.connect(BENCH_CONNINFO) as connection,
        connection.cursor(name="raw_log") as cursor,
        Stopwatch() as watch,
    ):
        cursor.itersize = 10_000
        cursor.execute(statement)
        for _ in cursor:
            rows += 1
    return rows, watch.elapsed


def run(quick: bool) -> list[Result]:
    bench = "14 bonuses"
    demo = seeded_demo(1 if quick else SCALE)
    source = demo.letopis.store
    last_full_year = Period(NOW.year - 1, Grain.YEAR, 1)
    last_month = period_of(date(NOW.year, NOW.month, 1), Grain.MONTH).shift(-1)
    rows, raw_seconds = raw_read(demo.schema)
    raw_rate = rate(rows, raw_seconds)
    results = []
    for case, period in (("one month, every manager", last_month), ("a year, every manager", last_full_year)):
        with Stopwatch() as watch:
            replayed = replay_bonus_facts(source)
            found = statements(replayed.facts, period, rules_in_force(replayed.facts, None))
        results.append(
            Result(
                bench,
                f"statements: {case} ({period.key})",
                f"{watch.elapsed:.2f} s; {rate(replayed.events, watch.elapsed):,.0f} events/s",
                f"raw log read {raw_rate:,.0f} rows/s ({rows:,} rows in {raw_seconds:.2f} s)",
                TARGET_SECONDS / watch.elapsed,
                1.0,
                f"{len(found)} statements; {replayed.events:,} of {rows:,} events read (their topics only); "
                f"target {TARGET_SECONDS:g} s; ratio = target / measured; {demo.preparation}",
            )
        )
    with Stopwatch() as watch:
        replayed = replay_bonus_facts(source)
        compared = what_if(replayed.facts, last_full_year, CANDIDATE)
    results.append(
        Result(
            bench,
            f"what-if: a year under a candidate rule set ({last_full_year.key})",
            f"{watch.elapsed:.2f} s; {rate(replayed.events, watch.elapsed):,.0f} events/s",
            f"raw log read {raw_rate:,.0f} rows/s",
            TARGET_SECONDS / watch.elapsed,
            1.0,
            f"{len(compared)} employee rows, old and new side by side; target {TARGET_SECONDS:g} s",
        )
    )
    return results
