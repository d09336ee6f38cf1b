"""Inquiries and their quote tasks: where each request stands, and which answers are late.

An inquiry is visible to the team of its client's manager and to the one it is with, so the
view follows the client's manager as it changes, from a lookup of its own."""

from datetime import datetime
from typing import Any

from aggregates.counterparty import Counterparty
from aggregates.inquiry import Inquiry, InquiryStatus
from aggregates.scope import Actor
from event_store.store import Recorded
from projections.database import ViewCursor
from projections.employee_directory import scope_condition
from projections.projection import Handler, Projection
from projections.values import from_json, to_json, utc_text

_COLUMNS = (
    "id",
    "counterparty_id",
    "manager_id",
    "responsible_id",
    "status",
    "request",
    "deadline",
    "currency",
    "cost",
    "margin_percent",
    "price",
    "proposal",
    "outcome",
    "outcome_id",
    "refusal",
    "version",
    "registered_at",
    "updated_at",
)
_JSON_COLUMNS = ("request", "proposal", "refusal")
_TASK_COLUMNS = (
    "inquiry_id",
    "task_id",
    "department",
    "assignee_id",
    "question",
    "due",
    "costs",
    "answered_at",
)
_STILL_OPEN = (InquiryStatus.OPEN.value, InquiryStatus.PROPOSED.value)


class InquiryView(Projection):
    name = "inquiries"
    version = 2
    tables = ("inquiries", "quote_tasks", "inquiry_client_managers")

    def create_tables(self, cursor: ViewCursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS inquiries (id TEXT PRIMARY KEY, counterparty_id TEXT NOT NULL, "
            "manager_id TEXT NOT NULL, responsible_id TEXT NOT NULL, status TEXT NOT NULL, "
            "request TEXT NOT NULL, deadline TEXT NOT NULL, currency TEXT NOT NULL, cost TEXT, "
            "margin_percent TEXT, price TEXT, proposal TEXT, outcome TEXT, outcome_id TEXT, refusal TEXT, "
            "version INTEGER NOT NULL, registered_at TEXT NOT NULL, updated_at TEXT NOT NULL)"
        )
        for column in ("counterparty_id", "manager_id", "responsible_id", "status"):
            cursor.execute(f"CREATE INDEX IF NOT EXISTS inquiries_{column} ON inquiries ({column})")
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS quote_tasks (inquiry_id TEXT NOT NULL, task_id TEXT NOT NULL, "
            "department TEXT NOT NULL, assignee_id TEXT NOT NULL, question TEXT NOT NULL, due TEXT NOT NULL, "
            "costs TEXT, answered_at TEXT, assigned_position BIGINT NOT NULL, "
            "PRIMARY KEY (inquiry_id, task_id))"
        )
        cursor.execute("CREATE INDEX IF NOT EXISTS quote_tasks_due ON quote_tasks (due)")
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS inquiry_client_managers "
            "(counterparty_id TEXT PRIMARY KEY, manager_id TEXT NOT NULL)"
        )

    def handlers(self) -> dict[type[Any], Handler]:
        return {
            Counterparty.Registered: self._client_registered,
            Counterparty.ManagerAssigned: self._client_manager_assigned,
            Inquiry.Registered: self._registered,
            Inquiry.Delegated: self._changed(lambda e: {"responsible_id": e.expert_id}),
            Inquiry.QuoteTaskAssigned: self._task_assigned,
            Inquiry.QuoteTaskAnswered: self._task_answered,
            Inquiry.Priced: self._changed(
                lambda e: {
                    "cost": str(e.cost),
                    "margin_percent": str(e.margin_percent),
                    "price": str(e.price),
                }
            ),
            Inquiry.ProposalIssued: self._changed(
                lambda e: {
                    "status": InquiryStatus.PROPOSED.value,
                    "proposal": to_json(
                        {
                            "lines": e.lines,
                            "discount_percent": e.discount_percent,
                            "total": e.total,
                            "currency": e.currency,
                            "valid_until": e.valid_until,
                        }
                    ),
                }
            ),
            Inquiry.Accepted: self._changed(
                lambda e: {
                    "status": InquiryStatus.ACCEPTED.value,
                    "outcome": e.outcome,
                    "outcome_id": e.outcome_id,
                }
            ),
            Inquiry.Refused: self._changed(
                lambda e: {
                    "status": InquiryStatus.REFUSED.value,
                    "refusal": to_json({"reason_code": e.reason_code, "reason_text": e.reason_text}),
                }
            ),
        }

    @staticmethod
    def _client_registered(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        cursor.execute(
            "INSERT INTO inquiry_client_managers (counterparty_id, manager_id) VALUES (?, ?)",
            (str(event.originator_id), event.manager_id),
        )

    @staticmethod
    def _client_manager_assigned(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        key = str(event.originator_id)
        cursor.execute(
            "UPDATE inquiry_client_managers SET manager_id = ? WHERE counterparty_id = ?",
            (event.manager_id, key),
        )
        cursor.execute(
            "UPDATE inquiries SET manager_id = ? WHERE counterparty_id = ?", (event.manager_id, key)
        )

    @staticmethod
    def _registered(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        found = cursor.execute(
            "SELECT manager_id FROM inquiry_client_managers WHERE counterparty_id = ?",
            (event.counterparty_id,),
        )
        now = utc_text(event.timestamp)
        cursor.execute(
            "INSERT INTO inquiries (id, counterparty_id, manager_id, responsible_id, status, request, "
            "deadline, currency, version, registered_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                str(event.originator_id),
                event.counterparty_id,
                found[0][0] if found else event.responsible_id,
                event.responsible_id,
                InquiryStatus.OPEN.value,
                to_json(event.request),
                utc_text(event.deadline),
                event.currency,
                event.originator_version,
                now,
                now,
            ),
        )

    @staticmethod
    def _changed(columns_of: Any) -> Handler:
        def handle(cursor: ViewCursor, recorded: Recorded) -> None:
            _touch(cursor, recorded.event, **columns_of(recorded.event))

        return handle

    @staticmethod
    def _task_assigned(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        cursor.execute(
            "INSERT INTO quote_tasks (inquiry_id, task_id, department, assignee_id, question, due, "
            "assigned_position) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                str(event.originator_id),
                event.task_id,
                event.department,
                event.assignee_id,
                event.question,
                utc_text(event.due),
                recorded.position,
            ),
        )
        _touch(cursor, event)

    @staticmethod
    def _task_answered(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        cursor.execute(
            "UPDATE quote_tasks SET costs = ?, answered_at = ? WHERE inquiry_id = ? AND task_id = ?",
            (to_json(event.costs), utc_text(event.occurred_at), str(event.originator_id), event.task_id),
        )
        _touch(cursor, event)


def _touch(cursor: ViewCursor, event: Any, **columns: Any) -> None:
    columns.update(version=event.originator_version, updated_at=utc_text(event.timestamp))
    assignments = ", ".join(f"{column} = ?" for column in columns)
    cursor.execute(
        f"UPDATE inquiries SET {assignments} WHERE id = ?", (*columns.values(), str(event.originator_id))
    )


def _in_scope(actor: Actor, prefix: str = "") -> tuple[str, list[Any]]:
    """The client's team, or the one the inquiry is with."""
    scope_sql, params = scope_condition(actor, f"{prefix}manager_id")
    return f"({scope_sql} OR {prefix}responsible_id = ?)", [*params, actor.employee_id]


def _row_to_inquiry(row: tuple[Any, ...]) -> dict[str, Any]:
    inquiry = dict(zip(_COLUMNS, row, strict=True))
    for column in _JSON_COLUMNS:
        inquiry[column] = from_json(inquiry[column])
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
    scope_sql, params = _in_scope(actor)
    conditions = [scope_sql]
    for column, value in (("status", status), ("counterparty_id", counterparty_id)):
        if value is not None:
            conditions.append(f"{column} = ?")
            params.append(value)
    where = " AND ".join(conditions)
    (total,) = cursor.execute(f"SELECT COUNT(*) FROM inquiries WHERE {where}", params)[0]
    rows = cursor.execute(
        f"SELECT {', '.join(_COLUMNS)} FROM inquiries WHERE {where} "
        "ORDER BY registered_at DESC, id LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return [_row_to_inquiry(row) for row in rows], int(total)


def get_inquiry(cursor: ViewCursor, inquiry_id: str) -> dict[str, Any] | None:
    """One inquiry with its quote tasks, whoever asks: the caller checks the scope."""
    rows = cursor.execute(f"SELECT {', '.join(_COLUMNS)} FROM inquiries WHERE id = ?", (inquiry_id,))
    if not rows:
        return None
    inquiry = _row_to_inquiry(rows[0])
    # Tasks in the order they were assigned: their ids are whatever the assigner chose.
    tasks = cursor.execute(
        f"SELECT {', '.join(_TASK_COLUMNS)} FROM quote_tasks WHERE inquiry_id = ? ORDER BY assigned_position",
        (inquiry_id,),
    )
    inquiry["tasks"] = [_row_to_task(row) for row in tasks]
    return inquiry


def overdue_quote_tasks(cursor: ViewCursor, actor: Actor, now: datetime) -> list[dict[str, Any]]:
    """Unanswered tasks past their due time, of inquiries still waiting for a price."""
    scope_sql, params = _in_scope(actor, "i.")
    marks = ", ".join("?" * len(_STILL_OPEN))
    rows = cursor.execute(
        f"SELECT {', '.join('t.' + column for column in _TASK_COLUMNS)}, i.counterparty_id "
        "FROM quote_tasks t JOIN inquiries i ON i.id = t.inquiry_id "
        f"WHERE t.answered_at IS NULL AND t.due < ? AND i.status IN ({marks}) AND {scope_sql} "
        "ORDER BY t.due, t.inquiry_id, t.task_id",
        [utc_text(now), *_STILL_OPEN, *params],
    )
    return [{**_row_to_task(row[:-1]), "counterparty_id": row[-1]} for row in rows]
