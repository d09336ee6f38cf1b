"""Keeping the analytics store current from the projection worker: after its first catch-up
and then at most every so many seconds, new events are appended when the log has moved on;
the view snapshots, which are rewritten whole, are refreshed less often. The work runs on a
thread of its own, so the views never wait for it; one runs at a time."""

import logging
import threading
import time
from collections.abc import Callable

from analytics.export import AnalyticsExport, exported_position

logger = logging.getLogger(__name__)


class ExportSchedule:
    def __init__(
        self,
        export: AnalyticsExport,
        events_every: float,
        views_every: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``events_every``, ``views_every``: seconds between appends of new events and between
        refreshes of the view snapshots; 0 turns either off."""
        self._export = export
        self._events_every = events_every
        self._views_every = views_every
        self._clock = clock
        # The first catch-up exports at once, so a store just started (the demo) is queryable.
        self._events_due = self._views_due = clock()
        self._running: threading.Thread | None = None

    def __call__(self, reached: int) -> None:
        """Told the log position the views reached."""
        if self._running is not None and self._running.is_alive():
            return
        now = self._clock()
        events = bool(self._events_every) and now >= self._events_due
        views = bool(self._views_every) and now >= self._views_due
        if events:
            self._events_due = now + self._events_every
            events = exported_position(self._export.folder) < reached
        if views:
            self._views_due = now + self._views_every
        if events or views:
            self._running = threading.Thread(
                target=self._run, args=(events, views), name="analytics-export", daemon=True
            )
            self._running.start()

    def wait(self) -> None:
        """Let an export under way finish: before the store and the views close."""
        if self._running is not None:
            self._running.join()

    def _run(self, events: bool, views: bool) -> None:
        try:
            if events:
                self._export.append_events()
            if views:
                self._export.snapshot_views()
        except Exception:
            # The store stays as the last export left it; the next turn tries again.
            logger.exception("analytics store not updated")
