"""What a batch of the calendar's events will look up, read ahead in one statement a table.

Most of the calendar's events change an entry written by an event of an earlier batch (an
activity planned months before it is held, a task assigned before it is completed): looked
up one at a time they cost a round trip each, and a rebuild would spend its time waiting on
them. Each rule here names, for an event, the rows its handler reads by key."""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from aggregates.contact import Contact
from aggregates.contract import Contract
from aggregates.counterparty import Counterparty
from aggregates.deal import Deal
from aggregates.interaction import Interaction
from aggregates.planned_activity import PlannedActivity
from aggregates.resource import Resource
from aggregates.task import Task
from event_store.store import Recorded
from projections.calendar_entries import CalendarBatch


def _own(event: Any) -> list[str]:
    return [str(event.originator_id)]


def _entry(pattern: str) -> Callable[[Any], list[str]]:
    """The entry an event of a record changes, every employee's copy of it."""
    return lambda event: [pattern.format(event.originator_id)]


def _stage_entries(event: Contract.StageStarted | Contract.StageCompleted) -> list[str]:
    prefix = f"contract:{event.originator_id}:stage:{event.stage}"
    return [f"{prefix}:plan", f"{prefix}:actual"]


_CLOSING = (
    PlannedActivity.Rescheduled,
    PlannedActivity.Held,
    PlannedActivity.Missed,
    PlannedActivity.Cancelled,
)
_TASK_MOVES = (Task.Accepted, Task.Completed, Task.Approved, Task.Returned)
_DEAL_MOVES = (Deal.CloseDateChanged, Deal.Won, Deal.Lost)

# event class → [(table, the key's values)], the key being the table's ``id`` column, or
# ``entry_id`` for the entries (every employee's copy of an entry at once).
_LOOKUPS: dict[type[Any], list[tuple[str, Callable[[Any], Iterable[str]]]]] = {
    **{cls: [("sources", _own), ("entries", _entry("activity:{}"))] for cls in _CLOSING},
    # A meeting that held an activity gives its entry up: whose calendar showed it.
    PlannedActivity.Held: [
        ("sources", lambda e: [str(e.originator_id), e.interaction_id]),
        ("entries", _entry("activity:{}")),
    ],
    **{cls: [("entries", _entry("task:{}"))] for cls in _TASK_MOVES},
    **{cls: [("sources", _own), ("entries", _entry("deal:{}:close"))] for cls in _DEAL_MOVES},
    Contract.Amended: [("sources", _own)],
    Contract.StageStarted: [("sources", _own), ("entries", _stage_entries)],
    Contract.StageCompleted: [("sources", _own), ("entries", _stage_entries)],
    Deal.Opened: [("clients", lambda e: [e.counterparty_id])],
    Contact.Registered: [("clients", lambda e: [e.counterparty_id] if e.counterparty_id else [])],
    Contact.DetailsChanged: [("contacts", _own)],
    Counterparty.ProfileChanged: [("clients", _own), ("yearly", _entry("counterparty:{}:anniversary"))],
    Counterparty.ManagerAssigned: [("clients", _own)],
    Interaction.Corrected: [("sources", _own), ("entries", lambda e: [f"interaction:{e.originator_id}"])],
    Resource.Booked: [("sources", _own)],
    Resource.BookingCancelled: [
        ("sources", lambda e: [e.booking_id]),
        ("entries", lambda e: [f"booking:{e.booking_id}"]),
    ],
}


def preload_lookups(view: CalendarBatch, events: Sequence[Recorded]) -> None:
    wanted: dict[str, set[str]] = {
        "sources": set(),
        "entries": set(),
        "clients": set(),
        "contacts": set(),
        "yearly": set(),
    }
    for recorded in events:
        for table, keys in _LOOKUPS.get(type(recorded.event), ()):
            wanted[table].update(keys(recorded.event))
    view.sources.load("id", wanted["sources"])
    view.clients.load("id", wanted["clients"])
    view.contacts.load("id", wanted["contacts"])
    view.entries.load("entry_id", wanted["entries"])
    view.yearly.load("entry_id", wanted["yearly"])
