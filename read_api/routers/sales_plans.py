"""/sales-plans: plans per period and target, set, changed and withdrawn with a reason; and
/planning-policy: which roles besides administrators set them."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from aggregates.errors import NotFound
from aggregates.sales_plan import PlanBasis, PlanMeasure, PlanTarget
from commands.fields import Name, PeriodKey
from commands.sales_plan_commands import ChangeSalesPlan, NamePlanSetters, SetSalesPlan, WithdrawSalesPlan
from projections.sales_plans import PlanFilter, get_plan, search_plans
from read_api.deps import BackendDep, CurrentActor, Limit, Offset, ReadAfter, RecordId, Write, fresh_lookup
from read_api.schemas import READ_ONE, WRITE, DecimalText, Page, Uuid, WriteResult

router = APIRouter(tags=["plans"])


class SalesPlanRow(BaseModel):
    id: Uuid
    period: str
    grain: str
    target_kind: PlanTarget
    target_id: str
    category: str | None
    item_id: Uuid | None
    measure: PlanMeasure
    basis: PlanBasis
    amount: DecimalText | None
    currency: str | None
    withdrawn: bool
    reason: str
    set_by: Uuid
    set_at: datetime
    version: int


@router.get("/sales-plans", response_model=Page[SalesPlanRow], dependencies=[ReadAfter])
def list_sales_plans(
    backend: BackendDep,
    actor: CurrentActor,
    period: PeriodKey | None = None,
    target_kind: PlanTarget | None = None,
    target_id: Annotated[Name | None, Query(description="Employee id, team or department name")] = None,
    measure: PlanMeasure | None = None,
    include_withdrawn: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[SalesPlanRow]:
    criteria = PlanFilter(
        period=period,
        target_kind=None if target_kind is None else target_kind.value,
        target_id=target_id,
        measure=None if measure is None else measure.value,
        include_withdrawn=include_withdrawn,
    )
    with backend.views.reading() as cursor:
        items, total = search_plans(cursor, actor, criteria, limit, offset)
    return Page[SalesPlanRow](
        items=[SalesPlanRow(**item) for item in items], total=total, limit=limit, offset=offset
    )


@router.get(
    "/sales-plans/{plan_id}", response_model=SalesPlanRow, dependencies=[ReadAfter], responses=READ_ONE
)
def get_sales_plan(plan_id: RecordId, backend: BackendDep, actor: CurrentActor) -> SalesPlanRow:
    found = fresh_lookup(backend, lambda cursor: get_plan(cursor, actor, plan_id))
    if found is None:
        raise NotFound(f"no sales plan {plan_id} within your scope")
    return SalesPlanRow(**found)


@router.post("/sales-plans", status_code=201, responses=WRITE)
def set_sales_plan(command: SetSalesPlan, write: Write) -> WriteResult:
    return write(command)


@router.post("/sales-plans/{plan_id}/changes", responses=WRITE)
def change_sales_plan(plan_id: RecordId, command: ChangeSalesPlan, write: Write) -> WriteResult:
    return write(command, plan_id)


@router.post("/sales-plans/{plan_id}/withdrawal", responses=WRITE)
def withdraw_sales_plan(plan_id: RecordId, command: WithdrawSalesPlan, write: Write) -> WriteResult:
    return write(command, plan_id)


@router.post("/planning-policy", responses=WRITE)
def name_plan_setters(command: NamePlanSetters, write: Write) -> WriteResult:
    return write(command)
