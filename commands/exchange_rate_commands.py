"""Recording exchange rates against the rouble, for reports that convert currencies."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from aggregates.exchange_rate import ExchangeRate, rate_stream_id
from aggregates.money import check_currency
from aggregates.scope import Actor
from aggregates.stamp import Stamp
from commands.catalogue_commands import Currency, check_may_configure_sales
from commands.command import Command, Line
from commands.service import Outcome, WriteService


class RecordExchangeRate(Command):
    currency: Currency
    rub_per_unit: Annotated[
        Decimal, Field(gt=0, max_digits=18, decimal_places=6, description="Roubles for one unit")
    ]
    on: date
    source: Line = Field("", description="Where the rate comes from, e.g. the Central Bank")


def record_exchange_rate(service: WriteService, actor: Actor, command: RecordExchangeRate) -> Outcome:
    """A currency's rate history starts with its first rate, in the same append; two first
    rates racing collide on the start, and the loser records onto the winner's history."""
    check_may_configure_sales(actor)
    currency = check_currency(command.currency)
    store = service.store

    def decide(stamp: Stamp) -> list[ExchangeRate]:
        stream_id = rate_stream_id(currency)
        if store.exists(stream_id):
            rates = store.get(stream_id, ExchangeRate)
        else:
            rates = ExchangeRate.start(stamp, currency)
        rates.record(stamp, currency, command.rub_per_unit, command.on, command.source)
        return [rates]

    return service.run(actor, command, decide)
