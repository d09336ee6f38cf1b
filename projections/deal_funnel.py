"""The sales funnel as a view (FEATURES C3): pipelines as defined now, deals as they stand,
every stretch of time a deal spent at a stage, and running totals per manager, stage and
day (and per month, so that long periods read a few rows).

A deal keeps the probability its own events recorded, and each stretch at a stage keeps the
stage's place in the pipeline as it was then: redefining the pipeline rewrites no history.
Times are business time (``occurred_at``); days and months are UTC. A stretch's length is
kept in whole microseconds, so the median time in stage is exact. The queries are in
``projections.deal_queries``, the report in ``projections.funnel_report``."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from aggregates.deal import Deal, DealStatus
from aggregates.money import percent_of
from aggregates.sales_pipeline import SalesPipeline
from projections.projection import Projection, on
from projections.staff import KeepsStaff, staff_table
from projections.tables import Kind, Table
from projections.values import from_json, to_json
from projections.writes import Appends, Rows, Totals, Writes

PIPELINES = Table(
    "sales_pipelines",
    {
        "id": Kind.TEXT,
        "name": Kind.TEXT,
        "stages": Kind.JSON,
        "version": Kind.INTEGER,
        "defined_at": Kind.MOMENT,
        "updated_at": Kind.MOMENT,
    },
    key=("id",),
)
DEALS = Table(
    "deals",
    {
        "id": Kind.TEXT,
        "counterparty_id": Kind.TEXT,
        "manager_id": Kind.TEXT,
        "pipeline_id": Kind.TEXT,
        "stage": Kind.TEXT,
        "stage_order": Kind.INTEGER,
        "probability": Kind.MONEY,
        "amount": Kind.MONEY,
        "currency": Kind.TEXT,
        "status": Kind.TEXT,
        "expected_close_on": Kind.DAY,
        "lines": Kind.JSON,
        "lead_source": Kind.TEXT,
        "inquiry_id": Kind.TEXT,
        "lost_reason_code": Kind.TEXT,
        "lost_reason_text": Kind.TEXT,
        "opened_at": Kind.MOMENT,
        "closed_at": Kind.MOMENT,
        "version": Kind.INTEGER,
        "updated_at": Kind.MOMENT,
        "stage_entered_at": Kind.MOMENT,
        "stage_entered_version": Kind.INTEGER,
        "unadvanced": Kind.JSON,
    },
    key=("id",),
    nullable=frozenset({"lead_source", "inquiry_id", "lost_reason_code", "lost_reason_text", "closed_at"}),
    indexes=(("manager_id",), ("counterparty_id",), ("pipeline_id",), ("opened_at",)),
)
"""``unadvanced``: the stretches at stages the deal has not yet gone beyond, as
[stage, order, UTC day entered], so that reaching a stage further on counts them advanced."""
STRETCHES = Table(
    "deal_stage_periods",
    {
        "deal_id": Kind.TEXT,
        "entered_version": Kind.INTEGER,
        "pipeline_id": Kind.TEXT,
        "manager_id": Kind.TEXT,
        "stage": Kind.TEXT,
        "stage_order": Kind.INTEGER,
        "entered_at": Kind.MOMENT,
        "left_at": Kind.MOMENT,
        "microseconds": Kind.BIGINT,
    },
    key=("deal_id", "entered_version"),
    # Covers the median time in stage: counted, then read at the middle offset.
    indexes=(("pipeline_id", "stage", "microseconds", "left_at", "manager_id"),),
)
OPEN = Table(
    "funnel_open_deals",
    {
        "pipeline_id": Kind.TEXT,
        "manager_id": Kind.TEXT,
        "stage": Kind.TEXT,
        "stage_order": Kind.INTEGER,
        "currency": Kind.TEXT,
        "deals": Kind.INTEGER,
        "amount": Kind.MONEY,
        "weighted_amount": Kind.MONEY,
    },
    key=("pipeline_id", "manager_id", "stage", "stage_order", "currency"),
)


def _entries(period: str) -> Table:
    return Table(
        f"funnel_stage_entries_{period}",
        {
            "pipeline_id": Kind.TEXT,
            "period": Kind.TEXT,
            "manager_id": Kind.TEXT,
            "stage": Kind.TEXT,
            "stage_order": Kind.INTEGER,
            "entered": Kind.INTEGER,
            "advanced": Kind.INTEGER,
            # Stretches at the stage that ended in the period: what the median counts.
            "exits": Kind.INTEGER,
        },
        key=("pipeline_id", "period", "manager_id", "stage", "stage_order"),
    )


def _closed(period: str) -> Table:
    return Table(
        f"funnel_closed_deals_{period}",
        {
            "pipeline_id": Kind.TEXT,
            "period": Kind.TEXT,
            "manager_id": Kind.TEXT,
            "status": Kind.TEXT,
            "currency": Kind.TEXT,
            "deals": Kind.INTEGER,
            "amount": Kind.MONEY,
        },
        key=("pipeline_id", "period", "manager_id", "status", "currency"),
    )


ENTRIES_BY_DAY, ENTRIES_BY_MONTH = _entries("daily"), _entries("monthly")
CLOSED_BY_DAY, CLOSED_BY_MONTH = _closed("daily"), _closed("monthly")
STAFF = staff_table("funnel_staff")


@dataclass
class _Batch:
    pipelines: Rows
    deals: Rows
    stretches: Appends
    open: Totals
    entries: tuple[Totals, Totals]
    closed: tuple[Totals, Totals]
    staff: Rows
    moment_of: Callable[[Any], datetime]
    """A stored time (as the engine hands it back, or as the batch put it) as a datetime."""


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _periods(moment: datetime) -> tuple[str, str]:
    """The UTC day and month a moment falls in, as the daily and monthly totals key them."""
    day = _utc(moment).date().isoformat()
    return day, day[:7]


class DealFunnel(KeepsStaff, Projection[_Batch]):
    name = "deal_funnel"
    version = 4
    tables = (
        PIPELINES,
        DEALS,
        STRETCHES,
        OPEN,
        ENTRIES_BY_DAY,
        ENTRIES_BY_MONTH,
        CLOSED_BY_DAY,
        CLOSED_BY_MONTH,
        STAFF,
    )

    def open(self, writes: Writes) -> _Batch:
        return _Batch(
            writes.rows(PIPELINES),
            writes.rows(DEALS),
            writes.appends(STRETCHES),
            writes.totals(OPEN),
            (writes.totals(ENTRIES_BY_DAY), writes.totals(ENTRIES_BY_MONTH)),
            (writes.totals(CLOSED_BY_DAY), writes.totals(CLOSED_BY_MONTH)),
            writes.rows(STAFF),
            writes.cursor.dialect.moment_of,
        )

    @on(SalesPipeline.Defined)
    def _pipeline_defined(self, view: _Batch, event: SalesPipeline.Defined, _position: int) -> None:
        view.pipelines.put(
            {
                "id": str(event.originator_id),
                "name": event.name,
                "stages": to_json(event.stages),
                "version": event.originator_version,
                "defined_at": event.timestamp,
                "updated_at": event.timestamp,
            }
        )

    @on(SalesPipeline.Redefined)
    def _pipeline_redefined(self, view: _Batch, event: SalesPipeline.Redefined, _position: int) -> None:
        view.pipelines.update(
            (str(event.originator_id),),
            stages=to_json(event.stages),
            version=event.originator_version,
            updated_at=event.timestamp,
        )

    @on(Deal.Opened)
    def _opened(self, view: _Batch, event: Deal.Opened, _position: int) -> None:
        order = _stage_order(view, event.pipeline_id, event.stage)
        deal = {
            "id": str(event.originator_id),
            "counterparty_id": event.counterparty_id,
            "manager_id": event.manager_id,
            "pipeline_id": event.pipeline_id,
            "stage": event.stage,
            "stage_order": order,
            "probability": event.probability,
            "amount": event.amount,
            "currency": event.currency,
            "status": DealStatus.OPEN.value,
            "expected_close_on": event.expected_close_on,
            "lines": to_json(event.lines),
            "lead_source": event.lead_source,
            "inquiry_id": event.inquiry_id,
            "lost_reason_code": None,
            "lost_reason_text": None,
            "opened_at": event.occurred_at,
            "closed_at": None,
            "version": event.originator_version,
            "updated_at": event.timestamp,
            "stage_entered_at": event.occurred_at,
            "stage_entered_version": event.originator_version,
            "unadvanced": to_json([]),
        }
        _enter(view, deal, event.occurred_at)
        _count_open(view, deal, 1)
        view.deals.put(deal)

    @on(Deal.StageChanged)
    def _moved(self, view: _Batch, event: Deal.StageChanged, _position: int) -> None:
        deal = view.deals[(str(event.originator_id),)]
        order = _stage_order(view, deal["pipeline_id"], event.stage)
        _leave(view, deal, event.occurred_at)
        _count_open(view, deal, -1)
        _advance(view, deal, lambda earlier: earlier < order)
        deal.update(
            stage=event.stage,
            stage_order=order,
            probability=event.probability,
            stage_entered_at=event.occurred_at,
            stage_entered_version=event.originator_version,
        )
        _enter(view, deal, event.occurred_at)
        _count_open(view, deal, 1)
        _save(view, deal, event)

    @on(Deal.AmountChanged)
    def _amount_changed(self, view: _Batch, event: Deal.AmountChanged, _position: int) -> None:
        deal = view.deals[(str(event.originator_id),)]
        _count_open(view, deal, -1)
        deal.update(amount=event.amount, currency=event.currency)
        _count_open(view, deal, 1)
        _save(view, deal, event)

    @on(Deal.CloseDateChanged)
    def _close_date_changed(self, view: _Batch, event: Deal.CloseDateChanged, _position: int) -> None:
        deal = view.deals[(str(event.originator_id),)]
        deal["expected_close_on"] = event.expected_close_on
        _save(view, deal, event)

    @on(Deal.Won)
    def _won(self, view: _Batch, event: Deal.Won, _position: int) -> None:
        deal = view.deals[(str(event.originator_id),)]
        _leave(view, deal, event.occurred_at)
        _count_open(view, deal, -1)
        _advance(view, deal, lambda _order: True)
        _count_closed(view, deal, event.occurred_at, DealStatus.WON, event.amount, event.currency)
        deal.update(
            status=DealStatus.WON.value,
            amount=event.amount,
            currency=event.currency,
            closed_at=event.occurred_at,
        )
        _save(view, deal, event)

    @on(Deal.Lost)
    def _lost(self, view: _Batch, event: Deal.Lost, _position: int) -> None:
        deal = view.deals[(str(event.originator_id),)]
        _leave(view, deal, event.occurred_at)
        _count_open(view, deal, -1)
        _count_closed(
            view, deal, event.occurred_at, DealStatus.LOST, Decimal(deal["amount"]), deal["currency"]
        )
        deal.update(
            status=DealStatus.LOST.value,
            lost_reason_code=event.reason_code,
            lost_reason_text=event.reason_text,
            closed_at=event.occurred_at,
        )
        _save(view, deal, event)


def _save(view: _Batch, deal: dict[str, Any], event: Deal.Event) -> None:
    deal.update(version=event.originator_version, updated_at=event.timestamp)
    view.deals.put(deal)


def _stage_order(view: _Batch, pipeline_id: str, stage: str) -> int:
    """The stage's place in the pipeline as defined when the deal reached it. A move decided
    on the definition a racing redefinition replaced names a stage no longer there: it
    counts as past the last one."""
    stages = from_json(view.pipelines[(pipeline_id,)]["stages"])
    return next((int(s["order"]) for s in stages if s["name"] == stage), len(stages) + 1)


def _enter(view: _Batch, deal: dict[str, Any], moment: datetime) -> None:
    day, month = _periods(moment)
    pending = from_json(deal["unadvanced"])
    pending.append([deal["stage"], deal["stage_order"], day])
    deal["unadvanced"] = to_json(pending)
    for totals, period in zip(view.entries, (day, month), strict=True):
        totals.add(
            (deal["pipeline_id"], period, deal["manager_id"], deal["stage"], deal["stage_order"]), entered=1
        )


def _leave(view: _Batch, deal: dict[str, Any], moment: datetime) -> None:
    """The stretch at the current stage ends: kept with its length in whole microseconds."""
    entered_at = view.moment_of(deal["stage_entered_at"])
    spent = _utc(moment) - _utc(entered_at)
    for totals, period in zip(view.entries, _periods(moment), strict=True):
        totals.add(
            (deal["pipeline_id"], period, deal["manager_id"], deal["stage"], deal["stage_order"]), exits=1
        )
    view.stretches.add(
        (
            deal["id"],
            deal["stage_entered_version"],
            deal["pipeline_id"],
            deal["manager_id"],
            deal["stage"],
            deal["stage_order"],
            entered_at,
            moment,
            spent // timedelta(microseconds=1),
        )
    )


def _advance(view: _Batch, deal: dict[str, Any], beyond: Any) -> None:
    """A stretch counts as converted once the deal later reaches a stage further on, or is won."""
    still: list[Any] = []
    for stage, order, day in from_json(deal["unadvanced"]):
        if not beyond(int(order)):
            still.append([stage, order, day])
            continue
        for totals, period in zip(view.entries, (day, day[:7]), strict=True):
            totals.add((deal["pipeline_id"], period, deal["manager_id"], stage, int(order)), advanced=1)
    deal["unadvanced"] = to_json(still)


def _count_open(view: _Batch, deal: dict[str, Any], sign: int) -> None:
    """Add the deal to (sign 1) or take it from (sign -1) the open totals of its stage."""
    amount = Decimal(deal["amount"])
    view.open.add(
        (deal["pipeline_id"], deal["manager_id"], deal["stage"], deal["stage_order"], deal["currency"]),
        deals=sign,
        amount=sign * amount,
        weighted_amount=sign * percent_of(amount, Decimal(deal["probability"])),
    )


def _count_closed(
    view: _Batch, deal: dict[str, Any], moment: datetime, status: DealStatus, amount: Decimal, currency: str
) -> None:
    for totals, period in zip(view.closed, _periods(moment), strict=True):
        totals.add(
            (deal["pipeline_id"], period, deal["manager_id"], status.value, currency), deals=1, amount=amount
        )
