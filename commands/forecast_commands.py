"""Forecasts (FEATURES E3): a manager submits what they commit to for a period, a head adjusts
it on a layer of their own, and a deal's owner may place an open deal in another forecast
category than its stage does."""

from typing import Annotated

from pydantic import Field

from aggregates.deal import Deal
from aggregates.errors import AccessDenied, RuleViolated
from aggregates.forecast import ForecastCategory, ForecastSubmission, submission_id
from aggregates.period import parse_period
from aggregates.role import Role
from commands.catalogue_commands import Currency
from commands.command import Change, Command
from commands.context import Context
from commands.fields import Amount, EntityId, Line, PeriodKey, Reason
from commands.handling import Handlers

handlers = Handlers()

Amounts = Annotated[
    dict[ForecastCategory, Amount],
    Field(min_length=1, description="The amount committed to in each forecast category"),
]


class SubmitForecast(Command):
    """Submit (or revise) your own forecast for a period."""

    employee_id: EntityId | None = Field(None, description="Whose forecast: only one's own; defaults to it")
    period: PeriodKey
    amounts: Amounts
    currency: Currency = "RUB"
    note: Line = ""


class AdjustForecast(Command):
    """Adjust a manager's submitted forecast as their head; the manager's figures stay."""

    employee_id: EntityId
    period: PeriodKey
    amounts: Amounts
    currency: Currency = "RUB"
    reason: Reason


class OverrideForecastCategory(Change):
    """Place an open deal in another forecast category than its stage does (none: its stage's)."""

    category: ForecastCategory | None
    reason: Reason


def _may_submit(ctx: Context, command: SubmitForecast) -> None:
    if ctx.actor.role not in (Role.MANAGER, Role.HEAD_OF_SALES) or command.employee_id not in (
        None,
        ctx.actor.employee_id,
    ):
        raise AccessDenied("a forecast is submitted by the salesperson it belongs to")


def _may_adjust(ctx: Context, command: AdjustForecast) -> None:
    if ctx.actor.role not in (Role.HEAD_OF_SALES, Role.ADMIN):
        raise AccessDenied("a head of sales adjusts a manager's forecast")
    if command.employee_id == ctx.actor.employee_id:
        raise AccessDenied("a forecast is adjusted by someone other than its owner")
    ctx.check_may_change(command.employee_id)


@handlers.handles(
    SubmitForecast,
    "forecast.submit",
    ForecastSubmission.Submitted,
    ForecastSubmission.Revised,
    authorize=_may_submit,
)
def submit_forecast(ctx: Context, command: SubmitForecast) -> list[ForecastSubmission]:
    period = parse_period(command.period)
    amounts = {category.value: amount for category, amount in command.amounts.items()}
    existing = submission_id(ctx.actor.employee_id, period)
    if ctx.exists(existing):
        submission = ctx.load(ForecastSubmission, existing, "period")
        submission.revise(ctx.stamp, period, amounts, command.currency, command.note)
        return [submission]
    return [
        ForecastSubmission.submit(
            ctx.stamp,
            employee_id=ctx.actor.employee_id,
            period=period,
            amounts=amounts,
            currency=command.currency,
            note=command.note,
        )
    ]


@handlers.handles(AdjustForecast, "forecast.adjust", ForecastSubmission.Adjusted, authorize=_may_adjust)
def adjust_forecast(ctx: Context, command: AdjustForecast) -> list[ForecastSubmission]:
    period = parse_period(command.period)
    existing = submission_id(command.employee_id, period)
    if not ctx.exists(existing):
        raise RuleViolated(f"the employee has submitted no forecast for {period.key} to adjust")
    submission = ctx.load(ForecastSubmission, existing, "period")
    amounts = {category.value: amount for category, amount in command.amounts.items()}
    submission.adjust(ctx.stamp, period, amounts, command.currency, command.reason)
    return [submission]


@handlers.changes(
    Deal, OverrideForecastCategory, "deal.override_forecast_category", Deal.ForecastCategoryOverridden
)
def override_forecast_category(ctx: Context, deal: Deal, command: OverrideForecastCategory) -> None:
    deal.override_forecast_category(ctx.stamp, command.category, command.reason)
