"""Benchmark 7: reads while a view is rebuilt beside the live one.

Over the demo company on PostgreSQL (the same seeding as benchmarks 4 and 5), history pages
of the busiest manager's clients are read through the projection query function: first
with nothing else running, then while ``crm projections rebuild relationship_history``
does its work in another thread. Every answer is checked against the page read before the
rebuild: a reader must see the old view or the new one, whole, never an empty or
half-built one. The ratio is p95 without the rebuild over p95 during it.
"""

import random
import threading
import time
from typing import Any

from benchmarks.common import Result, Stopwatch, latency_text, percentile, timed
from benchmarks.demo import seeded_demo
from projections.relationship_history import HistoryQuery, history_page

VIEW = "relationship_history"


def run(quick: bool) -> list[Result]:
    scale = 1 if quick else 10
    rng = random.Random(5)
    demo = seeded_demo(scale)
    letopis, views = demo.letopis, demo.letopis.views
    with views.reading() as cursor:
        ((manager_id, _count),) = cursor.execute(
            "SELECT manager_id, COUNT(*) FROM counterparties GROUP BY manager_id "
            "ORDER BY COUNT(*) DESC, manager_id LIMIT 1"
        )
        clients = [
            row[0]
            for row in cursor.execute(
                "SELECT id FROM counterparties WHERE manager_id = $1 ORDER BY id", (manager_id,)
            )
        ]

    def page(client: str) -> tuple[list[dict[str, Any]], int]:
        with views.reading() as cursor:
            return history_page(cursor, HistoryQuery(subject_id=client), limit=50, offset=0)

    expected = {client: page(client) for client in clients}
    quiet = timed([lambda c=rng.choice(clients): page(c) for _ in range(300)])

    samples: list[float] = []
    wrong = 0
    failure: list[BaseException] = []

    def rebuild() -> None:
        try:
            letopis.runner.rebuild([VIEW])
        except BaseException as error:
            failure.append(error)

    rebuilding = threading.Thread(target=rebuild, name="rebuild")
    with Stopwatch() as watch:
        rebuilding.start()
        while rebuilding.is_alive():
            client = rng.choice(clients)
            began = time.perf_counter()
            answer = page(client)
            samples.append(time.perf_counter() - began)
            wrong += answer != expected[client]
        rebuilding.join()
    if failure:
        raise failure[0]
    ratio = percentile(quiet, 0.95) / percentile(samples, 0.95)
    return [
        Result(
            "7 reads during a rebuild",
            f"history page 50 while {VIEW} rebuilds (function)",
            f"{latency_text(samples)}; {wrong} of {len(samples):,} answers not whole",
            latency_text(quiet) + " without",
            ratio,
            None,
            f"the rebuild took {watch.elapsed:.0f} s; demo ×{scale}, history pages of the "
            f"{len(clients):,} clients of one manager",
        )
    ]
