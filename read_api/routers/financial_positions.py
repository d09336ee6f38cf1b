"""A client's financial position on the counterparty card, per currency and, on request, in
one currency at the recorded rates."""

from collections.abc import Iterable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from commands.catalogue_commands import Currency
from commands.fields import Day
from letopis.spreadsheets import Column, Kind
from projections.financial_position import converted_total, financial_position
from read_api.access import readable_counterparty
from read_api.deps import BackendDep, CurrentActor, ReadAfter, RecordId
from read_api.routers.contracts import business_today
from read_api.schemas import READ_ONE, DecimalText, Uuid
from read_api.spreadsheet_routes import Sheet, spreadsheet_route

router = APIRouter(tags=["counterparties"], responses=READ_ONE)


class Figures(BaseModel):
    contracted: DecimalText = Field(description="Amounts of contracts not terminated")
    ordered: DecimalText = Field(description="Orders received, in work or completed")
    forecast: DecimalText = Field(description="Orders still forecast")
    paid: DecimalText = Field(description="Payments less refunds")
    outstanding: DecimalText = Field(description="Ordered less paid")
    overpaid: DecimalText = Field(description="Paid beyond the amounts of the client's contracts")


class CurrencyPosition(Figures):
    currency: str


class UsedRate(BaseModel):
    currency: str
    rub_per_unit: DecimalText
    on: date = Field(description="The day the rate was recorded for")
    source: str


class ConvertedTotal(Figures):
    currency: str
    rates_on: date = Field(description="The rates in effect on this day were used")
    rates: list[UsedRate]


class FinancialPosition(BaseModel):
    counterparty_id: Uuid
    currencies: list[CurrencyPosition]
    total: ConvertedTotal | None = Field(description="Present when ?in= names a currency")


def _position_rows(position: FinancialPosition) -> Iterable[dict[str, Any]]:
    yield from ({"line": "По валюте", **vars(currency)} for currency in position.currencies)
    if position.total is not None:
        yield {"line": f"Итого по курсам на {position.total.rates_on:%d.%m.%Y}", **vars(position.total)}


def _rates(position: FinancialPosition) -> Iterable[tuple[str, Any]]:
    for rate in position.total.rates if position.total else ():
        label = f"Курс {rate.currency}, руб. за единицу ({rate.on:%d.%m.%Y}, {rate.source})"
        yield (label, rate.rub_per_unit)


FINANCIAL_POSITION_SHEET = Sheet(
    "Финансовое положение",
    "financial-position",
    [
        Column("line", "Строка"),
        Column("currency", "Валюта"),
        Column("contracted", "По договорам", Kind.MONEY),
        Column("ordered", "Заказано", Kind.MONEY),
        Column("forecast", "Прогноз заказов", Kind.MONEY),
        Column("paid", "Оплачено", Kind.MONEY),
        Column("outstanding", "К оплате", Kind.MONEY),
        Column("overpaid", "Переплата", Kind.MONEY),
    ],
    _position_rows,
    _rates,
)


@spreadsheet_route(
    router,
    "/counterparties/{counterparty_id}/financial-position",
    FINANCIAL_POSITION_SHEET,
    response_model=FinancialPosition,
    dependencies=[ReadAfter],
)
def get_financial_position(
    counterparty_id: RecordId,
    backend: BackendDep,
    actor: CurrentActor,
    in_currency: Annotated[
        Currency | None, Query(alias="in", description="Also total everything in this currency")
    ] = None,
    on: Annotated[
        Day | None, Query(description="Convert at the rates in effect on this day, by default today")
    ] = None,
) -> FinancialPosition:
    readable_counterparty(backend, actor, counterparty_id)
    with backend.views.reading() as cursor:
        position = financial_position(cursor, counterparty_id)
        total = None
        if in_currency is not None:
            rates_on = on or business_today(backend)
            figures, rates = converted_total(cursor, position, in_currency, rates_on)
            total = ConvertedTotal(
                currency=in_currency,
                rates_on=rates_on,
                rates=[UsedRate(**rate) for rate in rates],
                **figures,
            )
    return FinancialPosition(
        counterparty_id=counterparty_id,
        currencies=[CurrencyPosition(currency=c, **figures) for c, figures in position.items()],
        total=total,
    )
