"""Sales plans as they stand (FEATURES E4): one row per plan with its figure now, whether it is
withdrawn, and who last set it and why. The earlier figures are the plan's own events.

Scope: a manager reads the plans of themselves and their team; a head of sales those of their
department's people and teams and of the department; auditors, analysts and administrators
read all, the company's plans included."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from aggregates.sales_plan import SalesPlan
from aggregates.scope import Actor, Reach, reach_of
from projections.database import Params, ViewCursor
from projections.projection import Projection, on
from projections.staff import KeepsStaff, staff_table
from projections.tables import Kind, Table
from projections.writes import Rows, Writes

PLANS = Table(
    "sales_plans",
    {
        "id": Kind.TEXT,
        "period": Kind.TEXT,
        "grain": Kind.TEXT,
        "target_kind": Kind.TEXT,
        "target_id": Kind.TEXT,
        "category": Kind.TEXT,
        "item_id": Kind.TEXT,
        "measure": Kind.TEXT,
        "basis": Kind.TEXT,
        "amount": Kind.MONEY,
        "currency": Kind.TEXT,
        "withdrawn": Kind.INTEGER,
        "reason": Kind.TEXT,
        "set_by": Kind.TEXT,
        "set_at": Kind.MOMENT,
        "version": Kind.INTEGER,
    },
    key=("id",),
    nullable=frozenset({"category", "item_id", "amount", "currency"}),
    indexes=(("period", "target_kind", "target_id"),),
)
STAFF = staff_table("sales_plans_staff")


@dataclass
class _Batch:
    plans: Rows
    staff: Rows


class SalesPlans(KeepsStaff, Projection[_Batch]):
    name = "sales_plans"
    tables = (PLANS, STAFF)

    def open(self, writes: Writes) -> _Batch:
        return _Batch(writes.rows(PLANS), writes.rows(STAFF))

    @on(SalesPlan.Set)
    def _set(self, view: _Batch, event: SalesPlan.Set, _position: int) -> None:
        view.plans.put(
            {
                "id": str(event.originator_id),
                "period": event.period,
                "grain": event.grain,
                "target_kind": event.target_kind,
                "target_id": event.target_id,
                "category": event.category,
                "item_id": event.item_id,
                "measure": event.measure,
                "withdrawn": 0,
                **_figure(event),
            }
        )

    @on(SalesPlan.Changed)
    def _changed(self, view: _Batch, event: SalesPlan.Changed, _position: int) -> None:
        view.plans.update((str(event.originator_id),), **_figure(event))

    @on(SalesPlan.Reinstated)
    def _reinstated(self, view: _Batch, event: SalesPlan.Reinstated, _position: int) -> None:
        view.plans.update((str(event.originator_id),), withdrawn=0, **_figure(event))

    @on(SalesPlan.Withdrawn)
    def _withdrawn(self, view: _Batch, event: SalesPlan.Withdrawn, _position: int) -> None:
        view.plans.update(
            (str(event.originator_id),),
            withdrawn=1,
            reason=event.reason,
            set_by=event.actor,
            set_at=event.occurred_at,
            version=event.originator_version,
        )


def _figure(event: SalesPlan.Set | SalesPlan.Changed | SalesPlan.Reinstated) -> dict[str, Any]:
    return {
        "basis": event.basis,
        "amount": event.amount,
        "currency": event.currency,
        "reason": event.reason,
        "set_by": event.actor,
        "set_at": event.occurred_at,
        "version": event.originator_version,
    }


def plan_scope(reach: Reach, p: Params, alias: str = "") -> str:
    """The plans a reach covers, as a condition on the plans table."""
    kind, target = f"{alias}target_kind", f"{alias}target_id"
    if reach.everyone:
        return "1 = 1"
    if reach.department is not None:
        name = p(reach.department)
        return (
            f"(({kind} = 'employee' AND {target} IN (SELECT id FROM {STAFF.name} WHERE department = {name}))"
            f" OR ({kind} = 'team' AND {target} IN (SELECT team FROM {STAFF.name} WHERE department = {name}"
            f" AND team IS NOT NULL)) OR ({kind} = 'department' AND {target} = {name}))"
        )
    own = f"({kind} = 'employee' AND {target} = {p(reach.employee_id)})"
    if reach.team is None:
        return own
    return f"({own} OR ({kind} = 'team' AND {target} = {p(reach.team)}))"


@dataclass(frozen=True)
class PlanFilter:
    period: str | None = None
    target_kind: str | None = None
    target_id: str | None = None
    measure: str | None = None
    include_withdrawn: bool = False


def _row_to_plan(cursor: ViewCursor, row: tuple[Any, ...]) -> dict[str, Any]:
    plan = dict(zip(PLANS.column_names, row, strict=True))
    plan["amount"] = None if plan["amount"] is None else Decimal(plan["amount"])
    plan["withdrawn"] = bool(plan["withdrawn"])
    plan["set_at"] = cursor.dialect.moment_of(plan["set_at"])
    return plan


def search_plans(
    cursor: ViewCursor, actor: Actor, criteria: PlanFilter, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    p = Params()
    conditions = [plan_scope(reach_of(actor), p)]
    for column in ("period", "target_kind", "target_id", "measure"):
        value = getattr(criteria, column)
        if value is not None:
            conditions.append(f"{column} = {p(value)}")
    if not criteria.include_withdrawn:
        conditions.append("withdrawn = 0")
    where = " AND ".join(conditions)
    (total,) = cursor.execute(f"SELECT COUNT(*) FROM {PLANS.name} WHERE {where}", p.values)[0]
    rows = cursor.execute(
        f"SELECT {', '.join(PLANS.column_names)} FROM {PLANS.name} WHERE {where} "
        f"ORDER BY period, target_kind, target_id, measure, id LIMIT {p(limit)} OFFSET {p(offset)}",
        p.values,
    )
    return [_row_to_plan(cursor, row) for row in rows], int(total)


def get_plan(cursor: ViewCursor, actor: Actor, plan_id: str) -> dict[str, Any] | None:
    """The plan, if the actor's scope covers it; another's plan is as if it did not exist."""
    p = Params(plan_id)
    rows = cursor.execute(
        f"SELECT {', '.join(PLANS.column_names)} FROM {PLANS.name} "
        f"WHERE id = $1 AND {plan_scope(reach_of(actor), p)}",
        p.values,
    )
    return _row_to_plan(cursor, rows[0]) if rows else None


def plans_for(
    cursor: ViewCursor, period: str, target_kind: str, target_ids: list[str]
) -> list[dict[str, Any]]:
    """The plans in force for a period and any of these targets (a team and its members)."""
    p = Params(period, target_kind)
    rows = cursor.execute(
        f"SELECT {', '.join(PLANS.column_names)} FROM {PLANS.name} WHERE period = $1 AND target_kind = $2 "
        f"AND {cursor.dialect.any_of('target_id', p(target_ids))} AND withdrawn = 0",
        p.values,
    )
    return [_row_to_plan(cursor, row) for row in rows]
