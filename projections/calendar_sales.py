"""The calendar's sales layers: contract stages, planned and as they really went, and the
day each open deal is expected to close."""

from datetime import date
from typing import Any

from aggregates.contract import Contract
from aggregates.deal import Deal
from projections.calendar_entries import CalendarBatch, Layer, Source, all_day_entry, api_path, remember
from projections.projection import on
from projections.values import from_json
from projections.writes import Row


class SalesLayers:
    """Mixed into the calendar. Each contract and deal is remembered with its manager
    (``calendar_sources``), so its entries are found by key."""

    # Contract stages: the plan, and what really happened.

    @on(Contract.Signed)
    def _contract_signed(self, view: CalendarBatch, event: Contract.Signed, _position: int) -> None:
        remember(view, str(event.originator_id), event.manager_id, event.counterparty_id, event.number)
        _plan_stages(view, event, event.stages, {})

    @on(Contract.Amended)
    def _contract_amended(self, view: CalendarBatch, event: Contract.Amended, _position: int) -> None:
        if "stages" not in event.changes:
            return
        planned = {stage["name"] for stage in event.changes["stages"]}
        happened = {}
        for entry in view.entries.rows_where("source_id", str(event.originator_id)):
            stage = from_json(entry["details"])["stage"]
            if entry["entry_id"].endswith(":actual") and stage in planned:
                happened[stage] = entry["status"]
            else:
                view.entries.delete(entry["entry_id"], entry["employee_id"])
        _plan_stages(view, event, event.changes["stages"], happened)

    @on(Contract.StageStarted)
    def _stage_started(self, view: CalendarBatch, event: Contract.StageStarted, _position: int) -> None:
        plan = _stage_entry(view, event, event.stage, "plan")
        view.entries.put(plan | {"status": "started", "updated_at": event.timestamp})
        view.entries.put(
            plan
            | {
                "entry_id": _stage_id(event, event.stage, "actual"),
                "title": plan["title"] + " (in progress)",
                "status": "started",
                "first_day": event.started_on,
                "last_day": event.started_on,
                "updated_at": event.timestamp,
            }
        )

    @on(Contract.StageCompleted)
    def _stage_completed(self, view: CalendarBatch, event: Contract.StageCompleted, _position: int) -> None:
        plan = _stage_entry(view, event, event.stage, "plan")
        view.entries.put(plan | {"status": "completed", "updated_at": event.timestamp})
        view.entries.put(
            _stage_entry(view, event, event.stage, "actual")
            | {
                "title": plan["title"] + " (done)",
                "status": "completed",
                "last_day": event.completed_on,
                "updated_at": event.timestamp,
            }
        )

    # Deals: the day each open deal is expected to close.

    @on(Deal.Opened)
    def _deal_opened(self, view: CalendarBatch, event: Deal.Opened, _position: int) -> None:
        client = view.clients.get(event.counterparty_id)
        client_name = client["name"] if client else event.counterparty_id
        deal_id = str(event.originator_id)
        remember(view, str(event.originator_id), event.manager_id, event.counterparty_id, client_name)
        view.entries.put(
            all_day_entry(
                f"deal:{deal_id}:close",
                event.manager_id,
                Layer.DEAL_CLOSES,
                Source("deal", deal_id, api_path("deals", deal_id), event.counterparty_id),
                title=f"Expected close: deal with {client_name}",
                status="open",
                first_day=event.expected_close_on,
                last_day=event.expected_close_on,
                updated_at=event.timestamp,
                details={"amount": str(event.amount), "currency": event.currency},
            )
        )

    @on(Deal.CloseDateChanged)
    def _deal_close_moved(self, view: CalendarBatch, event: Deal.CloseDateChanged, _position: int) -> None:
        day = event.expected_close_on
        view.entries.put(
            _deal_entry(view, event) | {"first_day": day, "last_day": day, "updated_at": event.timestamp}
        )

    @on(Deal.Won, Deal.Lost)
    def _deal_closed(self, view: CalendarBatch, event: Deal.Event, _position: int) -> None:
        entry = _deal_entry(view, event)
        view.entries.delete(entry["entry_id"], entry["employee_id"])


def _deal_entry(view: CalendarBatch, event: Deal.Event) -> Row:
    deal = view.sources[(str(event.originator_id),)]
    return view.entries[(f"deal:{deal['id']}:close", deal["employee_id"])]


def _stage_id(event: Contract.Event, stage: str, part: str) -> str:
    return f"contract:{event.originator_id}:stage:{stage}:{part}"


def _stage_entry(view: CalendarBatch, event: Contract.Event, stage: str, part: str) -> Row:
    contract = view.sources[(str(event.originator_id),)]
    return view.entries[(_stage_id(event, stage, part), contract["employee_id"])]


def _plan_stages(
    view: CalendarBatch, event: Contract.Event, stages: list[dict[str, Any]], happened: dict[str, str]
) -> None:
    """Stages keep what really happened across a new plan when their names stay."""
    contract = view.sources[(str(event.originator_id),)]
    source = Source(
        "contract", contract["id"], api_path("contracts", contract["id"]), contract["counterparty_id"]
    )
    for stage in stages:
        view.entries.put(
            all_day_entry(
                _stage_id(event, stage["name"], "plan"),
                contract["employee_id"],
                Layer.CONTRACT_STAGES,
                source,
                title=f"Contract {contract['label']}: {stage['name']}",
                status=happened.get(stage["name"], "planned"),
                first_day=_day(stage["planned_start"]),
                last_day=_day(stage["planned_end"]),
                updated_at=event.timestamp,
                details={"contract": contract["label"], "stage": stage["name"]},
            )
        )


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
