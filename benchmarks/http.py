"""Benchmark 2: logging interactions through the web API, one client and eight at once.

The server runs in a subprocess (uvicorn, one worker) on a free loopback port, so the
clients here do not compete with it for the interpreter lock, only for the two cores.
"""

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx

from benchmarks.common import Result, Stopwatch, latency_text, pg_schema, rate, sqlite_dir, sqlite_url
from benchmarks.world import build_world, interaction_body

ROOT = Path(__file__).resolve().parent.parent
CLOCK_VARIABLE = "LETOPIS_BENCHMARK_CLOCK"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def api_server(url: str, *served_as: str, at: datetime | None = None) -> Iterator[str]:
    """Serve the app on ``url``'s store; yield the base address; stop the process afterwards.
    ``served_as``: an employee id every request is served as, with no token check; ``at``: the
    moment the server's clock stands still at (a read of a demo's day), else the real clock."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if at is not None:
        env[CLOCK_VARIABLE] = at.isoformat()
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.server", url, str(port), *served_as], cwd=ROOT, env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the API server exited with {process.returncode}")
            try:
                httpx.get(f"{base}/openapi.json", timeout=1.0)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the API server did not start in 60 s") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Reader:
    """GET requests over one kept-alive connection, each body read in one call, as a browser's or
    a calendar client's network stack reads it. httpx parses a body in Python as it arrives:
    on a team's calendar week (3.5 MB) that cost the client 10 to 20 ms of what was timed,
    while curl and this reader see the whole body in about 32 ms."""

    def __init__(self, base: str, token: str) -> None:
        address = urlsplit(base)
        self._connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port)
        self._prefix = address.path.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}"}

    def __enter__(self) -> "Reader":
        return self

    def __exit__(self, *_: object) -> None:
        self._connection.close()

    def get(self, path: str, **params: str) -> bytes:
        query = f"?{urlencode(params)}" if params else ""
        self._connection.request("GET", f"{self._prefix}{path}{query}", headers=self._headers)
        response = self._connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path}: {response.status} {body[:200]!r}")
        return body


def drive(
    base: str,
    token: str,
    clients: int,
    per_client: int,
    request: Callable[[httpx.Client, int], httpx.Response],
) -> tuple[float, list[float]]:
    """``clients`` threads, each with its own keep-alive connection, ``per_client`` requests each.
    Returns wall time and every request's latency."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []
    start = threading.Barrier(clients + 1)

    def client(index: int) -> None:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
            request(http, index * per_client).raise_for_status()  # connect and warm up
            start.wait()
            own = latencies[index]
            for n in range(per_client):
                began = time.perf_counter()
                response = request(http, index * per_client + n + 1)
                own.append(time.perf_counter() - began)
                if response.status_code >= 400:
                    errors.append(f"{response.status_code} {response.text[:200]}")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    with Stopwatch() as watch:
        for thread in threads:
            thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} requests failed, e.g. {errors[0]}")
    return watch.elapsed, [x for own in latencies for x in own]


def _engine(name: str, url: str, requests_total: int) -> list[Result]:
    world = build_world(url)
    token, ids = world.token, world.counterparty_ids
    world.letopis.close()

    def post(http: httpx.Client, n: int) -> httpx.Response:
        return http.post("/api/v1/interactions", json=interaction_body(ids[n % len(ids)], n))

    results = []
    with api_server(url) as base:
        for clients in (1, 8):
            per_client = max(1, requests_total // clients)
            elapsed, latencies = drive(base, token, clients, per_client, post)
            done = clients * per_client
            results.append(
                Result(
                    "2 POST /interactions (HTTP)",
                    f"{name}, {clients} client{'s' if clients > 1 else ''}",
                    f"{rate(done, elapsed):,.0f} req/s",
                    note=f"{latency_text(latencies)}; {done} requests",
                )
            )
    return results


def run(quick: bool) -> list[Result]:
    total = 80 if quick else 800
    results = []
    with pg_schema("bench_http") as (url, _schema):
        results += _engine("PostgreSQL", url, total)
    with sqlite_dir("http") as directory:
        results += _engine("SQLite", sqlite_url(directory), total)
    return results
