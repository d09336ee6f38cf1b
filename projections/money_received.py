"""Money received per month, manager and currency: payments less refunds, for the dashboard.

A payment counts in the month it was received, for the manager who received it; its refund
counts in the month it was refunded, for the same manager (the view keeps who received each
payment, since ``Payment.Refunded`` does not name them)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from aggregates.payment import Payment
from aggregates.scope import Actor
from projections.database import Params, ViewCursor
from projections.projection import Projection, on
from projections.scope import in_scope
from projections.staff import KeepsStaff, staff_table
from projections.tables import Kind, Table
from projections.writes import Rows, Totals, Writes

MONTHS = Table(
    "money_received_by_month",
    {"month": Kind.TEXT, "manager_id": Kind.TEXT, "currency": Kind.TEXT, "amount": Kind.MONEY},
    key=("month", "manager_id", "currency"),
)
RECEIVERS = Table("money_received_payments", {"id": Kind.TEXT, "manager_id": Kind.TEXT}, key=("id",))
STAFF = staff_table("money_received_staff")


def month_of(day: date) -> str:
    return f"{day:%Y-%m}"


@dataclass
class _Batch:
    months: Totals
    receivers: Rows
    staff: Rows


class MoneyReceived(KeepsStaff, Projection[_Batch]):
    name = "money_received"
    version = 1
    tables = (MONTHS, RECEIVERS, STAFF)

    def open(self, writes: Writes) -> _Batch:
        return _Batch(writes.totals(MONTHS), writes.rows(RECEIVERS), writes.rows(STAFF))

    @on(Payment.Received)
    def _received(self, view: _Batch, event: Payment.Received, _position: int) -> None:
        view.receivers.put({"id": str(event.originator_id), "manager_id": event.manager_id})
        view.months.add((month_of(event.received_on), event.manager_id, event.currency), amount=event.amount)

    @on(Payment.Refunded)
    def _refunded(self, view: _Batch, event: Payment.Refunded, _position: int) -> None:
        manager_id = view.receivers[(str(event.originator_id),)]["manager_id"]
        view.months.add((month_of(event.refunded_on), manager_id, event.currency), amount=-event.amount)


def money_received_by_month(cursor: ViewCursor, actor: Actor) -> list[tuple[str, str, Decimal]]:
    """(month as YYYY-MM, currency, amount) within the actor's scope, by month."""
    p = Params()
    rows = cursor.execute(
        f"SELECT month, currency, amount FROM {MONTHS.name} "
        f"WHERE {in_scope(actor, 'manager_id', STAFF.name, p)}",
        p.values,
    )
    totals: dict[tuple[str, str], Decimal] = {}
    for month, currency, amount in rows:
        totals[(month, currency)] = totals.get((month, currency), Decimal(0)) + Decimal(amount)
    return [(month, currency, amount) for (month, currency), amount in sorted(totals.items())]
