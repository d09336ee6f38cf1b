"""Caller identification: any stored phone number leads to its card (FEATURES A9).

The view keeps what an answer shows of each counterparty and contact (name, admission,
position, responsible manager) from their own events, so it answers alone."""

from dataclasses import dataclass
from typing import Any

from aggregates.contact import Contact
from aggregates.counterparty import Counterparty
from aggregates.scope import Actor
from projections.counterparty_merges import client_of
from projections.database import Params, ViewCursor
from projections.projection import Projection, on
from projections.scope import in_scope
from projections.staff import KeepsStaff, staff_table
from projections.tables import Kind, Table
from projections.values import from_json, to_json
from projections.writes import Rows, Writes

NUMBERS = Table(
    "phone_numbers",
    {"phone": Kind.TEXT, "owner_id": Kind.TEXT, "counterparty_id": Kind.TEXT, "contact_id": Kind.TEXT},
    key=("phone", "owner_id"),
    nullable=frozenset({"counterparty_id", "contact_id"}),
    indexes=(("owner_id",),),
)
"""owner_id is the contact for a contact's phone, else the counterparty."""
PARTIES = Table(
    "phone_parties",
    {
        "id": Kind.TEXT,
        "name": Kind.TEXT,
        "admission": Kind.TEXT,
        "manager_id": Kind.TEXT,
        "phones": Kind.JSON,
    },
    key=("id",),
)
PEOPLE = Table(
    "phone_people",
    {
        "id": Kind.TEXT,
        "counterparty_id": Kind.TEXT,
        "full_name": Kind.TEXT,
        "position": Kind.TEXT,
        "manager_id": Kind.TEXT,
        "phones": Kind.JSON,
    },
    key=("id",),
    nullable=frozenset({"counterparty_id", "position"}),
    indexes=(("counterparty_id",),),
)
STAFF = staff_table("phone_staff")


@dataclass
class _Batch:
    numbers: Rows
    parties: Rows
    people: Rows
    staff: Rows


def _renumber(
    view: _Batch, owner_id: str, old: list[str], new: list[str], counterparty_id: str | None
) -> None:
    contact_id = None if owner_id == counterparty_id else owner_id
    for phone in old:
        view.numbers.delete(phone, owner_id)
    for phone in new:
        view.numbers.put(
            {
                "phone": phone,
                "owner_id": owner_id,
                "counterparty_id": counterparty_id,
                "contact_id": contact_id,
            }
        )


class PhoneLookup(KeepsStaff, Projection[_Batch]):
    name = "phone_lookup"
    version = 2
    tables = (NUMBERS, PARTIES, PEOPLE, STAFF)

    def open(self, writes: Writes) -> _Batch:
        return _Batch(writes.rows(NUMBERS), writes.rows(PARTIES), writes.rows(PEOPLE), writes.rows(STAFF))

    @on(Counterparty.Registered)
    def _party_registered(self, view: _Batch, event: Counterparty.Registered, _position: int) -> None:
        key = str(event.originator_id)
        phones = list(event.phones or ())
        view.parties.put(
            {
                "id": key,
                "name": event.name,
                "admission": "potential",
                "manager_id": event.manager_id,
                "phones": to_json(phones),
            }
        )
        _renumber(view, key, [], phones, key)

    @on(Counterparty.ProfileChanged)
    def _party_changed(self, view: _Batch, event: Counterparty.ProfileChanged, _position: int) -> None:
        key = str(event.originator_id)
        party = view.parties[(key,)]
        if event.changes.get("name") is not None:
            party["name"] = event.changes["name"]
        if event.changes.get("phones") is not None:
            _renumber(view, key, from_json(party["phones"]), event.changes["phones"], key)
            party["phones"] = to_json(event.changes["phones"])
        view.parties.put(party)

    @on(Counterparty.AdmissionDecided)
    def _admission_decided(self, view: _Batch, event: Counterparty.AdmissionDecided, _position: int) -> None:
        view.parties.update((str(event.originator_id),), admission=event.admission)

    @on(Counterparty.ManagerAssigned)
    def _manager_assigned(self, view: _Batch, event: Counterparty.ManagerAssigned, _position: int) -> None:
        view.parties.update((str(event.originator_id),), manager_id=event.manager_id)

    @on(Contact.Registered)
    def _person_registered(self, view: _Batch, event: Contact.Registered, _position: int) -> None:
        key = str(event.originator_id)
        phones = list(event.phones or ())
        view.people.put(
            {
                "id": key,
                "counterparty_id": event.counterparty_id,
                "full_name": event.full_name,
                "position": event.position,
                "manager_id": event.manager_id,
                "phones": to_json(phones),
            }
        )
        _renumber(view, key, [], phones, event.counterparty_id)

    @on(Contact.DetailsChanged)
    def _person_changed(self, view: _Batch, event: Contact.DetailsChanged, _position: int) -> None:
        key = str(event.originator_id)
        person = view.people[(key,)]
        for column in ("full_name", "position"):
            if column in event.changes:
                person[column] = event.changes[column]
        if event.changes.get("phones") is not None:
            _renumber(view, key, from_json(person["phones"]), event.changes["phones"], event.counterparty_id)
            person["phones"] = to_json(event.changes["phones"])
        view.people.put(person)


def lookup_phone(cursor: ViewCursor, actor: Actor, phone: str) -> list[dict[str, Any]]:
    """Every card in the actor's scope holding the number (in E.164, as ``normalize_phone``
    writes any spelling of it). A contact of an organisation is in the scope of the
    organisation's manager; a private client, of their own."""
    p = Params(phone)
    scope = in_scope(actor, "COALESCE(cp.manager_id, ct.manager_id)", STAFF.name, p)
    # A number of a card merged into another leads to the survivor.
    client = client_of("n.counterparty_id")
    rows = cursor.execute(
        f"SELECT DISTINCT n.phone, {client}, cp.name, cp.admission, n.contact_id, ct.full_name, ct.position "
        f"FROM {NUMBERS.name} n "
        f"LEFT JOIN {PARTIES.name} cp ON cp.id = {client} "
        f"LEFT JOIN {PEOPLE.name} ct ON ct.id = n.contact_id "
        f"WHERE n.phone = $1 AND {scope} ORDER BY cp.name, ct.full_name",
        p.values,
    )
    keys = (
        "phone",
        "counterparty_id",
        "counterparty_name",
        "admission",
        "contact_id",
        "contact_name",
        "contact_position",
    )
    return [dict(zip(keys, row, strict=True)) for row in rows]
