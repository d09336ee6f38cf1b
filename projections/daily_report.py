"""The daily report (FEATURES F7): what an employee's day holds, read from the views that know
each part, every item linking to its source.

"Today" is the day in the company's time zone at the moment given; overdue is read against
that moment, never recorded."""

from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import Any

from aggregates.scope import Actor
from letopis.garbage_collector import collector_paused
from projections.calendar_entries import CALENDAR_ZONE, Layer, api_path
from projections.calendar_queries import CalendarQuery, calendar_entries, stage_plans_due
from projections.database import ViewCursor
from projections.inquiries import inquiries_waiting, overdue_quote_tasks
from projections.planned_activities import overdue_activities
from projections.reminders import due_reminders
from projections.tasks import tasks_to_check, tasks_to_do

DATES_AHEAD = timedelta(days=7)
STAGES_AHEAD = timedelta(days=7)


@dataclass(frozen=True)
class ReportItem:
    kind: str
    id: str
    path: str | None
    """Where the API shows the item's source."""
    title: str
    status: str
    at: datetime | None = None
    day: date | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DailyReport:
    employee_id: str
    today: date
    now: datetime
    meetings: list[ReportItem]
    tasks_to_do: list[ReportItem]
    tasks_to_check: list[ReportItem]
    overdue_activities: list[ReportItem]
    overdue_tasks: list[ReportItem]
    reminders_due: list[ReportItem]
    dates: list[ReportItem]
    contract_stages: list[ReportItem]
    overdue_quote_tasks: list[ReportItem]
    inquiries_waiting: list[ReportItem]
    inquiries_waiting_total: int
    """How many wait in all; the list shows the nearest deadlines, at most ``INQUIRIES_SHOWN``."""


INQUIRIES_SHOWN = 50
"""The inquiries a report lists: a manager may have hundreds waiting, and the day starts with
the most pressing; the rest are counted."""

SECTIONS = tuple(f.name for f in fields(DailyReport) if f.type == list[ReportItem])
"""The report's lists of items, in the order it is read."""


def _from_entry(entry: dict[str, Any], **details: Any) -> ReportItem:
    source = entry["source"]
    return ReportItem(
        source["kind"],
        source["id"],
        source["path"],
        entry["title"],
        entry["status"],
        at=entry["starts_at"],
        day=entry["first_day"],
        details={**entry["details"], **details},
    )


def _task(task: dict[str, Any]) -> ReportItem:
    return ReportItem(
        "task",
        task["id"],
        api_path("tasks", task["id"]),
        task["title"],
        task["status"],
        day=task["due_on"],
        details={"priority": task["priority"], "overdue": task["overdue"]},
    )


def _activity(activity: dict[str, Any]) -> ReportItem:
    return ReportItem(
        "activity",
        activity["id"],
        api_path("activities", activity["id"]),
        f"{activity['kind']}: {activity['subject']}",
        activity["status"],
        at=activity["starts_at"],
        day=activity["day"],
        details={"deadline": activity["deadline"].isoformat()},
    )


def _reminder(reminder: dict[str, Any]) -> ReportItem:
    """Linked to what it reminds of; a free-text one to the list of reminders due."""
    subject, subject_id = reminder["subject"], reminder["subject_id"]
    kind = {"activity": "activities", "task": "tasks", "contract_stage": "contracts"}.get(subject)
    return ReportItem(
        "reminder",
        reminder["id"],
        api_path(kind, subject_id) if kind and subject_id else api_path("reminders", "due"),
        reminder["text"],
        "due",
        at=reminder["remind_at"],
        details={"subject": subject, "subject_id": subject_id, "stage": reminder["stage"]},
    )


def _stage(entry: dict[str, Any], today: date) -> ReportItem:
    if entry["last_day"] < today:
        state = "late"
    elif entry["first_day"] < today and entry["status"] == "planned":
        state = "late to start"
    else:
        state = "starting"
    return _from_entry(entry, state=state)


def _quote_task(task: dict[str, Any]) -> ReportItem:
    return ReportItem(
        "quote_task",
        task["task_id"],
        api_path("inquiries", task["inquiry_id"]),
        task["question"],
        "overdue",
        at=task["due"],
        details={"inquiry_id": task["inquiry_id"], "assignee_id": task["assignee_id"]},
    )


def _inquiry(inquiry: dict[str, Any]) -> ReportItem:
    waiting_for = "our proposal" if inquiry["status"] == "open" else "the client's answer"
    return ReportItem(
        "inquiry",
        inquiry["id"],
        api_path("inquiries", inquiry["id"]),
        ", ".join(f"{k}: {v}" for k, v in inquiry["request"].items()),
        inquiry["status"],
        at=inquiry["deadline"],
        details={"waiting_for": waiting_for, "counterparty_id": inquiry["counterparty_id"]},
    )


@collector_paused()
def daily_report(cursor: ViewCursor, actor: Actor, now: datetime) -> DailyReport:
    """Read from ten views with the collector held off, as the calendar is: a full collection
    that falls in the middle walks every object of the process, tens of ms for a report of a
    few."""
    me = actor.employee_id
    today = now.astimezone(CALENDAR_ZONE).date()
    meetings = CalendarQuery(today, today, frozenset({Layer.MEETINGS}), employee_id=me)
    dates = CalendarQuery(today, today + DATES_AHEAD, frozenset({Layer.DATES}), employee_id=me)
    # The overdue tasks are those to do whose day passed: one read serves both lists.
    to_do = [_task(t) for t in tasks_to_do(cursor, me, today)]
    waiting, waiting_total = inquiries_waiting(cursor, me, INQUIRIES_SHOWN)
    return DailyReport(
        employee_id=me,
        today=today,
        now=now,
        meetings=[_from_entry(e) for e in calendar_entries(cursor, actor, meetings)],
        tasks_to_do=to_do,
        tasks_to_check=[_task(t) for t in tasks_to_check(cursor, me, today)],
        overdue_activities=[_activity(a) for a in overdue_activities(cursor, me, now)],
        overdue_tasks=[task for task in to_do if task.details["overdue"]],
        reminders_due=[_reminder(r) for r in due_reminders(cursor, me, now)],
        dates=[_from_entry(e) for e in calendar_entries(cursor, actor, dates)],
        contract_stages=[_stage(e, today) for e in stage_plans_due(cursor, me, today, today + STAGES_AHEAD)],
        overdue_quote_tasks=[
            _quote_task(t | {"due": cursor.dialect.moment_of(t["due"])})
            for t in overdue_quote_tasks(cursor, actor, now)
        ],
        inquiries_waiting=[_inquiry(i) for i in waiting],
        inquiries_waiting_total=waiting_total,
    )
