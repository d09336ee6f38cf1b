"""The web API in a process of its own, for the HTTP benchmarks:
``python -m benchmarks.server URL PORT [EMPLOYEE_ID]``. Clients in the parent process do not
share its GIL.

With an employee id, every request is served as that employee without looking at its token:
the baseline that shows what the token check itself costs. With ``LETOPIS_BENCHMARK_CLOCK``
set to a moment, the server's clock stands still there."""

import os
import sys
from datetime import datetime

import uvicorn

from benchmarks.http import CLOCK_VARIABLE
from letopis.settings import Settings
from letopis.wiring import build, utc_now
from projections.employee_directory import find_employee
from read_api.app import create_app
from read_api.deps import get_actor


def main() -> None:
    url, port = sys.argv[1], int(sys.argv[2])
    # No analytics export or replays on the side: a server just started would export the whole
    # log and every view, and replay the past reports' views, while the requests are timed
    # (benchmarks 10 and 8 measure them).
    settings = Settings(
        database_url=url, analytics_events_seconds=0, analytics_views_seconds=0, replay_checkpoint_seconds=0
    )
    stopped_at = os.environ.get(CLOCK_VARIABLE)
    moment = None if stopped_at is None else datetime.fromisoformat(stopped_at)
    letopis = build(settings, clock=utc_now if moment is None else lambda: moment)
    overrides = {}
    if len(sys.argv) > 3:
        with letopis.views.reading() as cursor:
            employee = find_employee(cursor, sys.argv[3])
        overrides[get_actor] = lambda: employee
    app = create_app(letopis, dependency_overrides=overrides)
    try:
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    finally:
        letopis.close()


if __name__ == "__main__":
    main()
