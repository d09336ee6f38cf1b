"""Order status (FEATURES C6): a client's orders, where each stands, and how it got there."""

from typing import Any

from aggregates.order import Order
from event_store.store import Recorded
from projections.database import ViewCursor
from projections.projection import Handler, Projection
from projections.values import from_json, to_json, utc_text

_COLUMNS = (
    "o.id",
    "o.counterparty_id",
    "o.contract_id",
    "k.number",
    "o.manager_id",
    "o.status",
    "o.amount",
    "o.currency",
    "o.expected_on",
    "o.lines",
    "o.inquiry_id",
    "o.version",
    "o.placed_at",
    "o.updated_at",
)
_KEYS = tuple("contract_number" if c == "k.number" else c.removeprefix("o.") for c in _COLUMNS)
_FROM = "FROM orders o LEFT JOIN contracts k ON k.id = o.contract_id"


class OrderStatusView(Projection):
    name = "order_status"
    tables = ("orders", "order_status_history")

    def create_tables(self, cursor: ViewCursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, counterparty_id TEXT NOT NULL, "
            "contract_id TEXT, manager_id TEXT NOT NULL, status TEXT NOT NULL, amount TEXT NOT NULL, "
            "currency TEXT NOT NULL, expected_on TEXT NOT NULL, lines TEXT NOT NULL, inquiry_id TEXT, "
            "version INTEGER NOT NULL, placed_at TEXT NOT NULL, updated_at TEXT NOT NULL)"
        )
        cursor.execute("CREATE INDEX IF NOT EXISTS orders_counterparty_id ON orders (counterparty_id)")
        cursor.execute("CREATE INDEX IF NOT EXISTS orders_contract_id ON orders (contract_id)")
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS order_status_history (order_id TEXT NOT NULL, "
            "version INTEGER NOT NULL, status TEXT NOT NULL, on_date TEXT, occurred_at TEXT NOT NULL, "
            "actor TEXT NOT NULL, PRIMARY KEY (order_id, version))"
        )

    def handlers(self) -> dict[type[Any], Handler]:
        return {Order.Placed: self._placed, Order.Advanced: self._advanced}

    @staticmethod
    def _placed(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        now = utc_text(event.timestamp)
        cursor.execute(
            "INSERT INTO orders (id, counterparty_id, contract_id, manager_id, status, amount, currency, "
            "expected_on, lines, inquiry_id, version, placed_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                str(event.originator_id),
                event.counterparty_id,
                event.contract_id,
                event.manager_id,
                event.status,
                str(event.amount),
                event.currency,
                event.expected_on.isoformat(),
                to_json(event.lines),
                event.inquiry_id,
                event.originator_version,
                now,
                now,
            ),
        )
        _history(cursor, event, None)

    @staticmethod
    def _advanced(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        cursor.execute(
            "UPDATE orders SET status = ?, version = ?, updated_at = ? WHERE id = ?",
            (event.status, event.originator_version, utc_text(event.timestamp), str(event.originator_id)),
        )
        _history(cursor, event, event.on.isoformat())


def _history(cursor: ViewCursor, event: Any, on: str | None) -> None:
    cursor.execute(
        "INSERT INTO order_status_history (order_id, version, status, on_date, occurred_at, actor) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (
            str(event.originator_id),
            event.originator_version,
            event.status,
            on,
            utc_text(event.occurred_at),
            event.actor,
        ),
    )


def _order(row: tuple[Any, ...]) -> dict[str, Any]:
    record = dict(zip(_KEYS, row, strict=True))
    record["lines"] = from_json(record["lines"])
    return record


def orders_of_counterparty(
    cursor: ViewCursor, counterparty_id: str, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    (total,) = cursor.execute("SELECT COUNT(*) FROM orders WHERE counterparty_id = ?", (counterparty_id,))[0]
    rows = cursor.execute(
        f"SELECT {', '.join(_COLUMNS)} {_FROM} WHERE o.counterparty_id = ? "
        "ORDER BY o.placed_at DESC, o.id LIMIT ? OFFSET ?",
        (counterparty_id, limit, offset),
    )
    return [_order(row) for row in rows], int(total)


def get_order(cursor: ViewCursor, order_id: str) -> dict[str, Any] | None:
    """One order with its status history, oldest first."""
    rows = cursor.execute(f"SELECT {', '.join(_COLUMNS)} {_FROM} WHERE o.id = ?", (order_id,))
    if not rows:
        return None
    order = _order(rows[0])
    order["history"] = [
        {"status": status, "on": on, "occurred_at": occurred_at, "actor": actor}
        for status, on, occurred_at, actor in cursor.execute(
            "SELECT status, on_date, occurred_at, actor FROM order_status_history "
            "WHERE order_id = ? ORDER BY version",
            (order_id,),
        )
    ]
    return order


def order_amounts(cursor: ViewCursor, counterparty_id: str) -> list[tuple[str, str, str]]:
    """(status, amount, currency) of every order of a client."""
    return [
        (status, amount, currency)
        for status, amount, currency in cursor.execute(
            "SELECT status, amount, currency FROM orders WHERE counterparty_id = ?", (counterparty_id,)
        )
    ]
