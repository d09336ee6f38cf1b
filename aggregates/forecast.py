"""A manager's forecast for a period (FEATURES E3, E4): the amount they commit to in each
forecast category, submitted and revised by the manager, with a head's adjustment kept as a
separate layer on top, so both the owner's word and the head's correction stay readable.

Categories follow a deal's stage: its probability places an open deal in pipeline, best case
or commit; won deals are closed; lost deals and stages without chance are omitted. A deal's
owner may override the category of an open deal (``Deal.ForecastCategoryOverridden``).
"""

from datetime import date
from decimal import Decimal
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from aggregates.errors import InvalidValue, RuleViolated
from aggregates.money import check_amount, check_currency
from aggregates.period import Period
from aggregates.stamp import Fact, Stamp

COMMIT_FROM = Decimal(90)
BEST_CASE_FROM = Decimal(50)


class ForecastCategory(StrEnum):
    PIPELINE = "pipeline"
    BEST_CASE = "best_case"
    COMMIT = "commit"
    CLOSED = "closed"
    OMITTED = "omitted"


def category_of_stage(status: str, probability: Decimal) -> ForecastCategory:
    """The category a deal's stage places it in, before any override."""
    if status == "won":
        return ForecastCategory.CLOSED
    if status == "lost" or probability <= 0:
        return ForecastCategory.OMITTED
    if probability >= COMMIT_FROM:
        return ForecastCategory.COMMIT
    if probability >= BEST_CASE_FROM:
        return ForecastCategory.BEST_CASE
    return ForecastCategory.PIPELINE


def submission_id(employee_id: str, period: Period) -> UUID:
    return uuid5(NAMESPACE_URL, f"letopis:forecast:{employee_id}|{period.key}")


def check_amounts(amounts: dict[str, Decimal]) -> dict[str, Decimal]:
    if not amounts:
        raise InvalidValue("amounts", "a forecast names an amount for at least one category")
    checked = {}
    for category, amount in amounts.items():
        try:
            ForecastCategory(category)
        except ValueError:
            raise InvalidValue(
                "amounts", f"{category!r} is not a category: {', '.join(c.value for c in ForecastCategory)}"
            ) from None
        value = check_amount(amount, "amounts")
        if value < 0 or value != value.quantize(Decimal("0.01")) or value > Decimal("1e15"):
            raise InvalidValue("amounts", f"{category}: an amount is zero or more, to the kopeck")
        checked[category] = value
    return dict(sorted(checked.items()))


def check_open_period(period: Period, today: date) -> None:
    if period.last_day < today:
        raise RuleViolated(f"{period.key} has closed: a forecast is made before its period ends")


class ForecastSubmission(Aggregate):
    class Submitted(Aggregate.Created, Fact):
        employee_id: str
        period: str
        amounts: dict[str, Decimal]
        currency: str
        note: str

        def apply(self, aggregate: "ForecastSubmission") -> None:
            aggregate.employee_id = self.employee_id
            aggregate.period = self.period

    class Revised(Fact):
        employee_id: str
        period: str
        amounts: dict[str, Decimal]
        currency: str
        note: str

    class Adjusted(Fact):
        """A head's figures, on top of the owner's: they replace an earlier adjustment only."""

        employee_id: str
        period: str
        amounts: dict[str, Decimal]
        currency: str
        reason: str

    def __init__(self) -> None:
        self.employee_id = ""
        self.period = ""

    @classmethod
    def submit(
        cls,
        stamp: Stamp,
        *,
        employee_id: str,
        period: Period,
        amounts: dict[str, Decimal],
        currency: str,
        note: str,
    ) -> "ForecastSubmission":
        check_open_period(period, stamp.occurred_at.date())
        return cls._create(
            cls.Submitted,
            id=submission_id(employee_id, period),
            employee_id=employee_id,
            period=period.key,
            amounts=check_amounts(amounts),
            currency=check_currency(currency),
            note=note.strip(),
            **stamp.fields(),
        )

    def revise(
        self, stamp: Stamp, period: Period, amounts: dict[str, Decimal], currency: str, note: str
    ) -> None:
        check_open_period(period, stamp.occurred_at.date())
        self.trigger_event(
            self.Revised,
            employee_id=self.employee_id,
            period=self.period,
            amounts=check_amounts(amounts),
            currency=check_currency(currency),
            note=note.strip(),
            **stamp.fields(),
        )

    def adjust(
        self, stamp: Stamp, period: Period, amounts: dict[str, Decimal], currency: str, reason: str
    ) -> None:
        check_open_period(period, stamp.occurred_at.date())
        if not reason.strip():
            raise InvalidValue("reason", "an adjustment of a manager's forecast says why")
        self.trigger_event(
            self.Adjusted,
            employee_id=self.employee_id,
            period=self.period,
            amounts=check_amounts(amounts),
            currency=check_currency(currency),
            reason=reason.strip(),
            **stamp.fields(),
        )
