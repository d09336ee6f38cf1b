"""/inquiries: a client's request through quote tasks and a proposal to the client's answer."""

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel

from aggregates.errors import AccessDenied, NotFound
from aggregates.inquiry import InquiryStatus
from aggregates.scope import covers
from commands.fields import EntityId, Key
from commands.inquiry_commands import (
    AcceptProposal,
    AnswerQuoteTask,
    AssignQuoteTask,
    DelegateInquiry,
    IssueProposal,
    PriceInquiry,
    QuoteTaskAnswer,
    RefuseInquiry,
    RegisterInquiry,
)
from projections.employee_directory import responsible
from projections.inquiries import get_inquiry, overdue_quote_tasks, search_inquiries
from read_api.deps import BackendDep, CurrentActor, Limit, Offset, ReadAfter, RecordId, Write, fresh_lookup
from read_api.schemas import READ_ONE, WRITE, DecimalText, Page, Uuid, WriteResult

router = APIRouter(prefix="/inquiries", tags=["inquiries"])


class Cost(BaseModel):
    name: str
    amount: DecimalText
    currency: str


class QuoteTask(BaseModel):
    inquiry_id: Uuid
    task_id: str
    department: str
    assignee_id: Uuid
    question: str
    due: datetime
    costs: list[Cost] | None
    answered_at: datetime | None


class OverdueQuoteTask(QuoteTask):
    counterparty_id: Uuid


class ProposedLine(BaseModel):
    item_id: Uuid
    name: str
    unit: str
    unit_price: DecimalText
    currency: str
    quantity: DecimalText
    amount: DecimalText


class Proposal(BaseModel):
    lines: list[ProposedLine]
    discount_percent: DecimalText
    total: DecimalText
    currency: str
    valid_until: date


class Refusal(BaseModel):
    reason_code: str
    reason_text: str


class InquirySummary(BaseModel):
    id: Uuid
    counterparty_id: Uuid
    manager_id: Uuid
    responsible_id: Uuid
    status: InquiryStatus
    request: dict[str, str]
    deadline: datetime
    currency: str
    cost: DecimalText | None
    margin_percent: DecimalText | None
    price: DecimalText | None
    proposal: Proposal | None
    outcome: str | None
    outcome_id: Uuid | None
    refusal: Refusal | None
    version: int
    registered_at: datetime
    updated_at: datetime


class InquiryCard(InquirySummary):
    tasks: list[QuoteTask]


@router.get("", response_model=Page[InquirySummary], dependencies=[ReadAfter])
def list_inquiries(
    backend: BackendDep,
    actor: CurrentActor,
    status: InquiryStatus | None = None,
    counterparty_id: EntityId | None = None,
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
def list_overdue_quote_tasks(backend: BackendDep, actor: CurrentActor) -> list[OverdueQuoteTask]:
    with backend.views.reading() as cursor:
        tasks = overdue_quote_tasks(cursor, actor, backend.service.clock())
    return [OverdueQuoteTask(**task) for task in tasks]


@router.get("/{inquiry_id}", response_model=InquiryCard, dependencies=[ReadAfter], responses=READ_ONE)
def get_inquiry_card(inquiry_id: RecordId, backend: BackendDep, actor: CurrentActor) -> InquiryCard:
    found = fresh_lookup(backend, lambda cursor: get_inquiry(cursor, inquiry_id))
    if found is None:
        raise NotFound(f"inquiry {inquiry_id} does not exist")
    with backend.views.reading() as cursor:
        owner = responsible(cursor, found["manager_id"])
    if not (covers(actor, owner) or actor.employee_id == found["responsible_id"]):
        raise AccessDenied("this inquiry belongs to another team's client")
    return InquiryCard(**found)


@router.post("", status_code=201, responses=WRITE)
def register_inquiry(command: RegisterInquiry, write: Write) -> WriteResult:
    return write(command)


@router.post("/{inquiry_id}/delegation", responses=WRITE)
def delegate_inquiry(inquiry_id: RecordId, command: DelegateInquiry, write: Write) -> WriteResult:
    return write(command, inquiry_id)


@router.post("/{inquiry_id}/quote-tasks", status_code=201, responses=WRITE)
def assign_quote_task(inquiry_id: RecordId, command: AssignQuoteTask, write: Write) -> WriteResult:
    return write(command, inquiry_id)


@router.post("/{inquiry_id}/quote-tasks/{task_id}/answer", responses=WRITE)
def answer_quote_task(
    inquiry_id: RecordId, task_id: Annotated[Key, Path()], answer: QuoteTaskAnswer, write: Write
) -> WriteResult:
    command = AnswerQuoteTask(task_id=task_id, **answer.model_dump(exclude_unset=True))
    return write(command, inquiry_id)


@router.put("/{inquiry_id}/price", responses=WRITE)
def price_inquiry(inquiry_id: RecordId, command: PriceInquiry, write: Write) -> WriteResult:
    return write(command, inquiry_id)


@router.post("/{inquiry_id}/proposal", responses=WRITE)
def issue_inquiry_proposal(inquiry_id: RecordId, command: IssueProposal, write: Write) -> WriteResult:
    return write(command, inquiry_id)


@router.post("/{inquiry_id}/acceptance", responses=WRITE)
def accept_inquiry_proposal(inquiry_id: RecordId, command: AcceptProposal, write: Write) -> WriteResult:
    return write(command, inquiry_id)


@router.post("/{inquiry_id}/refusal", responses=WRITE)
def refuse_inquiry(inquiry_id: RecordId, command: RefuseInquiry, write: Write) -> WriteResult:
    return write(command, inquiry_id)
