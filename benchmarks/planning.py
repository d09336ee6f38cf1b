"""Benchmark 11: planning over the demo data on PostgreSQL.

The demo company (``benchmarks.demo.seeded_demo``) with its two years of planned
activities, tasks, timesheets, rates, reminders, bookings and meetings. Then:

- the control of execution for the whole department over a month (read by the head of
  sales), and the time audit of a month per client, through their query functions;
- ``ProjectionRunner.rebuild()`` with only the planning projections, against a raw ``COPY``
  of exactly the rows it produced into tables of the same shape.
"""

from datetime import timedelta

from aggregates.employee import Role
from benchmarks.common import Result, timed, within_p95
from benchmarks.demo import NOW, seeded_demo
from benchmarks.sales import rebuild_against_copy
from projections.employee_directory import find_employee
from projections.internal_meetings import InternalMeetings
from projections.planned_activities import PlannedActivities, execution_control
from projections.projection import Projection
from projections.reminders import ReminderView
from projections.resource_bookings import ResourceBookings
from projections.tasks import TaskView
from projections.time_audit import AuditQuery, TimeAudit, time_audit

TARGET_P95_MS = 50.0
SCALE = 10


def planning_projections() -> list[Projection]:
    return [
        PlannedActivities(),
        TaskView(),
        TimeAudit(),
        ReminderView(),
        ResourceBookings(),
        InternalMeetings(),
    ]


def run(quick: bool) -> list[Result]:
    scale = 1 if quick else SCALE
    queries = 50 if quick else 200
    bench = "11 planning"
    demo = seeded_demo(scale)
    views = demo.letopis.views
    with views.reading() as cursor:
        ((head_id,),) = cursor.execute(
            "SELECT id FROM employees WHERE role = $1 ORDER BY id LIMIT 1", (Role.HEAD_OF_SALES.value,)
        )
        head = find_employee(cursor, head_id)
        ((activities,),) = cursor.execute("SELECT COUNT(*) FROM planned_activities")
        ((entries,),) = cursor.execute("SELECT COUNT(*) FROM time_entries")
    assert head is not None
    month = (NOW - timedelta(days=30), NOW)
    audit = AuditQuery(month[0].date(), month[1].date(), "client")

    def control() -> None:
        with views.reading() as cursor:
            execution_control(cursor, head, NOW, *month)

    def audit_by_client() -> None:
        with views.reading() as cursor:
            time_audit(cursor, head, audit)

    for _ in range(10):  # warm-up: pool, caches, prepared plans
        control()
        audit_by_client()
    control_samples = timed([control] * queries)
    audit_samples = timed([audit_by_client] * queries)

    seeded = f"demo ×{scale}: {demo.summary.position:,} events, {activities:,} activities; {demo.preparation}"
    return [
        within_p95(
            bench,
            "control of execution, department, month (function)",
            control_samples,
            TARGET_P95_MS,
            seeded,
        ),
        within_p95(
            bench,
            "time audit by client, month (function)",
            audit_samples,
            TARGET_P95_MS,
            f"{queries} queries, {entries:,} time entries in all",
        ),
        rebuild_against_copy(bench, "planning", demo, planning_projections()),
    ]
