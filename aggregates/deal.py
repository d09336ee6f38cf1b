"""A deal in the sales funnel (FEATURES C3): a counterparty, a manager, an expected amount,
a stage with its probability, and an end: won or lost with a reason."""

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from aggregates.counterparty import BARRED, Admission
from aggregates.errors import InvalidValue, RuleViolated
from aggregates.forecast import ForecastCategory
from aggregates.money import Money
from aggregates.stamp import Fact, Stamp


class DealStatus(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


def check_counterparty_admitted(admission: Admission) -> None:
    if admission in BARRED:
        raise RuleViolated(f"the counterparty is {admission.value}: no deals with it may be opened or moved")


class Deal(Aggregate):
    class Opened(Aggregate.Created, Fact):
        counterparty_id: str
        manager_id: str
        pipeline_id: str
        stage: str
        probability: Decimal
        amount: Decimal
        currency: str
        expected_close_on: date
        lines: list[dict[str, Any]]
        lead_source: str | None
        inquiry_id: str | None

        def apply(self, aggregate: "Deal") -> None:
            aggregate.counterparty_id = self.counterparty_id
            aggregate.manager_id = self.manager_id
            aggregate.pipeline_id = self.pipeline_id
            aggregate.stage = self.stage
            aggregate.amount = Money(self.amount, self.currency)
            aggregate.expected_close_on = self.expected_close_on

    class StageChanged(Fact):
        counterparty_id: str
        stage: str
        probability: Decimal
        previous_stage: str

        def apply(self, aggregate: "Deal") -> None:
            aggregate.stage = self.stage

    class AmountChanged(Fact):
        counterparty_id: str
        amount: Decimal
        currency: str
        previous_amount: Decimal
        previous_currency: str

        def apply(self, aggregate: "Deal") -> None:
            aggregate.amount = Money(self.amount, self.currency)

    class CloseDateChanged(Fact):
        counterparty_id: str
        expected_close_on: date
        previous_close_on: date

        def apply(self, aggregate: "Deal") -> None:
            aggregate.expected_close_on = self.expected_close_on

    class Won(Fact):
        counterparty_id: str
        amount: Decimal
        currency: str

        def apply(self, aggregate: "Deal") -> None:
            aggregate.status = DealStatus.WON

    class Lost(Fact):
        counterparty_id: str
        reason_code: str
        reason_text: str

        def apply(self, aggregate: "Deal") -> None:
            aggregate.status = DealStatus.LOST

    class ForecastCategoryOverridden(Fact):
        """The owner places an open deal in another forecast category than its stage does;
        ``category`` None returns it to its stage's."""

        counterparty_id: str
        category: str | None
        previous_category: str | None
        reason: str

        def apply(self, aggregate: "Deal") -> None:
            aggregate.forecast_category = self.category

    def __init__(self) -> None:
        self.forecast_category: str | None = None
        self.counterparty_id = ""
        self.manager_id = ""
        self.pipeline_id = ""
        self.stage = ""
        self.amount = Money(Decimal(0), "RUB")
        self.expected_close_on = date.min
        self.status = DealStatus.OPEN

    @classmethod
    def open(
        cls,
        stamp: Stamp,
        *,
        admission: Admission,
        counterparty_id: str,
        manager_id: str,
        pipeline_id: str,
        stage: dict[str, Any],
        amount: Money,
        expected_close_on: date,
        lines: list[dict[str, Any]],
        lead_source: str | None,
        inquiry_id: str | None = None,
        id: UUID | None = None,
    ) -> "Deal":
        check_counterparty_admitted(admission)
        amount.positive()
        return cls._create(
            cls.Opened,
            id=id,
            counterparty_id=counterparty_id,
            manager_id=manager_id,
            pipeline_id=pipeline_id,
            stage=stage["name"],
            probability=stage["probability"],
            amount=amount.amount,
            currency=amount.currency,
            expected_close_on=expected_close_on,
            lines=lines,
            lead_source=lead_source,
            inquiry_id=inquiry_id,
            **stamp.fields(),
        )

    def move_to(self, stamp: Stamp, admission: Admission, stage: dict[str, Any]) -> None:
        self._check_open()
        check_counterparty_admitted(admission)
        if stage["name"] == self.stage:
            raise RuleViolated(f"the deal is already at stage {self.stage!r}")
        self.trigger_event(
            self.StageChanged,
            counterparty_id=self.counterparty_id,
            stage=stage["name"],
            probability=stage["probability"],
            previous_stage=self.stage,
            **stamp.fields(),
        )

    def change_amount(self, stamp: Stamp, amount: Money) -> None:
        self._check_open()
        amount.positive()
        if amount == self.amount:
            raise RuleViolated("the deal already has that amount")
        self.trigger_event(
            self.AmountChanged,
            counterparty_id=self.counterparty_id,
            amount=amount.amount,
            currency=amount.currency,
            previous_amount=self.amount.amount,
            previous_currency=self.amount.currency,
            **stamp.fields(),
        )

    def change_close_date(self, stamp: Stamp, expected_close_on: date) -> None:
        self._check_open()
        if expected_close_on == self.expected_close_on:
            raise RuleViolated("the deal already expects to close then")
        self.trigger_event(
            self.CloseDateChanged,
            counterparty_id=self.counterparty_id,
            expected_close_on=expected_close_on,
            previous_close_on=self.expected_close_on,
            **stamp.fields(),
        )

    def win(self, stamp: Stamp, admission: Admission) -> None:
        self._check_open()
        check_counterparty_admitted(admission)
        self.trigger_event(
            self.Won,
            counterparty_id=self.counterparty_id,
            amount=self.amount.amount,
            currency=self.amount.currency,
            **stamp.fields(),
        )

    def lose(self, stamp: Stamp, reason_code: str, reason_text: str) -> None:
        self._check_open()
        self.trigger_event(
            self.Lost,
            counterparty_id=self.counterparty_id,
            reason_code=reason_code,
            reason_text=reason_text.strip(),
            **stamp.fields(),
        )

    def override_forecast_category(
        self, stamp: Stamp, category: ForecastCategory | None, reason: str
    ) -> None:
        self._check_open()
        if category == ForecastCategory.CLOSED:
            raise InvalidValue("category", "an open deal is not closed: win it instead")
        value = None if category is None else category.value
        if value == self.forecast_category:
            raise RuleViolated("the deal already has this forecast category")
        if not reason.strip():
            raise InvalidValue("reason", "say why the deal's forecast category differs from its stage's")
        self.trigger_event(
            self.ForecastCategoryOverridden,
            counterparty_id=self.counterparty_id,
            category=value,
            previous_category=self.forecast_category,
            reason=reason.strip(),
            **stamp.fields(),
        )

    def _check_open(self) -> None:
        if self.status != DealStatus.OPEN:
            raise RuleViolated(f"the deal is {self.status.value}: it can no longer change")
