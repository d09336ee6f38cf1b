"""A client's financial position on the counterparty card, per currency and, on request, in
one currency at the recorded rates."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from commands.catalogue_commands import Currency
from commands.fields import Day
from projections.financial_position import converted_total, financial_position
from read_api.access import readable_counterparty
from read_api.deps import BackendDep, CurrentActor, ReadAfter, RecordId
from read_api.routers.contracts import business_today
from read_api.schemas import READ_ONE, DecimalText, Uuid

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


@router.get(
    "/counterparties/{counterparty_id}/financial-position",
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
