"""What the dashboard shows: one panel per chart, each drawing its SVG from the views within
the reader's scope. ``PANELS`` is the one place a chart is added."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from aggregates.errors import AccessDenied, InvalidValue, NotFound
from aggregates.period import Grain, period_of
from aggregates.plan_terms import PlanTarget
from aggregates.scope import Actor, reach_of
from letopis.vocabulary import PLAN_MEASURE
from projections.contract_register import ContractFilter, search_contracts
from projections.deal_queries import list_pipelines
from projections.funnel_report import funnel
from projections.money_received import money_received_by_month
from projections.plan_vs_actual import Target, plan_vs_actual, target_of
from projections.refusals import RefusalGrouping, refusals_report
from read_api.dashboard import charts
from read_api.deps import Backend
from read_api.routers.contracts import readable_contract

CHOOSABLE_CONTRACTS = 200


@dataclass(frozen=True)
class Choices:
    """What the reader picked on the page, with the lists to pick from."""

    pipelines: list[dict[str, Any]]
    contracts: list[dict[str, Any]]
    pipeline_id: str | None
    contract_id: str | None
    today: date


def choices(backend: Backend, actor: Actor, pipeline_id: str | None, contract_id: str | None) -> Choices:
    """The reader's choices, defaulting to the first pipeline and the first contract in scope."""
    today = backend.service.clock().date()
    with backend.views.reading() as cursor:
        pipelines = list_pipelines(cursor)
        contracts, _ = search_contracts(cursor, actor, ContractFilter(), today, CHOOSABLE_CONTRACTS, 0)
    return Choices(
        pipelines,
        contracts,
        pipeline_id or (pipelines[0]["id"] if pipelines else None),
        contract_id or (contracts[0]["id"] if contracts else None),
        today,
    )


class Nothing(Exception):
    """Nothing to draw, and why, in the reader's words."""


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    draw: Callable[[Backend, Actor, Choices], str]
    """The chart as SVG; raises ``Nothing`` when there is nothing to draw."""


def _funnel(backend: Backend, actor: Actor, picked: Choices) -> str:
    if picked.pipeline_id is None:
        raise Nothing("Воронок продаж ещё нет")
    try:
        with backend.views.reading() as cursor:
            report = funnel(cursor, actor, picked.pipeline_id, "company", None, None)
    except NotFound as missing:
        raise Nothing("Такой воронки нет") from missing
    stages = [stage for stage in report["stages"] if stage["current"] or stage["open_deals"]]
    return charts.horizontal_bars(
        "funnel",
        [stage["name"] for stage in stages],
        [stage["open_deals"] for stage in stages],
        "Открытых сделок",
    )


def _refusals(backend: Backend, actor: Actor, _picked: Choices) -> str:
    with backend.views.reading() as cursor:
        _, groups = refusals_report(cursor, actor, RefusalGrouping.REASON, None, None)
    if not groups:
        raise Nothing("Отказов нет")
    groups = sorted(groups, key=lambda group: -group["count"])
    return charts.horizontal_bars(
        "refusals",
        [group["label"] or group["key"] for group in groups],
        [g["count"] for g in groups],
        "Отказов",
    )


def _money(backend: Backend, actor: Actor, _picked: Choices) -> str:
    with backend.views.reading() as cursor:
        rows = money_received_by_month(cursor, actor)
    if not rows:
        raise Nothing("Оплат ещё не было")
    return charts.money_by_month("money", rows)


def _gantt(backend: Backend, actor: Actor, picked: Choices) -> str:
    if picked.contract_id is None:
        raise Nothing("Договоров нет")
    try:
        contract = readable_contract(backend, actor, picked.contract_id)
    except (NotFound, AccessDenied) as refused:
        raise Nothing("Этот договор не найден в ваших") from refused
    if not contract["stages"]:
        raise Nothing(f"У договора {contract['number']} нет этапов")
    return charts.gantt("gantt", contract["stages"], picked.today)


def _own_target(actor: Actor) -> Target:
    """The plans a reader is measured by: the company's for those who read everything, the
    department's for its head, their own for a manager."""
    reach = reach_of(actor)
    if reach.everyone:
        return target_of(PlanTarget.COMPANY, None)
    if reach.department is not None:
        return target_of(PlanTarget.DEPARTMENT, reach.department)
    return target_of(PlanTarget.EMPLOYEE, actor.employee_id)


def _plan(backend: Backend, actor: Actor, picked: Choices) -> str:
    month = period_of(picked.today, Grain.MONTH)
    try:
        with backend.views.reading() as cursor:
            report = plan_vs_actual(cursor, actor, month, _own_target(actor), picked.today)
    except InvalidValue as refused:  # a plan in a currency with no rate to convert the actuals
        raise Nothing(f"План и факт не сравнить: {refused}") from refused
    if not report["plans"]:
        raise Nothing(f"Планов на {month.key} нет")
    lines = report["plans"]
    return charts.plan_vs_actual(
        "plan",
        [
            PLAN_MEASURE[line["measure"]] + (f", {line['currency']}" if line["currency"] else "")
            for line in lines
        ],
        [float(line["plan"]) for line in lines],
        [float(line["actual"]) for line in lines],
    )


PANELS: tuple[Panel, ...] = (
    Panel("funnel", "Воронка: открытые сделки по этапам", _funnel),
    Panel("refusals", "Отказы по причинам", _refusals),
    Panel("money", "Поступления по месяцам", _money),
    Panel("gantt", "Этапы договора: план и факт", _gantt),
    Panel("plan", "План и факт за месяц", _plan),
)
