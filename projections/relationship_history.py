"""The relationship history: everything that happened with a counterparty or a contact.

Each event becomes one entry per subject it concerns (the counterparty and every
contact involved), so both timelines are a single indexed range scan.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aggregates.contact import Contact
from aggregates.contract import Contract
from aggregates.counterparty import Counterparty
from aggregates.deal import Deal
from aggregates.inquiry import Inquiry
from aggregates.interaction import Interaction
from aggregates.order import Order
from aggregates.payment import Payment
from aggregates.planned_activity import PlannedActivity
from aggregates.stamp import Fact
from aggregates.task import Task
from aggregates.timesheet import Timesheet
from projections.counterparty_merges import same_client
from projections.database import Params, ViewCursor
from projections.projection import Projection, on
from projections.staff import KeepsStaff, staff_table
from projections.tables import Kind, Table
from projections.values import from_json
from projections.writes import Appends, Rows, Writes

# The rebuild's hot path renders one JSON document per event; this produces exactly what
# ``to_json`` produces, with less work per call.
_JSON = json.JSONEncoder(ensure_ascii=False, default=str, sort_keys=True).encode


Entry = tuple[str, str, str, dict[str, Any], list[str]]
"""entry type, event name, summary, details, the subjects it concerns."""


def _card_details(event: Any) -> dict[str, Any]:
    return {k: v for k, v in event.__dict__.items() if k not in _PROVENANCE}


def _about_counterparty(
    entry_type: str, event_name: str, summary: Callable[[Any], str]
) -> Callable[[Any], Entry]:
    """An entry on the counterparty's own timeline: its card, or its sales and money."""

    def describe(event: Any) -> Entry:
        subject = getattr(event, "counterparty_id", None) or str(event.originator_id)
        return entry_type, event_name, summary(event), _card_details(event), [subject]

    return describe


def _contact_entry(event_name: str) -> Callable[[Any], Entry]:
    def describe(event: Any) -> Entry:
        details = _card_details(event)
        subjects = [str(event.originator_id)]
        if event.counterparty_id:
            subjects.append(event.counterparty_id)
        summary = getattr(event, "full_name", None) or ", ".join(sorted(event.changes))
        return "contact", event_name, summary, details, subjects

    return describe


def _interaction_logged(event: Any) -> Entry:
    details = {
        "direction": event.direction,
        "subject": event.subject,
        "contact_ids": event.contact_ids,
        **event.details,
    }
    subjects = [*event.contact_ids]
    if event.counterparty_id:
        subjects.append(event.counterparty_id)
    return event.kind, "interaction.logged", event.subject, details, subjects


def _interaction_corrected(event: Any) -> Entry:
    details = {
        "interaction_id": str(event.originator_id),
        "kind": event.kind,
        "changes": event.changes,
        "previous": event.previous,
        "reason": event.reason,
    }
    subjects = list(event.contact_ids)
    if event.counterparty_id:
        subjects.append(event.counterparty_id)
    return "correction", "interaction.corrected", event.reason, details, subjects


def _planning(entry_type: str, event_name: str, summary: Callable[[Any], str]) -> Callable[[Any], Entry]:
    """An entry of planning on the timelines of the client and the contacts it concerns, if any:
    an activity or a task that concerns no client is no one's history."""

    def describe(event: Any) -> Entry:
        subjects = [*getattr(event, "contact_ids", ())]
        if event.counterparty_id:
            subjects.append(event.counterparty_id)
        return entry_type, event_name, summary(event), _card_details(event), subjects

    return describe


def _when(event: Any) -> str:
    return (
        str(event.day)
        if event.day is not None
        else f"{event.starts_at.isoformat()} – {event.ends_at.isoformat()}"
    )


_PROVENANCE = frozenset(
    {
        "originator_id",
        "originator_version",
        "timestamp",
        "actor",
        "occurred_at",
        "command_id",
        "correlation_id",
        "originator_topic",
    }
)


def _money(amount_field: str = "amount") -> Callable[[Any], str]:
    return lambda e: f"{getattr(e, amount_field)} {e.currency}"


DESCRIBERS: dict[type[Any], Callable[[Any], Entry]] = {
    Counterparty.Registered: _about_counterparty("card", "counterparty.registered", lambda e: "registered"),
    Counterparty.ProfileChanged: _about_counterparty(
        "card", "counterparty.profile_changed", lambda e: ", ".join(sorted(e.changes))
    ),
    Counterparty.ManagerAssigned: _about_counterparty(
        "manager", "counterparty.manager_assigned", lambda e: f"manager {e.manager_id}"
    ),
    Counterparty.Rated: _about_counterparty("rating", "counterparty.rated", lambda e: f"rating {e.rating}"),
    Counterparty.AdmissionDecided: _about_counterparty(
        "admission", "counterparty.admission_decided", lambda e: f"{e.admission}: {e.reason}"
    ),
    Counterparty.MergedInto: _about_counterparty(
        "merge", "counterparty.merged_into", lambda e: f"merged into {e.survivor_id}: {e.reason}"
    ),
    Counterparty.DuplicateAbsorbed: _about_counterparty(
        "merge", "counterparty.duplicate_absorbed", lambda e: f"took in {e.merged_id}: {e.reason}"
    ),
    Counterparty.SplitOff: _about_counterparty(
        "merge", "counterparty.split_off", lambda e: f"split off {e.survivor_id}: {e.reason}"
    ),
    Counterparty.DuplicateReleased: _about_counterparty(
        "merge", "counterparty.duplicate_released", lambda e: f"gave back {e.merged_id}: {e.reason}"
    ),
    Contact.Registered: _contact_entry("contact.registered"),
    Contact.DetailsChanged: _contact_entry("contact.details_changed"),
    Interaction.Logged: _interaction_logged,
    Interaction.Corrected: _interaction_corrected,
    Inquiry.Registered: _about_counterparty(
        "inquiry", "inquiry.registered", lambda e: " / ".join(e.request.values())
    ),
    Inquiry.Delegated: _about_counterparty(
        "inquiry", "inquiry.delegated", lambda e: f"delegated to {e.expert_id}"
    ),
    Inquiry.QuoteTaskAssigned: _about_counterparty(
        "inquiry", "inquiry.quote_task_assigned", lambda e: e.department
    ),
    Inquiry.QuoteTaskAnswered: _about_counterparty(
        "inquiry", "inquiry.quote_task_answered", lambda e: f"quote task {e.task_id} answered"
    ),
    Inquiry.Priced: _about_counterparty("inquiry", "inquiry.priced", _money("price")),
    Inquiry.ProposalIssued: _about_counterparty(
        "proposal", "inquiry.proposal_issued", lambda e: f"{e.total} {e.currency} until {e.valid_until}"
    ),
    Inquiry.Accepted: _about_counterparty("inquiry", "inquiry.accepted", lambda e: f"accepted: {e.outcome}"),
    Inquiry.Refused: _about_counterparty("inquiry", "inquiry.refused", lambda e: f"refused: {e.reason_code}"),
    Deal.Opened: _about_counterparty("deal", "deal.opened", lambda e: f"{e.stage}, {e.amount} {e.currency}"),
    Deal.StageChanged: _about_counterparty(
        "deal", "deal.stage_changed", lambda e: f"{e.previous_stage} → {e.stage}"
    ),
    Deal.AmountChanged: _about_counterparty("deal", "deal.amount_changed", _money()),
    Deal.CloseDateChanged: _about_counterparty(
        "deal", "deal.close_date_changed", lambda e: str(e.expected_close_on)
    ),
    Deal.Won: _about_counterparty("deal", "deal.won", _money()),
    Deal.Lost: _about_counterparty("deal", "deal.lost", lambda e: f"lost: {e.reason_code}"),
    Contract.Signed: _about_counterparty(
        "contract", "contract.signed", lambda e: f"№ {e.number}, {e.amount} {e.currency}"
    ),
    Contract.OriginalsReceived: _about_counterparty(
        "contract", "contract.originals_received", lambda e: str(e.received_on)
    ),
    Contract.Amended: _about_counterparty("contract", "contract.amended", lambda e: e.reason),
    Contract.Prolonged: _about_counterparty(
        "contract", "contract.prolonged", lambda e: f"until {e.valid_until}"
    ),
    Contract.Terminated: _about_counterparty("contract", "contract.terminated", lambda e: e.reason),
    Contract.StageStarted: _about_counterparty("contract", "contract.stage_started", lambda e: e.stage),
    Contract.StageCompleted: _about_counterparty("contract", "contract.stage_completed", lambda e: e.stage),
    Order.Placed: _about_counterparty(
        "order", "order.placed", lambda e: f"{e.status}, {e.amount} {e.currency}"
    ),
    Order.Advanced: _about_counterparty(
        "order", "order.advanced", lambda e: f"{e.previous_status} → {e.status}"
    ),
    Payment.Received: _about_counterparty("payment", "payment.received", _money()),
    Payment.Refunded: _about_counterparty("payment", "payment.refunded", _money()),
    PlannedActivity.Planned: _planning(
        "planned_activity", "activity.planned", lambda e: f"{e.kind} {_when(e)}: {e.subject}"
    ),
    PlannedActivity.Rescheduled: _planning(
        "planned_activity", "activity.rescheduled", lambda e: f"→ {_when(e)}: {e.reason}"
    ),
    PlannedActivity.Held: _planning(
        "planned_activity", "activity.held", lambda e: f"held, interaction {e.interaction_id}"
    ),
    PlannedActivity.Missed: _planning("planned_activity", "activity.missed", lambda e: e.reason or "missed"),
    PlannedActivity.Cancelled: _planning("planned_activity", "activity.cancelled", lambda e: e.reason),
    Task.Assigned: _planning("task", "task.assigned", lambda e: f"{e.title}, due {e.due_on}"),
    Task.Accepted: _planning("task", "task.accepted", lambda e: "accepted"),
    Task.Completed: _planning("task", "task.completed", lambda e: e.note or "completed"),
    Task.Approved: _planning("task", "task.approved", lambda e: e.comment or "approved"),
    Task.Returned: _planning("task", "task.returned", lambda e: e.comment),
    Timesheet.TimeSpent: _planning("task", "time.spent", lambda e: f"{e.minutes} min: {e.work_done}"),
}

ENTRY_TYPES = (
    "card",
    "manager",
    "rating",
    "admission",
    "contact",
    "call",
    "meeting",
    "negotiation",
    "email",
    "service_visit",
    "message",
    "correction",
    "inquiry",
    "proposal",
    "deal",
    "contract",
    "order",
    "payment",
    "planned_activity",
    "task",
    "merge",
)


def entry_rows(event: Fact, position: int) -> list[tuple[Any, ...]]:
    entry_type, event_name, summary, details, subjects = DESCRIBERS[type(event)](event)
    counterparty_id = getattr(event, "counterparty_id", None)
    if isinstance(event, Counterparty.Event):
        counterparty_id = str(event.originator_id)
    common = (
        position,
        counterparty_id,
        str(event.originator_id),
        event.originator_version,
        entry_type,
        event_name,
        summary,
        _JSON(details),
        event.actor,
        event.occurred_at,
        event.timestamp,
    )
    return [(subject, *common) for subject in dict.fromkeys(subjects)]


HISTORY = Table(
    "history_entries",
    {
        "subject_id": Kind.TEXT,
        "position": Kind.BIGINT,
        "counterparty_id": Kind.TEXT,
        "source_id": Kind.TEXT,
        "source_version": Kind.INTEGER,
        "entry_type": Kind.TEXT,
        "event": Kind.TEXT,
        "summary": Kind.TEXT,
        "details": Kind.JSON,
        "actor": Kind.TEXT,
        "occurred_at": Kind.MOMENT,
        "recorded_at": Kind.MOMENT,
    },
    key=("subject_id", "position"),
    nullable=frozenset({"counterparty_id"}),
    indexes=(("subject_id", "occurred_at", "position"),),
)
STAFF = staff_table("history_staff")


@dataclass
class _Batch:
    entries: Appends
    staff: Rows


class RelationshipHistory(KeepsStaff, Projection[_Batch]):
    name = "relationship_history"
    version = 4
    tables = (HISTORY, STAFF)

    def open(self, writes: Writes) -> _Batch:
        return _Batch(writes.appends(HISTORY), writes.rows(STAFF))

    @on(*DESCRIBERS)
    def _entry(self, view: _Batch, event: Fact, position: int) -> None:
        view.entries.extend(entry_rows(event, position))


@dataclass(frozen=True)
class HistoryQuery:
    subject_id: str
    entry_types: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None


def history_page(
    cursor: ViewCursor, query: HistoryQuery, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """Newest first: by business time, then by the order of recording. A client's history holds
    the entries of the cards merged into it, each naming the card it came from (``merged_from``)."""
    p = Params()
    conditions = [same_client(cursor, "h.subject_id", query.subject_id, p)]
    if query.entry_types:
        conditions.append(cursor.dialect.any_of("h.entry_type", p(list(query.entry_types))))
    if query.since:
        conditions.append(f"h.occurred_at >= {p(query.since)}")
    if query.until:
        conditions.append(f"h.occurred_at < {p(query.until)}")
    where = " AND ".join(conditions)
    (total,) = cursor.execute(f"SELECT COUNT(*) FROM {HISTORY.name} h WHERE {where}", p.values)[0]
    rows = cursor.execute(
        f"SELECT {', '.join('h.' + c for c in HISTORY.column_names)}, e.full_name FROM {HISTORY.name} h "
        f"LEFT JOIN {STAFF.name} e ON e.id = h.actor WHERE {where} "
        f"ORDER BY h.occurred_at DESC, h.position DESC LIMIT {p(limit)} OFFSET {p(offset)}",
        p.values,
    )
    entries = []
    for row in rows:
        entry = dict(zip((*HISTORY.column_names, "actor_name"), row, strict=True))
        entry["details"] = from_json(entry["details"])
        entry["merged_from"] = entry["subject_id"] if entry["subject_id"] != query.subject_id else None
        entries.append(entry)
    return entries, int(total)
