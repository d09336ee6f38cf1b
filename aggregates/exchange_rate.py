"""Exchange rates as facts: how many roubles one unit of a currency cost on a day.
Reports in roubles say which recorded rate they used."""

from datetime import date
from decimal import Decimal
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from aggregates.errors import InvalidValue
from aggregates.money import check_currency
from aggregates.stamp import Fact, Stamp


def rate_stream_id(currency: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"letopis:exchange-rate:{currency}")


class ExchangeRate(Aggregate):
    """The rate history of one currency against the rouble."""

    class Started(Aggregate.Created, Fact):
        currency: str

    class Recorded(Fact):
        currency: str
        rub_per_unit: Decimal
        on: date
        source: str

    @classmethod
    def start(cls, stamp: Stamp, currency: str) -> "ExchangeRate":
        if check_currency(currency) == "RUB":
            raise InvalidValue("currency", "the rouble is the reporting currency")
        return cls._create(cls.Started, id=rate_stream_id(currency), currency=currency, **stamp.fields())

    def record(self, stamp: Stamp, currency: str, rub_per_unit: Decimal, on: date, source: str) -> None:
        if rub_per_unit <= 0:
            raise InvalidValue("rub_per_unit", "a rate must be greater than zero")
        self.trigger_event(
            self.Recorded,
            currency=currency,
            rub_per_unit=rub_per_unit,
            on=on,
            source=source.strip(),
            **stamp.fields(),
        )
