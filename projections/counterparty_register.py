"""The counterparty register: one row per card, searchable and filterable."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aggregates.counterparty import Counterparty
from aggregates.scope import Actor
from event_store.store import Recorded
from projections.database import ViewCursor
from projections.employee_directory import scope_condition
from projections.projection import Handler, Projection
from projections.values import from_json, like_pattern, search_key, to_json, utc_text

_COLUMNS = (
    "id",
    "name",
    "legal_form",
    "kind",
    "tax_id",
    "industry",
    "region",
    "activity",
    "manager_id",
    "admission",
    "rating",
    "lead_source",
    "card",
    "version",
    "registered_at",
    "updated_at",
)


class CounterpartyRegister(Projection):
    name = "counterparty_register"
    tables = ("counterparties", "counterparty_classifiers")
    version = 2  # 2: collections that arrived as None read as empty

    def create_tables(self, cursor: ViewCursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS counterparties (id TEXT PRIMARY KEY, name TEXT NOT NULL, "
            "search_name TEXT NOT NULL, legal_form TEXT NOT NULL, kind TEXT NOT NULL, tax_id TEXT, "
            "industry TEXT, region TEXT, activity TEXT, manager_id TEXT NOT NULL, "
            "admission TEXT NOT NULL, rating INTEGER, lead_source TEXT, card TEXT NOT NULL, "
            "version INTEGER NOT NULL, registered_at TEXT NOT NULL, updated_at TEXT NOT NULL)"
        )
        for column in ("search_name", "tax_id", "manager_id", "region", "admission", "kind"):
            cursor.execute(f"CREATE INDEX IF NOT EXISTS counterparties_{column} ON counterparties ({column})")
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS counterparty_classifiers (counterparty_id TEXT NOT NULL, "
            "classifier TEXT NOT NULL, value TEXT NOT NULL, "
            "PRIMARY KEY (counterparty_id, classifier, value))"
        )
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS counterparty_classifiers_value "
            "ON counterparty_classifiers (classifier, value)"
        )

    def handlers(self) -> dict[type[Any], Handler]:
        return {
            Counterparty.Registered: self._registered,
            Counterparty.ProfileChanged: self._profile_changed,
            Counterparty.ManagerAssigned: self._single("manager_id", "manager_id"),
            Counterparty.Rated: self._single("rating", "rating"),
            Counterparty.AdmissionDecided: self._single("admission", "admission"),
        }

    def _registered(self, cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        card = _empty_for_none({name: getattr(event, name) for name in _CARD_FIELDS})
        now = utc_text(event.timestamp)
        cursor.execute(
            "INSERT INTO counterparties (id, name, search_name, legal_form, kind, tax_id, industry, "
            "region, activity, manager_id, admission, rating, lead_source, card, version, "
            "registered_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'potential', NULL, ?, ?, ?, ?, ?)",
            (
                str(event.originator_id),
                event.name,
                search_key(event.name),
                event.legal_form,
                event.kind,
                event.tax_id,
                event.industry,
                event.region,
                event.activity,
                event.manager_id,
                event.lead_source,
                to_json(card),
                event.originator_version,
                now,
                now,
            ),
        )
        _replace_classifiers(cursor, str(event.originator_id), card["classifiers"])

    def _profile_changed(self, cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        key = str(event.originator_id)
        (card_text,) = cursor.execute("SELECT card FROM counterparties WHERE id = ?", (key,))[0]
        card = from_json(card_text)
        changes = _empty_for_none(event.changes)
        card.update(changes)
        columns = {k: v for k, v in changes.items() if k in _SCALAR_COLUMNS}
        if "name" in columns:
            columns["search_name"] = search_key(columns["name"])
        columns.update(
            card=to_json(card),
            version=event.originator_version,
            updated_at=utc_text(event.timestamp),
        )
        assignments = ", ".join(f"{column} = ?" for column in columns)
        cursor.execute(f"UPDATE counterparties SET {assignments} WHERE id = ?", (*columns.values(), key))
        if "classifiers" in changes:
            _replace_classifiers(cursor, key, changes["classifiers"])

    @staticmethod
    def _single(column: str, attribute: str) -> Handler:
        def handle(cursor: ViewCursor, recorded: Recorded) -> None:
            event: Any = recorded.event
            cursor.execute(
                f"UPDATE counterparties SET {column} = ?, version = ?, updated_at = ? WHERE id = ?",
                (
                    getattr(event, attribute),
                    event.originator_version,
                    utc_text(event.timestamp),
                    str(event.originator_id),
                ),
            )

        return handle


_CARD_FIELDS: dict[str, Callable[[], Any]] = {
    "requisites": dict,
    "phones": list,
    "attributes": dict,
    "classifiers": dict,
    "loyalty_reasons": list,
    "interests": list,
    "competitor_products": list,
}
"""The card's collections, and how each one is empty."""
_SCALAR_COLUMNS = frozenset(
    {"name", "legal_form", "kind", "tax_id", "industry", "region", "activity", "lead_source"}
)


def _empty_for_none(fields: dict[str, Any]) -> dict[str, Any]:
    """The log holds events whose collections arrived as None, from before the write side
    refused them; the card reads them as empty, as the form that sent them meant."""
    return {
        name: _CARD_FIELDS[name]() if value is None and name in _CARD_FIELDS else value
        for name, value in fields.items()
    }


def _replace_classifiers(cursor: ViewCursor, key: str, classifiers: dict[str, list[str] | None]) -> None:
    cursor.execute("DELETE FROM counterparty_classifiers WHERE counterparty_id = ?", (key,))
    cursor.executemany(
        "INSERT INTO counterparty_classifiers (counterparty_id, classifier, value) VALUES (?, ?, ?)",
        [(key, name, value) for name, values in classifiers.items() for value in set(values or ())],
    )


@dataclass(frozen=True)
class RegisterFilter:
    text: str | None = None
    tax_id: str | None = None
    admission: str | None = None
    kind: str | None = None
    manager_id: str | None = None
    region: str | None = None
    classifiers: dict[str, str] = field(default_factory=dict)


def _row_to_card(row: tuple[Any, ...]) -> dict[str, Any]:
    record = dict(zip(_COLUMNS, row, strict=True))
    record.update(from_json(record.pop("card")))
    record["barred"] = record["admission"] in ("forbidden", "temporarily_forbidden")
    return record


def search_counterparties(
    cursor: ViewCursor, actor: Actor, criteria: RegisterFilter, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    scope_sql, params = scope_condition(actor, "manager_id")
    conditions = [scope_sql]
    if criteria.text:
        conditions.append("search_name LIKE ? ESCAPE '\\'")
        params.append(like_pattern(criteria.text))
    for column in ("tax_id", "admission", "kind", "manager_id", "region"):
        value = getattr(criteria, column)
        if value is not None:
            conditions.append(f"{column} = ?")
            params.append(value)
    for classifier, value in criteria.classifiers.items():
        conditions.append(
            "id IN (SELECT counterparty_id FROM counterparty_classifiers WHERE classifier = ? AND value = ?)"
        )
        params.extend((classifier, value))
    where = " AND ".join(conditions)
    (total,) = cursor.execute(f"SELECT COUNT(*) FROM counterparties WHERE {where}", params)[0]
    rows = cursor.execute(
        f"SELECT {', '.join(_COLUMNS)} FROM counterparties WHERE {where} "
        "ORDER BY search_name, id LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return [_row_to_card(row) for row in rows], int(total)


def get_counterparty(cursor: ViewCursor, counterparty_id: str) -> dict[str, Any] | None:
    rows = cursor.execute(
        f"SELECT {', '.join(_COLUMNS)} FROM counterparties WHERE id = ?", (counterparty_id,)
    )
    return _row_to_card(rows[0]) if rows else None
