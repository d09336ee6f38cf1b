"""Sales plans (FEATURES E4): set, changed and withdrawn by an administrator or a role the
company names (``aggregates.planning_policy``), each with its reason."""

from typing import Any

from pydantic import Field

from aggregates.catalogue_item import CatalogueItem
from aggregates.errors import InvalidValue, NotFound, RuleViolated
from aggregates.period import parse_period
from aggregates.planning_policy import PlanningPolicy
from aggregates.role import Role
from aggregates.sales_plan import COMPANY, PlanBasis, PlanMeasure, PlanTarget, SalesPlan, plan_id
from commands.catalogue_commands import Currency
from commands.command import Change, Command
from commands.context import Context
from commands.fields import Amount, EntityId, Name, PeriodKey, Reason
from commands.handling import Handlers
from commands.scope import administration_guard, plan_setter_guard, planning_policy

handlers = Handlers()


class PlanFigure(Command):
    basis: PlanBasis = Field(
        PlanBasis.DIRECT, description="direct: the amount below; members: the sum of the members' plans"
    )
    amount: Amount | None = Field(None, description="Money to the kopeck, or a whole number of deals won")
    currency: Currency | None = Field(None, description="For plans in money; none for deals won")
    reason: Reason


class SetSalesPlan(PlanFigure):
    """Set a sales plan for a period and target (or set a withdrawn one again)."""

    period: PeriodKey
    target_kind: PlanTarget
    target_id: Name | None = Field(
        None, description="The employee's id, the team's or the department's name; none for the company"
    )
    measure: PlanMeasure
    category: Name | None = Field(None, description="Only sales of this catalogue category")
    item_id: EntityId | None = Field(None, description="Only sales of this catalogue item")


class ChangeSalesPlan(PlanFigure, Change):
    """Change a plan's figure, with the reason; the earlier figure stays on record."""


class WithdrawSalesPlan(Change):
    """Withdraw a plan, with the reason."""

    reason: Reason


class NamePlanSetters(Command):
    """Name the roles that set sales plans besides administrators."""

    roles: list[Role] = Field(max_length=len(Role))
    reason: Reason


def _target_id(ctx: Context, command: SetSalesPlan) -> str:
    if command.target_kind == PlanTarget.COMPANY:
        return COMPANY
    if command.target_id is None:
        raise InvalidValue(
            "target_id", f"a {command.target_kind.value} plan names its {command.target_kind.value}"
        )
    if command.target_kind == PlanTarget.EMPLOYEE:
        return str(ctx.employee(command.target_id, "target_id").id)
    return command.target_id


def _check_item(ctx: Context, item_id: str | None) -> None:
    if item_id is None:
        return
    try:
        ctx.load(CatalogueItem, item_id, "item_id")
    except NotFound:
        raise InvalidValue("item_id", f"no catalogue item {item_id}") from None


@handlers.handles(
    SetSalesPlan, "sales_plan.set", SalesPlan.Set, SalesPlan.Reinstated, authorize=plan_setter_guard
)
def set_sales_plan(ctx: Context, command: SetSalesPlan) -> list[SalesPlan]:
    period = parse_period(command.period)
    target_id = _target_id(ctx, command)
    _check_item(ctx, command.item_id)
    figure: dict[str, Any] = {"basis": command.basis, "amount": command.amount, "currency": command.currency}
    existing = plan_id(
        period, command.target_kind, target_id, command.measure, command.category, command.item_id
    )
    if ctx.exists(existing):
        plan = ctx.load(SalesPlan, existing, "id")
        if not plan.withdrawn:
            raise RuleViolated(f"a plan for {period.key} is already set ({existing}): change it instead")
        plan.reinstate(ctx.stamp, reason=command.reason, **figure)
        return [plan]
    return [
        SalesPlan.set(
            ctx.stamp,
            period=period,
            target_kind=command.target_kind,
            target_id=target_id,
            measure=command.measure,
            category=command.category,
            item_id=command.item_id,
            reason=command.reason,
            **figure,
        )
    ]


@handlers.changes(SalesPlan, ChangeSalesPlan, "sales_plan.change", SalesPlan.Changed)
def change_sales_plan(ctx: Context, plan: SalesPlan, command: ChangeSalesPlan) -> None:
    plan.change(
        ctx.stamp,
        basis=command.basis,
        amount=command.amount,
        currency=command.currency,
        reason=command.reason,
    )


@handlers.changes(SalesPlan, WithdrawSalesPlan, "sales_plan.withdraw", SalesPlan.Withdrawn)
def withdraw_sales_plan(ctx: Context, plan: SalesPlan, command: WithdrawSalesPlan) -> None:
    plan.withdraw(ctx.stamp, command.reason)


@handlers.handles(
    NamePlanSetters,
    "planning_policy.name_setters",
    PlanningPolicy.PlanSettersNamed,
    PlanningPolicy.PlanSettersRenamed,
    authorize=administration_guard,
)
def name_plan_setters(ctx: Context, command: NamePlanSetters) -> list[PlanningPolicy]:
    policy = planning_policy(ctx)
    if policy is None:
        return [PlanningPolicy.name_setters(ctx.stamp, command.roles, command.reason)]
    policy.rename_setters(ctx.stamp, command.roles, command.reason)
    return [policy]
