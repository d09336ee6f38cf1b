"""An employee's hourly cost, effective from a date (FEATURES F3): the cost of serving a
client is the time spent times the rate in effect on the day the time was spent. Each rate
is a fact of its own; a later one for the same employee and date supersedes the earlier."""

from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate

from aggregates.money import Money
from aggregates.stamp import Fact, Stamp


class HourlyRate(Aggregate):
    class Recorded(Aggregate.Created, Fact):
        employee_id: str
        effective_from: date
        rate: Decimal
        """Per hour."""
        currency: str

    @classmethod
    def record(
        cls, stamp: Stamp, *, employee_id: str, effective_from: date, rate: Money, id: UUID | None = None
    ) -> "HourlyRate":
        rate.positive()
        return cls._create(
            cls.Recorded,
            id=id,
            employee_id=employee_id,
            effective_from=effective_from,
            rate=rate.amount,
            currency=rate.currency,
            **stamp.fields(),
        )
