"""A sales plan (FEATURES E4): what an employee, a team, a department or the whole company is
to sell in a month, quarter or year, optionally of one catalogue category or item, measured
as money won, deals won or money received.

One plan per (period, target, product, measure): its id is derived from that key, so two
people setting the same plan at once collide instead of creating two. A plan is set,
changed, withdrawn and set again only by events with who and why; nothing is overwritten,
and plans on another period grid (a quarter beside its months) are separate plans.
"""

from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from aggregates.errors import InvalidValue, RuleViolated
from aggregates.money import check_amount, check_currency
from aggregates.period import Period
from aggregates.plan_terms import PlanBasis as PlanBasis
from aggregates.plan_terms import PlanMeasure as PlanMeasure
from aggregates.plan_terms import PlanTarget as PlanTarget
from aggregates.stamp import Fact, Stamp

COMPANY = "company"
"""The target id of the company's own plans: there is only one company."""


def plan_id(
    period: Period,
    target_kind: PlanTarget,
    target_id: str,
    measure: PlanMeasure,
    category: str | None = None,
    item_id: str | None = None,
) -> UUID:
    key = f"{period.key}|{target_kind.value}|{target_id}|{measure.value}|{category or ''}|{item_id or ''}"
    return uuid5(NAMESPACE_URL, f"letopis:sales-plan:{key}")


def check_target(target_kind: PlanTarget, target_id: str) -> str:
    if target_kind == PlanTarget.COMPANY:
        return COMPANY
    if not target_id or not target_id.strip():
        raise InvalidValue("target_id", f"a {target_kind.value} plan names its {target_kind.value}")
    return target_id.strip()


def check_figure(
    target_kind: PlanTarget,
    measure: PlanMeasure,
    basis: PlanBasis,
    amount: Decimal | None,
    currency: str | None,
) -> tuple[Decimal | None, str | None]:
    """The planned figure: money with a currency, a whole number of deals, or — for a plan that
    sums its members' — nothing of its own (a currency still says what the sum is shown in)."""
    if basis == PlanBasis.MEMBERS:
        if target_kind == PlanTarget.EMPLOYEE:
            raise InvalidValue("basis", "an employee's plan has no members to sum")
        if amount is not None:
            raise InvalidValue("amount", "a plan that is the sum of its members' has no amount of its own")
    elif amount is None:
        raise InvalidValue("amount", "a direct plan needs an amount")
    else:
        amount = check_amount(amount)
        if amount < 0:
            raise InvalidValue("amount", "a plan cannot be negative")
        if amount > Decimal("1e15"):
            raise InvalidValue("amount", "a plan above a quadrillion is a typo")
    if measure.in_money:
        if currency is None:
            raise InvalidValue("currency", "a plan in money needs a currency")
        check_currency(currency)
        if amount is not None and amount != amount.quantize(Decimal("0.01")):
            raise InvalidValue("amount", "money is planned to the kopeck (two decimal places)")
    else:
        if currency is not None:
            raise InvalidValue("currency", "a plan in deals won has no currency")
        if amount is not None and amount != amount.to_integral_value():
            raise InvalidValue("amount", "deals are counted in whole numbers")
    return amount, currency


def check_reason(reason: str) -> str:
    if not reason or not reason.strip():
        raise InvalidValue("reason", "say why: a plan's every change carries its reason")
    return reason.strip()


class SalesPlan(Aggregate):
    class Set(Aggregate.Created, Fact):
        period: str
        grain: str
        target_kind: str
        target_id: str
        category: str | None
        item_id: str | None
        measure: str
        basis: str
        amount: Decimal | None
        currency: str | None
        reason: str

        def apply(self, aggregate: "SalesPlan") -> None:
            aggregate.period = self.period
            aggregate.target_kind = PlanTarget(self.target_kind)
            aggregate.target_id = self.target_id
            aggregate.measure = PlanMeasure(self.measure)
            aggregate.basis = PlanBasis(self.basis)
            aggregate.amount = self.amount
            aggregate.currency = self.currency

    class Changed(Fact):
        period: str
        target_kind: str
        target_id: str
        basis: str
        amount: Decimal | None
        currency: str | None
        previous_basis: str
        previous_amount: Decimal | None
        previous_currency: str | None
        reason: str

        def apply(self, aggregate: "SalesPlan") -> None:
            aggregate.basis = PlanBasis(self.basis)
            aggregate.amount = self.amount
            aggregate.currency = self.currency

    class Withdrawn(Fact):
        period: str
        target_kind: str
        target_id: str
        reason: str

        def apply(self, aggregate: "SalesPlan") -> None:
            aggregate.withdrawn = True

    class Reinstated(Fact):
        """A withdrawn plan set again, with the figure it has now."""

        period: str
        target_kind: str
        target_id: str
        basis: str
        amount: Decimal | None
        currency: str | None
        reason: str

        def apply(self, aggregate: "SalesPlan") -> None:
            aggregate.withdrawn = False
            aggregate.basis = PlanBasis(self.basis)
            aggregate.amount = self.amount
            aggregate.currency = self.currency

    def __init__(self) -> None:
        self.period = ""
        self.target_kind = PlanTarget.COMPANY
        self.target_id = COMPANY
        self.measure = PlanMeasure.WON_AMOUNT
        self.basis = PlanBasis.DIRECT
        self.amount: Decimal | None = None
        self.currency: str | None = None
        self.withdrawn = False

    @classmethod
    def set(
        cls,
        stamp: Stamp,
        *,
        period: Period,
        target_kind: PlanTarget,
        target_id: str,
        measure: PlanMeasure,
        basis: PlanBasis,
        amount: Decimal | None,
        currency: str | None,
        reason: str,
        category: str | None = None,
        item_id: str | None = None,
    ) -> "SalesPlan":
        target_id = check_target(target_kind, target_id)
        if category is not None and item_id is not None:
            raise InvalidValue("item_id", "a plan is for one catalogue category or one item, not both")
        amount, currency = check_figure(target_kind, measure, basis, amount, currency)
        return cls._create(
            cls.Set,
            id=plan_id(period, target_kind, target_id, measure, category, item_id),
            period=period.key,
            grain=period.grain.value,
            target_kind=target_kind.value,
            target_id=target_id,
            category=category,
            item_id=item_id,
            measure=measure.value,
            basis=basis.value,
            amount=amount,
            currency=currency,
            reason=check_reason(reason),
            **stamp.fields(),
        )

    def _target(self) -> dict[str, Any]:
        return {"period": self.period, "target_kind": self.target_kind.value, "target_id": self.target_id}

    def change(
        self, stamp: Stamp, *, basis: PlanBasis, amount: Decimal | None, currency: str | None, reason: str
    ) -> None:
        self._check_live()
        amount, currency = check_figure(self.target_kind, self.measure, basis, amount, currency)
        if (basis, amount, currency) == (self.basis, self.amount, self.currency):
            raise RuleViolated("the plan already has this figure")
        self.trigger_event(
            self.Changed,
            basis=basis.value,
            amount=amount,
            currency=currency,
            previous_basis=self.basis.value,
            previous_amount=self.amount,
            previous_currency=self.currency,
            reason=check_reason(reason),
            **self._target(),
            **stamp.fields(),
        )

    def withdraw(self, stamp: Stamp, reason: str) -> None:
        self._check_live()
        self.trigger_event(self.Withdrawn, reason=check_reason(reason), **self._target(), **stamp.fields())

    def reinstate(
        self, stamp: Stamp, *, basis: PlanBasis, amount: Decimal | None, currency: str | None, reason: str
    ) -> None:
        if not self.withdrawn:
            raise RuleViolated("the plan is in force: change it instead of setting it again")
        amount, currency = check_figure(self.target_kind, self.measure, basis, amount, currency)
        self.trigger_event(
            self.Reinstated,
            basis=basis.value,
            amount=amount,
            currency=currency,
            reason=check_reason(reason),
            **self._target(),
            **stamp.fields(),
        )

    def _check_live(self) -> None:
        if self.withdrawn:
            raise RuleViolated(f"the plan for {self.period} is withdrawn")
