"""Plan against actual (FEATURES E4, F1), read from the plans, actuals and forecast views as
they stand, so it moves with every deal won, order placed and payment received.

For a period and a target (an employee, a team, a department, the company): each plan in
force with its figure, the actual it is measured by, attainment and gap, and the weighted
forecast of open deals expected to close by the period's end; beside them the actuals by
source — won, ordered, received — each labelled. Money is summed in one currency (the
plan's, or the one asked for) at the rates recorded on the period's last day, or today for
a period still running; a currency with no rate is refused, naming it."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from aggregates.errors import AccessDenied, InvalidValue
from aggregates.period import Period
from aggregates.sales_plan import COMPANY, PlanBasis, PlanMeasure, PlanTarget
from aggregates.scope import Actor, reach_of
from projections.database import Params, ViewCursor
from projections.financial_position import converted_total
from projections.forecast import DEALS as FORECAST_DEALS
from projections.sales_actuals import ACTUALS, STAFF, Source
from projections.sales_plans import plans_for

SOURCES = tuple(source.value for source in Source)
_MEASURED_BY = {
    PlanMeasure.WON_AMOUNT: Source.WON,
    PlanMeasure.WON_DEALS: Source.WON,
    PlanMeasure.RECEIVED_AMOUNT: Source.RECEIVED,
}


@dataclass(frozen=True)
class Target:
    kind: PlanTarget
    id: str

    @property
    def label(self) -> str:
        return self.kind.value if self.kind == PlanTarget.COMPANY else f"{self.kind.value} {self.id}"


@dataclass(frozen=True)
class Product:
    """Only sales of a catalogue category or item; neither: all sales."""

    category: str | None = None
    item_id: str | None = None


def target_of(kind: PlanTarget, target_id: str | None) -> Target:
    if kind == PlanTarget.COMPANY:
        return Target(kind, COMPANY)
    if not target_id:
        raise InvalidValue("target_id", f"name the {kind.value}", location="query")
    return Target(kind, target_id)


def members(cursor: ViewCursor, target: Target) -> list[str] | None:
    """The employees whose sales count for a target; None: everyone's (the company)."""
    if target.kind == PlanTarget.COMPANY:
        return None
    if target.kind == PlanTarget.EMPLOYEE:
        return [target.id]
    column = "team" if target.kind == PlanTarget.TEAM else "department"
    return [
        row[0] for row in cursor.execute(f"SELECT id FROM {STAFF.name} WHERE {column} = $1", (target.id,))
    ]


def check_may_read_target(cursor: ViewCursor, actor: Actor, target: Target) -> None:
    """Managers read their own and their team's figures, heads their department's, and auditors,
    analysts and administrators everyone's."""
    reach = reach_of(actor)
    if reach.everyone:
        return
    if reach.department is not None and target.kind != PlanTarget.COMPANY:
        if target.kind == PlanTarget.DEPARTMENT:
            allowed = target.id == reach.department
        else:
            column = "id" if target.kind == PlanTarget.EMPLOYEE else "team"
            allowed = bool(
                cursor.execute(
                    f"SELECT 1 FROM {STAFF.name} WHERE {column} = $1 AND department = $2",
                    (target.id, reach.department),
                )
            )
    else:
        allowed = (target.kind == PlanTarget.EMPLOYEE and target.id == reach.employee_id) or (
            target.kind == PlanTarget.TEAM and target.id == reach.team
        )
    if not allowed:
        raise AccessDenied(f"the figures of {target.label} lie outside your scope")


def _managers(cursor: ViewCursor, p: Params, column: str, employees: list[str] | None) -> str:
    return "1 = 1" if employees is None else cursor.dialect.any_of(column, p(employees))


def _product_condition(p: Params, product: Product) -> str:
    if product.item_id is not None:
        return f"item_id = {p(product.item_id)}"
    if product.category is not None:
        return f"item_id <> '' AND category = {p(product.category)}"
    return "item_id = ''"


def actuals(
    cursor: ViewCursor, period: Period, employees: list[str] | None, product: Product
) -> dict[str, dict[str, dict[str, Decimal]]]:
    """Per source, per currency: the amount and the number of deals (or orders, or payments)."""
    p = Params(period.key)
    money = cursor.dialect.total("amount")
    rows = cursor.execute(
        f"SELECT source, currency, {money}, SUM(deals) FROM {ACTUALS.name} WHERE period = $1 "
        f"AND {_managers(cursor, p, 'manager_id', employees)} AND {_product_condition(p, product)} "
        "GROUP BY source, currency",
        p.values,
    )
    found: dict[str, dict[str, dict[str, Decimal]]] = {source: {} for source in SOURCES}
    for source, currency, amount, count in rows:
        found[source][currency] = {"amount": Decimal(amount), "count": Decimal(count)}
    return found


def weighted_open(
    cursor: ViewCursor, period: Period, today: date, employees: list[str] | None
) -> dict[str, dict[str, Decimal]]:
    """Open deals expected to close from today to the period's end: per currency the weighted
    amount and the weighted number of deals (the sum of their chances)."""
    start = max(today, period.first_day)
    if start > period.last_day:
        return {}
    p = Params(start, period.last_day)
    total = cursor.dialect.total
    rows = cursor.execute(
        f"SELECT currency, {total('weighted')}, {total('probability')}, COUNT(*) FROM {FORECAST_DEALS.name} "
        "WHERE status = 'open' AND expected_close_on >= $1 AND expected_close_on <= $2 "
        f"AND {_managers(cursor, p, 'manager_id', employees)} GROUP BY currency",
        p.values,
    )
    return {
        currency: {"amount": Decimal(weighted), "count": Decimal(chances) / 100, "deals": Decimal(deals)}
        for currency, weighted, chances, deals in rows
    }


def rate_day(period: Period, today: date) -> date:
    return min(today, period.last_day)


def _in_currency(
    cursor: ViewCursor, by_currency: dict[str, dict[str, Decimal]], currency: str, on: date
) -> tuple[Decimal, list[dict[str, Any]]]:
    position = {code: {"amount": figures["amount"]} for code, figures in by_currency.items()}
    totals, rates = converted_total(cursor, position, currency, on, ("amount",))
    return totals["amount"], rates


def planned_figure(
    cursor: ViewCursor, plan: dict[str, Any], employees: list[str] | None
) -> dict[str, Decimal]:
    """A plan's amount per currency: its own, or the sum of its members' employee plans."""
    if plan["basis"] == PlanBasis.DIRECT.value:
        return {plan["currency"] or "": plan["amount"]}
    member_ids = (
        employees
        if employees is not None
        else [row[0] for row in cursor.execute(f"SELECT id FROM {STAFF.name}")]
    )
    summed: dict[str, Decimal] = defaultdict(Decimal)
    for member in plans_for(cursor, plan["period"], PlanTarget.EMPLOYEE.value, member_ids):
        if (member["measure"], member["category"], member["item_id"]) == (
            plan["measure"],
            plan["category"],
            plan["item_id"],
        ):
            summed[member["currency"] or ""] += member["amount"] or Decimal(0)
    return dict(summed)


def _attainment(planned: Decimal, actual: Decimal) -> Decimal | None:
    return None if planned == 0 else (actual * 100 / planned).quantize(Decimal("0.01"))


def plan_vs_actual(
    cursor: ViewCursor,
    actor: Actor,
    period: Period,
    target: Target,
    today: date,
    currency: str | None = None,
) -> dict[str, Any]:
    check_may_read_target(cursor, actor, target)
    employees = members(cursor, target)
    on = rate_day(period, today)
    rates: dict[tuple[str, Any], dict[str, Any]] = {}
    ahead_all = weighted_open(cursor, period, today, employees)
    lines = []
    for plan in plans_for(cursor, period.key, target.kind.value, [target.id]):
        measure = PlanMeasure(plan["measure"])
        product = Product(plan["category"], plan["item_id"])
        sold = actuals(cursor, period, employees, product)[_MEASURED_BY[measure].value]
        ahead = ahead_all if product == Product() else {}
        planned_by_currency = planned_figure(cursor, plan, employees)
        if measure.in_money:
            shown_in = currency or plan["currency"]
            planned, used = _in_currency(
                cursor, {c: {"amount": a} for c, a in planned_by_currency.items()}, shown_in, on
            )
            actual, used_actual = _in_currency(cursor, sold, shown_in, on)
            forecast, used_ahead = _in_currency(cursor, ahead, shown_in, on)
            for rate in (*used, *used_actual, *used_ahead):
                rates[(rate["currency"], rate["on"])] = rate
        else:
            shown_in = None
            planned = sum(planned_by_currency.values(), Decimal(0))
            actual = sum((figures["count"] for figures in sold.values()), Decimal(0))
            forecast = sum((figures["count"] for figures in ahead.values()), Decimal(0)).quantize(
                Decimal("0.01")
            )
        lines.append(
            {
                "plan_id": plan["id"],
                "measure": measure.value,
                "basis": plan["basis"],
                "category": plan["category"],
                "item_id": plan["item_id"],
                "currency": shown_in,
                "plan": planned,
                "actual": actual,
                "actual_source": _MEASURED_BY[measure].value,
                "attainment_percent": _attainment(planned, actual),
                "gap": planned - actual,
                "weighted_forecast": forecast if product == Product() else None,
                "expected_at_period_end": actual + forecast if product == Product() else None,
            }
        )
    by_source = actuals(cursor, period, employees, Product())
    return {
        "period": period.key,
        "first_day": period.first_day,
        "last_day": period.last_day,
        "target_kind": target.kind.value,
        "target_id": target.id,
        "plans": lines,
        "actuals": [
            {"source": source, "currency": code, "amount": figures["amount"], "count": int(figures["count"])}
            for source in SOURCES
            for code, figures in sorted(by_source[source].items())
        ],
        "weighted_open": [
            {"currency": code, "amount": figures["amount"], "deals": int(figures["deals"])}
            for code, figures in sorted(ahead_all.items())
        ],
        "rates": sorted(rates.values(), key=lambda rate: rate["currency"]),
    }
