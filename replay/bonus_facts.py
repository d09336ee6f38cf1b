"""What a bonus replay keeps of the log: the payments that count, their refunds, the
exchange rates, the sales plans and the rule versions, each as recorded up to a position.

Only the topics listed in ``BONUS_TOPICS`` are read; ``BonusFacts.apply`` takes the events
in log order. Nothing here does I/O."""

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from eventsourcing.utils import get_topic

from aggregates.bonus_rule_book import BonusRuleBook, RuleVersion
from aggregates.catalogue_item import CatalogueItem
from aggregates.contract import Contract
from aggregates.errors import RuleViolated
from aggregates.exchange_rate import ExchangeRate
from aggregates.order import Order
from aggregates.payment import Payment
from aggregates.period import Grain, Period, parse_period, period_of
from aggregates.sales_plan import PlanMeasure, PlanTarget, SalesPlan

REPORTING_CURRENCY = "RUB"


@dataclass(frozen=True)
class CountedPayment:
    """Money received under a manager's contract, as a bonus counts it."""

    payment_id: str
    contract_id: str
    contract_number: str
    manager_id: str
    amount: Decimal
    currency: str
    received_on: date
    category_shares: tuple[tuple[str, Decimal], ...]
    """(catalogue category, the part of the payment that paid for it), from its order's lines."""

    @property
    def month(self) -> Period:
        return period_of(self.received_on, Grain.MONTH)


@dataclass(frozen=True)
class Refund:
    payment_id: str
    amount: Decimal
    refunded_on: date

    @property
    def month(self) -> Period:
        return period_of(self.refunded_on, Grain.MONTH)


@dataclass(frozen=True)
class UsedRate:
    currency: str
    rub_per_unit: Decimal
    on: date
    source: str


class MissingRate(RuleViolated):
    def __init__(self, currency: str, day: date) -> None:
        super().__init__(f"no exchange rate of {currency} is recorded on or before {day}")
        self.currency = currency
        self.day = day


@dataclass
class RateBook:
    """Every recorded rate of every currency against the rouble."""

    history: dict[str, list[UsedRate]] = field(default_factory=lambda: defaultdict(list))

    def record(self, rate: UsedRate) -> None:
        rates = self.history[rate.currency]
        days = [recorded.on for recorded in rates]
        # A later record for the same day corrects the earlier one.
        at = bisect_right(days, rate.on)
        if at and rates[at - 1].on == rate.on:
            rates[at - 1] = rate
        else:
            rates.insert(at, rate)

    def rate_on(self, currency: str, day: date) -> UsedRate:
        """The rate in effect on the day: the latest recorded on or before it."""
        if currency == REPORTING_CURRENCY:
            return UsedRate(currency, Decimal(1), day, "")
        rates = self.history.get(currency, [])
        at = bisect_right([rate.on for rate in rates], day)
        if not at:
            raise MissingRate(currency, day)
        return rates[at - 1]

    def convert(self, amount: Decimal, currency: str, into: str, day: date) -> Decimal:
        if currency == into:
            return amount
        return amount * self.rate_on(currency, day).rub_per_unit / self.rate_on(into, day).rub_per_unit


@dataclass(frozen=True)
class Plan:
    amount: Decimal
    currency: str


def _topics(*events: type[Any]) -> tuple[str, ...]:
    return tuple(get_topic(event) for event in events)


BONUS_TOPICS = _topics(
    Contract.Signed,
    CatalogueItem.Listed,
    Order.Placed,
    Payment.Received,
    Payment.Refunded,
    ExchangeRate.Recorded,
    BonusRuleBook.VersionAdopted,
    SalesPlan.Set,
    SalesPlan.Changed,
    SalesPlan.Withdrawn,
    SalesPlan.Reinstated,
)


@dataclass
class BonusFacts:
    payments: dict[str, CountedPayment] = field(default_factory=dict)
    payments_in: dict[Period, list[CountedPayment]] = field(default_factory=lambda: defaultdict(list))
    refunds_in: dict[Period, list[Refund]] = field(default_factory=lambda: defaultdict(list))
    rates: RateBook = field(default_factory=RateBook)
    versions: list[RuleVersion] = field(default_factory=list)
    plans: dict[tuple[str, Period], Plan] = field(default_factory=dict)
    """A manager's plan of money received for a month, as the tiers measure attainment."""
    _contract_numbers: dict[str, str] = field(default_factory=dict)
    _categories: dict[str, str] = field(default_factory=dict)
    _order_shares: dict[str, tuple[tuple[str, Decimal], ...]] = field(default_factory=dict)
    _plan_keys: dict[Any, tuple[str, Period] | None] = field(default_factory=dict)

    def apply(self, event: Any) -> None:
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            handler(self, event)

    def _signed(self, event: Contract.Signed) -> None:
        self._contract_numbers[str(event.originator_id)] = event.number

    def _listed(self, event: CatalogueItem.Listed) -> None:
        if event.category:
            self._categories[str(event.originator_id)] = event.category

    def _placed(self, event: Order.Placed) -> None:
        """The part of the order each category's lines make, when its lines name catalogue
        items and their amounts; an order without such lines counts as uncategorised."""
        shares: dict[str, Decimal] = defaultdict(Decimal)
        for line in event.lines:
            category = self._categories.get(line.get("item_id") or "")
            if category and line.get("amount"):
                shares[category] += Decimal(line["amount"]) / event.amount
        if shares:
            self._order_shares[str(event.originator_id)] = tuple(sorted(shares.items()))

    def _received(self, event: Payment.Received) -> None:
        payment = CountedPayment(
            payment_id=str(event.originator_id),
            contract_id=event.contract_id,
            contract_number=self._contract_numbers.get(event.contract_id, ""),
            manager_id=event.manager_id,
            amount=event.amount,
            currency=event.currency,
            received_on=event.received_on,
            category_shares=self._order_shares.get(event.order_id or "", ()),
        )
        self.payments[payment.payment_id] = payment
        self.payments_in[payment.month].append(payment)

    def _refunded(self, event: Payment.Refunded) -> None:
        refund = Refund(str(event.originator_id), event.amount, event.refunded_on)
        self.refunds_in[refund.month].append(refund)

    def _rate(self, event: ExchangeRate.Recorded) -> None:
        self.rates.record(UsedRate(event.currency, event.rub_per_unit, event.on, event.source))

    def _adopted(self, event: BonusRuleBook.VersionAdopted) -> None:
        self.versions.append(
            RuleVersion(
                event.number,
                event.effective_from,
                event.effective_until,
                event.rules,
                event.reason,
                event.originator_version,
            )
        )

    def _plan_set(self, event: SalesPlan.Set) -> None:
        counts = (
            event.target_kind == PlanTarget.EMPLOYEE
            and event.measure == PlanMeasure.RECEIVED_AMOUNT
            and event.grain == Grain.MONTH
            and not event.category
            and not event.item_id
        )
        if not counts:
            self._plan_keys[event.originator_id] = None
            return
        key = (event.target_id, parse_period(event.period))
        self._plan_keys[event.originator_id] = key
        self._plan_figure(event)

    def _plan_figure(self, event: SalesPlan.Set | SalesPlan.Changed | SalesPlan.Reinstated) -> None:
        key = self._plan_keys.get(event.originator_id)
        if key is None:
            return
        if event.amount is None or event.currency is None:
            self.plans.pop(key, None)
        else:
            self.plans[key] = Plan(event.amount, event.currency)

    def _plan_withdrawn(self, event: SalesPlan.Withdrawn) -> None:
        key = self._plan_keys.get(event.originator_id)
        if key is not None:
            self.plans.pop(key, None)


_HANDLERS: dict[type[Any], Any] = {
    Contract.Signed: BonusFacts._signed,
    CatalogueItem.Listed: BonusFacts._listed,
    Order.Placed: BonusFacts._placed,
    Payment.Received: BonusFacts._received,
    Payment.Refunded: BonusFacts._refunded,
    ExchangeRate.Recorded: BonusFacts._rate,
    BonusRuleBook.VersionAdopted: BonusFacts._adopted,
    SalesPlan.Set: BonusFacts._plan_set,
    SalesPlan.Changed: BonusFacts._plan_figure,
    SalesPlan.Reinstated: BonusFacts._plan_figure,
    SalesPlan.Withdrawn: BonusFacts._plan_withdrawn,
}
