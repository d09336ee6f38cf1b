"""Deals in the sales funnel (FEATURES C3): opening one, moving it through the pipeline,
changing what it is expected to bring and when, and its end, won or lost."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from aggregates.catalogue_item import CatalogueItem
from aggregates.counterparty import Admission, Counterparty
from aggregates.deal import Deal
from aggregates.errors import InvalidValue
from aggregates.inquiry import Inquiry
from aggregates.money import Money, check_currency
from aggregates.sales_pipeline import SalesPipeline
from aggregates.scope import Actor, check_may_change
from aggregates.stamp import Stamp
from commands.catalogue_commands import Amount, Currency
from commands.command import Change, Command, Line, Name, Text
from commands.refusal_reason_commands import ReasonCode, known_reasons
from commands.scope import check_assignable, load_counterparty_for_change, parse_id, responsible
from commands.service import Outcome, WriteService
from event_store.store import EventStore


class DealLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item_id: str | None = Field(None, description="The catalogue item, when the line is one")
    name: Name
    quantity: Annotated[Decimal, Field(gt=0, max_digits=15, decimal_places=3)]
    unit_price: Amount
    currency: Currency = "RUB"


class OpenDeal(Command):
    counterparty_id: str
    manager_id: str | None = Field(None, description="Responsible manager; defaults to the author")
    pipeline_id: str
    stage: Name | None = Field(None, description="A stage of the pipeline; defaults to its first")
    amount: Amount = Field(description="Expected amount, greater than zero")
    currency: Currency = "RUB"
    expected_close_on: date
    lines: Annotated[list[DealLine], Field(max_length=200)] = Field(default_factory=list)
    lead_source: Line | None = None
    inquiry_id: str | None = Field(None, description="The inquiry the deal grew from")


class MoveDeal(Change):
    stage: Name


class ChangeDealAmount(Change):
    amount: Amount
    currency: Currency = "RUB"


class ChangeDealCloseDate(Change):
    expected_close_on: date


class WinDeal(Change):
    pass


class LoseDeal(Change):
    reason_code: ReasonCode = Field(description="A code from the list of refusal reasons")
    reason_text: Text = ""


def _lines(store: EventStore, lines: list[DealLine]) -> list[dict[str, Any]]:
    for line in lines:
        check_currency(line.currency, "lines")
        if line.item_id is not None:
            store.get(parse_id(line.item_id, "lines"), CatalogueItem)
    return [line.model_dump() for line in lines]


def _check_inquiry(store: EventStore, inquiry_id: str, counterparty_id: str) -> None:
    inquiry = store.get(parse_id(inquiry_id, "inquiry_id"), Inquiry)
    if inquiry.counterparty_id != counterparty_id:
        raise InvalidValue("inquiry_id", f"inquiry {inquiry_id} is another counterparty's")


def open_deal(service: WriteService, actor: Actor, command: OpenDeal) -> Outcome:
    store = service.store
    manager_id = command.manager_id or actor.employee_id
    check_assignable(store, actor, manager_id)
    amount = Money(command.amount, command.currency)
    lines = _lines(store, command.lines)

    def decide(stamp: Stamp) -> list[Deal]:
        counterparty = load_counterparty_for_change(store, actor, command.counterparty_id)
        pipeline = store.get(parse_id(command.pipeline_id, "pipeline_id"), SalesPipeline)
        stage = pipeline.stage(command.stage) if command.stage else pipeline.first_stage
        if command.inquiry_id is not None:
            _check_inquiry(store, command.inquiry_id, str(counterparty.id))
        return [
            Deal.open(
                stamp,
                admission=counterparty.admission,
                counterparty_id=str(counterparty.id),
                manager_id=manager_id,
                pipeline_id=str(pipeline.id),
                stage=stage,
                amount=amount,
                expected_close_on=command.expected_close_on,
                lines=lines,
                lead_source=command.lead_source or None,
                inquiry_id=command.inquiry_id,
            )
        ]

    return service.run(actor, command, decide)


def _admission(store: EventStore, deal: Deal) -> Admission:
    return store.get(UUID(deal.counterparty_id), Counterparty).admission


def _change(
    service: WriteService,
    actor: Actor,
    deal_id: str,
    command: Change,
    act: Callable[[Deal, Stamp], None],
) -> Outcome:
    store = service.store

    def decide(stamp: Stamp) -> list[Deal]:
        deal = store.get_at_version(parse_id(deal_id, "deal_id"), Deal, command.expected_version)
        check_may_change(actor, responsible(store, deal.manager_id))
        act(deal, stamp)
        return [deal]

    return service.run(actor, command, decide)


def move_deal(service: WriteService, actor: Actor, deal_id: str, command: MoveDeal) -> Outcome:
    """The probability is the stage's default in the pipeline as it is defined now."""
    store = service.store

    def act(deal: Deal, stamp: Stamp) -> None:
        pipeline = store.get(UUID(deal.pipeline_id), SalesPipeline)
        deal.move_to(stamp, _admission(store, deal), pipeline.stage(command.stage))

    return _change(service, actor, deal_id, command, act)


def change_deal_amount(
    service: WriteService, actor: Actor, deal_id: str, command: ChangeDealAmount
) -> Outcome:
    amount = Money(command.amount, command.currency)
    return _change(service, actor, deal_id, command, lambda deal, stamp: deal.change_amount(stamp, amount))


def change_deal_close_date(
    service: WriteService, actor: Actor, deal_id: str, command: ChangeDealCloseDate
) -> Outcome:
    return _change(
        service,
        actor,
        deal_id,
        command,
        lambda deal, stamp: deal.change_close_date(stamp, command.expected_close_on),
    )


def win_deal(service: WriteService, actor: Actor, deal_id: str, command: WinDeal) -> Outcome:
    return _change(
        service,
        actor,
        deal_id,
        command,
        lambda deal, stamp: deal.win(stamp, _admission(service.store, deal)),
    )


def lose_deal(service: WriteService, actor: Actor, deal_id: str, command: LoseDeal) -> Outcome:
    def act(deal: Deal, stamp: Stamp) -> None:
        known_reasons(service.store, command.reason_code)
        deal.lose(stamp, command.reason_code, command.reason_text)

    return _change(service, actor, deal_id, command, act)
