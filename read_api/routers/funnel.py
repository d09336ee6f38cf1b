"""/reports/funnel: open deals, weighted amounts, conversion and time per stage."""

from collections.abc import Iterable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from aggregates.errors import InvalidValue
from commands.fields import Day, EntityId, SearchText
from letopis.spreadsheets import Column, Kind
from projections.funnel_report import funnel
from read_api.deps import CurrentActor, ReadAfter
from read_api.schemas import READ_ONE, DecimalText, Uuid
from read_api.spreadsheet_routes import Sheet, spreadsheet_route
from read_api.time_travel import ViewsAt, views_at
from replay.past_reports import FUNNEL_VIEWS

router = APIRouter(tags=["deals"])

Amounts = Annotated[dict[str, DecimalText], Field(description="Currency code → amount")]


class FunnelStage(BaseModel):
    name: str
    order: int
    probability: DecimalText | None = Field(
        description="The stage's default now; none: no longer in the pipeline"
    )
    current: bool = Field(description="False: a stage the pipeline no longer has, that deals still show")
    open_deals: int = Field(description="Deals open at this stage now")
    open_amount: Amounts
    weighted_amount: Amounts = Field(description="Σ amount × the deal's probability / 100, to 0.01")
    entered: int = Field(description="Deals that entered the stage in the period")
    advanced: int = Field(description="Of those, the ones that later reached a stage further on or were won")
    conversion_percent: DecimalText | None = Field(description="advanced / entered, %; none: nobody entered")
    median_days_in_stage: DecimalText | None = Field(
        description="Over the stays at the stage that ended in the period"
    )


class ClosedDeals(BaseModel):
    count: int
    amount: Amounts


class Funnel(BaseModel):
    pipeline_id: Uuid
    pipeline_name: str
    requested_scope: str
    scope: str = Field(description="The scope counted: a scope wider than the reader's own is narrowed to it")
    since: date | None
    until: date | None
    stages: list[FunnelStage]
    won: ClosedDeals = Field(description="Deals won in the period")
    lost: ClosedDeals = Field(description="Deals lost in the period")


def _stage_rows(report: Funnel) -> Iterable[dict[str, Any]]:
    """A stage's row per currency of its open deals, so every amount sits beside its currency."""
    for stage in report.stages:
        currencies: list[str | None] = [*sorted(stage.open_amount)] or [None]
        for currency in currencies:
            amounts = {
                "currency": currency,
                "open_amount": stage.open_amount.get(currency) if currency else None,
                "weighted_amount": stage.weighted_amount.get(currency) if currency else None,
            }
            yield {**vars(stage), **amounts}


def _closed(report: Funnel) -> Iterable[tuple[str, Any]]:
    yield ("Воронка", report.pipeline_name)
    yield ("Охват посчитанный", report.scope)
    for title, closed in (("Выиграно", report.won), ("Проиграно", report.lost)):
        yield (f"{title}, сделок", closed.count)
        for currency, amount in sorted(closed.amount.items()):
            yield (f"{title}, {currency}", amount)


FUNNEL_SHEET = Sheet(
    "Воронка продаж",
    "funnel",
    [
        Column("order", "№ этапа", Kind.INTEGER),
        Column("name", "Этап"),
        Column("probability", "Вероятность, %", Kind.PERCENT),
        Column("current", "Этап есть в воронке", Kind.BOOLEAN),
        Column("open_deals", "Открытых сделок", Kind.INTEGER),
        Column("currency", "Валюта"),
        Column("open_amount", "Сумма открытых", Kind.MONEY),
        Column("weighted_amount", "Взвешенная сумма", Kind.MONEY),
        Column("entered", "Вошло за период", Kind.INTEGER),
        Column("advanced", "Прошло дальше", Kind.INTEGER),
        Column("conversion_percent", "Конверсия, %", Kind.PERCENT),
        Column("median_days_in_stage", "Медиана дней на этапе", Kind.DECIMAL),
    ],
    _stage_rows,
    _closed,
)


@spreadsheet_route(
    router,
    "/reports/funnel",
    FUNNEL_SHEET,
    response_model=Funnel,
    dependencies=[ReadAfter],
    responses=READ_ONE,
)
def get_funnel_report(
    views: Annotated[ViewsAt, Depends(views_at(FUNNEL_VIEWS))],
    actor: CurrentActor,
    pipeline_id: EntityId,
    scope: Annotated[
        SearchText,
        Query(max_length=350, description="manager:<id>, team:<name>, department:<name> or company"),
    ] = "company",
    since: Annotated[Day | None, Query(description="First day of the period (UTC), included")] = None,
    until: Annotated[Day | None, Query(description="Last day of the period (UTC), included")] = None,
) -> Funnel:
    if since is not None and until is not None and until < since:
        raise InvalidValue("until", f"the period ends ({until}) before it starts ({since})", location="query")
    with views.reading() as cursor:
        return Funnel(**funnel(cursor, actor, pipeline_id, scope, since, until))
