"""The forecast (FEATURES E3): every deal with its stage's probability, its weighted amount,
the period it expects to close in and its forecast category (its stage's, or the owner's
override); and each manager's forecast submissions, the owner's layer and a head's
adjustment side by side. Queries are in ``projections.forecast_queries``."""

from dataclasses import dataclass
from datetime import UTC
from decimal import Decimal
from typing import Any

from aggregates.deal import Deal, DealStatus
from aggregates.forecast import ForecastSubmission, category_of_stage
from aggregates.money import percent_of
from projections.projection import Projection, on
from projections.staff import KeepsStaff, staff_table
from projections.tables import Kind, Table
from projections.values import to_json
from projections.writes import Rows, Writes

DEALS = Table(
    "forecast_deals",
    {
        "id": Kind.TEXT,
        "manager_id": Kind.TEXT,
        "stage": Kind.TEXT,
        "probability": Kind.MONEY,
        "amount": Kind.MONEY,
        "currency": Kind.TEXT,
        "weighted": Kind.MONEY,
        "expected_close_on": Kind.DAY,
        "status": Kind.TEXT,
        "override": Kind.TEXT,
        "category": Kind.TEXT,
        "lines": Kind.JSON,
    },
    key=("id",),
    nullable=frozenset({"override"}),
    indexes=(("status", "expected_close_on"), ("manager_id",)),
)
SUBMISSIONS = Table(
    "forecast_submissions",
    {
        "employee_id": Kind.TEXT,
        "period": Kind.TEXT,
        "layer": Kind.TEXT,
        "amounts": Kind.JSON,
        "currency": Kind.TEXT,
        "note": Kind.TEXT,
        "actor": Kind.TEXT,
        "submitted_at": Kind.MOMENT,
        "revisions": Kind.INTEGER,
    },
    key=("employee_id", "period", "layer"),
    indexes=(("period",),),
)
"""``layer``: ``owner`` (the manager's own figures) or ``adjustment`` (a head's, on top)."""
STAFF = staff_table("forecast_staff")
OWNER, ADJUSTMENT = "owner", "adjustment"


@dataclass
class _Batch:
    deals: Rows
    submissions: Rows
    staff: Rows


class Forecast(KeepsStaff, Projection[_Batch]):
    name = "forecast"
    tables = (DEALS, SUBMISSIONS, STAFF)

    def open(self, writes: Writes) -> _Batch:
        return _Batch(writes.rows(DEALS), writes.rows(SUBMISSIONS), writes.rows(STAFF))

    @on(Deal.Opened)
    def _opened(self, view: _Batch, event: Deal.Opened, _position: int) -> None:
        lines = [
            {
                "item_id": line["item_id"],
                "name": line["name"],
                "quantity": str(line["quantity"]),
                "value": str(Decimal(str(line["quantity"])) * Decimal(str(line["unit_price"]))),
                "currency": line["currency"],
            }
            for line in event.lines
        ]
        deal = {
            "id": str(event.originator_id),
            "manager_id": event.manager_id,
            "stage": event.stage,
            "probability": event.probability,
            "amount": event.amount,
            "currency": event.currency,
            "expected_close_on": event.expected_close_on,
            "status": DealStatus.OPEN.value,
            "override": None,
            "lines": to_json(lines),
        }
        view.deals.put(_weighed(deal))

    @on(Deal.StageChanged)
    def _moved(self, view: _Batch, event: Deal.StageChanged, _position: int) -> None:
        _refresh(view, event, stage=event.stage, probability=event.probability)

    @on(Deal.AmountChanged)
    def _amount_changed(self, view: _Batch, event: Deal.AmountChanged, _position: int) -> None:
        _refresh(view, event, amount=event.amount, currency=event.currency)

    @on(Deal.CloseDateChanged)
    def _close_date_changed(self, view: _Batch, event: Deal.CloseDateChanged, _position: int) -> None:
        _refresh(view, event, expected_close_on=event.expected_close_on)

    @on(Deal.ForecastCategoryOverridden)
    def _overridden(self, view: _Batch, event: Deal.ForecastCategoryOverridden, _position: int) -> None:
        _refresh(view, event, override=event.category)

    @on(Deal.Won)
    def _won(self, view: _Batch, event: Deal.Won, _position: int) -> None:
        """A won deal closes in the period it was won in, at its full amount."""
        _refresh(
            view,
            event,
            status=DealStatus.WON.value,
            amount=event.amount,
            currency=event.currency,
            expected_close_on=event.occurred_at.astimezone(UTC).date(),
            override=None,
        )

    @on(Deal.Lost)
    def _lost(self, view: _Batch, event: Deal.Lost, _position: int) -> None:
        _refresh(view, event, status=DealStatus.LOST.value, override=None)

    @on(ForecastSubmission.Submitted)
    def _submitted(self, view: _Batch, event: ForecastSubmission.Submitted, _position: int) -> None:
        _layer(view, event, OWNER, event.note)

    @on(ForecastSubmission.Revised)
    def _revised(self, view: _Batch, event: ForecastSubmission.Revised, _position: int) -> None:
        _layer(view, event, OWNER, event.note)

    @on(ForecastSubmission.Adjusted)
    def _adjusted(self, view: _Batch, event: ForecastSubmission.Adjusted, _position: int) -> None:
        _layer(view, event, ADJUSTMENT, event.reason)


def _weighed(deal: dict[str, Any]) -> dict[str, Any]:
    """The deal's category and weighted amount, from its stage and status as they are now."""
    probability = Decimal(deal["probability"])
    status = deal["status"]
    weight = {DealStatus.WON.value: Decimal(100), DealStatus.LOST.value: Decimal(0)}.get(status, probability)
    deal["category"] = deal["override"] or category_of_stage(status, probability).value
    deal["weighted"] = percent_of(Decimal(deal["amount"]), weight)
    return deal


def _refresh(view: _Batch, event: Deal.Event, **changes: Any) -> None:
    key = (str(event.originator_id),)
    view.deals.put(_weighed({**view.deals[key], **changes}))


def _layer(
    view: _Batch,
    event: ForecastSubmission.Submitted | ForecastSubmission.Revised | ForecastSubmission.Adjusted,
    layer: str,
    note: str,
) -> None:
    earlier = view.submissions.get(event.employee_id, event.period, layer)
    view.submissions.put(
        {
            "employee_id": event.employee_id,
            "period": event.period,
            "layer": layer,
            "amounts": to_json({category: str(amount) for category, amount in event.amounts.items()}),
            "currency": event.currency,
            "note": note,
            "actor": event.actor,
            "submitted_at": event.occurred_at,
            "revisions": 0 if earlier is None else earlier["revisions"] + 1,
        }
    )
