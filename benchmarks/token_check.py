"""Benchmark 6: what the token check costs a read, over the demo data on PostgreSQL.

An authenticated ``GET /counterparties/{id}`` against the same request served by a second
server that skips the token check and serves every request as the same manager. The two
servers run side by side on the same store and are asked in alternating rounds, so both see
the same machine. The target: with the check, p95 within 10% of without it. That bounds the
check's cost from above: whatever the check cost before (at least nothing), today's request
is within 10% of it.
"""

import random
from contextlib import ExitStack

import httpx

from benchmarks.common import Result, latency_text, percentile, timed
from benchmarks.demo import seeded_demo
from benchmarks.http import api_server

TARGET = 1 / 1.10


def run(quick: bool) -> list[Result]:
    rounds, per_round = (10, 20) if quick else (25, 40)
    scale = 1 if quick else 10
    demo = seeded_demo(scale)
    letopis = demo.letopis
    with letopis.views.reading() as cursor:
        ((manager_id, _count),) = cursor.execute(
            "SELECT manager_id, COUNT(*) FROM counterparties GROUP BY manager_id "
            "ORDER BY COUNT(*) DESC, manager_id LIMIT 1"
        )
        clients = [
            row[0]
            for row in cursor.execute("SELECT id FROM counterparties WHERE manager_id = $1", (manager_id,))
        ]
    token = letopis.issue_token(manager_id, "benchmark").token
    letopis.runner.catch_up()
    rng = random.Random(11)
    with ExitStack() as servers:
        checked = servers.enter_context(api_server(demo.url))
        unchecked = servers.enter_context(api_server(demo.url, manager_id))
        headers = {"Authorization": f"Bearer {token}"}
        with (
            httpx.Client(base_url=checked, headers=headers, timeout=30) as with_check,
            httpx.Client(base_url=unchecked, timeout=30) as without_check,
        ):

            def card(http: httpx.Client, client_id: str) -> None:
                http.get(f"/api/v1/counterparties/{client_id}").raise_for_status()

            for http in (with_check, without_check):  # warm-up: pools, caches, prepared plans
                for client_id in clients[:20]:
                    card(http, client_id)
            samples: dict[str, list[float]] = {"checked": [], "unchecked": []}
            for _ in range(rounds):
                sample = [rng.choice(clients) for _ in range(per_round)]
                samples["checked"] += timed([lambda c=c: card(with_check, c) for c in sample])
                samples["unchecked"] += timed([lambda c=c: card(without_check, c) for c in sample])
    with_p95 = percentile(samples["checked"], 0.95)
    without_p95 = percentile(samples["unchecked"], 0.95)
    return [
        Result(
            "6 token check",
            f"GET /counterparties/{{id}} (HTTP), demo ×{scale}",
            latency_text(samples["checked"]),
            f"{latency_text(samples['unchecked'])} with no token check",
            ratio=without_p95 / with_p95,
            target=TARGET,
            note=f"{rounds * per_round} requests each, alternating rounds, 1 client; p95 without / with",
        )
    ]
