"""/forecast: deals weighted by their chance per period, the managers' submissions with a
head's adjustment on top, forecast accuracy, and a deal's forecast category override."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from aggregates.forecast import ForecastCategory
from aggregates.period import parse_period
from commands.fields import EntityId, PeriodKey
from commands.forecast_commands import AdjustForecast, OverrideForecastCategory, SubmitForecast
from projections.forecast_queries import Grouping, accuracy, product_forecast, submissions, weighted_forecast
from read_api.deps import BackendDep, CurrentActor, ReadAfter, RecordId, Write
from read_api.routers.contracts import business_today
from read_api.schemas import WRITE, DecimalText, Uuid, WriteResult

router = APIRouter(tags=["forecast"])
Grouped = Annotated[Grouping, Query(description="employee, team or company")]


class ForecastRow(BaseModel):
    group: str | None = Field(description="The employee's id or the team's name; none for the company")
    currency: str
    category: ForecastCategory
    deals: int
    amount: DecimalText
    weighted: DecimalText = Field(description="Amount × the stage's chance (won deals count whole)")


class ProductForecast(BaseModel):
    item_id: Uuid
    name: str
    currency: str
    deals: int
    quantity: DecimalText
    amount: DecimalText
    weighted_quantity: DecimalText
    weighted: DecimalText


class Layer(BaseModel):
    amounts: dict[ForecastCategory, DecimalText]
    currency: str
    note: str = Field(description="The owner's note, or the head's reason for an adjustment")
    by: Uuid
    at: datetime
    revisions: int = Field(description="How many times this layer was revised after it was first given")


class Submission(BaseModel):
    employee_id: Uuid
    full_name: str | None
    period: str
    owner: Layer | None = Field(description="The manager's own figures")
    adjustment: Layer | None = Field(description="A head's figures, on top of the owner's")
    in_force: Layer | None = Field(description="The adjustment where there is one, else the owner's")


class Accuracy(BaseModel):
    employee_id: Uuid
    period: str
    currency: str
    committed: DecimalText = Field(description="Commit and closed, as the manager last submitted them")
    adjusted_committed: DecimalText | None
    won: DecimalText
    received: DecimalText
    error: DecimalText = Field(description="Won less committed")
    accuracy_percent: DecimalText | None = Field(description="Won / committed × 100")


@router.get("/forecast", response_model=list[ForecastRow], dependencies=[ReadAfter])
def get_forecast(
    backend: BackendDep, actor: CurrentActor, period: PeriodKey, by: Grouped = Grouping.EMPLOYEE
) -> list[ForecastRow]:
    with backend.views.reading() as cursor:
        rows = weighted_forecast(cursor, actor, parse_period(period), by)
    return [ForecastRow(**row) for row in rows]


@router.get("/forecast/products", response_model=list[ProductForecast], dependencies=[ReadAfter])
def get_product_forecast(
    backend: BackendDep, actor: CurrentActor, period: PeriodKey
) -> list[ProductForecast]:
    with backend.views.reading() as cursor:
        rows = product_forecast(cursor, actor, parse_period(period))
    return [ProductForecast(**row) for row in rows]


@router.get("/forecast/submissions", response_model=list[Submission], dependencies=[ReadAfter])
def list_forecast_submissions(
    backend: BackendDep, actor: CurrentActor, period: PeriodKey
) -> list[Submission]:
    with backend.views.reading() as cursor:
        return [Submission(**entry) for entry in submissions(cursor, actor, parse_period(period))]


@router.get("/forecast/accuracy", response_model=list[Accuracy], dependencies=[ReadAfter])
def get_forecast_accuracy(
    backend: BackendDep, actor: CurrentActor, employee_id: EntityId | None = None
) -> list[Accuracy]:
    today = business_today(backend)
    with backend.views.reading() as cursor:
        return [Accuracy(**row) for row in accuracy(cursor, actor, today, employee_id)]


@router.post("/forecast/submissions", responses=WRITE)
def submit_forecast(command: SubmitForecast, write: Write) -> WriteResult:
    return write(command)


@router.post("/forecast/adjustments", responses=WRITE)
def adjust_forecast(command: AdjustForecast, write: Write) -> WriteResult:
    return write(command)


@router.put("/deals/{deal_id}/forecast-category", responses=WRITE)
def override_forecast_category(
    deal_id: RecordId, command: OverrideForecastCategory, write: Write
) -> WriteResult:
    return write(command, deal_id)
