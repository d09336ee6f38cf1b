"""The demo company's bonus policy: three rule versions, for it changed its policy twice, and
the statements of past months approved.

- From the first month of the history: 3 % of money received, clawed back on refunds.
- Eight months later: 2.5 %, more for sea freight, a team share for the north-west team, and
  a cap of 400,000 roubles a month.
- Sixteen months in: tiers by attainment of each manager's monthly plan of money received
  (which the head of sales sets from then on), paid per bracket, with the cap kept.

The approvals are recorded last, as of the demo's today, at the position the history ends."""

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from eventsourcing.domain import Aggregate

from aggregates.bonus_approval import BonusApproval
from aggregates.bonus_rule_book import BonusRuleBook
from aggregates.employee import Role
from aggregates.period import Grain, Period, period_of
from aggregates.sales_plan import PlanBasis, PlanMeasure, PlanTarget, SalesPlan
from letopis.demo.chronicle import HISTORY, MOSCOW, Chronicle
from letopis.demo.company import NORTH_WEST_TEAM, TEAMS

CAP = {"amount": "600000.00", "currency": "RUB"}
TIERED_AFTER = 16
"""Months from the start of the history to the tiered version."""
TYPICAL_PAYMENT = Decimal(1_100_000)
"""A demo contract's orders are paid about this much at a time."""


def _split(member_ids: list[str]) -> dict[str, str]:
    """Equal shares to the kopeck of a percent, the first member taking what rounding leaves."""
    equal = (Decimal(100) / len(member_ids)).quantize(Decimal("0.01"))
    shares = dict.fromkeys(member_ids, equal)
    shares[member_ids[0]] += Decimal(100) - equal * len(member_ids)
    return {member_id: str(share) for member_id, share in shares.items()}


def _first_month(chronicle: Chronicle) -> Period:
    return period_of(chronicle.start.date(), Grain.MONTH)


def rule_versions(chronicle: Chronicle) -> list[tuple[Period, dict[str, Any], str]]:
    first = _first_month(chronicle)
    north_west = [m.id for m in chronicle.managers if m.team == NORTH_WEST_TEAM]
    return [
        (first, {"percent": "3", "clawback": True}, "Премия менеджеров: 3 % от поступивших оплат"),
        (
            first.shift(8),
            {
                "percent": "2.5",
                "category_percents": {"Морские перевозки": "3.5"},
                "team_shares": [{"name": NORTH_WEST_TEAM, "percent": "0.5", "members": _split(north_west)}],
                "cap": CAP,
            },
            "Морские перевозки приоритетны; командная премия Северо-Запада; потолок премии",
        ),
        (
            first.shift(TIERED_AFTER),
            {
                "tiers": {
                    "method": "marginal",
                    "tiers": [
                        {"from_attainment": "0", "percent": "2"},
                        {"from_attainment": "80", "percent": "3"},
                        {"from_attainment": "100", "percent": "4.5"},
                    ],
                },
                "cap": CAP,
            },
            "Премия по выполнению плана, по ступеням",
        ),
    ]


def tiered_months(chronicle: Chronicle) -> list[Period]:
    """The months under the tiered version, up to the current one: each manager has a plan
    of money received for each."""
    first = _first_month(chronicle).shift(TIERED_AFTER)
    now = period_of(chronicle.now.astimezone(MOSCOW).date(), Grain.MONTH)
    return [first.shift(step) for step in range((now.year - first.year) * 12 + now.index - first.index + 1)]


def bonus_aggregate_count(chronicle: Chronicle) -> int:
    return 1 + len(tiered_months(chronicle)) * sum(TEAMS.values())


def bonus_rules(chronicle: Chronicle) -> Iterator[list[Aggregate]]:
    """The rule book, each version adopted ten days before it takes effect, and the plans of
    money received the tiers measure attainment against."""
    admin = next(s for s in chronicle.staff if s.role == Role.ADMIN)
    head = next(s for s in chronicle.staff if s.role == Role.HEAD_OF_SALES)
    book: BonusRuleBook | None = None
    for effective, rules, reason in rule_versions(chronicle):
        stamp = chronicle.stamp(admin.id, _before(effective, 10))
        book = book or BonusRuleBook.open(stamp)
        book.adopt(
            stamp, effective_from=effective.first_day, effective_until=None, rules=rules, reason=reason
        )
    if book is not None:
        yield [book]
    months = Decimal(HISTORY.days) / 30
    per_manager = Decimal(chronicle.size.payments) / (len(chronicle.managers) * months) * TYPICAL_PAYMENT
    for month in tiered_months(chronicle):
        for manager in chronicle.managers:
            amount = (per_manager * Decimal(str(round(chronicle.rng.uniform(0.8, 1.2), 2)))).quantize(
                Decimal(10_000)
            )
            yield [
                SalesPlan.set(
                    chronicle.stamp(head.id, min(_before(month, 5), chronicle.now)),
                    period=month,
                    target_kind=PlanTarget.EMPLOYEE,
                    target_id=manager.id,
                    measure=PlanMeasure.RECEIVED_AMOUNT,
                    basis=PlanBasis.DIRECT,
                    amount=amount,
                    currency="RUB",
                    reason="План поступлений для премии",
                )
            ]


def _before(month: Period, days: int) -> datetime:
    return datetime.combine(month.first_day, time(10), MOSCOW) - timedelta(days=days)


def approvals(chronicle: Chronicle, position: int) -> list[BonusApproval]:
    """Every month of the history that is over, but the last, approved today as the log
    stands at ``position``, after the rule book: the last month awaits its approval."""
    admin = next(s for s in chronicle.staff if s.role == Role.ADMIN)
    starts = [effective for effective, _, _ in rule_versions(chronicle)]
    month = period_of(chronicle.start.date(), Grain.MONTH).shift(1)
    last = period_of(chronicle.now.date(), Grain.MONTH).shift(-2)
    approved = []
    while month <= last:
        approved.append(
            BonusApproval.approve(
                chronicle.stamp(admin.id, chronicle.now),
                period=month,
                rules_version=sum(1 for start in starts if start <= month),
                adopted_at=position,
                position=position,
                already_approved=False,
                note="Утверждено бухгалтерией",
            )
        )
        month = month.shift(1)
    return approved
