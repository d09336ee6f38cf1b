"""Plan against actual per funnel stage (FEATURES C3, C4): how many deals must enter and pass
each stage for the period's plan of deals won, against how many did.

The plan of wins is the target's plans of deals won for the period. What each stage needs
follows from the funnel of the twelve months before the period: of the deals that entered a
stage then, the share won and the share that went further on. Wins are split between
pipelines as they were won in those months. Actual entries and conversions are the funnel's
own tallies (``projections.deal_funnel``) for the period's months."""

from decimal import Decimal
from typing import Any

from aggregates.period import Grain, Period, period_of
from aggregates.sales_plan import PlanMeasure
from aggregates.scope import Actor
from projections.database import Params, ViewCursor
from projections.deal_funnel import CLOSED_BY_MONTH, ENTRIES_BY_MONTH, PIPELINES
from projections.plan_vs_actual import Target, check_may_read_target, members, planned_figure
from projections.sales_plans import plans_for

HISTORY_MONTHS = 12
_TENTH = Decimal("0.1")


def _tallies(
    cursor: ViewCursor, months: list[Period], employees: list[str] | None
) -> tuple[dict[tuple[str, str, int], tuple[int, int]], dict[str, int]]:
    """Per (pipeline, stage, order): entered and advanced; per pipeline: deals won."""
    p = Params()
    within = cursor.dialect.any_of("period", p([month.key for month in months]))
    managers = "1 = 1" if employees is None else cursor.dialect.any_of("manager_id", p(employees))
    entries = cursor.execute(
        f"SELECT pipeline_id, stage, stage_order, SUM(entered), SUM(advanced) FROM {ENTRIES_BY_MONTH.name} "
        f"WHERE {within} AND {managers} GROUP BY 1, 2, 3",
        p.values,
    )
    won = cursor.execute(
        f"SELECT pipeline_id, SUM(deals) FROM {CLOSED_BY_MONTH.name} WHERE status = 'won' AND {within} "
        f"AND {managers} GROUP BY 1",
        p.values,
    )
    stages = {
        (pipeline, stage, int(order)): (int(entered), int(advanced))
        for pipeline, stage, order, entered, advanced in entries
    }
    return stages, {pipeline: int(deals) for pipeline, deals in won}


def stage_plan_vs_actual(cursor: ViewCursor, actor: Actor, period: Period, target: Target) -> dict[str, Any]:
    check_may_read_target(cursor, actor, target)
    employees = members(cursor, target)
    wins_plans = [
        plan
        for plan in plans_for(cursor, period.key, target.kind.value, [target.id])
        if plan["measure"] == PlanMeasure.WON_DEALS.value
        and plan["category"] is None
        and plan["item_id"] is None
    ]
    planned_wins = sum(
        (sum(planned_figure(cursor, plan, employees).values(), Decimal(0)) for plan in wins_plans), Decimal(0)
    )
    history = period_of(period.first_day, Grain.MONTH).shift(-1).trailing(HISTORY_MONTHS)
    before, won_before = _tallies(cursor, history, employees)
    now, _won_now = _tallies(cursor, period.months(), employees)
    all_won = sum(won_before.values())
    names: dict[str, str] = dict(cursor.execute(f"SELECT id, name FROM {PIPELINES.name}"))
    rows = []
    for key in sorted(set(before) | set(now), key=lambda k: (names.get(k[0], k[0]), k[2])):
        pipeline, stage, order = key
        entered_then, advanced_then = before.get(key, (0, 0))
        entered, advanced = now.get(key, (0, 0))
        share = Decimal(won_before.get(pipeline, 0)) / all_won if all_won else Decimal(0)
        wins = planned_wins * share
        won_from_stage = Decimal(won_before.get(pipeline, 0)) / entered_then if entered_then else None
        plan_entries = (wins / won_from_stage).quantize(_TENTH) if won_from_stage else None
        passed = Decimal(advanced_then) / entered_then if entered_then else None
        rows.append(
            {
                "pipeline_id": pipeline,
                "pipeline": names.get(pipeline),
                "stage": stage,
                "order": order,
                "planned_entries": plan_entries if wins_plans else None,
                "entries": entered,
                "planned_conversions": (plan_entries * passed).quantize(_TENTH)
                if wins_plans and plan_entries is not None and passed is not None
                else None,
                "conversions": advanced,
                "historic_conversion_percent": None
                if passed is None
                else (passed * 100).quantize(Decimal("0.01")),
            }
        )
    return {
        "period": period.key,
        "target_kind": target.kind.value,
        "target_id": target.id,
        "planned_wins": planned_wins if wins_plans else None,
        "history_from": history[0].key,
        "history_until": history[-1].key,
        "stages": rows,
    }
