"""Benchmark 12: the calendar, the daily report and the feeds over the demo data on PostgreSQL.

The demo company (``benchmarks.demo.seeded_demo``, ×``SCALE``; ×1 with --quick), read at
the demo's own moment (``NOW``) as the manager with the most calendar entries:

- the daily report through ``daily_report`` and the iCalendar feed (30 days back, 90
  ahead, reminders as alarms) through ``employee_calendar``, each with its own pooled
  connection, as a request would;
- through the web API (a uvicorn subprocess whose clock stands at the demo's moment, so that
  it reports the same day as the function: by the real clock, every plan of the demo would
  be years overdue), read over one kept-alive connection by ``benchmarks.http.Reader``, the
  manager's own calendar for a month and their team's for a week (``GET /calendar``), and
  ``GET /me/today``;
- ``ProjectionRunner.rebuild()`` with only the calendar's projections (the calendar and its
  feeds; benchmark 11 rebuilds the other planning views) against a raw ``COPY`` of exactly
  the rows the rebuild produced into tables of the same shape, in rows per second.
"""

import random
from datetime import date, timedelta

from benchmarks.common import Result, timed, within_p95
from benchmarks.demo import NOW, seeded_demo
from benchmarks.http import Reader, api_server
from benchmarks.sales import rebuild_against_copy
from projections.calendar import Calendar
from projections.calendar_entries import CALENDAR_ZONE
from projections.calendar_feeds import CalendarFeeds
from projections.daily_report import daily_report
from projections.employee_directory import find_employee
from projections.projection import Projection
from read_api.ical import employee_calendar

SCALE = 10


def calendar_projections() -> list[Projection]:
    return [Calendar(), CalendarFeeds()]


def run(quick: bool) -> list[Result]:
    scale = 1 if quick else SCALE
    queries = 100 if quick else 300
    rng = random.Random(13)
    bench = "12 calendar"
    demo = seeded_demo(scale)
    letopis, views = demo.letopis, demo.letopis.views
    today = NOW.astimezone(CALENDAR_ZONE).date()
    with views.reading() as cursor:
        ((manager_id, entries),) = cursor.execute(
            "SELECT c.employee_id, COUNT(*) FROM calendar_entries c "
            "JOIN calendar_staff s ON s.id = c.employee_id WHERE s.team IS NOT NULL "
            "GROUP BY c.employee_id ORDER BY COUNT(*) DESC, c.employee_id LIMIT 1"
        )
        manager = find_employee(cursor, manager_id)
        assert manager is not None
        ((all_entries,),) = cursor.execute("SELECT COUNT(*) FROM calendar_entries")
    month_starts = [today - timedelta(days=rng.randrange(365)) for _ in range(queries)]
    week_starts = [today - timedelta(days=rng.randrange(365)) for _ in range(queries)]

    def my_day() -> None:
        with views.reading() as cursor:
            daily_report(cursor, manager, NOW)

    def feed() -> None:
        with views.reading() as cursor:
            employee_calendar(cursor, manager, NOW, "http://127.0.0.1:8000")

    for _ in range(20):  # warm-up: pool, caches, prepared plans
        my_day()
        feed()
    day_samples = timed([my_day] * queries)
    feed_samples = timed([feed] * queries)

    token = letopis.issue_token(manager_id, "calendar benchmark").token
    letopis.runner.catch_up()
    with api_server(demo.url, at=NOW) as base, Reader(f"{base}/api/v1", token) as http:

        def calendar(first: date, days: int, **whose: str) -> None:
            period = {"from": first.isoformat(), "to": (first + timedelta(days=days)).isoformat()}
            http.get("/calendar", **period, **whose)

        def month(first: date) -> None:
            calendar(first, 30, employee_id=manager_id)

        def team_week(first: date) -> None:
            calendar(first, 6, team=str(manager.team))

        for n in range(20):
            http.get("/me/today")
            month(month_starts[n])
            team_week(week_starts[n])
        http_day = timed([lambda: http.get("/me/today")] * queries)
        month_samples = timed([lambda d=d: month(d) for d in month_starts])
        week_samples = timed([lambda d=d: team_week(d) for d in week_starts])

    events = demo.summary.position
    seeded = f"demo ×{scale}: {events:,} events, {all_entries:,} calendar entries; {demo.preparation}"
    return [
        within_p95(
            bench,
            "GET /calendar, one employee's month (HTTP)",
            month_samples,
            20,
            f"{queries} months, {entries:,} entries of the manager; {seeded}",
        ),
        within_p95(
            bench,
            "GET /calendar, a team's week (HTTP)",
            week_samples,
            50,
            f"{queries} weeks, team {manager.team}, 1 client",
        ),
        within_p95(
            bench, "daily report (function)", day_samples, 50, f"{queries} reports at the demo's moment"
        ),
        within_p95(
            bench,
            "GET /me/today (HTTP)",
            http_day,
            50,
            f"{queries} requests, 1 client; the server's clock stands at the demo's moment",
        ),
        within_p95(
            bench,
            "iCalendar feed, 120 days (function)",
            feed_samples,
            100,
            f"{queries} feeds; each event rendered once in the warm-up (the library takes ms an event)",
        ),
        rebuild_against_copy(bench, "calendar", demo, calendar_projections()),
    ]
