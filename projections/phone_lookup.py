"""Caller identification: any stored phone number leads to its card (FEATURES A9)."""

from typing import Any

from aggregates.contact import Contact
from aggregates.counterparty import Counterparty
from aggregates.scope import Actor
from event_store.store import Recorded
from projections.database import ViewCursor
from projections.employee_directory import scope_condition
from projections.projection import Handler, Projection


class PhoneLookup(Projection):
    name = "phone_lookup"
    tables = ("phone_numbers",)

    def create_tables(self, cursor: ViewCursor) -> None:
        # owner_id is the contact for a contact's phone, else the counterparty.
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS phone_numbers (phone TEXT NOT NULL, owner_id TEXT NOT NULL, "
            "counterparty_id TEXT, contact_id TEXT, PRIMARY KEY (phone, owner_id))"
        )
        cursor.execute("CREATE INDEX IF NOT EXISTS phone_numbers_owner ON phone_numbers (owner_id)")

    def handlers(self) -> dict[type[Any], Handler]:
        return {
            Counterparty.Registered: self._counterparty_phones,
            Counterparty.ProfileChanged: self._counterparty_phones,
            Contact.Registered: self._contact_phones,
            Contact.DetailsChanged: self._contact_phones,
        }

    @staticmethod
    def _counterparty_phones(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        phones = getattr(event, "phones", None) or getattr(event, "changes", {}).get("phones")
        if phones is not None:
            key = str(event.originator_id)
            _replace(cursor, key, [(phone, key, key, None) for phone in phones])

    @staticmethod
    def _contact_phones(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        phones = getattr(event, "phones", None) or getattr(event, "changes", {}).get("phones")
        if phones is not None:
            key = str(event.originator_id)
            _replace(cursor, key, [(phone, key, event.counterparty_id, key) for phone in phones])


def _replace(cursor: ViewCursor, owner_id: str, rows: list[tuple[Any, ...]]) -> None:
    cursor.execute("DELETE FROM phone_numbers WHERE owner_id = ?", (owner_id,))
    cursor.executemany(
        "INSERT INTO phone_numbers (phone, owner_id, counterparty_id, contact_id) VALUES (?, ?, ?, ?)",
        rows,
    )


def lookup_phone(cursor: ViewCursor, actor: Actor, phone: str) -> list[dict[str, Any]]:
    """Every card in the actor's scope holding the number (in E.164, as ``normalize_phone``
    writes any spelling of it)."""
    scope_sql, params = scope_condition(actor, "COALESCE(cp.manager_id, ct.manager_id)")
    rows = cursor.execute(
        "SELECT p.phone, p.counterparty_id, cp.name, cp.admission, p.contact_id, ct.full_name, "
        "ct.position FROM phone_numbers p "
        "LEFT JOIN counterparties cp ON cp.id = p.counterparty_id "
        "LEFT JOIN contacts ct ON ct.id = p.contact_id "
        f"WHERE p.phone = ? AND {scope_sql} ORDER BY cp.name, ct.full_name",
        [phone, *params],
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
