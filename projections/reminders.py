"""Reminders (FEATURES F6): one row per reminder, due from its time until dismissed."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aggregates.reminder import Reminder
from event_store.store import Recorded
from projections.database import ViewCursor
from projections.projection import Projection, on, originators
from projections.tables import Kind, Table
from projections.writes import Rows, Writes

REMINDERS = Table(
    "reminders",
    {
        "id": Kind.TEXT,
        "recipient_id": Kind.TEXT,
        "set_by": Kind.TEXT,
        "remind_at": Kind.MOMENT,
        "text": Kind.TEXT,
        "subject": Kind.TEXT,
        "subject_id": Kind.TEXT,
        "stage": Kind.TEXT,
        "counterparty_id": Kind.TEXT,
        "dismissed_at": Kind.MOMENT,
    },
    key=("id",),
    nullable=frozenset({"subject_id", "stage", "counterparty_id", "dismissed_at"}),
    indexes=(("recipient_id", "remind_at"),),
)


@dataclass
class _Batch:
    reminders: Rows


class ReminderView(Projection[_Batch]):
    name = "reminders"
    tables = (REMINDERS,)

    def open(self, writes: Writes) -> _Batch:
        return _Batch(writes.rows(REMINDERS))

    def preload(self, view: _Batch, events: Sequence[Recorded]) -> None:
        view.reminders.load("id", originators(events, Reminder.Dismissed))

    @on(Reminder.Set)
    def _set(self, view: _Batch, event: Reminder.Set, _position: int) -> None:
        view.reminders.put(
            {
                "id": str(event.originator_id),
                "recipient_id": event.recipient_id,
                "set_by": event.actor,
                "remind_at": event.remind_at,
                "text": event.text,
                "subject": event.subject,
                "subject_id": event.subject_id,
                "stage": event.stage,
                "counterparty_id": event.counterparty_id,
                "dismissed_at": None,
            }
        )

    @on(Reminder.Dismissed)
    def _dismissed(self, view: _Batch, event: Reminder.Dismissed, _position: int) -> None:
        view.reminders.update((str(event.originator_id),), dismissed_at=event.occurred_at)


def _rows(cursor: ViewCursor, condition: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
    rows = cursor.execute(
        f"SELECT {', '.join(REMINDERS.column_names)} FROM {REMINDERS.name} WHERE {condition} "
        "ORDER BY remind_at, id",
        params,
    )
    found = []
    for row in rows:
        record = dict(zip(REMINDERS.column_names, row, strict=True))
        record["remind_at"] = cursor.dialect.moment_of(record["remind_at"])
        if record["dismissed_at"] is not None:
            record["dismissed_at"] = cursor.dialect.moment_of(record["dismissed_at"])
        found.append(record)
    return found


def due_reminders(cursor: ViewCursor, employee_id: str, now: datetime) -> list[dict[str, Any]]:
    """The employee's reminders whose time came by ``now`` and that are not dismissed."""
    return _rows(cursor, "recipient_id = $1 AND dismissed_at IS NULL AND remind_at <= $2", (employee_id, now))


def reminders_between(
    cursor: ViewCursor, employee_id: str, since: datetime, until: datetime
) -> list[dict[str, Any]]:
    """The employee's undismissed reminders set for [since, until): alarms for a calendar."""
    return _rows(
        cursor,
        "recipient_id = $1 AND dismissed_at IS NULL AND remind_at >= $2 AND remind_at < $3",
        (employee_id, since, until),
    )
