"""The counterparty register: one row per card, searchable and filterable within a reader's scope."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aggregates.counterparty import Counterparty
from aggregates.scope import Actor
from projections.counterparty_merges import MERGES
from projections.database import Params, ViewCursor
from projections.projection import Projection, on
from projections.scope import in_scope
from projections.staff import KeepsStaff, staff_table
from projections.tables import Kind, Table
from projections.values import from_json, like_pattern, search_key, to_json
from projections.writes import Rows, Writes

COUNTERPARTIES = Table(
    "counterparties",
    {
        "id": Kind.TEXT,
        "name": Kind.TEXT,
        "search_name": Kind.TEXT,
        "legal_form": Kind.TEXT,
        "kind": Kind.TEXT,
        "tax_id": Kind.TEXT,
        "industry": Kind.TEXT,
        "region": Kind.TEXT,
        "activity": Kind.TEXT,
        "manager_id": Kind.TEXT,
        "admission": Kind.TEXT,
        "rating": Kind.INTEGER,
        "lead_source": Kind.TEXT,
        "card": Kind.JSON,
        "version": Kind.INTEGER,
        "registered_at": Kind.MOMENT,
        "updated_at": Kind.MOMENT,
    },
    key=("id",),
    nullable=frozenset({"tax_id", "industry", "region", "activity", "rating", "lead_source"}),
    indexes=(("search_name",), ("tax_id",), ("manager_id",), ("region",), ("admission",), ("kind",)),
)
CLASSIFIERS = Table(
    "counterparty_classifiers",
    {"counterparty_id": Kind.TEXT, "classifier": Kind.TEXT, "value": Kind.TEXT},
    key=("counterparty_id", "classifier", "value"),
    indexes=(("classifier", "value"),),
)
STAFF = staff_table("counterparty_staff")

_CARD_FIELDS: dict[str, Callable[[], Any]] = {
    "requisites": dict,
    "phones": list,
    "attributes": dict,
    "classifiers": dict,
    "loyalty_reasons": list,
    "interests": list,
    "competitor_products": list,
    "founding_date": lambda: None,
}
"""The card's collections (and its founding date), and how each one is empty."""
_SCALAR_COLUMNS = frozenset(
    {"name", "legal_form", "kind", "tax_id", "industry", "region", "activity", "lead_source"}
)
_SHOWN = tuple(c for c in COUNTERPARTIES.column_names if c != "search_name")


def _empty_for_none(fields: dict[str, Any]) -> dict[str, Any]:
    """The log holds events whose collections arrived as None, from before the write side
    refused them; the card reads them as empty, as the form that sent them meant."""
    return {
        name: _CARD_FIELDS[name]() if value is None and name in _CARD_FIELDS else value
        for name, value in fields.items()
    }


@dataclass
class _Batch:
    cards: Rows
    classifiers: Rows
    staff: Rows


class CounterpartyRegister(KeepsStaff, Projection[_Batch]):
    name = "counterparty_register"
    version = 4
    tables = (COUNTERPARTIES, CLASSIFIERS, STAFF)

    def open(self, writes: Writes) -> _Batch:
        return _Batch(writes.rows(COUNTERPARTIES), writes.rows(CLASSIFIERS), writes.rows(STAFF))

    @on(Counterparty.Registered)
    def _registered(self, view: _Batch, event: Counterparty.Registered, _position: int) -> None:
        key = str(event.originator_id)
        card = _empty_for_none({name: getattr(event, name) for name in _CARD_FIELDS})
        view.cards.put(
            {
                "id": key,
                "name": event.name,
                "search_name": search_key(event.name),
                "legal_form": event.legal_form,
                "kind": event.kind,
                "tax_id": event.tax_id,
                "industry": event.industry,
                "region": event.region,
                "activity": event.activity,
                "manager_id": event.manager_id,
                "admission": "potential",
                "rating": None,
                "lead_source": event.lead_source,
                "card": to_json(card),
                "version": event.originator_version,
                "registered_at": event.timestamp,
                "updated_at": event.timestamp,
            }
        )
        _classify(view, key, {}, card["classifiers"])

    @on(Counterparty.ProfileChanged)
    def _profile_changed(self, view: _Batch, event: Counterparty.ProfileChanged, _position: int) -> None:
        key = str(event.originator_id)
        row = view.cards[(key,)]
        card = from_json(row["card"])
        changes = _empty_for_none(event.changes)
        if "classifiers" in changes:
            _classify(view, key, card["classifiers"], changes["classifiers"])
        card.update({k: v for k, v in changes.items() if k in _CARD_FIELDS})
        columns = {k: v for k, v in changes.items() if k in _SCALAR_COLUMNS}
        if "name" in columns:
            columns["search_name"] = search_key(columns["name"])
        view.cards.update(
            (key,),
            **columns,
            card=to_json(card),
            version=event.originator_version,
            updated_at=event.timestamp,
        )

    @on(Counterparty.ManagerAssigned)
    def _manager_assigned(self, view: _Batch, event: Counterparty.ManagerAssigned, _position: int) -> None:
        _touch(view, event, manager_id=event.manager_id)

    @on(Counterparty.Rated)
    def _rated(self, view: _Batch, event: Counterparty.Rated, _position: int) -> None:
        _touch(view, event, rating=event.rating)

    @on(Counterparty.AdmissionDecided)
    def _admission_decided(self, view: _Batch, event: Counterparty.AdmissionDecided, _position: int) -> None:
        _touch(view, event, admission=event.admission)


def _touch(view: _Batch, event: Counterparty.Event, **columns: Any) -> None:
    view.cards.update(
        (str(event.originator_id),), **columns, version=event.originator_version, updated_at=event.timestamp
    )


def _classify(view: _Batch, key: str, old: dict[str, Any], new: dict[str, Any]) -> None:
    for name, values in old.items():
        for value in set(values or ()):
            view.classifiers.delete(key, name, value)
    for name, values in new.items():
        for value in set(values or ()):
            view.classifiers.put({"counterparty_id": key, "classifier": name, "value": value})


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
    record = dict(zip(_SHOWN, row, strict=True))
    record.update(from_json(record.pop("card")))
    record["barred"] = record["admission"] in ("forbidden", "temporarily_forbidden")
    return record


def search_counterparties(
    cursor: ViewCursor, actor: Actor, criteria: RegisterFilter, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    p = Params()
    # A card merged into another is no counterparty of its own: its id still reads, and leads on.
    conditions = [
        in_scope(actor, "manager_id", STAFF.name, p),
        f"id NOT IN (SELECT merged_id FROM {MERGES.name})",
    ]
    if criteria.text:
        conditions.append(f"search_name LIKE {p(like_pattern(criteria.text))} ESCAPE '\\'")
    for column in ("tax_id", "admission", "kind", "manager_id", "region"):
        value = getattr(criteria, column)
        if value is not None:
            conditions.append(f"{column} = {p(value)}")
    for classifier, value in criteria.classifiers.items():
        conditions.append(
            f"id IN (SELECT counterparty_id FROM {CLASSIFIERS.name} "
            f"WHERE classifier = {p(classifier)} AND value = {p(value)})"
        )
    where = " AND ".join(conditions)
    (total,) = cursor.execute(f"SELECT COUNT(*) FROM counterparties WHERE {where}", p.values)[0]
    rows = cursor.execute(
        f"SELECT {', '.join(_SHOWN)} FROM counterparties WHERE {where} "
        f"ORDER BY search_name, id LIMIT {p(limit)} OFFSET {p(offset)}",
        p.values,
    )
    return [_row_to_card(row) for row in rows], int(total)


def get_counterparty(cursor: ViewCursor, counterparty_id: str) -> dict[str, Any] | None:
    rows = cursor.execute(f"SELECT {', '.join(_SHOWN)} FROM counterparties WHERE id = $1", (counterparty_id,))
    return _row_to_card(rows[0]) if rows else None
