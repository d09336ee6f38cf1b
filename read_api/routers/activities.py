"""/activities: planned calls, meetings, negotiations, visits and to-dos, their lifecycle, and
the control of their execution per employee and team."""

from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from aggregates.errors import InvalidValue
from aggregates.planned_activity import ActivityKind, ActivityStatus
from aggregates.scope import Actor
from commands.fields import EntityId, Moment, SearchText
from commands.planned_activity_commands import (
    CancelActivity,
    HoldActivity,
    MissActivity,
    PlanActivity,
    RescheduleActivity,
)
from projections.planned_activities import ActivityFilter, execution_control, get_activity, search_activities
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

router = APIRouter(prefix="/activities", tags=["planning"])


class ActivityCard(BaseModel):
    id: Uuid
    kind: ActivityKind
    subject: str
    counterparty_id: Uuid | None
    contact_ids: list[Uuid]
    deal_id: Uuid | None
    contract_id: Uuid | None
    responsible_id: Uuid
    participant_ids: list[Uuid]
    place: str
    agenda: str
    starts_at: datetime | None
    ends_at: datetime | None
    day: date | None = Field(description="Set for a whole-day activity instead of starts_at and ends_at")
    begins_at: datetime
    deadline: datetime = Field(description="After this moment an activity still planned is overdue")
    status: ActivityStatus
    overdue: bool = Field(description="Still planned and its deadline passed, by the server's clock")
    reschedules: int
    interaction_id: Uuid | None = Field(description="The interaction that records the held activity")
    held_at: datetime | None
    held_late: bool
    close_reason: str | None
    version: int


class ControlCounts(BaseModel):
    planned: int = Field(description="Activities beginning in the period")
    held_on_time: int
    held_late: int
    missed: int
    cancelled: int
    overdue: int = Field(description="Still planned, deadline passed")
    upcoming: int = Field(description="Still planned, deadline ahead")


class ControlRow(ControlCounts):
    employee_id: Uuid
    full_name: str | None
    team: str | None


class ExecutionControl(BaseModel):
    since: datetime
    until: datetime
    employees: list[ControlRow]
    total: ControlCounts = Field(description="The sum over the employees shown")


def now(backend: Backend) -> datetime:
    return backend.service.clock()


def readable_activity(backend: Backend, actor: Actor, activity_id: str) -> dict[str, Any]:
    moment = now(backend)
    return readable(
        backend,
        actor,
        f"activity {activity_id}",
        lambda cursor: get_activity(cursor, activity_id, moment),
        owner="responsible_id",
        involved=lambda found: (found["responsible_id"], *found["participant_ids"]),
    )


Since = Annotated[Moment | None, Query(description="Only activities whose deadline is after this time")]
Until = Annotated[Moment | None, Query(description="Only activities beginning before this time")]


@router.get("", response_model=Page[ActivityCard], dependencies=[ReadAfter])
def list_activities(
    backend: BackendDep,
    actor: CurrentActor,
    employee_id: Annotated[
        EntityId | None, Query(description="Activities this employee is responsible for or takes part in")
    ] = None,
    counterparty_id: EntityId | None = None,
    status: ActivityStatus | None = None,
    overdue: Annotated[bool, Query(description="Only activities overdue now")] = False,
    since: Since = None,
    until: Until = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ActivityCard]:
    criteria = ActivityFilter(employee_id, counterparty_id, status, overdue, since, until)
    with backend.views.reading() as cursor:
        items, total = search_activities(cursor, actor, criteria, now(backend), limit, offset)
    return Page[ActivityCard](
        items=[ActivityCard(**i) for i in items], total=total, limit=limit, offset=offset
    )


@router.get("/control", response_model=ExecutionControl, dependencies=[ReadAfter])
def get_execution_control(
    backend: BackendDep,
    actor: CurrentActor,
    since: Annotated[
        Moment | None, Query(description="Activities beginning from; 30 days ago by default")
    ] = None,
    until: Annotated[Moment | None, Query(description="Activities beginning before; now by default")] = None,
    team: Annotated[SearchText | None, Query(description="Only this team's employees")] = None,
) -> ExecutionControl:
    """Per employee within the reader's scope: planned, held on time, held late, missed,
    cancelled, overdue and upcoming, over activities beginning in the period."""
    moment = now(backend)
    until = until or moment
    since = since or until - timedelta(days=30)
    if until <= since:
        raise InvalidValue("until", "until must come after since", "query")
    with backend.views.reading() as cursor:
        rows = execution_control(cursor, actor, moment, since, until, team)
    total = ControlCounts(
        **{measure: sum(row[measure] for row in rows) for measure in ControlCounts.model_fields}
    )
    return ExecutionControl(
        since=since, until=until, employees=[ControlRow(**row) for row in rows], total=total
    )


@router.get("/{activity_id}", response_model=ActivityCard, dependencies=[ReadAfter], responses=READ_ONE)
def get_activity_card(activity_id: RecordId, backend: BackendDep, actor: CurrentActor) -> ActivityCard:
    return ActivityCard(**readable_activity(backend, actor, activity_id))


@router.post("", status_code=201, responses=WRITE)
def plan_activity(command: PlanActivity, write: Write) -> WriteResult:
    return write(command)


@router.post("/{activity_id}/reschedules", responses=WRITE)
def reschedule_activity(activity_id: RecordId, command: RescheduleActivity, write: Write) -> WriteResult:
    return write(command, activity_id)


@router.post("/{activity_id}/holding", responses=WRITE)
def hold_activity(activity_id: RecordId, command: HoldActivity, write: Write) -> WriteResult:
    return write(command, activity_id)


@router.post("/{activity_id}/missing", responses=WRITE)
def miss_activity(activity_id: RecordId, command: MissActivity, write: Write) -> WriteResult:
    return write(command, activity_id)


@router.post("/{activity_id}/cancellation", responses=WRITE)
def cancel_activity(activity_id: RecordId, command: CancelActivity, write: Write) -> WriteResult:
    return write(command, activity_id)
