"""Recording exchange rates against the rouble, for reports that convert currencies."""

from typing import Annotated

from pydantic import Field

from aggregates.exchange_rate import ExchangeRate, rate_stream_id
from aggregates.money import check_currency
from commands.catalogue_commands import Currency
from commands.command import Command
from commands.context import Context
from commands.fields import PLANNED, Day, Line, Rate
from commands.handling import Handlers
from commands.scope import sales_configuration_guard

handlers = Handlers()


class RecordExchangeRate(Command):
    """Record how many roubles one unit of a currency costs on a day."""

    currency: Currency
    rub_per_unit: Annotated[Rate, Field(description="Roubles for one unit")]
    on: Annotated[Day, PLANNED] = Field(description="The day the rate is in effect; may be tomorrow")
    source: Line = Field("", description="Where the rate comes from, e.g. the Central Bank")


@handlers.handles(
    RecordExchangeRate,
    "exchange_rate.record",
    ExchangeRate.Started,
    ExchangeRate.Recorded,
    authorize=sales_configuration_guard,
)
def record_exchange_rate(ctx: Context, command: RecordExchangeRate) -> list[ExchangeRate]:
    """A currency's rate history starts with its first rate, in the same append; two first
    rates racing collide on the start, and the loser records onto the winner's history."""
    currency = check_currency(command.currency)
    stream_id = rate_stream_id(currency)
    rates = (
        ctx.load(ExchangeRate, stream_id, "currency")
        if ctx.exists(stream_id)
        else ExchangeRate.start(ctx.stamp, currency)
    )
    rates.record(ctx.stamp, currency, command.rub_per_unit, command.on, command.source)
    return [rates]
