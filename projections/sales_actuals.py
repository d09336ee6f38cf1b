"""What was actually sold, per period, manager and product (FEATURES E4, F1): the money and
number of deals won, the money ordered, and the money received (refunds taken off), each
labelled by its source. Every fact counts towards its month, quarter and year, so a period of
any grain is read from its own rows; a row with an empty ``item_id`` is the whole deal, order
or payment, the others are a won deal's catalogue lines (at the line's own price and
currency; lines without a catalogue item count only in the whole).

Days are UTC for deals and orders placed (as in the funnel) and the business day the facts
name for orders received and payments."""

from dataclasses import dataclass
from datetime import UTC, date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from aggregates.catalogue_item import CatalogueItem
from aggregates.deal import Deal
from aggregates.order import Order, OrderStatus
from aggregates.payment import Payment
from aggregates.period import periods_containing
from projections.projection import Projection, on
from projections.staff import KeepsStaff, staff_table
from projections.tables import Kind, Table
from projections.values import from_json, to_json
from projections.writes import Rows, Totals, Writes


class Source(StrEnum):
    WON = "won"
    ORDERED = "ordered"
    RECEIVED = "received"


ACTUALS = Table(
    "sales_actuals",
    {
        "period": Kind.TEXT,
        "manager_id": Kind.TEXT,
        "source": Kind.TEXT,
        "item_id": Kind.TEXT,
        "category": Kind.TEXT,
        "currency": Kind.TEXT,
        "amount": Kind.MONEY,
        "deals": Kind.INTEGER,
        "quantity": Kind.MONEY,
    },
    key=("period", "manager_id", "source", "item_id", "category", "currency"),
    indexes=(("period", "source", "item_id"),),
)
SOLD = Table(
    "sales_actuals_sold",
    {
        "id": Kind.TEXT,
        "manager_id": Kind.TEXT,
        "lines": Kind.JSON,
        "amount": Kind.MONEY,
        "currency": Kind.TEXT,
        "ordered": Kind.INTEGER,
    },
    key=("id",),
)
"""Deals and orders as far as counting them needs: whose, which lines, and (for an order)
whether it already counts as ordered. Payments are kept with no lines, so a refund finds
whose money it takes back."""
ITEMS = Table("sales_actuals_items", {"id": Kind.TEXT, "category": Kind.TEXT}, key=("id",))
STAFF = staff_table("sales_actuals_staff")


@dataclass
class _Batch:
    actuals: Totals
    sold: Rows
    items: Rows
    staff: Rows


class SalesActuals(KeepsStaff, Projection[_Batch]):
    name = "sales_actuals"
    tables = (ACTUALS, SOLD, ITEMS, STAFF)

    def open(self, writes: Writes) -> _Batch:
        return _Batch(writes.totals(ACTUALS), writes.rows(SOLD), writes.rows(ITEMS), writes.rows(STAFF))

    @on(CatalogueItem.Listed)
    def _listed(self, view: _Batch, event: CatalogueItem.Listed, _position: int) -> None:
        view.items.put({"id": str(event.originator_id), "category": event.category or ""})

    @on(Deal.Opened)
    def _opened(self, view: _Batch, event: Deal.Opened, _position: int) -> None:
        _keep(view, event, event.manager_id, event.lines, ordered=False)

    @on(Deal.Won)
    def _won(self, view: _Batch, event: Deal.Won, _position: int) -> None:
        deal = view.sold[(str(event.originator_id),)]
        day = event.occurred_at.astimezone(UTC).date()
        _count(view, deal, Source.WON, day, event.amount, event.currency)

    @on(Order.Placed)
    def _placed(self, view: _Batch, event: Order.Placed, _position: int) -> None:
        ordered = event.status != OrderStatus.FORECAST.value
        # An order's lines name no catalogue item: orders count whole only.
        order = _keep(view, event, event.manager_id, [], ordered=ordered)
        if ordered:
            day = event.occurred_at.astimezone(UTC).date()
            _count(view, order, Source.ORDERED, day, event.amount, event.currency)

    @on(Order.Advanced)
    def _advanced(self, view: _Batch, event: Order.Advanced, _position: int) -> None:
        if event.previous_status != OrderStatus.FORECAST.value:
            return
        order = view.sold.update((str(event.originator_id),), ordered=1)
        _count(view, order, Source.ORDERED, event.on, Decimal(order["amount"]), order["currency"])

    @on(Payment.Received)
    def _received(self, view: _Batch, event: Payment.Received, _position: int) -> None:
        payment = _keep(view, event, event.manager_id, [], ordered=False)
        _count(view, payment, Source.RECEIVED, event.received_on, event.amount, event.currency)

    @on(Payment.Refunded)
    def _refunded(self, view: _Batch, event: Payment.Refunded, _position: int) -> None:
        payment = view.sold[(str(event.originator_id),)]
        _count(view, payment, Source.RECEIVED, event.refunded_on, -event.amount, event.currency, deals=0)


def _keep(
    view: _Batch,
    event: Deal.Opened | Order.Placed | Payment.Received,
    manager_id: str,
    lines: list[dict[str, Any]],
    *,
    ordered: bool,
) -> dict[str, Any]:
    kept = [
        {
            "item_id": line["item_id"],
            "category": (view.items.get(line["item_id"]) or {}).get("category", ""),
            "quantity": str(line["quantity"]),
            "value": str(Decimal(str(line["quantity"])) * Decimal(str(line["unit_price"]))),
            "currency": line["currency"],
        }
        for line in lines
        if line["item_id"] is not None
    ]
    row = {
        "id": str(event.originator_id),
        "manager_id": manager_id,
        "lines": to_json(kept),
        "amount": event.amount,
        "currency": event.currency,
        "ordered": int(ordered),
    }
    view.sold.put(row)
    return row


def _count(
    view: _Batch,
    record: dict[str, Any],
    source: Source,
    day: date,
    amount: Decimal,
    currency: str,
    deals: int = 1,
) -> None:
    for period in periods_containing(day):
        keys = (period.key, record["manager_id"], source.value)
        view.actuals.add((*keys, "", "", currency), amount=amount, deals=deals, quantity=Decimal(0))
        for line in from_json(record["lines"]):
            view.actuals.add(
                (*keys, line["item_id"], line["category"], line["currency"]),
                amount=Decimal(line["value"]),
                deals=deals,
                quantity=Decimal(line["quantity"]),
            )
