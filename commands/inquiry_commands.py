"""An inquiry's way from the client's request to the client's answer (seed 001, FEATURES C1, C2):
quote tasks, a final price, a proposal from the catalogue, and acceptance or refusal."""

from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from aggregates.catalogue_item import CatalogueItem
from aggregates.counterparty import Counterparty
from aggregates.deal import Deal
from aggregates.employee import Employee
from aggregates.errors import InvalidValue, NotFound
from aggregates.inquiry import Inquiry
from aggregates.money import Money
from aggregates.order import OrderStatus
from aggregates.sales_pipeline import SalesPipeline
from aggregates.scope import Actor, check_may_change
from aggregates.stamp import Stamp
from commands.catalogue_commands import Amount, Currency
from commands.command import Change, Command, Line, Name, Text
from commands.order_commands import order_aggregates
from commands.refusal_reason_commands import ReasonCode, known_reasons
from commands.scope import check_assignable, load_counterparty_for_change, parse_id, responsible
from commands.service import Outcome, WriteService
from event_store.store import EventStore

Percent = Annotated[Decimal, Field(ge=0, max_digits=7, decimal_places=2)]
Question = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000)]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterInquiry(Command):
    counterparty_id: str
    responsible_id: str | None = Field(None, description="Responsible manager; defaults to the author")
    request: Annotated[dict[Line, Text], Field(max_length=50)] = Field(
        description="What the client asks for: route, cargo, terms"
    )
    deadline: datetime = Field(description="When the client expects the answer, with a time zone")
    currency: Currency = "RUB"


class DelegateInquiry(Change):
    expert_id: str


class AssignQuoteTask(Change):
    department: Name
    assignee_id: str
    question: Question
    due: datetime = Field(description="When the answer is due, with a time zone")


class CostComponent(_Part):
    name: Name
    amount: Amount
    currency: Currency = "RUB"


class AnswerQuoteTask(Change):
    costs: Annotated[list[CostComponent], Field(min_length=1, max_length=100)]


class PriceInquiry(Change):
    margin_percent: Annotated[Percent, Field(le=1000)]


class ProposalLine(_Part):
    item_id: str
    quantity: Annotated[Decimal, Field(gt=0, max_digits=15, decimal_places=3)]


class IssueProposal(Change):
    lines: Annotated[list[ProposalLine], Field(min_length=1, max_length=200)]
    discount_percent: Annotated[Percent, Field(lt=100)] = Decimal(0)
    valid_until: date


class DealOutcome(_Part):
    kind: Literal["deal"] = "deal"
    pipeline_id: str
    expected_close_on: date
    lead_source: Line | None = None


class OrderOutcome(_Part):
    kind: Literal["order"] = "order"
    contract_id: str | None = Field(None, description="Book the order under this contract")
    expected_on: date


class AcceptProposal(Change):
    outcome: Annotated[DealOutcome | OrderOutcome, Field(discriminator="kind")]


class RefuseInquiry(Change):
    reason_code: ReasonCode
    reason_text: Text = ""


def existing_employee(store: EventStore, employee_id: str, field: str) -> Employee:
    try:
        return store.get(parse_id(employee_id, field), Employee)
    except NotFound:
        raise InvalidValue(field, f"no employee {employee_id}") from None


def register_inquiry(service: WriteService, actor: Actor, command: RegisterInquiry) -> Outcome:
    store = service.store
    responsible_id = command.responsible_id or actor.employee_id

    def decide(stamp: Stamp) -> list[Inquiry]:
        counterparty = load_counterparty_for_change(store, actor, command.counterparty_id)
        check_assignable(store, actor, responsible_id)
        return [
            Inquiry.register(
                stamp,
                admission=counterparty.admission,
                counterparty_id=str(counterparty.id),
                responsible_id=responsible_id,
                request=command.request,
                deadline=command.deadline,
                currency=command.currency,
            )
        ]

    return service.run(actor, command, decide)


Act = Callable[[Inquiry, Counterparty, Stamp], Iterable[Aggregate] | None]


def _check_may_act(store: EventStore, actor: Actor, inquiry: Inquiry, counterparty: Counterparty) -> None:
    """The client's team works on its inquiries, and so does the one the inquiry is with:
    an expert it was delegated to may sit in another department."""
    if actor.may_write and actor.employee_id == inquiry.responsible_id:
        return
    check_may_change(actor, responsible(store, counterparty.manager_id))


def _change(service: WriteService, actor: Actor, inquiry_id: str, command: Change, act: Act) -> Outcome:
    store = service.store

    def decide(stamp: Stamp) -> list[Aggregate]:
        inquiry = store.get_at_version(parse_id(inquiry_id, "inquiry_id"), Inquiry, command.expected_version)
        counterparty = store.get(UUID(inquiry.counterparty_id), Counterparty)
        _check_may_act(store, actor, inquiry, counterparty)
        return [inquiry, *(act(inquiry, counterparty, stamp) or ())]

    return service.run(actor, command, decide)


def delegate_inquiry(
    service: WriteService, actor: Actor, inquiry_id: str, command: DelegateInquiry
) -> Outcome:
    def act(inquiry: Inquiry, _counterparty: Counterparty, stamp: Stamp) -> None:
        expert = existing_employee(service.store, command.expert_id, "expert_id")
        inquiry.delegate(stamp, str(expert.id))

    return _change(service, actor, inquiry_id, command, act)


def assign_quote_task(
    service: WriteService, actor: Actor, inquiry_id: str, command: AssignQuoteTask
) -> Outcome:
    def act(inquiry: Inquiry, _counterparty: Counterparty, stamp: Stamp) -> None:
        assignee = existing_employee(service.store, command.assignee_id, "assignee_id")
        # Tasks are numbered within their inquiry; a racing assignment is decided again
        # on fresh state and takes the next number.
        inquiry.assign_quote_task(
            stamp,
            task_id=str(len(inquiry.tasks) + 1),
            department=command.department,
            assignee_id=str(assignee.id),
            question=command.question,
            due=command.due,
        )

    return _change(service, actor, inquiry_id, command, act)


def answer_quote_task(
    service: WriteService, actor: Actor, inquiry_id: str, task_id: str, command: AnswerQuoteTask
) -> Outcome:
    costs = [Money(cost.amount, cost.currency) for cost in command.costs]
    names = [cost.name for cost in command.costs]
    return _change(
        service,
        actor,
        inquiry_id,
        command,
        lambda inquiry, _counterparty, stamp: inquiry.answer_quote_task(stamp, task_id, costs, names),
    )


def price_inquiry(service: WriteService, actor: Actor, inquiry_id: str, command: PriceInquiry) -> Outcome:
    return _change(
        service,
        actor,
        inquiry_id,
        command,
        lambda inquiry, _counterparty, stamp: inquiry.set_price(stamp, command.margin_percent),
    )


def _quoted_line(store: EventStore, line: ProposalLine) -> dict[str, Any]:
    """A catalogue line at the item's price now: the proposal keeps it whatever comes later."""
    item = store.get(parse_id(line.item_id, "item_id"), CatalogueItem)
    item.check_active()
    return {
        "item_id": str(item.id),
        "name": item.name,
        "unit": item.unit,
        "unit_price": item.price.amount,
        "currency": item.price.currency,
        "quantity": line.quantity,
    }


def issue_proposal(service: WriteService, actor: Actor, inquiry_id: str, command: IssueProposal) -> Outcome:
    def act(inquiry: Inquiry, _counterparty: Counterparty, stamp: Stamp) -> None:
        lines = [_quoted_line(service.store, line) for line in command.lines]
        inquiry.issue_proposal(stamp, lines, command.discount_percent, command.valid_until)

    return _change(service, actor, inquiry_id, command, act)


def _open_deal(
    store: EventStore,
    stamp: Stamp,
    inquiry: Inquiry,
    counterparty: Counterparty,
    proposal: dict[str, Any],
    outcome: DealOutcome,
    deal_id: UUID,
) -> list[Aggregate]:
    pipeline = store.get(parse_id(outcome.pipeline_id, "pipeline_id"), SalesPipeline)
    deal = Deal.open(
        stamp,
        admission=counterparty.admission,
        counterparty_id=inquiry.counterparty_id,
        manager_id=counterparty.manager_id,
        pipeline_id=str(pipeline.id),
        stage=pipeline.first_stage,
        amount=proposal["total"],
        expected_close_on=outcome.expected_close_on,
        lines=proposal["lines"],
        lead_source=outcome.lead_source,
        inquiry_id=str(inquiry.id),
        id=deal_id,
    )
    return [deal]


def accept_proposal(service: WriteService, actor: Actor, inquiry_id: str, command: AcceptProposal) -> Outcome:
    """The deal or order is managed by the client's manager: it belongs in their funnel
    even when an expert prepared the quote."""
    outcome = command.outcome
    outcome_id = uuid4()

    def act(inquiry: Inquiry, counterparty: Counterparty, stamp: Stamp) -> list[Aggregate]:
        inquiry.accept(stamp, outcome.kind, str(outcome_id))
        assert inquiry.proposal is not None  # accept() refuses an inquiry without one
        if isinstance(outcome, DealOutcome):
            return _open_deal(
                service.store, stamp, inquiry, counterparty, inquiry.proposal, outcome, outcome_id
            )
        return order_aggregates(
            service.store,
            stamp,
            counterparty,
            outcome.contract_id,
            outcome_id,
            status=OrderStatus.RECEIVED,
            amount=inquiry.proposal["total"],
            expected_on=outcome.expected_on,
            lines=inquiry.proposal["lines"],
            inquiry_id=str(inquiry.id),
        )

    return _change(service, actor, inquiry_id, command, act)


def refuse_inquiry(service: WriteService, actor: Actor, inquiry_id: str, command: RefuseInquiry) -> Outcome:
    def act(inquiry: Inquiry, _counterparty: Counterparty, stamp: Stamp) -> None:
        known_reasons(service.store, command.reason_code)
        inquiry.refuse(stamp, command.reason_code, command.reason_text)

    return _change(service, actor, inquiry_id, command, act)
