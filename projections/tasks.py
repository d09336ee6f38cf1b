"""Tasks and assignments (FEATURES F3): one row per task with its state, who assigned it to
whom, and the minutes reported on it; what an employee has to do and has to check.

A task is overdue when its due day passed before the reader's ``today`` while it is still
with the assignee; that is decided in the query, never stored."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from aggregates.scope import Actor
from aggregates.task import Task, TaskStatus
from aggregates.timesheet import Timesheet
from event_store.store import Recorded
from projections.counterparty_merges import same_client
from projections.database import Params, ViewCursor
from projections.projection import Projection, on, originators
from projections.scope import in_scope
from projections.staff import KeepsStaff, staff_table
from projections.tables import Kind, Table
from projections.writes import Rows, Totals, Writes

TASKS = Table(
    "tasks",
    {
        "id": Kind.TEXT,
        "title": Kind.TEXT,
        "description": Kind.TEXT,
        "priority": Kind.TEXT,
        "due_on": Kind.DAY,
        "status": Kind.TEXT,
        "assigner_id": Kind.TEXT,
        "assignee_id": Kind.TEXT,
        "counterparty_id": Kind.TEXT,
        "deal_id": Kind.TEXT,
        "contract_id": Kind.TEXT,
        "inquiry_id": Kind.TEXT,
        "meeting_id": Kind.TEXT,
        "decision_id": Kind.TEXT,
        "assigned_at": Kind.MOMENT,
        "completed_at": Kind.MOMENT,
        "checked_at": Kind.MOMENT,
        "note": Kind.TEXT,
        "check_comment": Kind.TEXT,
        "version": Kind.INTEGER,
    },
    key=("id",),
    nullable=frozenset(
        {
            "counterparty_id",
            "deal_id",
            "contract_id",
            "inquiry_id",
            "meeting_id",
            "decision_id",
            "completed_at",
            "checked_at",
        }
    ),
    indexes=(("assignee_id", "status", "due_on"), ("assigner_id", "status"), ("counterparty_id",)),
)
MINUTES = Table("task_minutes", {"task_id": Kind.TEXT, "minutes_spent": Kind.BIGINT}, key=("task_id",))
"""Time reported on each task, a running total the database adds to."""
STAFF = staff_table("task_staff")

WITH_ASSIGNEE = (TaskStatus.ASSIGNED, TaskStatus.ACCEPTED, TaskStatus.RETURNED)
_WITH_ASSIGNEE_SQL = ", ".join(f"'{status.value}'" for status in WITH_ASSIGNEE)


@dataclass
class _Batch:
    tasks: Rows
    minutes: Totals
    staff: Rows


class TaskView(KeepsStaff, Projection[_Batch]):
    name = "tasks"
    tables = (TASKS, MINUTES, STAFF)

    def open(self, writes: Writes) -> _Batch:
        return _Batch(writes.rows(TASKS), writes.totals(MINUTES), writes.rows(STAFF))

    def preload(self, view: _Batch, events: Sequence[Recorded]) -> None:
        later = (Task.Accepted, Task.Completed, Task.Approved, Task.Returned)
        view.tasks.load("id", originators(events, *later))

    @on(Task.Assigned)
    def _assigned(self, view: _Batch, event: Task.Assigned, _position: int) -> None:
        view.tasks.put(
            {
                "id": str(event.originator_id),
                "title": event.title,
                "description": event.description,
                "priority": event.priority,
                "due_on": event.due_on,
                "status": TaskStatus.ASSIGNED.value,
                "assigner_id": event.assigner_id,
                "assignee_id": event.assignee_id,
                "counterparty_id": event.counterparty_id,
                "deal_id": event.deal_id,
                "contract_id": event.contract_id,
                "inquiry_id": event.inquiry_id,
                "meeting_id": event.meeting_id,
                "decision_id": event.decision_id,
                "assigned_at": event.occurred_at,
                "completed_at": None,
                "checked_at": None,
                "note": "",
                "check_comment": "",
                "version": event.originator_version,
            }
        )

    @on(Task.Accepted)
    def _accepted(self, view: _Batch, event: Task.Accepted, _position: int) -> None:
        _move(view, event, TaskStatus.ACCEPTED)

    @on(Task.Completed)
    def _completed(self, view: _Batch, event: Task.Completed, _position: int) -> None:
        _move(view, event, TaskStatus.COMPLETED, completed_at=event.occurred_at, note=event.note)

    @on(Task.Approved)
    def _approved(self, view: _Batch, event: Task.Approved, _position: int) -> None:
        _move(view, event, TaskStatus.APPROVED, checked_at=event.occurred_at, check_comment=event.comment)

    @on(Task.Returned)
    def _returned(self, view: _Batch, event: Task.Returned, _position: int) -> None:
        _move(view, event, TaskStatus.RETURNED, checked_at=event.occurred_at, check_comment=event.comment)

    @on(Timesheet.TimeSpent)
    def _time_spent(self, view: _Batch, event: Timesheet.TimeSpent, _position: int) -> None:
        if event.task_id is not None:
            view.minutes.add((event.task_id,), minutes_spent=event.minutes)


def _move(view: _Batch, event: Task.Event, status: TaskStatus, **columns: Any) -> None:
    view.tasks.update(
        (str(event.originator_id),), status=status.value, version=event.originator_version, **columns
    )


_COLUMNS = ", ".join(f"t.{c}" for c in TASKS.column_names) + ", COALESCE(m.minutes_spent, 0)"
_FROM = f"FROM {TASKS.name} t LEFT JOIN {MINUTES.name} m ON m.task_id = t.id"


def _row(cursor: ViewCursor, row: tuple[Any, ...], today: date) -> dict[str, Any]:
    record = dict(zip((*TASKS.column_names, "minutes_spent"), row, strict=True))
    record["minutes_spent"] = int(record["minutes_spent"])
    record["due_on"] = cursor.dialect.day_of(record["due_on"])
    for column in ("assigned_at", "completed_at", "checked_at"):
        if record[column] is not None:
            record[column] = cursor.dialect.moment_of(record[column])
    record["overdue"] = record["status"] in WITH_ASSIGNEE and record["due_on"] < today
    return record


@dataclass(frozen=True)
class TaskFilter:
    assignee_id: str | None = None
    assigner_id: str | None = None
    counterparty_id: str | None = None
    status: TaskStatus | None = None
    overdue: bool = False


def search_tasks(
    cursor: ViewCursor, actor: Actor, criteria: TaskFilter, today: date, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """Tasks the reader gave, was given, or whose assignee is within the reader's scope; by due day."""
    p = Params()
    own = f"t.assignee_id = {p(actor.employee_id)} OR t.assigner_id = {p(actor.employee_id)}"
    conditions = [f"({in_scope(actor, 't.assignee_id', STAFF.name, p)} OR {own})"]
    for column in ("assignee_id", "assigner_id"):
        value = getattr(criteria, column)
        if value is not None:
            conditions.append(f"t.{column} = {p(value)}")
    if criteria.counterparty_id is not None:
        conditions.append(same_client(cursor, "t.counterparty_id", criteria.counterparty_id, p))
    if criteria.status:
        conditions.append(f"t.status = {p(criteria.status.value)}")
    if criteria.overdue:
        conditions.append(f"t.status IN ({_WITH_ASSIGNEE_SQL}) AND t.due_on < {p(today)}")
    where = " AND ".join(conditions)
    (total,) = cursor.execute(f"SELECT COUNT(*) FROM {TASKS.name} t WHERE {where}", p.values)[0]
    rows = cursor.execute(
        f"SELECT {_COLUMNS} {_FROM} WHERE {where} "
        f"ORDER BY t.due_on, t.id LIMIT {p(limit)} OFFSET {p(offset)}",
        p.values,
    )
    return [_row(cursor, row, today) for row in rows], int(total)


def get_task(cursor: ViewCursor, task_id: str, today: date) -> dict[str, Any] | None:
    rows = cursor.execute(f"SELECT {_COLUMNS} {_FROM} WHERE t.id = $1", (task_id,))
    return _row(cursor, rows[0], today) if rows else None


def _tasks_where(
    cursor: ViewCursor, condition: str, params: tuple[Any, ...], today: date
) -> list[dict[str, Any]]:
    rows = cursor.execute(f"SELECT {_COLUMNS} {_FROM} WHERE {condition} ORDER BY t.due_on, t.id", params)
    return [_row(cursor, row, today) for row in rows]


def tasks_to_do(cursor: ViewCursor, employee_id: str, today: date) -> list[dict[str, Any]]:
    """For the daily report: the employee's tasks not yet completed (overdue ones flagged)."""
    return _tasks_where(
        cursor, f"t.assignee_id = $1 AND t.status IN ({_WITH_ASSIGNEE_SQL})", (employee_id,), today
    )


def tasks_to_check(cursor: ViewCursor, employee_id: str, today: date) -> list[dict[str, Any]]:
    """For the daily report: tasks the employee assigned that wait for their check."""
    return _tasks_where(cursor, "t.assigner_id = $1 AND t.status = 'completed'", (employee_id,), today)
