"""Keeps the views current in the background of a long-running process: the API's, or a
worker of its own in a multi-process deployment."""

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Protocol

from event_store.errors import DatabaseUnavailable
from projections.runner import ProjectionRunner

logger = logging.getLogger(__name__)


class BackgroundJob(Protocol):
    """Work set going after each catch-up, told the position the views reached, on a thread of
    its own; ``wait`` lets it end before the store and the views close."""

    def __call__(self, reached: int) -> None: ...

    def wait(self) -> None: ...


class ProjectionWorker:
    """Catches up every ``interval`` seconds, and at once when this process appended events.
    While the database is away it says so once per attempt and waits longer each time, up
    to ``longest_wait`` seconds, then resumes by itself."""

    def __init__(
        self,
        runner: ProjectionRunner,
        interval: float = 0.2,
        longest_wait: float = 10.0,
        after_catch_up: Sequence[Callable[[int], None]] = (),
    ) -> None:
        """``after_catch_up``: each told the position reached after each catch-up (the
        schedules of the analytics store and of the replays' checkpoints)."""
        self._runner = runner
        self._after_catch_up = after_catch_up
        self._interval = interval
        self._longest_wait = longest_wait
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="projection-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._runner.nudge()
        self._thread.join(timeout=30)

    def join(self) -> None:
        while self._thread.is_alive():
            self._thread.join(timeout=1)

    def _run(self) -> None:
        backoff = self._interval
        while not self._stop.is_set():
            self._runner.nudged.clear()
            try:
                reached = self._runner.catch_up()
                for job in self._after_catch_up:
                    job(reached)
            except DatabaseUnavailable as unavailable:
                backoff = min(backoff * 2, self._longest_wait)
                logger.warning("views not updated: %s; next attempt in %.1f s", unavailable, backoff)
                self._stop.wait(backoff)
                continue
            except Exception:
                # A failing view must not stop the others for good: log, wait, retry.
                logger.exception("projection catch-up failed")
            backoff = self._interval
            self._runner.nudged.wait(self._interval)
