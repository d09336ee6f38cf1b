"""/plan-forms: the sales plan, the marketing forecast and the purchase plan, fed by what the
open deals and the inquiry flow lead one to expect."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from aggregates.period import parse_period
from commands.fields import PeriodKey
from projections.plan_forms import marketing_forecast, purchase_plan, sales_plan_form
from read_api.deps import BackendDep, CurrentActor, ReadAfter
from read_api.schemas import DecimalText, Uuid

router = APIRouter(prefix="/plan-forms", tags=["plans"])
Periods = Annotated[int, Query(ge=1, le=24, description="How many periods, starting with `from`")]
First = Annotated[PeriodKey, Query(alias="from", description="The first period of the form")]


class SalesPlanLine(BaseModel):
    period: str
    currency: str
    won: DecimalText = Field(description="Deals already won in the period")
    weighted_open: DecimalText = Field(description="Open deals expected to close in it, weighted by chance")
    expected: DecimalText


class ExpectedFlow(BaseModel):
    period: str
    inquiries: DecimalText
    new_clients: DecimalText


class MarketingForecast(BaseModel):
    history_from: str
    history_until: str
    inquiries: int = Field(description="Inquiries registered in the months the forecast learns from")
    deals_from_inquiries: int
    new_clients: int = Field(description="Clients won for the first time in those months")
    inquiry_to_deal_percent: DecimalText | None
    periods: list[ExpectedFlow]


class PurchaseLine(BaseModel):
    period: str
    item_id: Uuid
    name: str
    currency: str
    deals: int
    quantity: DecimalText
    amount: DecimalText
    weighted_quantity: DecimalText = Field(description="The quantity to buy in: lines × the deals' chance")
    weighted: DecimalText


@router.get("/sales", response_model=list[SalesPlanLine], dependencies=[ReadAfter])
def get_sales_plan_form(
    backend: BackendDep, actor: CurrentActor, first: First, periods: Periods = 3
) -> list[SalesPlanLine]:
    with backend.views.reading() as cursor:
        return [SalesPlanLine(**row) for row in sales_plan_form(cursor, actor, parse_period(first), periods)]


@router.get("/marketing", response_model=MarketingForecast, dependencies=[ReadAfter])
def get_marketing_forecast(
    backend: BackendDep,
    actor: CurrentActor,
    first: First,
    periods: Periods = 3,
    history: Annotated[int, Query(ge=1, le=36, description="Months before `from` to learn from")] = 6,
) -> MarketingForecast:
    with backend.views.reading() as cursor:
        return MarketingForecast(**marketing_forecast(cursor, actor, parse_period(first), periods, history))


@router.get("/purchases", response_model=list[PurchaseLine], dependencies=[ReadAfter])
def get_purchase_plan(
    backend: BackendDep, actor: CurrentActor, first: First, periods: Periods = 3
) -> list[PurchaseLine]:
    with backend.views.reading() as cursor:
        return [PurchaseLine(**row) for row in purchase_plan(cursor, actor, parse_period(first), periods)]
