"""/inquiries: a client's request through quote tasks and a proposal to the client's answer."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from aggregates.errors import AccessDenied, NotFound
from aggregates.inquiry import InquiryStatus
from aggregates.scope import covers
from commands.inquiry_commands import (
    AcceptProposal,
    AnswerQuoteTask,
    AssignQuoteTask,
    DelegateInquiry,
    IssueProposal,
    PriceInquiry,
    RefuseInquiry,
    RegisterInquiry,
    accept_proposal,
    answer_quote_task,
    assign_quote_task,
    delegate_inquiry,
    issue_proposal,
    price_inquiry,
    refuse_inquiry,
    register_inquiry,
)
from projections.employee_directory import responsible
from projections.inquiries import get_inquiry, overdue_quote_tasks, search_inquiries
from read_api.deps import (
    BackendDep,
    CurrentActor,
    IdempotencyKey,
    Limit,
    Offset,
    ReadAfter,
    fresh_lookup,
    keyed,
    written,
)
from read_api.schemas import Page, WriteResult, problems

router = APIRouter(prefix="/inquiries", tags=["inquiries"], responses=problems(400, 403, 404, 409, 503))


class Cost(BaseModel):
    name: str
    amount: Decimal
    currency: str


class QuoteTask(BaseModel):
    inquiry_id: str
    task_id: str
    department: str
    assignee_id: str
    question: str
    due: str
    costs: list[Cost] | None
    answered_at: str | None


class OverdueQuoteTask(QuoteTask):
    counterparty_id: str


class ProposedLine(BaseModel):
    item_id: str
    name: str
    unit: str
    unit_price: Decimal
    currency: str
    quantity: Decimal
    amount: Decimal


class Proposal(BaseModel):
    lines: list[ProposedLine]
    discount_percent: Decimal
    total: Decimal
    currency: str
    valid_until: date


class Refusal(BaseModel):
    reason_code: str
    reason_text: str


class InquirySummary(BaseModel):
    id: str
    counterparty_id: str
    manager_id: str
    responsible_id: str
    status: InquiryStatus
    request: dict[str, str]
    deadline: str
    currency: str
    cost: Decimal | None
    margin_percent: Decimal | None
    price: Decimal | None
    proposal: Proposal | None
    outcome: str | None
    outcome_id: str | None
    refusal: Refusal | None
    version: int
    registered_at: str
    updated_at: str


class InquiryCard(InquirySummary):
    tasks: list[QuoteTask]


@router.get("", response_model=Page[InquirySummary], dependencies=[ReadAfter])
def search(
    backend: BackendDep,
    actor: CurrentActor,
    status: InquiryStatus | None = None,
    counterparty_id: Annotated[str | None, Query(max_length=36)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[InquirySummary]:
    with backend.views.reading() as cursor:
        items, total = search_inquiries(
            cursor, actor, status=status, counterparty_id=counterparty_id, limit=limit, offset=offset
        )
    return Page[InquirySummary](
        items=[InquirySummary(**item) for item in items], total=total, limit=limit, offset=offset
    )


@router.get("/quote-tasks/overdue", response_model=list[OverdueQuoteTask], dependencies=[ReadAfter])
def overdue(backend: BackendDep, actor: CurrentActor) -> list[OverdueQuoteTask]:
    with backend.views.reading() as cursor:
        tasks = overdue_quote_tasks(cursor, actor, backend.service.clock())
    return [OverdueQuoteTask(**task) for task in tasks]


@router.get("/{inquiry_id}", response_model=InquiryCard, dependencies=[ReadAfter])
def card(inquiry_id: str, backend: BackendDep, actor: CurrentActor) -> InquiryCard:
    found = fresh_lookup(backend, lambda cursor: get_inquiry(cursor, inquiry_id))
    if found is None:
        raise NotFound(f"inquiry {inquiry_id} does not exist")
    with backend.views.reading() as cursor:
        owner = responsible(cursor, found["manager_id"])
    if not (covers(actor, owner) or actor.employee_id == found["responsible_id"]):
        raise AccessDenied("this inquiry belongs to another team's client")
    return InquiryCard(**found)


@router.post("", status_code=201, response_model=WriteResult)
def register(
    command: RegisterInquiry,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(register_inquiry(backend.service, actor, keyed(command, key)), response)


@router.post("/{inquiry_id}/delegation", response_model=WriteResult)
def delegate(
    inquiry_id: str,
    command: DelegateInquiry,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(delegate_inquiry(backend.service, actor, inquiry_id, keyed(command, key)), response)


@router.post("/{inquiry_id}/quote-tasks", status_code=201, response_model=WriteResult)
def assign_task(
    inquiry_id: str,
    command: AssignQuoteTask,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(assign_quote_task(backend.service, actor, inquiry_id, keyed(command, key)), response)


@router.post("/{inquiry_id}/quote-tasks/{task_id}/answer", response_model=WriteResult)
def answer_task(
    inquiry_id: str,
    task_id: str,
    command: AnswerQuoteTask,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    outcome = answer_quote_task(backend.service, actor, inquiry_id, task_id, keyed(command, key))
    return written(outcome, response)


@router.put("/{inquiry_id}/price", response_model=WriteResult)
def set_price(
    inquiry_id: str,
    command: PriceInquiry,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(price_inquiry(backend.service, actor, inquiry_id, keyed(command, key)), response)


@router.post("/{inquiry_id}/proposal", response_model=WriteResult)
def propose(
    inquiry_id: str,
    command: IssueProposal,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(issue_proposal(backend.service, actor, inquiry_id, keyed(command, key)), response)


@router.post("/{inquiry_id}/acceptance", response_model=WriteResult)
def accept(
    inquiry_id: str,
    command: AcceptProposal,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(accept_proposal(backend.service, actor, inquiry_id, keyed(command, key)), response)


@router.post("/{inquiry_id}/refusal", response_model=WriteResult)
def refuse(
    inquiry_id: str,
    command: RefuseInquiry,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(refuse_inquiry(backend.service, actor, inquiry_id, keyed(command, key)), response)
