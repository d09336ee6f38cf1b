"""A bulk load whose views are built by a second process while the load is written.

Writing events and projecting them are both bound to one core each (Python's lock holds
either to one); run in turns they add up, run side by side they overlap. The views'
process reads the log through its own connections, so it needs a store that outlives a
process: a SQLite file or PostgreSQL, not ``memory://``.
"""

import multiprocessing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.synchronize import Event

from letopis.settings import Settings
from letopis.wiring import Letopis, build

ViewsProgress = Callable[[int, int], None]
"""Called with the position every view reflects and the log's head."""

_POLL_SECONDS = 0.2


def _build_views(settings: Settings, load_finished: Event) -> None:
    letopis = build(settings)
    try:
        letopis.runner.follow(load_finished.wait, settings.projection_interval)
    finally:
        letopis.close()


def shares_the_store_across_processes(settings: Settings) -> bool:
    return not settings.event_store_url().startswith("memory:")


@contextmanager
def views_built_alongside(letopis: Letopis, progress: ViewsProgress | None = None) -> Iterator[None]:
    """Build the views in a second process while the body writes events; on leaving, wait
    for that process to apply everything, then apply whatever it could not (it may have
    died) in this one. On a store that one process owns, the views are built afterwards."""
    if not shares_the_store_across_processes(letopis.settings):
        yield
        letopis.runner.catch_up(progress)
        return
    # "spawn": a forked child would inherit this process's open connections and threads.
    context = multiprocessing.get_context("spawn")
    load_finished = context.Event()
    builder = context.Process(
        target=_build_views, args=(letopis.settings, load_finished), name="views", daemon=True
    )
    builder.start()
    try:
        yield
        load_finished.set()
        while builder.is_alive():
            if progress:
                progress(letopis.runner.reflected_position(), letopis.store.head())
            builder.join(_POLL_SECONDS)
    finally:
        load_finished.set()
        builder.join(timeout=30)
        if builder.is_alive():
            builder.terminate()
    letopis.runner.catch_up(progress)
