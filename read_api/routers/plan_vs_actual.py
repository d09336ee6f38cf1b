"""/plan-vs-actual: a period's plans against what was won, ordered and received, with
attainment, gap and the weighted forecast to the period's end; per funnel stage; and per
product over the last periods."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from aggregates.period import parse_period
from aggregates.sales_plan import PlanBasis, PlanMeasure, PlanTarget
from commands.catalogue_commands import Currency
from commands.fields import Name, PeriodKey
from projections.plan_vs_actual import Target, plan_vs_actual, target_of
from projections.product_trend import product_trend
from projections.stage_plan import stage_plan_vs_actual
from read_api.deps import BackendDep, CurrentActor, ReadAfter
from read_api.routers.contracts import business_today
from read_api.routers.financial_positions import UsedRate
from read_api.schemas import READ_ONE, DecimalText, Uuid
from read_api.time_travel import ViewsAt, views_at
from replay.past_reports import PLAN_VS_ACTUAL_VIEWS

router = APIRouter(tags=["plans"])

TargetKind = Annotated[
    PlanTarget, Query(description="Whose plans: an employee, team, department or the company")
]
TargetId = Annotated[
    Name | None, Query(description="The employee's id, the team's or department's name; none for the company")
]


async def requested_target(
    target_kind: TargetKind = PlanTarget.COMPANY, target_id: TargetId = None
) -> Target:
    return target_of(target_kind, target_id)


RequestedTarget = Annotated[Target, Depends(requested_target)]


class PlanLine(BaseModel):
    plan_id: Uuid
    measure: PlanMeasure
    basis: PlanBasis
    category: str | None
    item_id: Uuid | None
    currency: str | None = Field(description="What the money figures are shown in; none for deals won")
    plan: DecimalText
    actual: DecimalText
    actual_source: str = Field(description="What the actual counts: won, ordered or received")
    attainment_percent: DecimalText | None = Field(description="Actual / plan × 100; none for a zero plan")
    gap: DecimalText = Field(description="Plan less actual: what is still to do (negative: exceeded)")
    weighted_forecast: DecimalText | None = Field(
        description="Open deals expected to close by the period's end, weighted by their chance"
    )
    expected_at_period_end: DecimalText | None = Field(description="Actual plus weighted forecast")


class SourceActual(BaseModel):
    source: str = Field(description="won (deals won), ordered (orders received) or received (money)")
    currency: str
    amount: DecimalText
    count: int


class OpenWeighted(BaseModel):
    currency: str
    amount: DecimalText
    deals: int


class PlanVsActual(BaseModel):
    period: str
    first_day: date
    last_day: date
    target_kind: PlanTarget
    target_id: str
    plans: list[PlanLine]
    actuals: list[SourceActual] = Field(description="Every source, labelled, in its own currency")
    weighted_open: list[OpenWeighted]
    rates: list[UsedRate] = Field(description="The exchange rates the conversion used")


@router.get("/plan-vs-actual", response_model=PlanVsActual, dependencies=[ReadAfter], responses=READ_ONE)
def get_plan_vs_actual(
    backend: BackendDep,
    views: Annotated[ViewsAt, Depends(views_at(PLAN_VS_ACTUAL_VIEWS))],
    actor: CurrentActor,
    period: PeriodKey,
    target: RequestedTarget,
    currency: Annotated[Currency | None, Query(alias="in", description="Show money in this currency")] = None,
) -> PlanVsActual:
    today = views.today(business_today(backend))
    with views.reading() as cursor:
        report = plan_vs_actual(cursor, actor, parse_period(period), target, today, currency)
    return PlanVsActual(**report)


class StageLine(BaseModel):
    pipeline_id: Uuid
    pipeline: str | None
    stage: str
    order: int
    planned_entries: DecimalText | None = Field(
        description="Deals that must enter the stage for the plan of wins"
    )
    entries: int
    planned_conversions: DecimalText | None = Field(description="Of those, how many must go further on")
    conversions: int = Field(description="Deals that entered the stage in the period and went further on")
    historic_conversion_percent: DecimalText | None


class StagePlan(BaseModel):
    period: str
    target_kind: PlanTarget
    target_id: str
    planned_wins: DecimalText | None = Field(
        description="The target's plans of deals won; none: no such plan"
    )
    history_from: str
    history_until: str
    stages: list[StageLine]


class ProductMoney(BaseModel):
    currency: str
    amount: DecimalText


class ProductPlan(BaseModel):
    measure: PlanMeasure
    amount: DecimalText | None
    currency: str | None


class ProductPeriod(BaseModel):
    period: str
    plans: list[ProductPlan]
    won: list[ProductMoney]
    quantity: DecimalText
    deals: int


class ProductTrend(BaseModel):
    item_id: Uuid
    name: str
    category: str | None
    periods: list[ProductPeriod] = Field(description="Oldest first, ending with the period asked for")


@router.get("/plan-vs-actual/stages", response_model=StagePlan, dependencies=[ReadAfter], responses=READ_ONE)
def get_stage_plan_vs_actual(
    backend: BackendDep,
    actor: CurrentActor,
    period: PeriodKey,
    target: RequestedTarget,
) -> StagePlan:
    with backend.views.reading() as cursor:
        return StagePlan(**stage_plan_vs_actual(cursor, actor, parse_period(period), target))


@router.get(
    "/plan-vs-actual/products",
    response_model=list[ProductTrend],
    dependencies=[ReadAfter],
    responses=READ_ONE,
)
def get_product_trend(
    backend: BackendDep,
    actor: CurrentActor,
    period: PeriodKey,
    target: RequestedTarget,
    periods: Annotated[int, Query(ge=1, le=36, description="How many periods, ending with this one")] = 12,
) -> list[ProductTrend]:
    with backend.views.reading() as cursor:
        rows = product_trend(cursor, actor, parse_period(period), target, periods)
    return [ProductTrend(**row) for row in rows]
