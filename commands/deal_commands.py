"""Deals in the sales funnel (FEATURES C3): opening one, moving it through the pipeline,
changing what it is expected to bring and when, and its end, won or lost."""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from aggregates.catalogue_item import CatalogueItem
from aggregates.counterparty import Admission, Counterparty
from aggregates.deal import Deal
from aggregates.errors import InvalidValue
from aggregates.inquiry import Inquiry
from aggregates.money import Money, check_currency
from aggregates.sales_pipeline import SalesPipeline
from commands.catalogue_commands import Currency
from commands.command import Change, Command
from commands.context import Context
from commands.fields import PLANNED, Amount, Day, EntityId, Line, Name, Quantity, Text
from commands.handling import Handlers
from commands.refusal_reason_commands import ReasonCode, known_reasons
from commands.scope import check_assignable, counterparty_guard

handlers = Handlers()


class DealLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item_id: EntityId | None = Field(None, description="The catalogue item, when the line is one")
    name: Name
    quantity: Quantity
    unit_price: Amount
    currency: Currency = "RUB"


class OpenDeal(Command):
    """Open a deal with a client in a pipeline, with its expected amount and close date."""

    counterparty_id: EntityId
    manager_id: EntityId | None = Field(None, description="Responsible manager; defaults to the author")
    pipeline_id: EntityId
    stage: Name | None = Field(None, description="A stage of the pipeline; defaults to its first")
    amount: Amount = Field(description="Expected amount, greater than zero")
    currency: Currency = "RUB"
    expected_close_on: Annotated[Day, PLANNED]
    lines: Annotated[list[DealLine], Field(max_length=200)] = Field(default_factory=list)
    lead_source: Line | None = None
    inquiry_id: EntityId | None = Field(None, description="The inquiry the deal grew from")


class MoveDeal(Change):
    """Move the deal to another stage of its pipeline."""

    stage: Name


class ChangeDealAmount(Change):
    """Change what the deal is expected to bring."""

    amount: Amount
    currency: Currency = "RUB"


class ChangeDealCloseDate(Change):
    """Change when the deal is expected to close."""

    expected_close_on: Annotated[Day, PLANNED]


class WinDeal(Change):
    """Record that the deal is won."""


class LoseDeal(Change):
    """Record that the deal is lost, with a reason from the list."""

    reason_code: ReasonCode = Field(description="A code from the list of refusal reasons")
    reason_text: Text = ""


def _lines(ctx: Context, lines: list[DealLine]) -> list[dict[str, Any]]:
    for line in lines:
        check_currency(line.currency, "lines")
        if line.item_id is not None:
            ctx.load(CatalogueItem, line.item_id, "lines")
    return [line.model_dump() for line in lines]


def _may_open(ctx: Context, command: OpenDeal) -> None:
    counterparty_guard(ctx, ctx.load(Counterparty, command.counterparty_id, "counterparty_id"))
    check_assignable(ctx, command.manager_id or ctx.actor.employee_id)


@handlers.handles(OpenDeal, "deal.open", Deal.Opened, authorize=_may_open)
def open_deal(ctx: Context, command: OpenDeal) -> list[Deal]:
    counterparty = ctx.load(Counterparty, command.counterparty_id, "counterparty_id")
    pipeline = ctx.load(SalesPipeline, command.pipeline_id, "pipeline_id")
    stage = pipeline.stage(command.stage) if command.stage else pipeline.first_stage
    if command.inquiry_id is not None:
        inquiry = ctx.load(Inquiry, command.inquiry_id, "inquiry_id")
        if inquiry.counterparty_id != str(counterparty.id):
            raise InvalidValue("inquiry_id", f"inquiry {command.inquiry_id} is another counterparty's")
    return [
        Deal.open(
            ctx.stamp,
            admission=counterparty.admission,
            counterparty_id=str(counterparty.id),
            manager_id=command.manager_id or ctx.actor.employee_id,
            pipeline_id=str(pipeline.id),
            stage=stage,
            amount=Money(command.amount, command.currency),
            expected_close_on=command.expected_close_on,
            lines=_lines(ctx, command.lines),
            lead_source=command.lead_source or None,
            inquiry_id=command.inquiry_id,
        )
    ]


def _admission(ctx: Context, deal: Deal) -> Admission:
    return ctx.load(Counterparty, deal.counterparty_id, "counterparty_id").admission


@handlers.changes(Deal, MoveDeal, "deal.move", Deal.StageChanged)
def move_deal(ctx: Context, deal: Deal, command: MoveDeal) -> None:
    """The probability is the stage's default in the pipeline as it is defined now."""
    pipeline = ctx.load(SalesPipeline, deal.pipeline_id, "pipeline_id")
    deal.move_to(ctx.stamp, _admission(ctx, deal), pipeline.stage(command.stage))


@handlers.changes(Deal, ChangeDealAmount, "deal.change_amount", Deal.AmountChanged)
def change_deal_amount(ctx: Context, deal: Deal, command: ChangeDealAmount) -> None:
    deal.change_amount(ctx.stamp, Money(command.amount, command.currency))


@handlers.changes(Deal, ChangeDealCloseDate, "deal.change_close_date", Deal.CloseDateChanged)
def change_deal_close_date(ctx: Context, deal: Deal, command: ChangeDealCloseDate) -> None:
    deal.change_close_date(ctx.stamp, command.expected_close_on)


@handlers.changes(Deal, WinDeal, "deal.win", Deal.Won)
def win_deal(ctx: Context, deal: Deal, _command: WinDeal) -> None:
    deal.win(ctx.stamp, _admission(ctx, deal))


@handlers.changes(Deal, LoseDeal, "deal.lose", Deal.Lost)
def lose_deal(ctx: Context, deal: Deal, command: LoseDeal) -> None:
    known_reasons(ctx, command.reason_code)
    deal.lose(ctx.stamp, command.reason_code, command.reason_text)
