"""Order status (FEATURES C6): a client's orders, where each stands, and how it got there."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from aggregates.contract import Contract
from aggregates.order import Order
from projections.counterparty_merges import same_client
from projections.database import Params, ViewCursor
from projections.projection import Projection, on
from projections.tables import Kind, Table
from projections.values import from_json, to_json
from projections.writes import Appends, Rows, Writes

ORDERS = Table(
    "orders",
    {
        "id": Kind.TEXT,
        "counterparty_id": Kind.TEXT,
        "contract_id": Kind.TEXT,
        "manager_id": Kind.TEXT,
        "status": Kind.TEXT,
        "amount": Kind.MONEY,
        "currency": Kind.TEXT,
        "expected_on": Kind.DAY,
        "lines": Kind.JSON,
        "inquiry_id": Kind.TEXT,
        "version": Kind.INTEGER,
        "placed_at": Kind.MOMENT,
        "updated_at": Kind.MOMENT,
    },
    key=("id",),
    nullable=frozenset({"contract_id", "inquiry_id"}),
    indexes=(("counterparty_id",), ("contract_id",)),
)
HISTORY = Table(
    "order_status_history",
    {
        "order_id": Kind.TEXT,
        "version": Kind.INTEGER,
        "status": Kind.TEXT,
        "on_date": Kind.DAY,
        "occurred_at": Kind.MOMENT,
        "actor": Kind.TEXT,
    },
    key=("order_id", "version"),
    nullable=frozenset({"on_date"}),
)
CONTRACT_NUMBERS = Table("order_contract_numbers", {"id": Kind.TEXT, "number": Kind.TEXT}, key=("id",))

_COLUMNS = (
    *(f"o.{c}" for c in ORDERS.column_names[:3]),
    "k.number",
    *(f"o.{c}" for c in ORDERS.column_names[3:]),
)
_KEYS = tuple("contract_number" if c == "k.number" else c.removeprefix("o.") for c in _COLUMNS)
_FROM = f"FROM {ORDERS.name} o LEFT JOIN {CONTRACT_NUMBERS.name} k ON k.id = o.contract_id"


@dataclass
class _Batch:
    orders: Rows
    history: Appends
    numbers: Rows


class OrderStatusView(Projection[_Batch]):
    name = "order_status"
    version = 2
    tables = (ORDERS, HISTORY, CONTRACT_NUMBERS)

    def open(self, writes: Writes) -> _Batch:
        return _Batch(writes.rows(ORDERS), writes.appends(HISTORY), writes.rows(CONTRACT_NUMBERS))

    @on(Contract.Signed)
    def _contract_signed(self, view: _Batch, event: Contract.Signed, _position: int) -> None:
        view.numbers.put({"id": str(event.originator_id), "number": event.number})

    @on(Order.Placed)
    def _placed(self, view: _Batch, event: Order.Placed, _position: int) -> None:
        view.orders.put(
            {
                "id": str(event.originator_id),
                "counterparty_id": event.counterparty_id,
                "contract_id": event.contract_id,
                "manager_id": event.manager_id,
                "status": event.status,
                "amount": event.amount,
                "currency": event.currency,
                "expected_on": event.expected_on,
                "lines": to_json(event.lines),
                "inquiry_id": event.inquiry_id,
                "version": event.originator_version,
                "placed_at": event.timestamp,
                "updated_at": event.timestamp,
            }
        )
        _history(view, event, None)

    @on(Order.Advanced)
    def _advanced(self, view: _Batch, event: Order.Advanced, _position: int) -> None:
        view.orders.update(
            (str(event.originator_id),),
            status=event.status,
            version=event.originator_version,
            updated_at=event.timestamp,
        )
        _history(view, event, event.on)


def _history(view: _Batch, event: Order.Placed | Order.Advanced, on: date | None) -> None:
    view.history.add(
        (str(event.originator_id), event.originator_version, event.status, on, event.occurred_at, event.actor)
    )


def _order(cursor: ViewCursor, row: tuple[Any, ...]) -> dict[str, Any]:
    record = dict(zip(_KEYS, row, strict=True))
    record["lines"] = from_json(record["lines"])
    record["amount"] = Decimal(record["amount"])
    record["expected_on"] = cursor.dialect.day_of(record["expected_on"])
    return record


def orders_of_counterparty(
    cursor: ViewCursor, counterparty_id: str, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    p = Params()
    client = same_client(cursor, "o.counterparty_id", counterparty_id, p)
    (total,) = cursor.execute(f"SELECT COUNT(*) FROM {ORDERS.name} o WHERE {client}", p.values)[0]
    rows = cursor.execute(
        f"SELECT {', '.join(_COLUMNS)} {_FROM} WHERE {client} "
        f"ORDER BY o.placed_at DESC, o.id LIMIT {p(limit)} OFFSET {p(offset)}",
        p.values,
    )
    return [_order(cursor, row) for row in rows], int(total)


def get_order(cursor: ViewCursor, order_id: str) -> dict[str, Any] | None:
    """One order with its status history, oldest first."""
    rows = cursor.execute(f"SELECT {', '.join(_COLUMNS)} {_FROM} WHERE o.id = $1", (order_id,))
    if not rows:
        return None
    order = _order(cursor, rows[0])
    day = cursor.dialect.day_of
    order["history"] = [
        {"status": status, "on": on and day(on), "occurred_at": occurred_at, "actor": actor}
        for status, on, occurred_at, actor in cursor.execute(
            f"SELECT status, on_date, occurred_at, actor FROM {HISTORY.name} WHERE order_id = $1 "
            "ORDER BY version",
            (order_id,),
        )
    ]
    return order


def order_amounts(cursor: ViewCursor, counterparty_id: str) -> list[tuple[str, Decimal, str]]:
    """(status, amount, currency) of every order of a client, a merged card's included."""
    p = Params()
    client = same_client(cursor, "counterparty_id", counterparty_id, p)
    return [
        (status, Decimal(amount), currency)
        for status, amount, currency in cursor.execute(
            f"SELECT status, amount, currency FROM {ORDERS.name} WHERE {client}", p.values
        )
    ]
