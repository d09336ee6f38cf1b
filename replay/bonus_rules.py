"""The bonus rules applied to the facts of a month: pure arithmetic, no I/O.

A month's statement of one employee is made of lines, each to the kopeck:
- ``payment``: a payment under the employee's contract, at the category, tier or flat rate;
- ``team share``: the employee's part of a team's share of a member's payment;
- ``cap``: what exceeded the cap of the month, taken off (in the cap's currency);
- ``clawback``: a refund in this month takes back the part of the bonus the refunded money
  earned, in the month it earned it and after that month's cap, under that month's rules.

Earnings (payment, team share, cap) depend on the month alone, so a clawback needs the
earnings of the refunded payment's month and nothing more.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from aggregates.bonus_rule_set import HUNDRED, RuleSet, TierMethod, Tiers
from aggregates.period import Period
from replay.bonus_facts import BonusFacts, CountedPayment, Plan, RateBook

CENT = Decimal("0.01")


def kopecks(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class Line:
    employee_id: str
    kind: str
    rule: str
    """Which rule applied, in words: "category «Перевозки»", "tier from 100 % (whole)"."""
    percent: Decimal | None
    base: Decimal
    """The money the rule applied to."""
    currency: str
    amount: Decimal
    on: date
    payment_id: str | None = None
    contract_id: str | None = None
    contract_number: str | None = None


@dataclass(frozen=True)
class Rules:
    """The rule set a month is computed under, and the version it is (None: a candidate)."""

    rule_set: RuleSet
    version: int | None


RulesFor = Callable[[Period], Rules]


def _line_of(
    payment: CountedPayment,
    employee_id: str,
    kind: str,
    rule: str,
    percent: Decimal | None,
    base: Decimal,
    amount: Decimal,
    on: date | None = None,
) -> Line:
    """A line a payment gave rise to, naming the payment and its contract."""
    return Line(
        employee_id=employee_id,
        kind=kind,
        rule=rule,
        percent=percent,
        base=base,
        currency=payment.currency,
        amount=amount,
        on=on or payment.received_on,
        payment_id=payment.payment_id,
        contract_id=payment.contract_id,
        contract_number=payment.contract_number,
    )


def _payment_line(payment: CountedPayment, rule: str, percent: Decimal, base: Decimal) -> Line:
    amount = kopecks(base * percent / HUNDRED)
    return _line_of(payment, payment.manager_id, "payment", rule, percent, base, amount)


class _Attainment:
    """How far each manager got towards their plan of money received, payment by payment."""

    def __init__(self, plans: dict[str, Plan | None], rates: RateBook, month_end: date) -> None:
        self.plans = plans
        self.rates = rates
        self.month_end = month_end
        self.received: dict[str, Decimal] = defaultdict(Decimal)

    def total(self, manager_id: str, payments: list[CountedPayment]) -> Decimal:
        plan = self.plans.get(manager_id)
        if plan is None or plan.amount == 0:
            return Decimal(0)
        received = sum(
            (self._in_plan_currency(p, plan) for p in payments if p.manager_id == manager_id), Decimal(0)
        )
        return received * HUNDRED / plan.amount

    def advance(self, payment: CountedPayment) -> tuple[Decimal, Decimal] | None:
        """Attainment before and after this payment (None without a plan)."""
        plan = self.plans.get(payment.manager_id)
        if plan is None or plan.amount == 0:
            return None
        before = self.received[payment.manager_id]
        self.received[payment.manager_id] += self._in_plan_currency(payment, plan)
        return before * HUNDRED / plan.amount, self.received[payment.manager_id] * HUNDRED / plan.amount

    def _in_plan_currency(self, payment: CountedPayment, plan: Plan) -> Decimal:
        return self.rates.convert(payment.amount, payment.currency, plan.currency, self.month_end)


def _tier_lines(
    payment: CountedPayment,
    base: Decimal,
    tiers: Tiers,
    whole_at: Decimal,
    span: tuple[Decimal, Decimal] | None,
) -> list[Line]:
    """``whole_at``: the manager's attainment over the month; ``span``: their attainment
    before and after this payment (None without a plan)."""
    if tiers.method == TierMethod.WHOLE:
        tier = tiers.reached(whole_at)
        rule = f"tier from {tier.from_attainment} % (whole; attainment {kopecks(whole_at)} %)"
        return [_payment_line(payment, rule, tier.percent, base)]
    if span is None or span[1] == span[0]:
        tier = tiers.tiers[0]
        return [
            _payment_line(
                payment, f"tier from {tier.from_attainment} % (marginal; no plan)", tier.percent, base
            )
        ]
    lower, upper = span
    bounds = [*(tier.from_attainment for tier in tiers.tiers[1:]), None]
    lines: list[Line] = []
    left = base
    for tier, ceiling in zip(tiers.tiers, bounds, strict=True):
        top = upper if ceiling is None else min(upper, ceiling)
        overlap = top - max(lower, tier.from_attainment)
        if overlap <= 0:
            continue
        # The bracket the payment ends in takes what is left, so the parts add up exactly.
        part = left if ceiling is None or upper <= ceiling else kopecks(base * overlap / (upper - lower))
        left -= part
        lines.append(
            _payment_line(payment, f"tier from {tier.from_attainment} % (marginal)", tier.percent, part)
        )
    return lines


def _payment_lines(
    payment: CountedPayment, rules: RuleSet, whole_at: Decimal, span: tuple[Decimal, Decimal] | None
) -> list[Line]:
    lines = []
    general = payment.amount
    for category, share in payment.category_shares:
        percent = rules.category_percents.get(category)
        if percent is not None:
            base = kopecks(payment.amount * share)
            general -= base
            lines.append(_payment_line(payment, f"category «{category}»", percent, base))
    if general > 0:
        if rules.tiers is None:
            lines.append(_payment_line(payment, "flat", rules.percent, general))
        else:
            lines.extend(_tier_lines(payment, general, rules.tiers, whole_at, span))
    return lines


def _team_lines(payment: CountedPayment, rules: RuleSet) -> list[Line]:
    lines = []
    for team in rules.team_shares:
        if payment.manager_id not in team.members:
            continue
        pool = payment.amount * team.percent / HUNDRED
        for employee_id, share in team.members.items():
            rule = f"team «{team.name}» {team.percent} %, {share} % of it"
            percent = team.percent * share / HUNDRED
            amount = kopecks(pool * share / HUNDRED)
            lines.append(_line_of(payment, employee_id, "team share", rule, percent, payment.amount, amount))
    return lines


@dataclass(frozen=True)
class Earnings:
    lines: dict[str, list[Line]]
    """Per employee: payment and team-share lines, and the cap line if the cap cut them."""
    kept: dict[str, Decimal]
    """Per employee: the part of their earnings the cap left them (1 when uncapped)."""

    @cached_property
    def of_payment(self) -> dict[str, list[Line]]:
        """Every employee's lines a payment gave rise to, by payment, as ``lines`` orders them:
        what a refund of the payment takes back, found without going through the month."""
        found: dict[str, list[Line]] = defaultdict(list)
        for earned in self.lines.values():
            for line in earned:
                if line.payment_id is not None:
                    found[line.payment_id].append(line)
        return found


def earnings(facts: BonusFacts, month: Period, rules: RuleSet) -> Earnings:
    payments = sorted(facts.payments_in.get(month, []), key=lambda p: p.received_on)
    plans = {
        manager_id: facts.plans.get((manager_id, month)) for manager_id in {p.manager_id for p in payments}
    }
    attainment = _Attainment(plans, facts.rates, month.last_day)
    whole_at = (
        {m: attainment.total(m, payments) for m in plans}
        if rules.tiers is not None and rules.tiers.method == TierMethod.WHOLE
        else {}
    )
    lines: dict[str, list[Line]] = defaultdict(list)
    marginal = rules.tiers is not None and rules.tiers.method == TierMethod.MARGINAL
    for payment in payments:
        span = attainment.advance(payment) if marginal else None
        for line in (
            *_payment_lines(payment, rules, whole_at.get(payment.manager_id, Decimal(0)), span),
            *_team_lines(payment, rules),
        ):
            lines[line.employee_id].append(line)
    kept = {employee_id: Decimal(1) for employee_id in lines}
    if rules.cap is not None:
        for employee_id, earned in lines.items():
            cap = rules.cap
            total = sum(
                (
                    facts.rates.convert(line.amount, line.currency, cap.currency, month.last_day)
                    for line in earned
                ),
                Decimal(0),
            )
            if total > cap.amount:
                kept[employee_id] = cap.amount / total
                earned.append(
                    Line(
                        employee_id=employee_id,
                        kind="cap",
                        rule=f"cap {cap.amount} {cap.currency} a month",
                        percent=None,
                        base=kopecks(total),
                        currency=cap.currency,
                        amount=kopecks(cap.amount - total),
                        on=month.last_day,
                    )
                )
    return Earnings(dict(lines), kept)


class MonthlyBonuses:
    """Each month's lines under the rules for it, each month computed once."""

    def __init__(self, facts: BonusFacts, rules_for: RulesFor) -> None:
        self.facts = facts
        self.rules_for = rules_for
        self._earnings: dict[Period, Earnings] = {}

    def earnings(self, month: Period) -> Earnings:
        if month not in self._earnings:
            self._earnings[month] = earnings(self.facts, month, self.rules_for(month).rule_set)
        return self._earnings[month]

    def lines(self, month: Period) -> dict[str, list[Line]]:
        lines = {employee_id: list(earned) for employee_id, earned in self.earnings(month).lines.items()}
        if self.rules_for(month).rule_set.clawback:
            for line in self._clawbacks(month):
                lines.setdefault(line.employee_id, []).append(line)
        return lines

    def _clawbacks(self, month: Period) -> list[Line]:
        clawed = []
        for refund in self.facts.refunds_in.get(month, []):
            payment = self.facts.payments.get(refund.payment_id)
            if payment is None:
                continue
            earned = self.earnings(payment.month)
            for line in earned.of_payment.get(payment.payment_id, []):
                back = line.amount * refund.amount / payment.amount * earned.kept[line.employee_id]
                rule = f"refund of {refund.amount} {payment.currency} paid {payment.received_on}"
                clawed.append(
                    _line_of(
                        payment,
                        line.employee_id,
                        "clawback",
                        rule,
                        line.percent,
                        refund.amount,
                        -kopecks(back),
                        refund.refunded_on,
                    )
                )
        return clawed
