"""The contact directory: every contact person, with the counterparty they belong to."""

from dataclasses import dataclass
from typing import Any

from aggregates.contact import Contact
from aggregates.counterparty import Counterparty
from aggregates.scope import Actor
from projections.counterparty_merges import same_client
from projections.database import Params, ViewCursor
from projections.projection import Projection, on
from projections.scope import in_scope
from projections.staff import KeepsStaff, staff_table
from projections.tables import Kind, Table
from projections.values import from_json, like_pattern, search_key, to_json
from projections.writes import Rows, Writes

CONTACTS = Table(
    "contacts",
    {
        "id": Kind.TEXT,
        "counterparty_id": Kind.TEXT,
        "manager_id": Kind.TEXT,
        "full_name": Kind.TEXT,
        "search_name": Kind.TEXT,
        "position": Kind.TEXT,
        "role": Kind.TEXT,
        "influence": Kind.TEXT,
        "card": Kind.JSON,
        "version": Kind.INTEGER,
        "registered_at": Kind.MOMENT,
        "updated_at": Kind.MOMENT,
    },
    key=("id",),
    nullable=frozenset({"counterparty_id", "position", "role", "influence"}),
    indexes=(("counterparty_id",), ("search_name",), ("manager_id",)),
)
STAFF = staff_table("contact_staff")

_CARD_FIELDS = ("phones", "emails", "birthday", "notable_dates", "interests")
_SCALAR_COLUMNS = frozenset({"full_name", "position", "role", "influence"})
_SHOWN = tuple(c for c in CONTACTS.column_names if c != "search_name")


@dataclass
class _Batch:
    contacts: Rows
    staff: Rows


class ContactDirectory(KeepsStaff, Projection[_Batch]):
    name = "contact_directory"
    version = 2
    tables = (CONTACTS, STAFF)

    def open(self, writes: Writes) -> _Batch:
        return _Batch(writes.rows(CONTACTS), writes.rows(STAFF))

    @on(Contact.Registered)
    def _registered(self, view: _Batch, event: Contact.Registered, _position: int) -> None:
        view.contacts.put(
            {
                "id": str(event.originator_id),
                "counterparty_id": event.counterparty_id,
                "manager_id": event.manager_id,
                "full_name": event.full_name,
                "search_name": search_key(event.full_name),
                "position": event.position,
                "role": event.role,
                "influence": event.influence,
                "card": to_json({name: getattr(event, name) for name in _CARD_FIELDS}),
                "version": event.originator_version,
                "registered_at": event.timestamp,
                "updated_at": event.timestamp,
            }
        )

    @on(Contact.DetailsChanged)
    def _details_changed(self, view: _Batch, event: Contact.DetailsChanged, _position: int) -> None:
        key = (str(event.originator_id),)
        card = from_json(view.contacts[key]["card"])
        card.update({k: v for k, v in event.changes.items() if k in _CARD_FIELDS})
        columns = {k: v for k, v in event.changes.items() if k in _SCALAR_COLUMNS}
        if "full_name" in columns:
            columns["search_name"] = search_key(columns["full_name"])
        view.contacts.update(
            key, **columns, card=to_json(card), version=event.originator_version, updated_at=event.timestamp
        )

    @on(Counterparty.ManagerAssigned)
    def _manager_assigned(self, view: _Batch, event: Counterparty.ManagerAssigned, _position: int) -> None:
        view.contacts.update_where(
            {"manager_id": event.manager_id}, {"counterparty_id": str(event.originator_id)}
        )


def _row_to_contact(row: tuple[Any, ...]) -> dict[str, Any]:
    record = dict(zip(_SHOWN, row, strict=True))
    record.update(from_json(record.pop("card")))
    return record


def search_contacts(
    cursor: ViewCursor,
    actor: Actor,
    text: str | None,
    counterparty_id: str | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    p = Params()
    conditions = [in_scope(actor, "manager_id", STAFF.name, p)]
    if text:
        conditions.append(f"search_name LIKE {p(like_pattern(text))} ESCAPE '\\'")
    if counterparty_id:
        conditions.append(same_client(cursor, "counterparty_id", counterparty_id, p))
    where = " AND ".join(conditions)
    (total,) = cursor.execute(f"SELECT COUNT(*) FROM contacts WHERE {where}", p.values)[0]
    rows = cursor.execute(
        f"SELECT {', '.join(_SHOWN)} FROM contacts WHERE {where} "
        f"ORDER BY search_name, id LIMIT {p(limit)} OFFSET {p(offset)}",
        p.values,
    )
    return [_row_to_contact(row) for row in rows], int(total)


def get_contact(cursor: ViewCursor, contact_id: str) -> dict[str, Any] | None:
    rows = cursor.execute(f"SELECT {', '.join(_SHOWN)} FROM contacts WHERE id = $1", (contact_id,))
    return _row_to_contact(rows[0]) if rows else None
