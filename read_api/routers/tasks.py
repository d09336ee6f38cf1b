"""/tasks: tasks given to an employee or to oneself, accepted, worked on with time spent,
completed and checked by the one who gave them."""

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from aggregates.planned_activity import BUSINESS_ZONE
from aggregates.scope import Actor
from aggregates.task import Priority, TaskStatus
from commands.fields import EntityId
from commands.task_commands import (
    AcceptTask,
    ApproveTask,
    AssignTask,
    CompleteTask,
    ReportTimeSpent,
    ReturnTask,
)
from projections.tasks import TaskFilter, get_task, search_tasks
from read_api.access import readable
from read_api.deps import (
    Backend,
    BackendDep,
    CurrentActor,
    Limit,
    Offset,
    ReadAfter,
    RecordId,
    Write,
)
from read_api.schemas import READ_ONE, WRITE, Page, Uuid, WriteResult

router = APIRouter(prefix="/tasks", tags=["planning"])


class TaskCard(BaseModel):
    id: Uuid
    title: str
    description: str
    priority: Priority
    due_on: date
    status: TaskStatus
    overdue: bool
    assigner_id: Uuid
    assignee_id: Uuid
    counterparty_id: Uuid | None
    deal_id: Uuid | None
    contract_id: Uuid | None
    inquiry_id: Uuid | None
    meeting_id: Uuid | None
    decision_id: Uuid | None
    minutes_spent: int
    assigned_at: datetime
    completed_at: datetime | None
    checked_at: datetime | None
    note: str
    check_comment: str
    version: int


def business_today(backend: Backend) -> date:
    """The day in Moscow by the server's clock: a task due yesterday there is overdue."""
    return backend.service.clock().astimezone(BUSINESS_ZONE).date()


def readable_task(backend: Backend, actor: Actor, task_id: str) -> dict[str, Any]:
    today = business_today(backend)
    return readable(
        backend,
        actor,
        f"task {task_id}",
        lambda cursor: get_task(cursor, task_id, today),
        owner="assignee_id",
        involved=lambda found: (found["assignee_id"], found["assigner_id"]),
    )


@router.get("", response_model=Page[TaskCard], dependencies=[ReadAfter])
def list_tasks(
    backend: BackendDep,
    actor: CurrentActor,
    assignee_id: EntityId | None = None,
    assigner_id: EntityId | None = None,
    counterparty_id: EntityId | None = None,
    status: TaskStatus | None = None,
    overdue: Annotated[bool, Query(description="Only tasks past their due day and not completed")] = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[TaskCard]:
    criteria = TaskFilter(assignee_id, assigner_id, counterparty_id, status, overdue)
    with backend.views.reading() as cursor:
        items, total = search_tasks(cursor, actor, criteria, business_today(backend), limit, offset)
    return Page[TaskCard](items=[TaskCard(**i) for i in items], total=total, limit=limit, offset=offset)


@router.get("/{task_id}", response_model=TaskCard, dependencies=[ReadAfter], responses=READ_ONE)
def get_task_card(task_id: RecordId, backend: BackendDep, actor: CurrentActor) -> TaskCard:
    return TaskCard(**readable_task(backend, actor, task_id))


@router.post("", status_code=201, responses=WRITE)
def assign_task(command: AssignTask, write: Write) -> WriteResult:
    return write(command)


@router.post("/{task_id}/acceptance", responses=WRITE)
def accept_task(task_id: RecordId, command: AcceptTask, write: Write) -> WriteResult:
    return write(command, task_id)


@router.post("/{task_id}/time-entries", responses=WRITE)
def report_time_spent(task_id: RecordId, command: ReportTimeSpent, write: Write) -> WriteResult:
    return write(command, task_id)


@router.post("/{task_id}/completion", responses=WRITE)
def complete_task(task_id: RecordId, command: CompleteTask, write: Write) -> WriteResult:
    return write(command, task_id)


@router.post("/{task_id}/approval", responses=WRITE)
def approve_task(task_id: RecordId, command: ApproveTask, write: Write) -> WriteResult:
    return write(command, task_id)


@router.post("/{task_id}/return", responses=WRITE)
def return_task(task_id: RecordId, command: ReturnTask, write: Write) -> WriteResult:
    return write(command, task_id)
