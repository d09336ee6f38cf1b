"""The calendar (FEATURES E2, E6), one view in layers: meetings and negotiations, contract
stages and expected deal closes (``projections.calendar_sales``), contacts' birthdays and
notable dates. Names of clients and people, and who manages a client, are the view's own
copies.
"""

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from aggregates.contact import Contact
from aggregates.counterparty import Counterparty
from aggregates.interaction import Interaction, InteractionKind
from event_store.store import Recorded
from projections.calendar_entries import (
    CLIENTS,
    CONTACTS,
    ENTRIES,
    SOURCES,
    STAFF,
    YEARLY,
    CalendarBatch,
    EntryRows,
    Layer,
    Source,
    api_path,
    moved,
    remember,
    timed_entry,
)
from projections.calendar_lookups import preload_lookups
from projections.calendar_planning import PlanningLayers
from projections.calendar_sales import SalesLayers
from projections.projection import Projection, on
from projections.staff import KeepsStaff
from projections.values import from_json, to_json
from projections.writes import Row, Writes

MEETING_KINDS = frozenset({InteractionKind.MEETING.value, InteractionKind.NEGOTIATION.value})
_DEFAULT_MEETING_LENGTH = timedelta(hours=1)


class Calendar(SalesLayers, PlanningLayers, KeepsStaff, Projection[CalendarBatch]):
    name = "calendar"
    version = 6
    tables = (ENTRIES, YEARLY, CLIENTS, CONTACTS, SOURCES, STAFF)

    def open(self, writes: Writes) -> CalendarBatch:
        return CalendarBatch(
            writes.rows(ENTRIES, EntryRows),
            writes.rows(YEARLY),
            writes.rows(CLIENTS),
            writes.rows(CONTACTS),
            writes.rows(SOURCES),
            writes.rows(STAFF),
            writes.cursor.dialect,
        )

    def preload(self, view: CalendarBatch, events: Sequence[Recorded]) -> None:
        preload_lookups(view, events)

    # Clients: their names for titles, their managers for their contacts' dates.

    @on(Counterparty.Registered)
    def _client_registered(self, view: CalendarBatch, event: Counterparty.Registered, _position: int) -> None:
        client = {"id": str(event.originator_id), "name": event.name, "manager_id": event.manager_id}
        view.clients.put(client)
        _write_anniversary(view, client, event.founding_date)

    @on(Counterparty.ProfileChanged)
    def _client_changed(
        self, view: CalendarBatch, event: Counterparty.ProfileChanged, _position: int
    ) -> None:
        changes = event.changes
        if not changes.get("name") and "founding_date" not in changes:
            return
        client_id = str(event.originator_id)
        client = view.clients[(client_id,)]
        if changes.get("name"):
            client = view.clients.update((client_id,), name=changes["name"])
        # Renamed, the anniversary keeps its day; given another day, it keeps its name.
        anniversary = view.yearly.get(_anniversary_id(client_id))
        founded = changes.get("founding_date", anniversary["original"] if anniversary else None)
        view.yearly.delete(_anniversary_id(client_id))
        _write_anniversary(view, client, founded)

    @on(Counterparty.ManagerAssigned)
    def _client_reassigned(
        self, view: CalendarBatch, event: Counterparty.ManagerAssigned, _position: int
    ) -> None:
        client_id = str(event.originator_id)
        view.clients.update((client_id,), manager_id=event.manager_id)
        view.yearly.update_where({"employee_id": event.manager_id}, {"counterparty_id": client_id})

    # Contacts: birthdays and notable dates, each yearly.

    @on(Contact.Registered)
    def _contact_registered(self, view: CalendarBatch, event: Contact.Registered, _position: int) -> None:
        contact = {
            "id": str(event.originator_id),
            "full_name": event.full_name,
            "counterparty_id": event.counterparty_id,
            "manager_id": event.manager_id,
            "dates": to_json({"birthday": event.birthday, "notable_dates": event.notable_dates}),
        }
        view.contacts.put(contact)
        _write_yearly_dates(view, contact)

    @on(Contact.DetailsChanged)
    def _contact_changed(self, view: CalendarBatch, event: Contact.DetailsChanged, _position: int) -> None:
        changes = event.changes
        if not {"full_name", "birthday", "notable_dates"} & set(changes):
            return
        contact = view.contacts[(str(event.originator_id),)]
        dates = from_json(contact["dates"])
        dates.update({k: changes[k] for k in ("birthday", "notable_dates") if k in changes})
        contact.update(full_name=changes.get("full_name") or contact["full_name"], dates=to_json(dates))
        view.contacts.put(contact)
        for row in view.yearly.rows_where("source_id", contact["id"]):
            view.yearly.delete(row["entry_id"])
        _write_yearly_dates(view, contact)

    # Held meetings and negotiations, as logged.

    @on(Interaction.Logged, mentioning=MEETING_KINDS)
    def _interaction_logged(self, view: CalendarBatch, event: Interaction.Logged, _position: int) -> None:
        if event.kind not in MEETING_KINDS:
            return
        interaction_id = str(event.originator_id)
        # Who logged it: a planned activity it holds takes the place of its entry.
        remember(view, interaction_id, event.actor, event.counterparty_id, event.subject)
        starts_at = event.occurred_at
        view.entries.put(
            timed_entry(
                f"interaction:{event.originator_id}",
                event.actor,
                Layer.MEETINGS,
                _interaction_source(str(event.originator_id), event.counterparty_id),
                title=f"{event.kind}: {event.subject}",
                status="held",
                starts_at=starts_at,
                ends_at=starts_at + _meeting_length(event.details),
                updated_at=event.timestamp,
                details={"kind": event.kind, "contact_ids": event.contact_ids},
            )
        )

    @on(Interaction.Corrected, mentioning=MEETING_KINDS)
    def _interaction_corrected(
        self, view: CalendarBatch, event: Interaction.Corrected, _position: int
    ) -> None:
        if event.kind not in MEETING_KINDS:
            return
        changes = event.changes
        interaction_id = str(event.originator_id)
        logged = view.sources[(interaction_id,)]
        # Gone when the meeting held a planned activity: the activity's entry shows it.
        entry = view.entries.get(f"interaction:{interaction_id}", logged["employee_id"])
        if entry is None:
            return
        if "subject" in changes:
            entry["title"] = f"{event.kind}: {changes['subject']}"
        if "happened_at" in changes:
            entry = moved(view, entry, _moment(changes["happened_at"]), None, event.timestamp)
        view.entries.put(entry | {"updated_at": event.timestamp})


def _moment(value: datetime | str) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _meeting_length(details: dict[str, Any]) -> timedelta:
    seconds = details.get("duration_seconds")
    if isinstance(seconds, int) and 0 < seconds <= 24 * 3600:
        return timedelta(seconds=seconds)
    return _DEFAULT_MEETING_LENGTH


def _interaction_source(interaction_id: str, counterparty_id: str | None) -> Source:
    """An interaction has no card of its own: it is read in its client's history."""
    path = f"{api_path('counterparties', counterparty_id)}/history" if counterparty_id else None
    return Source("interaction", interaction_id, path, counterparty_id)


def _anniversary_id(client_id: str) -> str:
    return f"counterparty:{client_id}:anniversary"


def _write_anniversary(view: CalendarBatch, client: Row, founded: date | str | None) -> None:
    """A client's founding date comes round each year on its manager's calendar."""
    if not founded:
        return
    original = founded if isinstance(founded, date) else date.fromisoformat(founded)
    view.yearly.put(
        {
            "entry_id": _anniversary_id(client["id"]),
            "employee_id": client["manager_id"],
            "kind": "anniversary",
            "label": "Anniversary",
            "person": client["name"],
            "original": original,
            "month_day": original.month * 100 + original.day,
            "source_kind": "counterparty",
            "source_id": client["id"],
            "counterparty_id": client["id"],
        }
    )


def _write_yearly_dates(view: CalendarBatch, contact: Row) -> None:
    employee_id = contact["manager_id"]
    if contact["counterparty_id"]:
        client = view.clients.get(contact["counterparty_id"])
        employee_id = client["manager_id"] if client else employee_id
    dates = from_json(contact["dates"])
    labelled = [("birthday", "Birthday", dates.get("birthday"))] + [
        ("notable", notable["label"], notable["date"]) for notable in dates.get("notable_dates") or []
    ]
    for number, (kind, label, day) in enumerate(labelled):
        if not day:
            continue
        original = date.fromisoformat(day)
        view.yearly.put(
            {
                "entry_id": f"contact:{contact['id']}:{kind}:{number}",
                "employee_id": employee_id,
                "kind": kind,
                "label": label,
                "person": contact["full_name"],
                "original": original,
                "month_day": original.month * 100 + original.day,
                "source_kind": "contact",
                "source_id": contact["id"],
                "counterparty_id": contact["counterparty_id"],
            }
        )
