"""Planned and actual sales by product over the last periods (FEATURES E4, F1): per catalogue
item, for each of the periods ending with the one asked for, what the target planned for the
item and what deals won of it — money per currency, quantity and deals — so the trend shows."""

from collections import defaultdict
from decimal import Decimal
from typing import Any

from aggregates.period import Period
from aggregates.scope import Actor
from projections.catalogue import ITEMS
from projections.database import Params, ViewCursor
from projections.plan_vs_actual import Target, check_may_read_target, members
from projections.sales_actuals import ACTUALS, Source
from projections.sales_plans import PLANS


def product_trend(
    cursor: ViewCursor, actor: Actor, period: Period, target: Target, count: int = 12
) -> list[dict[str, Any]]:
    check_may_read_target(cursor, actor, target)
    employees = members(cursor, target)
    periods = [p.key for p in period.trailing(count)]
    p = Params(Source.WON.value)
    within = cursor.dialect.any_of("a.period", p(periods))
    managers = "1 = 1" if employees is None else cursor.dialect.any_of("a.manager_id", p(employees))
    sold = cursor.execute(
        f"SELECT a.item_id, a.period, a.currency, {cursor.dialect.total('a.amount')}, "
        f"{cursor.dialect.total('a.quantity')}, SUM(a.deals) FROM {ACTUALS.name} a "
        f"WHERE a.source = $1 AND a.item_id <> '' AND {within} AND {managers} GROUP BY 1, 2, 3",
        p.values,
    )
    q = Params(target.kind.value, target.id)
    planned = cursor.execute(
        f"SELECT item_id, period, measure, amount, currency FROM {PLANS.name} WHERE target_kind = $1 "
        f"AND target_id = $2 AND item_id IS NOT NULL AND withdrawn = 0 "
        f"AND {cursor.dialect.any_of('period', q(periods))}",
        q.values,
    )
    trend: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)

    def cell(item_id: str, key: str) -> dict[str, Any]:
        return trend[item_id].setdefault(
            key, {"period": key, "plans": [], "won": [], "quantity": Decimal(0), "deals": 0}
        )

    for item_id, key, currency, amount, quantity, deals in sold:
        entry = cell(item_id, key)
        entry["won"].append({"currency": currency, "amount": Decimal(amount)})
        entry["quantity"] += Decimal(quantity)
        entry["deals"] += int(deals)
    for item_id, key, measure, amount, currency in planned:
        cell(item_id, key)["plans"].append(
            {"measure": measure, "amount": None if amount is None else Decimal(amount), "currency": currency}
        )
    names = _names(cursor, sorted(trend))
    return [
        {
            "item_id": item_id,
            "name": names.get(item_id, ("", None))[0],
            "category": names.get(item_id, ("", None))[1],
            "periods": [cell(item_id, key) for key in periods],
        }
        for item_id in sorted(trend, key=lambda item: names.get(item, ("", ""))[0] or item)
    ]


def _names(cursor: ViewCursor, item_ids: list[str]) -> dict[str, tuple[str, str | None]]:
    if not item_ids:
        return {}
    rows = cursor.execute(
        f"SELECT id, name, category FROM {ITEMS.name} WHERE {cursor.dialect.any_of('id', '$1')}", (item_ids,)
    )
    return {item_id: (name, category) for item_id, name, category in rows}
