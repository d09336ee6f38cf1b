"""Benchmark 4: phone lookup and history page latency over the demo data, on PostgreSQL.

The demo company (``letopis.demo.seed_demo``) is written at ×10 (×1 with --quick),
the views catch up, and then a manager of the company looks up numbers and opens
history pages of their team's clients: through the projection query functions, each
with its own pooled connection as a request would, and through the web API.
"""

import random
from typing import Any

import httpx

from aggregates.phone import normalize_phone
from benchmarks.common import Result, latency_text, timed, web_overhead, within_p95
from benchmarks.demo import seeded_demo
from benchmarks.http import api_server
from projections.employee_directory import find_employee
from projections.phone_lookup import lookup_phone
from projections.relationship_history import HistoryQuery, history_page


def run(quick: bool) -> list[Result]:
    scale = 1 if quick else 10
    queries = 100 if quick else 500
    rng = random.Random(7)
    demo = seeded_demo(scale)
    letopis, summary, url = demo.letopis, demo.summary, demo.url
    with letopis.views.reading() as cursor:
        # The manager with the most clients of the demo company.
        ((manager_id, _count),) = cursor.execute(
            "SELECT manager_id, COUNT(*) FROM counterparties GROUP BY manager_id "
            "ORDER BY COUNT(*) DESC, manager_id LIMIT 1"
        )
    token = letopis.issue_token(manager_id).token
    letopis.runner.catch_up()
    with letopis.views.reading() as cursor:
        actor = find_employee(cursor, manager_id)
        assert actor is not None
        (counterparties,) = cursor.execute("SELECT COUNT(*) FROM counterparties")[0]
        teammates = [
            row[0] for row in cursor.execute("SELECT id FROM employees WHERE team = $1", (actor.team,))
        ]
        of_the_team = cursor.dialect.any_of("c.manager_id", "$1")
        clients = [
            row[0]
            for row in cursor.execute(
                f"SELECT id FROM counterparties c WHERE {of_the_team} ORDER BY id", (teammates,)
            )
        ]
        phones = [
            row[0]
            for row in cursor.execute(
                "SELECT p.phone FROM phone_numbers p "
                f"JOIN counterparties c ON c.id = p.counterparty_id WHERE {of_the_team} ORDER BY p.phone",
                (teammates,),
            )
        ]
        (entries,) = cursor.execute("SELECT COUNT(*) FROM history_entries")[0]
    phone_sample = [rng.choice(phones) for _ in range(queries)]
    client_sample = [rng.choice(clients) for _ in range(queries)]
    views = letopis.views

    def lookup(number: str) -> None:
        with views.reading() as cursor:
            lookup_phone(cursor, actor, normalize_phone(number))

    def page(subject: str) -> None:
        with views.reading() as cursor:
            history_page(cursor, HistoryQuery(subject_id=subject), limit=50, offset=0)

    for n in range(20):  # warm-up: pool, caches, prepared plans
        lookup(phone_sample[n % queries])
        page(client_sample[n % queries])
    lookups = timed([lambda n=n: lookup(n) for n in phone_sample])
    pages = timed([lambda s=s: page(s) for s in client_sample])

    with (
        api_server(url) as base,
        httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as http,
    ):

        def get(path: str, **params: Any) -> None:
            http.get(path, params=params).raise_for_status()

        for n in range(20):
            get(f"/api/v1/counterparties/{client_sample[n]}/history", limit=50)
            get("/api/v1/phones", number=phone_sample[n])
        http_pages = timed(
            [lambda s=s: get(f"/api/v1/counterparties/{s}/history", limit=50) for s in client_sample]
        )
        http_lookups = timed([lambda n=n: get("/api/v1/phones", number=n) for n in phone_sample])

    size = (
        f"demo ×{scale}: {counterparties:,} counterparties, {summary.position:,} events, "
        f"{entries:,} history rows; {demo.preparation}"
    )
    bench = "4 read latency"
    return [
        within_p95(bench, "lookup_phone (function)", lookups, 5, f"{queries} lookups; {size}"),
        within_p95(bench, "history_page 50 (function)", pages, 10, f"{queries} pages"),
        Result(bench, "GET /phones (HTTP)", latency_text(http_lookups), note=f"{queries} requests, 1 client"),
        Result(
            bench,
            "GET /counterparties/{id}/history (HTTP)",
            latency_text(http_pages),
            note=f"{queries} requests, 1 client, limit 50",
        ),
        web_overhead(bench, "web layer on GET /phones", http_lookups, lookups, 2),
        web_overhead(bench, "web layer on GET /counterparties/{id}/history", http_pages, pages, 2),
    ]
