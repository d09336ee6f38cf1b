"""The catalogue as sales sees it: items with their current price, findable by name."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from aggregates.catalogue_item import CatalogueItem
from projections.database import Params, ViewCursor
from projections.projection import Projection, on
from projections.tables import Kind, Table
from projections.values import like_pattern, search_key
from projections.writes import Rows, Writes

ITEMS = Table(
    "catalogue_items",
    {
        "id": Kind.TEXT,
        "kind": Kind.TEXT,
        "name": Kind.TEXT,
        "search_name": Kind.TEXT,
        "unit": Kind.TEXT,
        "category": Kind.TEXT,
        "price": Kind.MONEY,
        "currency": Kind.TEXT,
        "active": Kind.INTEGER,
        "version": Kind.INTEGER,
        "listed_at": Kind.MOMENT,
        "updated_at": Kind.MOMENT,
    },
    key=("id",),
    nullable=frozenset({"category"}),
    indexes=(("category",), ("search_name",)),
)
_SHOWN = tuple(c for c in ITEMS.column_names if c != "search_name")


@dataclass
class _Batch:
    items: Rows


class CatalogueView(Projection[_Batch]):
    name = "catalogue"
    version = 2
    tables = (ITEMS,)

    def open(self, writes: Writes) -> _Batch:
        return _Batch(writes.rows(ITEMS))

    @on(CatalogueItem.Listed)
    def _listed(self, view: _Batch, event: CatalogueItem.Listed, _position: int) -> None:
        view.items.put(
            {
                "id": str(event.originator_id),
                "kind": event.kind,
                "name": event.name,
                "search_name": search_key(event.name),
                "unit": event.unit,
                "category": event.category,
                "price": event.price,
                "currency": event.currency,
                "active": 1,
                "version": event.originator_version,
                "listed_at": event.timestamp,
                "updated_at": event.timestamp,
            }
        )

    @on(CatalogueItem.PriceChanged)
    def _price_changed(self, view: _Batch, event: CatalogueItem.PriceChanged, _position: int) -> None:
        _touch(view, event, price=event.price, currency=event.currency)

    @on(CatalogueItem.Retired)
    def _retired(self, view: _Batch, event: CatalogueItem.Retired, _position: int) -> None:
        _touch(view, event, active=0)


def _touch(view: _Batch, event: CatalogueItem.Event, **columns: Any) -> None:
    view.items.update(
        (str(event.originator_id),), **columns, version=event.originator_version, updated_at=event.timestamp
    )


def _row_to_item(row: tuple[Any, ...]) -> dict[str, Any]:
    item = dict(zip(_SHOWN, row, strict=True))
    item["active"] = bool(item["active"])
    item["price"] = Decimal(item["price"])
    return item


def search_catalogue(
    cursor: ViewCursor,
    *,
    text: str | None,
    category: str | None,
    include_retired: bool,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    p = Params()
    conditions = ["1 = 1"]
    if not include_retired:
        conditions.append("active = 1")
    if category is not None:
        conditions.append(f"category = {p(category)}")
    if text:
        conditions.append(f"search_name LIKE {p(like_pattern(text))} ESCAPE '\\'")
    where = " AND ".join(conditions)
    (total,) = cursor.execute(f"SELECT COUNT(*) FROM {ITEMS.name} WHERE {where}", p.values)[0]
    rows = cursor.execute(
        f"SELECT {', '.join(_SHOWN)} FROM {ITEMS.name} WHERE {where} "
        f"ORDER BY search_name, id LIMIT {p(limit)} OFFSET {p(offset)}",
        p.values,
    )
    return [_row_to_item(row) for row in rows], int(total)


def get_catalogue_item(cursor: ViewCursor, item_id: str) -> dict[str, Any] | None:
    rows = cursor.execute(f"SELECT {', '.join(_SHOWN)} FROM {ITEMS.name} WHERE id = $1", (item_id,))
    return _row_to_item(rows[0]) if rows else None
