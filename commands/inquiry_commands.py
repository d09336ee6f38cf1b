"""An inquiry's way from the client's request to the client's answer (seed 001, FEATURES C1, C2):
quote tasks, a final price, a proposal from the catalogue, and acceptance or refusal."""

from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import uuid4

from eventsourcing.domain import Aggregate
from pydantic import BaseModel, ConfigDict, Field

from aggregates.catalogue_item import CatalogueItem
from aggregates.contract import Contract
from aggregates.counterparty import Counterparty
from aggregates.deal import Deal
from aggregates.inquiry import Inquiry, accept_into_deal, accept_into_order
from aggregates.money import Money
from aggregates.order import Order
from aggregates.sales_pipeline import SalesPipeline
from commands.catalogue_commands import Currency
from commands.command import Change, Command
from commands.context import Context
from commands.fields import PLANNED, Amount, Day, EntityId, Key, Line, Moment, Name, Percent, Quantity, Text
from commands.handling import Handlers
from commands.refusal_reason_commands import ReasonCode, known_reasons
from commands.scope import check_assignable, counterparty_guard

handlers = Handlers()


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterInquiry(Command):
    """Register a client's inquiry: what they ask for and when they expect the answer."""

    counterparty_id: EntityId
    responsible_id: EntityId | None = Field(None, description="Responsible manager; defaults to the author")
    request: Annotated[dict[Line, Text], Field(max_length=50)] = Field(
        description="What the client asks for: route, cargo, terms"
    )
    deadline: Annotated[Moment, PLANNED] = Field(description="When the client expects the answer")
    currency: Currency = "RUB"


class DelegateInquiry(Change):
    """Hand the inquiry to an expert, who then works on it."""

    expert_id: EntityId


class AssignQuoteTask(Change):
    """Ask a department or an employee for a part of the price."""

    department: Name
    assignee_id: EntityId
    question: Annotated[Text, Field(min_length=1, max_length=2_000)]
    due: Annotated[Moment, PLANNED] = Field(description="When the answer is due")


class CostComponent(_Part):
    name: Name
    amount: Amount
    currency: Currency = "RUB"


class QuoteTaskAnswer(Change):
    """Answer a quote task with the costs it asked for."""

    costs: Annotated[list[CostComponent], Field(min_length=1, max_length=100)]


class AnswerQuoteTask(QuoteTaskAnswer):
    task_id: Key


class PriceInquiry(Change):
    """Set the final price: the answered costs plus a margin."""

    margin_percent: Annotated[Percent, Field(le=1000)]


class ProposalLine(_Part):
    item_id: EntityId
    quantity: Quantity


class IssueProposal(Change):
    """Issue a commercial proposal from catalogue lines at their prices now."""

    lines: Annotated[list[ProposalLine], Field(min_length=1, max_length=200)]
    discount_percent: Annotated[Percent, Field(lt=100)] = Decimal(0)
    valid_until: Annotated[Day, PLANNED]


class DealOutcome(_Part):
    kind: Literal["deal"] = "deal"
    pipeline_id: EntityId
    expected_close_on: Annotated[Day, PLANNED]
    lead_source: Line | None = None


class OrderOutcome(_Part):
    kind: Literal["order"] = "order"
    contract_id: EntityId | None = Field(None, description="Book the order under this contract")
    expected_on: Annotated[Day, PLANNED]


class AcceptProposal(Change):
    """Record that the client accepted the proposal: it opens a deal or places an order."""

    outcome: Annotated[DealOutcome | OrderOutcome, Field(discriminator="kind")]


class RefuseInquiry(Change):
    """Record that the client refused, with a reason from the list."""

    reason_code: ReasonCode
    reason_text: Text = ""


def _may_register(ctx: Context, command: RegisterInquiry) -> None:
    counterparty_guard(ctx, ctx.load(Counterparty, command.counterparty_id, "counterparty_id"))
    check_assignable(ctx, command.responsible_id or ctx.actor.employee_id, "responsible_id")


@handlers.handles(RegisterInquiry, "inquiry.register", Inquiry.Registered, authorize=_may_register)
def register_inquiry(ctx: Context, command: RegisterInquiry) -> list[Inquiry]:
    counterparty = ctx.load(Counterparty, command.counterparty_id, "counterparty_id")
    return [
        Inquiry.register(
            ctx.stamp,
            admission=counterparty.admission,
            counterparty_id=str(counterparty.id),
            responsible_id=command.responsible_id or ctx.actor.employee_id,
            request=command.request,
            deadline=command.deadline,
            currency=command.currency,
        )
    ]


@handlers.changes(Inquiry, DelegateInquiry, "inquiry.delegate", Inquiry.Delegated)
def delegate_inquiry(ctx: Context, inquiry: Inquiry, command: DelegateInquiry) -> None:
    inquiry.delegate(ctx.stamp, str(ctx.employee(command.expert_id, "expert_id").id))


@handlers.changes(Inquiry, AssignQuoteTask, "inquiry.assign_quote_task", Inquiry.QuoteTaskAssigned)
def assign_quote_task(ctx: Context, inquiry: Inquiry, command: AssignQuoteTask) -> None:
    assignee = ctx.employee(command.assignee_id, "assignee_id")
    # Tasks are numbered within their inquiry; a racing assignment is decided again on
    # fresh state and takes the next number.
    inquiry.assign_quote_task(
        ctx.stamp,
        task_id=str(len(inquiry.tasks) + 1),
        department=command.department,
        assignee_id=str(assignee.id),
        question=command.question,
        due=command.due,
    )


@handlers.changes(Inquiry, AnswerQuoteTask, "inquiry.answer_quote_task", Inquiry.QuoteTaskAnswered)
def answer_quote_task(ctx: Context, inquiry: Inquiry, command: AnswerQuoteTask) -> None:
    costs = [Money(cost.amount, cost.currency) for cost in command.costs]
    inquiry.answer_quote_task(ctx.stamp, command.task_id, costs, [cost.name for cost in command.costs])


@handlers.changes(Inquiry, PriceInquiry, "inquiry.price", Inquiry.Priced)
def price_inquiry(ctx: Context, inquiry: Inquiry, command: PriceInquiry) -> None:
    inquiry.set_price(ctx.stamp, command.margin_percent)


def _quoted_line(ctx: Context, line: ProposalLine) -> dict[str, Any]:
    return ctx.load(CatalogueItem, line.item_id, "item_id").quote(line.quantity)


@handlers.changes(Inquiry, IssueProposal, "inquiry.issue_proposal", Inquiry.ProposalIssued)
def issue_proposal(ctx: Context, inquiry: Inquiry, command: IssueProposal) -> None:
    lines = [_quoted_line(ctx, line) for line in command.lines]
    inquiry.issue_proposal(ctx.stamp, lines, command.discount_percent, command.valid_until)


@handlers.changes(
    Inquiry,
    AcceptProposal,
    "inquiry.accept_proposal",
    Inquiry.Accepted,
    Deal.Opened,
    Order.Placed,
    Contract.OrderBooked,
)
def accept_proposal(ctx: Context, inquiry: Inquiry, command: AcceptProposal) -> list[Aggregate]:
    """The deal or order is managed by the client's manager (see ``accept_into_deal``)."""
    outcome = command.outcome
    counterparty = ctx.load(Counterparty, inquiry.counterparty_id, "counterparty_id")
    if isinstance(outcome, DealOutcome):
        pipeline = ctx.load(SalesPipeline, outcome.pipeline_id, "pipeline_id")
        deal = accept_into_deal(
            inquiry,
            ctx.stamp,
            admission=counterparty.admission,
            manager_id=counterparty.manager_id,
            pipeline=pipeline,
            expected_close_on=outcome.expected_close_on,
            lead_source=outcome.lead_source,
            deal_id=uuid4(),
        )
        return [deal]
    contract = None if outcome.contract_id is None else ctx.load(Contract, outcome.contract_id, "contract_id")
    order = accept_into_order(
        inquiry,
        ctx.stamp,
        admission=counterparty.admission,
        manager_id=counterparty.manager_id,
        contract=contract,
        expected_on=outcome.expected_on,
        order_id=uuid4(),
    )
    return [order] if contract is None else [order, contract]


@handlers.changes(Inquiry, RefuseInquiry, "inquiry.refuse", Inquiry.Refused)
def refuse_inquiry(ctx: Context, inquiry: Inquiry, command: RefuseInquiry) -> None:
    known_reasons(ctx, command.reason_code)
    inquiry.refuse(ctx.stamp, command.reason_code, command.reason_text)
