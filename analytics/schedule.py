"""Keeping the analytics store current from the projection worker: after a catch-up, at most
every so many seconds, and only when the log has moved on since the last export. The export
runs on a thread of its own, so the views never wait for it; one runs at a time."""

import logging
import threading
import time
from collections.abc import Callable

from analytics.export import AnalyticsExport, exported_position

logger = logging.getLogger(__name__)


class ExportSchedule:
    def __init__(
        self, export: AnalyticsExport, every_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._export = export
        self._every = every_seconds
        self._clock = clock
        self._due = clock() + every_seconds
        self._running: threading.Thread | None = None

    def __call__(self, reached: int) -> None:
        """Told the log position the views reached."""
        now = self._clock()
        if not self._every or now < self._due or (self._running and self._running.is_alive()):
            return
        self._due = now + self._every
        if exported_position(self._export.folder) >= reached:
            return
        self._running = threading.Thread(target=self._run, name="analytics-export", daemon=True)
        self._running.start()

    def _run(self) -> None:
        try:
            self._export.export()
        except Exception:
            # The store stays as the last export left it; the next turn tries again.
            logger.exception("analytics store not updated")
