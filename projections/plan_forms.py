"""Plan forms fed by expectations (FEATURES E3), each moving as inquiries arrive and deals move:

- the sales plan: per period, money already won and the weighted money of open deals expected
  to close in it (``projections.forecast``);
- the marketing forecast: inquiries and new clients expected per period, from the inquiry
  flow of the last months and its conversion into deals and first wins (this view's own
  monthly tallies);
- the purchase plan: per catalogue item and period, the quantities deal lines are expected to
  take, weighted by each deal's chance.
"""

from dataclasses import dataclass
from datetime import UTC
from decimal import Decimal
from typing import Any

from aggregates.deal import Deal
from aggregates.inquiry import Inquiry
from aggregates.period import Grain, Period, period_of
from aggregates.scope import Actor
from projections.database import Params, ViewCursor
from projections.forecast_queries import Grouping, product_forecast, weighted_forecast
from projections.projection import Projection, on
from projections.scope import in_scope
from projections.staff import KeepsStaff, staff_table
from projections.tables import Kind, Table
from projections.writes import Rows, Totals, Writes

FLOW = Table(
    "plan_form_inquiry_flow",
    {
        "month": Kind.TEXT,
        "manager_id": Kind.TEXT,
        "inquiries": Kind.INTEGER,
        "deals_from_inquiries": Kind.INTEGER,
        "new_clients": Kind.INTEGER,
    },
    key=("month", "manager_id"),
)
"""Per UTC month and manager: inquiries registered, deals opened from an inquiry, and clients
won for the first time."""
CLIENTS = Table("plan_form_clients", {"counterparty_id": Kind.TEXT}, key=("counterparty_id",))
"""Clients that have been won once."""
DEALS = Table(
    "plan_form_deals", {"id": Kind.TEXT, "counterparty_id": Kind.TEXT, "manager_id": Kind.TEXT}, key=("id",)
)
STAFF = staff_table("plan_form_staff")
_CENT = Decimal("0.01")


@dataclass
class _Batch:
    flow: Totals
    clients: Rows
    deals: Rows
    staff: Rows


class PlanForms(KeepsStaff, Projection[_Batch]):
    name = "plan_forms"
    tables = (FLOW, CLIENTS, DEALS, STAFF)

    def open(self, writes: Writes) -> _Batch:
        return _Batch(writes.totals(FLOW), writes.rows(CLIENTS), writes.rows(DEALS), writes.rows(STAFF))

    @on(Inquiry.Registered)
    def _registered(self, view: _Batch, event: Inquiry.Registered, _position: int) -> None:
        view.flow.add((_month(event), event.responsible_id), inquiries=1)

    @on(Deal.Opened)
    def _opened(self, view: _Batch, event: Deal.Opened, _position: int) -> None:
        view.deals.put(
            {
                "id": str(event.originator_id),
                "counterparty_id": event.counterparty_id,
                "manager_id": event.manager_id,
            }
        )
        if event.inquiry_id is not None:
            view.flow.add((_month(event), event.manager_id), deals_from_inquiries=1)

    @on(Deal.Won)
    def _won(self, view: _Batch, event: Deal.Won, _position: int) -> None:
        if view.clients.get(event.counterparty_id) is not None:
            return
        view.clients.put({"counterparty_id": event.counterparty_id})
        deal = view.deals[(str(event.originator_id),)]
        view.flow.add((_month(event), deal["manager_id"]), new_clients=1)


def _month(event: Inquiry.Registered | Deal.Opened | Deal.Won) -> str:
    return period_of(event.occurred_at.astimezone(UTC).date(), Grain.MONTH).key


def sales_plan_form(cursor: ViewCursor, actor: Actor, first: Period, count: int) -> list[dict[str, Any]]:
    """Per period and currency: won, the weighted open deals expected, and the two together."""
    rows = []
    for period in (first.shift(step) for step in range(count)):
        totals: dict[str, dict[str, Decimal]] = {}
        for row in weighted_forecast(cursor, actor, period, Grouping.COMPANY):
            figures = totals.setdefault(row["currency"], {"won": Decimal(0), "weighted_open": Decimal(0)})
            figures["won" if row["category"] == "closed" else "weighted_open"] += row["weighted"]
        for currency, figures in sorted(totals.items()):
            rows.append(
                {
                    "period": period.key,
                    "currency": currency,
                    **figures,
                    "expected": figures["won"] + figures["weighted_open"],
                }
            )
    return rows


def marketing_forecast(
    cursor: ViewCursor, actor: Actor, first: Period, count: int, history: int = 6
) -> dict[str, Any]:
    """Inquiries and new clients expected per period: the monthly average of the ``history``
    months before ``first``, scaled to each period's months, and new clients as that many
    inquiries times the clients won per inquiry over the same months."""
    months = period_of(first.first_day, Grain.MONTH).shift(-1).trailing(history)
    p = Params()
    within = cursor.dialect.any_of("month", p([month.key for month in months]))
    rows = cursor.execute(
        "SELECT COALESCE(SUM(inquiries), 0), COALESCE(SUM(deals_from_inquiries), 0), "
        f"COALESCE(SUM(new_clients), 0) FROM {FLOW.name} WHERE {within} "
        f"AND {in_scope(actor, 'manager_id', STAFF.name, p)}",
        p.values,
    )
    inquiries, converted, new_clients = (int(value) for value in rows[0])
    per_month = Decimal(inquiries) / history
    clients_per_inquiry = Decimal(new_clients) / inquiries if inquiries else Decimal(0)
    expected = []
    for period in (first.shift(step) for step in range(count)):
        expected_inquiries = per_month * len(period.months())
        expected.append(
            {
                "period": period.key,
                "inquiries": expected_inquiries.quantize(Decimal("0.1")),
                "new_clients": (expected_inquiries * clients_per_inquiry).quantize(Decimal("0.1")),
            }
        )
    return {
        "history_from": months[0].key,
        "history_until": months[-1].key,
        "inquiries": inquiries,
        "deals_from_inquiries": converted,
        "new_clients": new_clients,
        "inquiry_to_deal_percent": (Decimal(converted) * 100 / inquiries).quantize(_CENT)
        if inquiries
        else None,
        "periods": expected,
    }


def purchase_plan(cursor: ViewCursor, actor: Actor, first: Period, count: int) -> list[dict[str, Any]]:
    """Per period and catalogue item: the quantity deal lines expect, weighted by chance."""
    return [
        {"period": period.key, **product}
        for period in (first.shift(step) for step in range(count))
        for product in product_forecast(cursor, actor, period)
    ]
