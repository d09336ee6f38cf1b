"""Inquiries and their quote tasks: where each request stands, and which answers are late.

An inquiry is visible to the team of its client's manager and to the one it is with, so the
view follows the client's manager as it changes, from a copy of its own."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from aggregates.counterparty import Counterparty
from aggregates.inquiry import Inquiry, InquiryStatus
from aggregates.scope import Actor
from projections.counterparty_merges import same_client
from projections.database import Params, ViewCursor
from projections.projection import Projection, on
from projections.scope import in_scope
from projections.staff import KeepsStaff, staff_table
from projections.tables import Kind, Table
from projections.values import from_json, to_json
from projections.writes import Rows, Writes

INQUIRIES = Table(
    "inquiries",
    {
        "id": Kind.TEXT,
        "counterparty_id": Kind.TEXT,
        "manager_id": Kind.TEXT,
        "responsible_id": Kind.TEXT,
        "status": Kind.TEXT,
        "request": Kind.JSON,
        "deadline": Kind.MOMENT,
        "currency": Kind.TEXT,
        "cost": Kind.MONEY,
        "margin_percent": Kind.MONEY,
        "price": Kind.MONEY,
        "proposal": Kind.JSON,
        "outcome": Kind.TEXT,
        "outcome_id": Kind.TEXT,
        "refusal": Kind.JSON,
        "version": Kind.INTEGER,
        "registered_at": Kind.MOMENT,
        "updated_at": Kind.MOMENT,
    },
    key=("id",),
    nullable=frozenset({"cost", "margin_percent", "price", "proposal", "outcome", "outcome_id", "refusal"}),
    # The daily report seeks an employee's inquiries still waiting, in deadline order, in one index.
    indexes=(("counterparty_id",), ("manager_id",), ("responsible_id", "status", "deadline"), ("status",)),
)
TASKS = Table(
    "quote_tasks",
    {
        "inquiry_id": Kind.TEXT,
        "task_id": Kind.TEXT,
        "department": Kind.TEXT,
        "assignee_id": Kind.TEXT,
        "question": Kind.TEXT,
        "due": Kind.MOMENT,
        "costs": Kind.JSON,
        "answered_at": Kind.MOMENT,
        "assigned_position": Kind.BIGINT,
    },
    key=("inquiry_id", "task_id"),
    nullable=frozenset({"costs", "answered_at"}),
    # Tasks still unanswered are sought among the few with no answer, not among all those due.
    indexes=(("due",), ("answered_at", "due")),
)
CLIENT_MANAGERS = Table(
    "inquiry_client_managers",
    {"counterparty_id": Kind.TEXT, "manager_id": Kind.TEXT},
    key=("counterparty_id",),
)
STAFF = staff_table("inquiry_staff")

_JSON_COLUMNS = ("request", "proposal", "refusal")
_MONEY_COLUMNS = ("cost", "margin_percent", "price")
_TASK_COLUMNS = TASKS.column_names[:-1]
_STILL_OPEN = [InquiryStatus.OPEN.value, InquiryStatus.PROPOSED.value]


@dataclass
class _Batch:
    inquiries: Rows
    tasks: Rows
    clients: Rows
    staff: Rows


class InquiryView(KeepsStaff, Projection[_Batch]):
    name = "inquiries"
    version = 4
    tables = (INQUIRIES, TASKS, CLIENT_MANAGERS, STAFF)

    def open(self, writes: Writes) -> _Batch:
        return _Batch(
            writes.rows(INQUIRIES), writes.rows(TASKS), writes.rows(CLIENT_MANAGERS), writes.rows(STAFF)
        )

    @on(Counterparty.Registered)
    def _client_registered(self, view: _Batch, event: Counterparty.Registered, _position: int) -> None:
        view.clients.put({"counterparty_id": str(event.originator_id), "manager_id": event.manager_id})

    @on(Counterparty.ManagerAssigned)
    def _client_manager_assigned(
        self, view: _Batch, event: Counterparty.ManagerAssigned, _position: int
    ) -> None:
        key = str(event.originator_id)
        view.clients.put({"counterparty_id": key, "manager_id": event.manager_id})
        view.inquiries.update_where({"manager_id": event.manager_id}, {"counterparty_id": key})

    @on(Inquiry.Registered)
    def _registered(self, view: _Batch, event: Inquiry.Registered, _position: int) -> None:
        client = view.clients.get(event.counterparty_id)
        view.inquiries.put(
            {
                "id": str(event.originator_id),
                "counterparty_id": event.counterparty_id,
                "manager_id": client["manager_id"] if client else event.responsible_id,
                "responsible_id": event.responsible_id,
                "status": InquiryStatus.OPEN.value,
                "request": to_json(event.request),
                "deadline": event.deadline,
                "currency": event.currency,
                "cost": None,
                "margin_percent": None,
                "price": None,
                "proposal": None,
                "outcome": None,
                "outcome_id": None,
                "refusal": None,
                "version": event.originator_version,
                "registered_at": event.timestamp,
                "updated_at": event.timestamp,
            }
        )

    @on(Inquiry.Delegated)
    def _delegated(self, view: _Batch, event: Inquiry.Delegated, _position: int) -> None:
        _touch(view, event, responsible_id=event.expert_id)

    @on(Inquiry.QuoteTaskAssigned)
    def _task_assigned(self, view: _Batch, event: Inquiry.QuoteTaskAssigned, position: int) -> None:
        view.tasks.put(
            {
                "inquiry_id": str(event.originator_id),
                "task_id": event.task_id,
                "department": event.department,
                "assignee_id": event.assignee_id,
                "question": event.question,
                "due": event.due,
                "costs": None,
                "answered_at": None,
                "assigned_position": position,
            }
        )
        _touch(view, event)

    @on(Inquiry.QuoteTaskAnswered)
    def _task_answered(self, view: _Batch, event: Inquiry.QuoteTaskAnswered, _position: int) -> None:
        view.tasks.update(
            (str(event.originator_id), event.task_id),
            costs=to_json(event.costs),
            answered_at=event.occurred_at,
        )
        _touch(view, event)

    @on(Inquiry.Priced)
    def _priced(self, view: _Batch, event: Inquiry.Priced, _position: int) -> None:
        _touch(view, event, cost=event.cost, margin_percent=event.margin_percent, price=event.price)

    @on(Inquiry.ProposalIssued)
    def _proposed(self, view: _Batch, event: Inquiry.ProposalIssued, _position: int) -> None:
        proposal = {
            "lines": event.lines,
            "discount_percent": event.discount_percent,
            "total": event.total,
            "currency": event.currency,
            "valid_until": event.valid_until,
        }
        _touch(view, event, status=InquiryStatus.PROPOSED.value, proposal=to_json(proposal))

    @on(Inquiry.Accepted)
    def _accepted(self, view: _Batch, event: Inquiry.Accepted, _position: int) -> None:
        _touch(
            view,
            event,
            status=InquiryStatus.ACCEPTED.value,
            outcome=event.outcome,
            outcome_id=event.outcome_id,
        )

    @on(Inquiry.Refused)
    def _refused(self, view: _Batch, event: Inquiry.Refused, _position: int) -> None:
        refusal = to_json({"reason_code": event.reason_code, "reason_text": event.reason_text})
        _touch(view, event, status=InquiryStatus.REFUSED.value, refusal=refusal)


def _touch(view: _Batch, event: Inquiry.Event, **columns: Any) -> None:
    view.inquiries.update(
        (str(event.originator_id),), **columns, version=event.originator_version, updated_at=event.timestamp
    )


def _visible(actor: Actor, prefix: str, p: Params) -> str:
    """The client's team, or the one the inquiry is with."""
    team = in_scope(actor, f"{prefix}manager_id", STAFF.name, p)
    return f"({team} OR {prefix}responsible_id = {p(actor.employee_id)})"


def _row_to_inquiry(row: tuple[Any, ...]) -> dict[str, Any]:
    inquiry = dict(zip(INQUIRIES.column_names, row, strict=True))
    for column in _JSON_COLUMNS:
        inquiry[column] = from_json(inquiry[column])
    for column in _MONEY_COLUMNS:
        if inquiry[column] is not None:
            inquiry[column] = Decimal(inquiry[column])
    return inquiry


def _row_to_task(row: tuple[Any, ...]) -> dict[str, Any]:
    task = dict(zip(_TASK_COLUMNS, row, strict=True))
    task["costs"] = from_json(task["costs"])
    return task


def search_inquiries(
    cursor: ViewCursor,
    actor: Actor,
    *,
    status: str | None,
    counterparty_id: str | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    p = Params()
    conditions = [_visible(actor, "", p)]
    if status is not None:
        conditions.append(f"status = {p(status)}")
    if counterparty_id is not None:
        conditions.append(same_client(cursor, "counterparty_id", counterparty_id, p))
    where = " AND ".join(conditions)
    (total,) = cursor.execute(f"SELECT COUNT(*) FROM {INQUIRIES.name} WHERE {where}", p.values)[0]
    rows = cursor.execute(
        f"SELECT {', '.join(INQUIRIES.column_names)} FROM {INQUIRIES.name} WHERE {where} "
        f"ORDER BY registered_at DESC, id LIMIT {p(limit)} OFFSET {p(offset)}",
        p.values,
    )
    return [_row_to_inquiry(row) for row in rows], int(total)


def get_inquiry(cursor: ViewCursor, inquiry_id: str) -> dict[str, Any] | None:
    """One inquiry with its quote tasks, whoever asks: the caller checks the scope."""
    rows = cursor.execute(
        f"SELECT {', '.join(INQUIRIES.column_names)} FROM {INQUIRIES.name} WHERE id = $1", (inquiry_id,)
    )
    if not rows:
        return None
    inquiry = _row_to_inquiry(rows[0])
    # Tasks in the order they were assigned: their ids are whatever the assigner chose.
    tasks = cursor.execute(
        f"SELECT {', '.join(_TASK_COLUMNS)} FROM {TASKS.name} WHERE inquiry_id = $1 "
        "ORDER BY assigned_position",
        (inquiry_id,),
    )
    inquiry["tasks"] = [_row_to_task(row) for row in tasks]
    return inquiry


def overdue_quote_tasks(cursor: ViewCursor, actor: Actor, now: datetime) -> list[dict[str, Any]]:
    """Unanswered tasks past their due time, of inquiries still waiting for a price."""
    p = Params(now, _STILL_OPEN)
    visible = _visible(actor, "i.", p)
    rows = cursor.execute(
        f"SELECT {', '.join('t.' + column for column in _TASK_COLUMNS)}, i.counterparty_id "
        f"FROM {TASKS.name} t JOIN {INQUIRIES.name} i ON i.id = t.inquiry_id "
        f"WHERE t.answered_at IS NULL AND t.due < $1 AND {cursor.dialect.any_of('i.status', '$2')} "
        f"AND {visible} "
        "ORDER BY t.due, t.inquiry_id, t.task_id",
        p.values,
    )
    return [{**_row_to_task(row[:-1]), "counterparty_id": row[-1]} for row in rows]


_WAITING_COLUMNS = ("id", "counterparty_id", "status", "request", "deadline")


def inquiries_waiting(
    cursor: ViewCursor, responsible_id: str, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """For the daily report: the inquiries an employee is responsible for that wait for an
    answer, ours (open) or the client's (proposed), the nearest deadline first, at most
    ``limit`` of them, and how many wait in all. Only what the report shows is read: a
    manager may have thousands waiting, and their proposals are the widest part of each row."""
    rows = cursor.execute(
        f"SELECT {', '.join(_WAITING_COLUMNS)}, COUNT(*) OVER () FROM {INQUIRIES.name} "
        f"WHERE responsible_id = $1 AND {cursor.dialect.any_of('status', '$2')} "
        "ORDER BY deadline, id LIMIT $3",
        (responsible_id, _STILL_OPEN, limit),
    )
    moment = cursor.dialect.moment_of
    shown = [
        {
            "id": inquiry_id,
            "counterparty_id": counterparty_id,
            "status": status,
            "request": from_json(request),
            "deadline": moment(deadline),
        }
        for inquiry_id, counterparty_id, status, request, deadline, _total in rows
    ]
    return shown, rows[0][-1] if rows else 0
