"""The contact directory: every contact person, with the counterparty they belong to."""

from typing import Any

from aggregates.contact import Contact
from aggregates.counterparty import Counterparty
from aggregates.scope import Actor
from event_store.store import Recorded
from projections.database import ViewCursor
from projections.employee_directory import scope_condition
from projections.projection import Handler, Projection
from projections.values import from_json, like_pattern, search_key, to_json, utc_text

_COLUMNS = (
    "id",
    "counterparty_id",
    "manager_id",
    "full_name",
    "position",
    "role",
    "influence",
    "card",
    "version",
    "registered_at",
    "updated_at",
)
_CARD_FIELDS = ("phones", "emails", "birthday", "notable_dates", "interests")
_SCALAR_COLUMNS = frozenset({"full_name", "position", "role", "influence"})


class ContactDirectory(Projection):
    name = "contact_directory"
    tables = ("contacts",)

    def create_tables(self, cursor: ViewCursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS contacts (id TEXT PRIMARY KEY, counterparty_id TEXT, "
            "manager_id TEXT NOT NULL, full_name TEXT NOT NULL, search_name TEXT NOT NULL, "
            "position TEXT, role TEXT, influence TEXT, card TEXT NOT NULL, "
            "version INTEGER NOT NULL, registered_at TEXT NOT NULL, updated_at TEXT NOT NULL)"
        )
        for column in ("counterparty_id", "search_name", "manager_id"):
            cursor.execute(f"CREATE INDEX IF NOT EXISTS contacts_{column} ON contacts ({column})")

    def handlers(self) -> dict[type[Any], Handler]:
        return {
            Contact.Registered: self._registered,
            Contact.DetailsChanged: self._details_changed,
            Counterparty.ManagerAssigned: self._manager_assigned,
        }

    @staticmethod
    def _registered(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        card = {name: getattr(event, name) for name in _CARD_FIELDS}
        now = utc_text(event.timestamp)
        cursor.execute(
            "INSERT INTO contacts (id, counterparty_id, manager_id, full_name, search_name, "
            "position, role, influence, card, version, registered_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                str(event.originator_id),
                event.counterparty_id,
                event.manager_id,
                event.full_name,
                search_key(event.full_name),
                event.position,
                event.role,
                event.influence,
                to_json(card),
                event.originator_version,
                now,
                now,
            ),
        )

    @staticmethod
    def _details_changed(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        key = str(event.originator_id)
        (card_text,) = cursor.execute("SELECT card FROM contacts WHERE id = ?", (key,))[0]
        card = from_json(card_text)
        card.update({k: v for k, v in event.changes.items() if k in _CARD_FIELDS})
        columns = {k: v for k, v in event.changes.items() if k in _SCALAR_COLUMNS}
        if "full_name" in columns:
            columns["search_name"] = search_key(columns["full_name"])
        columns.update(
            card=to_json(card),
            version=event.originator_version,
            updated_at=utc_text(event.timestamp),
        )
        assignments = ", ".join(f"{column} = ?" for column in columns)
        cursor.execute(f"UPDATE contacts SET {assignments} WHERE id = ?", (*columns.values(), key))

    @staticmethod
    def _manager_assigned(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        cursor.execute(
            "UPDATE contacts SET manager_id = ? WHERE counterparty_id = ?",
            (event.manager_id, str(event.originator_id)),
        )


def _row_to_contact(row: tuple[Any, ...]) -> dict[str, Any]:
    record = dict(zip(_COLUMNS, row, strict=True))
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
    scope_sql, params = scope_condition(actor, "manager_id")
    conditions = [scope_sql]
    if text:
        conditions.append("search_name LIKE ? ESCAPE '\\'")
        params.append(like_pattern(text))
    if counterparty_id:
        conditions.append("counterparty_id = ?")
        params.append(counterparty_id)
    where = " AND ".join(conditions)
    (total,) = cursor.execute(f"SELECT COUNT(*) FROM contacts WHERE {where}", params)[0]
    rows = cursor.execute(
        f"SELECT {', '.join(_COLUMNS)} FROM contacts WHERE {where} ORDER BY search_name, id LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return [_row_to_contact(row) for row in rows], int(total)


def get_contact(cursor: ViewCursor, contact_id: str) -> dict[str, Any] | None:
    rows = cursor.execute(f"SELECT {', '.join(_COLUMNS)} FROM contacts WHERE id = ?", (contact_id,))
    return _row_to_contact(rows[0]) if rows else None
