"""/exchange-rates: rates against the rouble, recorded as facts, for reports that convert."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from commands.catalogue_commands import Currency
from commands.exchange_rate_commands import RecordExchangeRate, record_exchange_rate
from projections.exchange_rates import search_rates
from read_api.deps import (
    BackendDep,
    CurrentActor,
    IdempotencyKey,
    Limit,
    Offset,
    ReadAfter,
    keyed,
    written,
)
from read_api.schemas import Page, WriteResult, problems

router = APIRouter(prefix="/exchange-rates", tags=["exchange rates"], responses=problems(400, 403, 409, 503))


class ExchangeRateEntry(BaseModel):
    currency: str
    on: date
    rub_per_unit: Decimal
    source: str
    actor: str
    recorded_at: str


@router.get("", response_model=Page[ExchangeRateEntry], dependencies=[ReadAfter])
def rates(
    backend: BackendDep,
    _actor: CurrentActor,
    currency: Annotated[Currency | None, Query()] = None,
    on: Annotated[
        date | None, Query(description="Only the rate of each currency in effect on this day")
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ExchangeRateEntry]:
    with backend.views.reading() as cursor:
        items, total = search_rates(cursor, currency, on, limit, offset)
    return Page[ExchangeRateEntry](
        items=[ExchangeRateEntry(**item) for item in items], total=total, limit=limit, offset=offset
    )


@router.post("", status_code=201, response_model=WriteResult)
def record(
    command: RecordExchangeRate,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(record_exchange_rate(backend.service, actor, keyed(command, key)), response)
