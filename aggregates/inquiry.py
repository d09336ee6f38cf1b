"""A client's inquiry and its way to a price (seed 001, FEATURES C1, C2): quote tasks for
other departments or an expert, a final price from their costs plus margin, a commercial
proposal from catalogue lines, and the client's answer."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from aggregates.contract import Contract
from aggregates.counterparty import Admission
from aggregates.deal import Deal, check_counterparty_admitted
from aggregates.errors import InvalidValue, RuleViolated
from aggregates.money import Money, check_currency, percent_of
from aggregates.order import Order, OrderStatus, place_and_book_order
from aggregates.sales_pipeline import SalesPipeline
from aggregates.stamp import Fact, Stamp


class InquiryStatus(StrEnum):
    OPEN = "open"
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REFUSED = "refused"


def proposal_lines(lines: list[dict[str, Any]], currency: str) -> list[dict[str, Any]]:
    """Catalogue lines priced as quoted: the price is kept with the proposal."""
    priced = []
    for line in lines:
        unit_price = Money(line["unit_price"], line["currency"]).positive("unit_price")
        if unit_price.currency != currency:
            raise InvalidValue(
                "lines", f"{line['name']!r} is priced in {unit_price.currency}, not {currency}"
            )
        quantity = Decimal(line["quantity"])
        if quantity <= 0:
            raise InvalidValue("lines", "a quantity must be greater than zero")
        priced.append(
            {**line, "quantity": quantity, "amount": (unit_price.amount * quantity).quantize(Decimal("0.01"))}
        )
    if not priced:
        raise InvalidValue("lines", "a proposal needs at least one line")
    return priced


class Inquiry(Aggregate):
    class Registered(Aggregate.Created, Fact):
        counterparty_id: str
        responsible_id: str
        request: dict[str, str]
        deadline: datetime
        currency: str

        def apply(self, aggregate: "Inquiry") -> None:
            aggregate.counterparty_id = self.counterparty_id
            aggregate.responsible_id = self.responsible_id
            aggregate.currency = self.currency

    class Delegated(Fact):
        counterparty_id: str
        expert_id: str
        previous_responsible_id: str

        def apply(self, aggregate: "Inquiry") -> None:
            aggregate.responsible_id = self.expert_id

    class QuoteTaskAssigned(Fact):
        counterparty_id: str
        task_id: str
        department: str
        assignee_id: str
        question: str
        due: datetime

        def apply(self, aggregate: "Inquiry") -> None:
            aggregate.tasks[self.task_id] = None

    class QuoteTaskAnswered(Fact):
        counterparty_id: str
        task_id: str
        costs: list[dict[str, Any]]

        def apply(self, aggregate: "Inquiry") -> None:
            aggregate.tasks[self.task_id] = self.costs

    class Priced(Fact):
        counterparty_id: str
        cost: Decimal
        margin_percent: Decimal
        price: Decimal
        currency: str

        def apply(self, aggregate: "Inquiry") -> None:
            aggregate.price = Money(self.price, self.currency)

    class ProposalIssued(Fact):
        counterparty_id: str
        lines: list[dict[str, Any]]
        discount_percent: Decimal
        total: Decimal
        currency: str
        valid_until: date

        def apply(self, aggregate: "Inquiry") -> None:
            aggregate.status = InquiryStatus.PROPOSED
            aggregate.proposal = {
                "lines": self.lines,
                "total": Money(self.total, self.currency),
                "valid_until": self.valid_until,
            }

    class Accepted(Fact):
        counterparty_id: str
        outcome: str
        outcome_id: str

        def apply(self, aggregate: "Inquiry") -> None:
            aggregate.status = InquiryStatus.ACCEPTED

    class Refused(Fact):
        counterparty_id: str
        reason_code: str
        reason_text: str

        def apply(self, aggregate: "Inquiry") -> None:
            aggregate.status = InquiryStatus.REFUSED

    def __init__(self) -> None:
        self.counterparty_id = ""
        self.responsible_id = ""
        self.currency = "RUB"
        self.status = InquiryStatus.OPEN
        self.tasks: dict[str, list[dict[str, Any]] | None] = {}
        self.price: Money | None = None
        self.proposal: dict[str, Any] | None = None

    @classmethod
    def register(
        cls,
        stamp: Stamp,
        *,
        admission: Admission,
        counterparty_id: str,
        responsible_id: str,
        request: dict[str, str],
        deadline: datetime,
        currency: str,
        id: UUID | None = None,
    ) -> "Inquiry":
        check_counterparty_admitted(admission)
        if deadline.tzinfo is None:
            raise InvalidValue("deadline", "deadline must carry a time zone")
        return cls._create(
            cls.Registered,
            id=id,
            counterparty_id=counterparty_id,
            responsible_id=responsible_id,
            request=request,
            deadline=deadline,
            currency=check_currency(currency),
            **stamp.fields(),
        )

    def _common(self, stamp: Stamp) -> dict[str, Any]:
        return {"counterparty_id": self.counterparty_id, **stamp.fields()}

    def delegate(self, stamp: Stamp, expert_id: str) -> None:
        self._check_open()
        if expert_id == self.responsible_id:
            raise RuleViolated("the inquiry is already with that employee")
        self.trigger_event(
            self.Delegated,
            expert_id=expert_id,
            previous_responsible_id=self.responsible_id,
            **self._common(stamp),
        )

    def assign_quote_task(
        self, stamp: Stamp, *, task_id: str, department: str, assignee_id: str, question: str, due: datetime
    ) -> None:
        self._check_open()
        if task_id in self.tasks:
            raise RuleViolated(f"quote task {task_id} already exists")
        if due.tzinfo is None:
            raise InvalidValue("due", "due must carry a time zone")
        self.trigger_event(
            self.QuoteTaskAssigned,
            task_id=task_id,
            department=department,
            assignee_id=assignee_id,
            question=question,
            due=due,
            **self._common(stamp),
        )

    def answer_quote_task(self, stamp: Stamp, task_id: str, costs: list[Money], names: list[str]) -> None:
        self._check_open()
        if task_id not in self.tasks:
            raise InvalidValue("task_id", f"the inquiry has no quote task {task_id}")
        if self.tasks[task_id] is not None:
            raise RuleViolated(f"quote task {task_id} is already answered")
        if not costs:
            raise InvalidValue("costs", "an answer needs at least one cost component")
        for cost in costs:
            cost.positive("costs")
            if cost.currency != self.currency:
                raise InvalidValue(
                    "costs", f"costs of this inquiry are in {self.currency}, not {cost.currency}"
                )
        components = [
            {"name": name, "amount": cost.amount, "currency": cost.currency}
            for name, cost in zip(names, costs, strict=True)
        ]
        self.trigger_event(self.QuoteTaskAnswered, task_id=task_id, costs=components, **self._common(stamp))

    def set_price(self, stamp: Stamp, margin_percent: Decimal) -> None:
        """The final price: every answered cost plus the margin."""
        self._check_open()
        answers = [costs for costs in self.tasks.values() if costs is not None]
        if not answers or len(answers) != len(self.tasks):
            raise RuleViolated("every quote task must be answered before the price is set")
        if margin_percent < 0:
            raise InvalidValue("margin_percent", "margin cannot be negative")
        cost = sum((Decimal(c["amount"]) for costs in answers for c in costs), Decimal(0))
        price = cost + percent_of(cost, margin_percent)
        self.trigger_event(
            self.Priced,
            cost=cost,
            margin_percent=margin_percent,
            price=price,
            currency=self.currency,
            **self._common(stamp),
        )

    def issue_proposal(
        self, stamp: Stamp, lines: list[dict[str, Any]], discount_percent: Decimal, valid_until: date
    ) -> None:
        self._check_open()
        if not 0 <= discount_percent < 100:
            raise InvalidValue("discount_percent", "a discount is from 0 to under 100 percent")
        if valid_until < stamp.occurred_at.date():
            raise InvalidValue("valid_until", "a proposal cannot expire before it is issued")
        priced = proposal_lines(lines, self.currency)
        gross = sum((line["amount"] for line in priced), Decimal(0))
        self.trigger_event(
            self.ProposalIssued,
            lines=priced,
            discount_percent=discount_percent,
            total=gross - percent_of(gross, discount_percent),
            currency=self.currency,
            valid_until=valid_until,
            **self._common(stamp),
        )

    def accept(self, stamp: Stamp, outcome: str, outcome_id: str) -> None:
        if self.status != InquiryStatus.PROPOSED or self.proposal is None:
            raise RuleViolated("only an inquiry with an open proposal can be accepted")
        if stamp.occurred_at.date() > self.proposal["valid_until"]:
            raise RuleViolated(f"the proposal expired on {self.proposal['valid_until']}")
        self.trigger_event(self.Accepted, outcome=outcome, outcome_id=outcome_id, **self._common(stamp))

    def refuse(self, stamp: Stamp, reason_code: str, reason_text: str) -> None:
        self._check_open()
        self.trigger_event(
            self.Refused, reason_code=reason_code, reason_text=reason_text.strip(), **self._common(stamp)
        )

    def _check_open(self) -> None:
        if self.status in (InquiryStatus.ACCEPTED, InquiryStatus.REFUSED):
            raise RuleViolated(f"the inquiry is {self.status.value}: it can no longer change")


def accept_into_deal(
    inquiry: Inquiry,
    stamp: Stamp,
    *,
    admission: Admission,
    manager_id: str,
    pipeline: SalesPipeline,
    expected_close_on: date,
    lead_source: str | None,
    deal_id: UUID,
) -> Deal:
    """The client's yes to the proposal, opening a deal at the pipeline's first stage for the
    proposal's lines and total. The deal is managed by the client's manager (``manager_id``):
    it belongs in their funnel even when an expert prepared the quote."""
    inquiry.accept(stamp, "deal", str(deal_id))
    proposal = inquiry.proposal
    assert proposal is not None  # accept() refuses an inquiry without one
    return Deal.open(
        stamp,
        admission=admission,
        counterparty_id=inquiry.counterparty_id,
        manager_id=manager_id,
        pipeline_id=str(pipeline.id),
        stage=pipeline.first_stage,
        amount=proposal["total"],
        expected_close_on=expected_close_on,
        lines=proposal["lines"],
        lead_source=lead_source,
        inquiry_id=str(inquiry.id),
        id=deal_id,
    )


def accept_into_order(
    inquiry: Inquiry,
    stamp: Stamp,
    *,
    admission: Admission,
    manager_id: str,
    contract: Contract | None,
    expected_on: date,
    order_id: UUID,
) -> Order:
    """The client's yes to the proposal, placing a received order for the proposal's lines
    and total, booked on ``contract`` when there is one."""
    inquiry.accept(stamp, "order", str(order_id))
    proposal = inquiry.proposal
    assert proposal is not None  # accept() refuses an inquiry without one
    return place_and_book_order(
        stamp,
        admission=admission,
        counterparty_id=inquiry.counterparty_id,
        manager_id=manager_id,
        contract=contract,
        status=OrderStatus.RECEIVED,
        amount=proposal["total"],
        expected_on=expected_on,
        lines=proposal["lines"],
        inquiry_id=str(inquiry.id),
        id=order_id,
    )
