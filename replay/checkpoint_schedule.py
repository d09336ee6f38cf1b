"""Keeping checkpoints of the past reports' views from the projection worker, so that the first
report asked for a past moment starts from a checkpoint as later ones do: after its first
catch-up and then at most every so many seconds, each report whose last checkpoint the log has
moved on from by a stretch's worth of positions or more (``Checkpoints.behind``) is replayed
up to the position the views reached, keeping checkpoints on its way. The work runs on a
thread of its own, so the views never wait for it; one runs at a time, and a replay under way
is given up when the process stops."""

import logging
import threading
import time
from collections.abc import Callable, Sequence

from replay.past_reports import PastReport
from replay.past_views import PastViews

logger = logging.getLogger(__name__)


class CheckpointSchedule:
    def __init__(
        self,
        past: PastViews,
        reports: Sequence[PastReport],
        every: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``every``: seconds between looks at whether a report wants a checkpoint; 0: never."""
        self._past = past
        self._reports = reports
        self._every = every
        self._clock = clock
        self._due = clock()
        self._running: threading.Thread | None = None
        self._stopping = threading.Event()

    def __call__(self, reached: int) -> None:
        """Told the log position the views reached."""
        if not self._every or self._stopping.is_set():
            return
        if self._running is not None and self._running.is_alive():
            return
        now = self._clock()
        if now < self._due:
            return
        self._due = now + self._every
        self._running = threading.Thread(
            target=self._run, args=(reached,), name="replay-checkpoints", daemon=True
        )
        self._running.start()

    def wait(self) -> None:
        """Give up a replay under way, and let it end: before the store closes."""
        self._stopping.set()
        if self._running is not None:
            self._running.join()

    def _run(self, reached: int) -> None:
        for report in self._reports:
            if self._stopping.is_set():
                return
            try:
                self._past.keep_checkpoint(reached, report, self._stopping)
            except Exception:
                # The report is replayed from its last checkpoint meanwhile; the next turn tries again.
                logger.exception("no checkpoint kept of %s", ", ".join(kind.name for kind in report))
