"""The demo company on PostgreSQL, seeded once per run and shared by the benchmarks that
read it; ``release`` drops it when the run ends."""

from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from benchmarks.common import Stopwatch, pg_schema
from letopis.bulk_load import views_built_alongside
from letopis.demo import DemoSummary, seed_demo
from letopis.settings import Settings
from letopis.wiring import Letopis, build

NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)

_RUN = ExitStack()


@dataclass(frozen=True)
class SeededDemo:
    url: str
    schema: str
    letopis: Letopis
    summary: DemoSummary
    scale: int
    seconds: float
    """Seeding, with the views built alongside, until they reflect all of it."""


@cache
def seeded_demo(scale: int) -> SeededDemo:
    """``seed_demo`` at ``scale`` into a fresh schema, the views built as ``crm seed`` builds them."""
    url, schema = _RUN.enter_context(pg_schema(f"bench_demo_x{scale}"))
    letopis = build(Settings(database_url=url))
    _RUN.callback(letopis.close)
    with Stopwatch() as seeding, views_built_alongside(letopis):
        summary = seed_demo(letopis, scale=scale, now=NOW)
    return SeededDemo(url, schema, letopis, summary, scale, seeding.elapsed)


def release() -> None:
    """Close every seeded demo and drop its schema."""
    _RUN.close()
    seeded_demo.cache_clear()
