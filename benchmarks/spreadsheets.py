"""Benchmark 9: the contract register downloaded as a spreadsheet, over the demo on PostgreSQL.

``GET /api/v1/contracts?format=xlsx`` as a reader who sees every contract (the whole register
in one file, about 15,000 contracts at ×10), through the web API in a uvicorn subprocess;
the same request as CSV beside it. Target: the XLSX download under 3 s (p95 of the rounds).
"""

import httpx

from benchmarks.common import Result, latency_text, percentile, timed
from benchmarks.demo import seeded_demo
from benchmarks.http import api_server

TARGET_MS = 3000.0


def run(quick: bool) -> list[Result]:
    rounds = 3 if quick else 7
    scale = 1 if quick else 10
    demo = seeded_demo(scale)
    letopis = demo.letopis
    with letopis.views.reading() as cursor:
        ((analyst_id,),) = cursor.execute(
            "SELECT id FROM employees WHERE role IN ('analyst', 'admin') AND active = 1 "
            "ORDER BY role, id LIMIT 1"
        )
        ((contracts,),) = cursor.execute("SELECT COUNT(*) FROM contracts")
    token = letopis.issue_token(analyst_id, "benchmark").token
    letopis.runner.catch_up()
    sizes: dict[str, int] = {}
    with (
        api_server(demo.url) as base,
        httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120) as http,
    ):

        def download(kind: str) -> None:
            answer = http.get("/api/v1/contracts", params={"format": kind})
            answer.raise_for_status()
            sizes[kind] = len(answer.content)

        download("xlsx")  # warm-up: connections, caches, the spreadsheet library's import
        samples = {
            kind: timed([lambda k=kind: download(k) for _ in range(rounds)]) for kind in ("xlsx", "csv")
        }
    p95_ms = percentile(samples["xlsx"], 0.95) * 1000
    return [
        Result(
            "9 spreadsheets",
            f"GET /contracts?format=xlsx, {contracts} contracts (demo ×{scale})",
            latency_text(samples["xlsx"]),
            f"p95 target {TARGET_MS:g} ms",
            TARGET_MS / p95_ms,
            1.0,
            f"{rounds} downloads, {sizes['xlsx'] / 1e6:.1f} MB; {demo.preparation}",
        ),
        Result(
            "9 spreadsheets",
            f"GET /contracts?format=csv, {contracts} contracts (demo ×{scale})",
            latency_text(samples["csv"]),
            note=f"{rounds} downloads, {sizes['csv'] / 1e6:.1f} MB",
        ),
    ]
