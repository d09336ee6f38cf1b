"""Reading the forecast: deals weighted by their chance and bucketed by the period they expect
to close in, per employee, team, the company or product; the managers' submissions with a
head's adjustment on top; and how close each manager's submissions came to what was won and
received once the period closed."""

from collections import defaultdict
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from aggregates.forecast import ForecastCategory
from aggregates.period import Period, parse_period
from aggregates.scope import Actor
from projections.database import Params, ViewCursor
from projections.forecast import ADJUSTMENT, DEALS, OWNER, STAFF, SUBMISSIONS
from projections.sales_actuals import ACTUALS, Source
from projections.scope import in_scope
from projections.values import from_json

_CENT = Decimal("0.01")
COMMITTED = (ForecastCategory.COMMIT.value, ForecastCategory.CLOSED.value)
"""What a manager commits to: the deals they call certain, and those already won."""


class Grouping(StrEnum):
    EMPLOYEE = "employee"
    TEAM = "team"
    COMPANY = "company"


def _closing_in(p: Params, actor: Actor, period: Period) -> str:
    """Deals of the reader's scope not lost that close (or closed) in the period."""
    return (
        f"d.status <> 'lost' AND d.expected_close_on >= {p(period.first_day)} "
        f"AND d.expected_close_on <= {p(period.last_day)} "
        f"AND {in_scope(actor, 'd.manager_id', STAFF.name, p)}"
    )


def weighted_forecast(cursor: ViewCursor, actor: Actor, period: Period, by: Grouping) -> list[dict[str, Any]]:
    """Deals not lost that close (or closed) in the period, within the reader's scope, per
    group, currency and forecast category: how many, their amount and weighted amount."""
    group = {Grouping.EMPLOYEE: "d.manager_id", Grouping.TEAM: "s.team", Grouping.COMPANY: "''"}[by]
    p = Params()
    total = cursor.dialect.total
    rows = cursor.execute(
        f"SELECT {group}, d.currency, d.category, COUNT(*), {total('d.amount')}, {total('d.weighted')} "
        f"FROM {DEALS.name} d LEFT JOIN {STAFF.name} s ON s.id = d.manager_id "
        f"WHERE {_closing_in(p, actor, period)} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
        p.values,
    )
    return [
        {
            "group": key or None,
            "currency": currency,
            "category": category,
            "deals": int(deals),
            "amount": Decimal(amount),
            "weighted": Decimal(weighted),
        }
        for key, currency, category, deals, amount, weighted in rows
    ]


def product_forecast(cursor: ViewCursor, actor: Actor, period: Period) -> list[dict[str, Any]]:
    """Per catalogue item of the deals' lines: quantity and value, and both weighted."""
    p = Params()
    rows = cursor.execute(
        f"SELECT d.lines, d.probability, d.status FROM {DEALS.name} d WHERE {_closing_in(p, actor, period)}",
        p.values,
    )
    products: dict[tuple[str, str, str], dict[str, Any]] = {}
    for lines, probability, status in rows:
        chance = Decimal(100) if status == "won" else Decimal(probability)
        for line in from_json(lines):
            if line["item_id"] is None:
                continue
            key = (line["item_id"], line["currency"], line["name"])
            product = products.setdefault(
                key,
                {
                    "item_id": line["item_id"],
                    "name": line["name"],
                    "currency": line["currency"],
                    "deals": 0,
                    "quantity": Decimal(0),
                    "amount": Decimal(0),
                    "weighted_quantity": Decimal(0),
                    "weighted": Decimal(0),
                },
            )
            quantity, value = Decimal(line["quantity"]), Decimal(line["value"])
            product["deals"] += 1
            product["quantity"] += quantity
            product["amount"] += value
            product["weighted_quantity"] += quantity * chance / 100
            product["weighted"] += value * chance / 100
    for product in products.values():
        product["weighted"] = product["weighted"].quantize(_CENT)
        product["weighted_quantity"] = product["weighted_quantity"].quantize(Decimal("0.001"))
    return [products[key] for key in sorted(products)]


def submissions(cursor: ViewCursor, actor: Actor, period: Period) -> list[dict[str, Any]]:
    """Each manager's forecast for the period: their own figures, a head's adjustment if any,
    and the figures in force (the adjustment where there is one)."""
    p = Params(period.key)
    rows = cursor.execute(
        "SELECT f.employee_id, s.full_name, f.layer, f.amounts, f.currency, f.note, f.actor, "
        f"f.submitted_at, f.revisions FROM {SUBMISSIONS.name} f "
        f"LEFT JOIN {STAFF.name} s ON s.id = f.employee_id "
        f"WHERE f.period = $1 AND {in_scope(actor, 'f.employee_id', STAFF.name, p)} "
        "ORDER BY f.employee_id, f.layer",
        p.values,
    )
    found: dict[str, dict[str, Any]] = {}
    for employee_id, full_name, layer, amounts, currency, note, by, at, revisions in rows:
        entry = found.setdefault(
            employee_id,
            {
                "employee_id": employee_id,
                "full_name": full_name,
                "period": period.key,
                OWNER: None,
                ADJUSTMENT: None,
            },
        )
        entry[layer] = {
            "amounts": {category: Decimal(amount) for category, amount in from_json(amounts).items()},
            "currency": currency,
            "note": note,
            "by": by,
            "at": cursor.dialect.moment_of(at),
            "revisions": int(revisions),
        }
    for entry in found.values():
        entry["in_force"] = entry[ADJUSTMENT] or entry[OWNER]
    return list(found.values())


def accuracy(
    cursor: ViewCursor, actor: Actor, today: date, employee_id: str | None = None
) -> list[dict[str, Any]]:
    """For every period that has closed, each manager's committed forecast (commit and closed,
    as they last submitted it, and as adjusted) against what they won and received in it, in
    the forecast's currency."""
    p = Params()
    conditions = [f"f.layer = {p(OWNER)}", in_scope(actor, "f.employee_id", STAFF.name, p)]
    if employee_id is not None:
        conditions.append(f"f.employee_id = {p(employee_id)}")
    rows = cursor.execute(
        "SELECT f.employee_id, f.period, f.amounts, f.currency, a.amounts, a.currency "
        f"FROM {SUBMISSIONS.name} f LEFT JOIN {SUBMISSIONS.name} a "
        "ON a.employee_id = f.employee_id AND a.period = f.period "
        f"AND a.layer = {p(ADJUSTMENT)} WHERE {' AND '.join(conditions)} ORDER BY f.period, f.employee_id",
        p.values,
    )
    closed = [row for row in rows if parse_period(row[1]).last_day < today]
    sold = _sold(cursor, {(row[0], row[1]) for row in closed})
    report = []
    for employee_id_, period, amounts, currency, adjusted, adjusted_currency in closed:
        committed = _committed(amounts)
        won = sold[(employee_id_, period, Source.WON.value)].get(currency, Decimal(0))
        received = sold[(employee_id_, period, Source.RECEIVED.value)].get(currency, Decimal(0))
        report.append(
            {
                "employee_id": employee_id_,
                "period": period,
                "currency": currency,
                "committed": committed,
                "adjusted_committed": None
                if adjusted is None or adjusted_currency != currency
                else _committed(adjusted),
                "won": won,
                "received": received,
                "error": won - committed,
                "accuracy_percent": None if committed == 0 else (won * 100 / committed).quantize(_CENT),
            }
        )
    return report


def _committed(amounts: str) -> Decimal:
    figures = from_json(amounts)
    return sum((Decimal(figures.get(category, "0")) for category in COMMITTED), Decimal(0))


def _sold(cursor: ViewCursor, wanted: set[tuple[str, str]]) -> dict[tuple[str, str, str], dict[str, Decimal]]:
    sold: dict[tuple[str, str, str], dict[str, Decimal]] = defaultdict(dict)
    if not wanted:
        return sold
    p = Params()
    employees = p(sorted({employee for employee, _period in wanted}))
    periods = p(sorted({period for _employee, period in wanted}))
    rows = cursor.execute(
        f"SELECT manager_id, period, source, currency, amount FROM {ACTUALS.name} WHERE item_id = '' "
        f"AND {cursor.dialect.any_of('manager_id', employees)} "
        f"AND {cursor.dialect.any_of('period', periods)}",
        p.values,
    )
    for manager_id, period, source, currency, amount in rows:
        sold[(manager_id, period, source)][currency] = Decimal(amount)
    return sold
