"""/exchange-rates: rates against the rouble, recorded as facts, for reports that convert."""

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from commands.catalogue_commands import Currency
from commands.exchange_rate_commands import RecordExchangeRate
from commands.fields import Day
from letopis.spreadsheets import Column, Kind
from projections.exchange_rates import search_rates
from read_api.deps import BackendDep, CurrentActor, Limit, Offset, ReadAfter, Write
from read_api.schemas import WRITE, DecimalText, Page, WriteResult
from read_api.spreadsheet_routes import list_sheet, spreadsheet_route

router = APIRouter(prefix="/exchange-rates", tags=["exchange rates"])


class ExchangeRateEntry(BaseModel):
    currency: str
    on: date
    rub_per_unit: DecimalText
    source: str
    actor: str
    recorded_at: datetime


EXCHANGE_RATES_SHEET = list_sheet(
    "Курсы валют",
    "exchange-rates",
    [
        Column("currency", "Валюта"),
        Column("on", "Дата", Kind.DATE),
        Column("rub_per_unit", "Рублей за единицу", Kind.DECIMAL),
        Column("source", "Источник"),
        Column("actor", "Внёс"),
        Column("recorded_at", "Внесён (UTC)", Kind.DATETIME),
    ],
)


@spreadsheet_route(
    router, "", EXCHANGE_RATES_SHEET, response_model=Page[ExchangeRateEntry], dependencies=[ReadAfter]
)
def list_exchange_rates(
    backend: BackendDep,
    _actor: CurrentActor,
    currency: Currency | None = None,
    on: Annotated[
        Day | None, Query(description="Only the rate of each currency in effect on this day")
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ExchangeRateEntry]:
    with backend.views.reading() as cursor:
        items, total = search_rates(cursor, currency, on, limit, offset)
    return Page[ExchangeRateEntry](
        items=[ExchangeRateEntry(**item) for item in items], total=total, limit=limit, offset=offset
    )


@router.post("", status_code=201, responses=WRITE)
def record_exchange_rate(command: RecordExchangeRate, write: Write) -> WriteResult:
    return write(command)
