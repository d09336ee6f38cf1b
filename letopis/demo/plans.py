"""The sales plans and forecasts of the demo company: the head of sales, named by the
administrator to set plans, plans every manager's month, every team's month as the sum of its
members', every team's quarter of money received and the company's year of deals won, and now
and then corrects a plan; managers submit their forecast early in each month, revise some,
and the head adjusts a few."""

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from decimal import Decimal

from eventsourcing.domain import Aggregate

from aggregates.employee import Role
from aggregates.forecast import ForecastSubmission
from aggregates.period import Grain, Period, period_of
from aggregates.planning_policy import PlanningPolicy
from aggregates.sales_plan import PlanBasis, PlanMeasure, PlanTarget, SalesPlan
from letopis.demo.chronicle import HISTORY, MOSCOW, Chronicle, Staff
from letopis.demo.company import TEAMS

# A deal of the demo is worth about this much, and about this share of deals is won.
TYPICAL_DEAL = Decimal(500_000)
WON_SHARE = Decimal("0.3")
ROUND_TO = Decimal(10_000)


def planned_months(chronicle: Chronicle) -> list[Period]:
    """Every month of the history, and the next one, already planned."""
    first = period_of(chronicle.start.astimezone(MOSCOW).date(), Grain.MONTH)
    last = period_of(chronicle.now.astimezone(MOSCOW).date(), Grain.MONTH).shift(1)
    count = (last.year - first.year) * 12 + last.index - first.index + 1
    return [first.shift(step) for step in range(count)]


def _started(chronicle: Chronicle, months: list[Period]) -> list[Period]:
    return [month for month in months if _moment(month, 2) <= chronicle.now]


def plan_aggregate_count(chronicle: Chronicle) -> int:
    months = planned_months(chronicle)
    quarters = {period_of(month.first_day, Grain.QUARTER) for month in months}
    years = {period_of(month.first_day, Grain.YEAR) for month in months}
    managers = sum(TEAMS.values())
    return (
        1
        + len(months) * (managers + len(TEAMS))
        + len(quarters) * len(TEAMS)
        + len(years)
        + len(_started(chronicle, months)) * managers
    )


def _moment(period: Period, day: int) -> datetime:
    """Ten in the morning in Moscow, ``day`` days into the period (negative: before it)."""
    return datetime.combine(period.first_day + timedelta(days=day), time(10), MOSCOW)


def _rounded(amount: Decimal) -> Decimal:
    return max((amount / ROUND_TO).quantize(Decimal(1)) * ROUND_TO, ROUND_TO)


def plans(chronicle: Chronicle) -> Iterator[list[Aggregate]]:
    rng = chronicle.rng
    admin = next(s for s in chronicle.staff if s.role == Role.ADMIN)
    head = next(s for s in chronicle.staff if s.role == Role.HEAD_OF_SALES)
    months = planned_months(chronicle)
    yield [
        PlanningPolicy.name_setters(
            chronicle.stamp(admin.id, chronicle.start - timedelta(days=25)),
            [Role.HEAD_OF_SALES],
            "Планы продаж ставит руководитель отдела продаж",
        )
    ]
    per_manager_month = Decimal(chronicle.size.deals) / (len(chronicle.managers) * Decimal(HISTORY.days) / 30)
    base = per_manager_month * WON_SHARE * TYPICAL_DEAL
    monthly: dict[tuple[str, Period], Decimal] = {}
    for month in months:
        # The next month's plans are set by now, however early that is.
        set_at = min(_moment(month, -5), chronicle.now)
        for manager in chronicle.managers:
            amount = _rounded(base * Decimal(str(round(rng.uniform(0.8, 1.2), 2))))
            monthly[(manager.id, month)] = amount
            plan = _plan(chronicle, head, set_at, month, PlanTarget.EMPLOYEE, manager.id, amount)
            corrected_at = _moment(month, 12)
            if rng.random() < 0.1 and corrected_at <= chronicle.now:
                plan.change(
                    chronicle.stamp(head.id, corrected_at),
                    basis=PlanBasis.DIRECT,
                    amount=amount + _rounded(amount / 10),
                    currency="RUB",
                    reason="Корректировка: крупный клиент перенёс отгрузку",
                )
            yield [plan]
        for team in TEAMS:
            yield [_plan(chronicle, head, set_at, month, PlanTarget.TEAM, team, None, PlanBasis.MEMBERS)]
        if month.index % 3 == 1 or month == months[0]:
            yield from _quarter_plans(chronicle, head, set_at, month, monthly, base)
        if month.index == 1 or month == months[0]:
            year = period_of(month.first_day, Grain.YEAR)
            deals = (
                _rounded(per_manager_month * WON_SHARE * len(chronicle.managers) * 12 * ROUND_TO) / ROUND_TO
            )
            yield [
                SalesPlan.set(
                    chronicle.stamp(head.id, set_at),
                    period=year,
                    target_kind=PlanTarget.COMPANY,
                    target_id="",
                    measure=PlanMeasure.WON_DEALS,
                    basis=PlanBasis.DIRECT,
                    amount=deals,
                    currency=None,
                    reason=f"Годовой план компании на {year.key}",
                )
            ]
    for month in _started(chronicle, months):
        for manager in chronicle.managers:
            yield [_forecast(chronicle, head, manager, month, monthly[(manager.id, month)])]


def _plan(
    chronicle: Chronicle,
    head: Staff,
    set_at: datetime,
    period: Period,
    kind: PlanTarget,
    target_id: str,
    amount: Decimal | None,
    basis: PlanBasis = PlanBasis.DIRECT,
    measure: PlanMeasure = PlanMeasure.WON_AMOUNT,
) -> SalesPlan:
    return SalesPlan.set(
        chronicle.stamp(head.id, set_at),
        period=period,
        target_kind=kind,
        target_id=target_id,
        measure=measure,
        basis=basis,
        amount=amount,
        currency="RUB",
        reason=f"План на {period.key}",
    )


def _quarter_plans(
    chronicle: Chronicle,
    head: Staff,
    set_at: datetime,
    month: Period,
    monthly: dict[tuple[str, Period], Decimal],
    base: Decimal,
) -> Iterator[list[Aggregate]]:
    quarter = period_of(month.first_day, Grain.QUARTER)
    for team in TEAMS:
        members = [m for m in chronicle.managers if m.team == team]
        expected = sum((monthly.get((m.id, month), base) for m in members), Decimal(0)) * 3
        yield [
            _plan(
                chronicle,
                head,
                set_at,
                quarter,
                PlanTarget.TEAM,
                team,
                _rounded(expected * Decimal("0.8")),
                measure=PlanMeasure.RECEIVED_AMOUNT,
            )
        ]


def _forecast(
    chronicle: Chronicle, head: Staff, manager: Staff, month: Period, plan: Decimal
) -> ForecastSubmission:
    rng = chronicle.rng

    def share(low: float, high: float) -> Decimal:
        return _rounded(plan * Decimal(str(round(rng.uniform(low, high), 2))))

    submission = ForecastSubmission.submit(
        chronicle.stamp(manager.id, _moment(month, 2)),
        employee_id=manager.id,
        period=month,
        amounts={"commit": share(0.5, 0.9), "best_case": share(0.2, 0.5), "pipeline": share(0.5, 1.5)},
        currency="RUB",
        note="",
    )
    revised_at = _moment(month, 14)
    if rng.random() < 0.3 and revised_at <= chronicle.now:
        submission.revise(
            chronicle.stamp(manager.id, revised_at),
            month,
            {"commit": share(0.4, 1.0), "best_case": share(0.2, 0.5), "pipeline": share(0.3, 1.0)},
            "RUB",
            "Пересмотр после встречи с клиентом",
        )
    adjusted_at = _moment(month, 16)
    if rng.random() < 0.15 and adjusted_at <= chronicle.now:
        submission.adjust(
            chronicle.stamp(head.id, adjusted_at),
            month,
            {"commit": share(0.4, 0.7)},
            "RUB",
            "Оценка руководителя: часть сделок уйдёт в следующий месяц",
        )
    return submission
