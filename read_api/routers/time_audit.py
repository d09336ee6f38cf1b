"""/time-audit and /hourly-rates: time spent per employee or per client, and its cost at each
employee's hourly rate in effect on the day the time was spent."""

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from aggregates.errors import InvalidValue
from aggregates.scope import check_may_read
from commands.fields import Day, EntityId
from commands.task_commands import RecordHourlyRate
from projections.employee_directory import responsible
from projections.time_audit import AuditQuery, Grouping, rates_of, time_audit
from read_api.deps import BackendDep, CurrentActor, ReadAfter, RecordId, Write
from read_api.routers.tasks import business_today
from read_api.schemas import READ_ONE, WRITE, DecimalText, Uuid, WriteResult

router = APIRouter(tags=["planning"])


class Cost(BaseModel):
    amount: DecimalText
    currency: str


class AuditPart(BaseModel):
    employee_id: Uuid
    counterparty_id: Uuid | None
    minutes: int
    rate: DecimalText | None = Field(description="The hourly rate used; none when none was in effect")
    currency: str | None
    effective_from: date | None = Field(description="The day the rate used took effect")
    cost: DecimalText | None


class AuditGroup(BaseModel):
    id: Uuid | None = Field(description="The employee or the client; none for time on no client")
    name: str | None
    minutes: int
    uncosted_minutes: int = Field(description="Time spent when no hourly rate was in effect")
    cost: list[Cost]
    parts: list[AuditPart]


class HourlyRateEntry(BaseModel):
    effective_from: date
    rate: DecimalText
    currency: str


@router.get("/time-audit", response_model=list[AuditGroup], dependencies=[ReadAfter])
def get_time_audit(
    backend: BackendDep,
    actor: CurrentActor,
    by: Annotated[Grouping, Query(description="Group by employee or by client")] = "employee",
    since: Annotated[Day | None, Query(description="First day; 30 days ago by default")] = None,
    until: Annotated[Day | None, Query(description="Last day included; today by default")] = None,
    employee_id: EntityId | None = None,
    counterparty_id: EntityId | None = None,
) -> list[AuditGroup]:
    """Time spent within the reader's scope and what it cost, naming the rate used for each part."""
    until = until or business_today(backend)
    since = since or until - timedelta(days=30)
    if until < since:
        raise InvalidValue("until", "until must not come before since", "query")
    query = AuditQuery(since, until, by, employee_id, counterparty_id)
    with backend.views.reading() as cursor:
        return [AuditGroup(**group) for group in time_audit(cursor, actor, query)]


@router.get(
    "/hourly-rates/{employee_id}",
    response_model=list[HourlyRateEntry],
    dependencies=[ReadAfter],
    responses=READ_ONE,
)
def list_hourly_rates(
    employee_id: RecordId, backend: BackendDep, actor: CurrentActor
) -> list[HourlyRateEntry]:
    with backend.views.reading() as cursor:
        check_may_read(actor, responsible(cursor, employee_id))
        return [HourlyRateEntry(**rate) for rate in rates_of(cursor, employee_id)]


@router.post("/hourly-rates", status_code=201, responses=WRITE)
def record_hourly_rate(command: RecordHourlyRate, write: Write) -> WriteResult:
    return write(command)
