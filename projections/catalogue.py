"""The catalogue as sales sees it: items with their current price, findable by name."""

from collections.abc import Iterable
from typing import Any

from aggregates.catalogue_item import CatalogueItem
from event_store.store import Recorded
from projections.database import ViewCursor
from projections.projection import Handler, Projection
from projections.values import like_pattern, search_key, utc_text

_COLUMNS = (
    "id",
    "kind",
    "name",
    "unit",
    "category",
    "price",
    "currency",
    "active",
    "version",
    "listed_at",
    "updated_at",
)


class CatalogueView(Projection):
    name = "catalogue"
    tables = ("catalogue_items",)

    def create_tables(self, cursor: ViewCursor) -> None:
        # Prices are Decimal text: neither engine may round them through a float.
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS catalogue_items (id TEXT PRIMARY KEY, kind TEXT NOT NULL, "
            "name TEXT NOT NULL, search_name TEXT NOT NULL, unit TEXT NOT NULL, category TEXT, "
            "price TEXT NOT NULL, currency TEXT NOT NULL, active INTEGER NOT NULL, "
            "version INTEGER NOT NULL, listed_at TEXT NOT NULL, updated_at TEXT NOT NULL)"
        )
        cursor.execute("CREATE INDEX IF NOT EXISTS catalogue_items_category ON catalogue_items (category)")

    def handlers(self) -> dict[type[Any], Handler]:
        return {
            CatalogueItem.Listed: self._listed,
            CatalogueItem.PriceChanged: self._price_changed,
            CatalogueItem.Retired: self._retired,
        }

    @staticmethod
    def _listed(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        now = utc_text(event.timestamp)
        cursor.execute(
            "INSERT INTO catalogue_items (id, kind, name, search_name, unit, category, price, currency, "
            "active, version, listed_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)",
            (
                str(event.originator_id),
                event.kind,
                event.name,
                search_key(event.name),
                event.unit,
                event.category,
                str(event.price),
                event.currency,
                event.originator_version,
                now,
                now,
            ),
        )

    @staticmethod
    def _price_changed(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        _update(cursor, event, price=str(event.price), currency=event.currency)

    @staticmethod
    def _retired(cursor: ViewCursor, recorded: Recorded) -> None:
        _update(cursor, recorded.event, active=0)


def _update(cursor: ViewCursor, event: Any, **columns: Any) -> None:
    columns.update(version=event.originator_version, updated_at=utc_text(event.timestamp))
    assignments = ", ".join(f"{column} = ?" for column in columns)
    cursor.execute(
        f"UPDATE catalogue_items SET {assignments} WHERE id = ?",
        (*columns.values(), str(event.originator_id)),
    )


def _row_to_item(row: tuple[Any, ...]) -> dict[str, Any]:
    item = dict(zip(_COLUMNS, row, strict=True))
    item["active"] = bool(item["active"])
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
    conditions, params = ["1=1"], []
    if not include_retired:
        conditions.append("active = 1")
    if category is not None:
        conditions.append("category = ?")
        params.append(category)
    if text:
        conditions.append("search_name LIKE ? ESCAPE '\\'")
        params.append(like_pattern(text))
    where = " AND ".join(conditions)
    (total,) = cursor.execute(f"SELECT COUNT(*) FROM catalogue_items WHERE {where}", params)[0]
    rows = cursor.execute(
        f"SELECT {', '.join(_COLUMNS)} FROM catalogue_items WHERE {where} "
        "ORDER BY search_name, id LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return [_row_to_item(row) for row in rows], int(total)


def get_catalogue_item(cursor: ViewCursor, item_id: str) -> dict[str, Any] | None:
    rows = cursor.execute(f"SELECT {', '.join(_COLUMNS)} FROM catalogue_items WHERE id = ?", (item_id,))
    return _row_to_item(rows[0]) if rows else None


def item_names(cursor: ViewCursor, item_ids: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(item_ids))
    if not wanted:
        return {}
    marks = ", ".join("?" * len(wanted))
    rows = cursor.execute(f"SELECT id, name FROM catalogue_items WHERE id IN ({marks})", wanted)
    return dict(rows)
