"""The funnel report: open deals, weighted amounts, conversion and time per stage, for a
manager, a team, a department or the company, over any period.

What happened in a period is read from running totals: whole months from the monthly
totals and the days at either end from the daily ones, so a year costs a few rows per
manager and stage. The median time in stage is exact: counted, then read at the middle
offset of an index on the stretches' lengths."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from aggregates.deal import DealStatus
from aggregates.errors import AccessDenied, InvalidValue, NotFound
from aggregates.scope import Actor, Reach, Responsible, reach_of
from projections.database import Params, ViewCursor
from projections.deal_funnel import (
    CLOSED_BY_DAY,
    CLOSED_BY_MONTH,
    ENTRIES_BY_DAY,
    ENTRIES_BY_MONTH,
    OPEN,
    STAFF,
    STRETCHES,
)
from projections.deal_queries import get_pipeline
from projections.tables import Table

# What a scope names, as a column of the staff copy.
_SCOPE_COLUMNS = {"manager": "id", "team": "team", "department": "department"}
_MICROSECONDS_A_DAY = Decimal(86_400_000_000)
_CLOSED = (DealStatus.WON.value, DealStatus.LOST.value)


@dataclass(frozen=True)
class FunnelScope:
    """The deals a funnel counts: those of the employees a scope names, all within the
    reader's own scope."""

    label: str
    column: str | None = None
    key: str | None = None

    def condition(self, p: Params) -> str:
        if self.column is None:
            return "1 = 1"
        return f"manager_id IN (SELECT id FROM {STAFF.name} WHERE {self.column} = {p(self.key)})"


def _widest(reach: Reach) -> str:
    if reach.everyone:
        return "company"
    if reach.department is not None:
        return f"department:{reach.department}"
    if reach.team is not None:
        return f"team:{reach.team}"
    return f"manager:{reach.employee_id}"


def funnel_scope(cursor: ViewCursor, actor: Actor, requested: str) -> FunnelScope:
    """``company`` is narrowed to the widest scope the reader has; a narrower scope naming
    someone the reader may not see is refused."""
    reach = reach_of(actor)
    wanted = _widest(reach) if requested == "company" else requested
    if wanted == "company":
        return FunnelScope("company")
    kind, _, key = wanted.partition(":")
    if kind not in _SCOPE_COLUMNS or not key:
        raise InvalidValue(
            "scope", "the scope is manager:<id>, team:<name>, department:<name> or company", location="query"
        )
    column = _SCOPE_COLUMNS[kind]
    members = cursor.execute(f"SELECT id, team, department FROM {STAFF.name} WHERE {column} = $1", (key,))
    if not members:
        raise NotFound(f"there is no {kind} {key!r}")
    if not all(reach.covers(Responsible(*member)) for member in members):
        raise AccessDenied(f"the {kind} {key!r} lies outside your scope")
    return FunnelScope(wanted, column, key)


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _month(day: date) -> str:
    return day.isoformat()[:7]


def _spans(since: date | None, until: date | None) -> list[tuple[bool, str | None, str | None]]:
    """The period as spans of (monthly?, first, last), inclusive, ``None`` unbounded: the whole
    months inside it and the days at either end."""
    first_full = (
        since
        if since is None or since.day == 1
        else (since.replace(day=28) + timedelta(days=4)).replace(day=1)
    )
    last_full = until
    if until is not None and (until + timedelta(days=1)).day != 1:
        last_full = until.replace(day=1) - timedelta(days=1)
    if first_full is not None and last_full is not None and first_full > last_full:
        return [(False, _iso(since), _iso(until))]
    spans: list[tuple[bool, str | None, str | None]] = [
        (
            True,
            None if first_full is None else _month(first_full),
            None if last_full is None else _month(last_full),
        )
    ]
    if since is not None and first_full is not None and since < first_full:
        spans.append((False, since.isoformat(), (first_full - timedelta(days=1)).isoformat()))
    if until is not None and last_full is not None and last_full < until:
        spans.append((False, (last_full + timedelta(days=1)).isoformat(), until.isoformat()))
    return spans


def _within(first: str | None, last: str | None, p: Params) -> str:
    conditions = ["1 = 1"]
    if first is not None:
        conditions.append(f"period >= {p(first)}")
    if last is not None:
        conditions.append(f"period <= {p(last)}")
    return " AND ".join(conditions)


def _over_period(
    cursor: ViewCursor,
    select: str,
    group_by: str,
    tables: tuple[Table, Table],
    in_scope: str,
    params: list[Any],
    spans: list[tuple[bool, str | None, str | None]],
) -> list[tuple[Any, ...]]:
    """The rows of an aggregate over the daily and monthly totals, span by span."""
    rows: list[tuple[Any, ...]] = []
    for monthly, first, last in spans:
        p = Params(*params)
        table = tables[1] if monthly else tables[0]
        rows += cursor.execute(
            f"SELECT {select} FROM {table.name} WHERE {in_scope} AND {_within(first, last, p)} "
            f"GROUP BY {group_by}",
            p.values,
        )
    return rows


@dataclass
class _StageFigures:
    name: str
    order: int
    probability: Decimal | None
    current: bool
    open_deals: int = 0
    open_amount: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    weighted_amount: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    entered: int = 0
    advanced: int = 0
    median_days: Decimal | None = None

    def report(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "order": self.order,
            "probability": self.probability,
            "current": self.current,
            "open_deals": self.open_deals,
            "open_amount": dict(self.open_amount),
            "weighted_amount": dict(self.weighted_amount),
            "entered": self.entered,
            "advanced": self.advanced,
            "conversion_percent": (
                (Decimal(self.advanced) * 100 / self.entered).quantize(Decimal("0.1"))
                if self.entered
                else None
            ),
            "median_days_in_stage": (
                self.median_days.quantize(Decimal("0.01")) if self.median_days is not None else None
            ),
        }


class _Stages(dict[str, _StageFigures]):
    """The pipeline's stages as defined now; a stage it no longer has but deals still show
    joins after them, at the place it had."""

    def at(self, name: str, order: int) -> _StageFigures:
        if name not in self:
            self[name] = _StageFigures(name, order, None, current=False)
        return self[name]


def _median_time_in_stage(
    cursor: ViewCursor,
    in_scope: str,
    params: list[Any],
    spans: list[tuple[bool, str | None, str | None]],
    since: date | None,
    until: date | None,
) -> list[tuple[str, int, Decimal]]:
    """Per stage, the median length in microseconds of the stretches that ended in the period:
    counted from the daily and monthly totals, then only the one or two middle lengths read,
    in order, from the index."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for stage, order, exits in _over_period(
        cursor,
        "stage, MAX(stage_order), SUM(exits)",
        "stage",
        (ENTRIES_BY_DAY, ENTRIES_BY_MONTH),
        in_scope,
        params,
        spans,
    ):
        counted = counts[stage]
        counted[0] = max(counted[0], int(order))
        counted[1] += int(exits)
    p = Params(*params)
    conditions = [in_scope]
    if since is not None:
        conditions.append(f"left_at >= {p(datetime.combine(since, time.min, UTC))}")
    if until is not None:
        conditions.append(f"left_at < {p(datetime.combine(until + timedelta(days=1), time.min, UTC))}")
    where = " AND ".join(conditions)
    medians = []
    for stage, (order, count) in counts.items():
        if count == 0:
            continue
        middle = Params(*p.values)
        lengths = cursor.execute(
            f"SELECT microseconds FROM {STRETCHES.name} WHERE {where} AND stage = {middle(stage)} "
            f"ORDER BY microseconds LIMIT {middle(2 - count % 2)} OFFSET {middle((count - 1) // 2)}",
            middle.values,
        )
        medians.append((stage, order, Decimal(sum(int(m) for (m,) in lengths)) / len(lengths)))
    return medians


def funnel(
    cursor: ViewCursor, actor: Actor, pipeline_id: str, scope: str, since: date | None, until: date | None
) -> dict[str, Any]:
    """The pipeline's funnel in a scope. Open deals are those open now; what entered a stage,
    left it, was won or lost is counted when it happened within the period (UTC days, both
    included).

    Conversion: of the deals that entered a stage in the period, the share that later
    entered a stage further on or were won. Time in stage: the median of the stretches at
    the stage that ended in the period."""
    pipeline = get_pipeline(cursor, pipeline_id)
    if pipeline is None:
        raise NotFound(f"pipeline {pipeline_id} does not exist")
    effective = funnel_scope(cursor, actor, scope)
    p = Params(pipeline_id)
    in_scope = f"pipeline_id = $1 AND {effective.condition(p)}"
    params = p.values
    stages = _Stages(
        (s["name"], _StageFigures(s["name"], s["order"], s["probability"], current=True))
        for s in pipeline["stages"]
    )
    for stage, order, currency, deals, amount, weighted in cursor.execute(
        f"SELECT stage, stage_order, currency, deals, amount, weighted_amount FROM {OPEN.name} "
        f"WHERE {in_scope} AND deals > 0",
        params,
    ):
        figures = stages.at(stage, order)
        figures.open_deals += int(deals)
        figures.open_amount[currency] += Decimal(amount)
        figures.weighted_amount[currency] += Decimal(weighted)

    spans = _spans(since, until)
    for stage, order, entered, advanced in _over_period(
        cursor,
        "stage, MAX(stage_order), SUM(entered), SUM(advanced)",
        "stage",
        (ENTRIES_BY_DAY, ENTRIES_BY_MONTH),
        in_scope,
        params,
        spans,
    ):
        figures = stages.at(stage, int(order))
        figures.entered += int(entered)
        figures.advanced += int(advanced)

    for stage, order, spent in _median_time_in_stage(cursor, in_scope, params, spans, since, until):
        stages.at(stage, order).median_days = spent / _MICROSECONDS_A_DAY

    closed: dict[str, dict[str, Any]] = {
        status: {"count": 0, "amount": defaultdict(Decimal)} for status in _CLOSED
    }
    for status, currency, deals, amount in _over_period(
        cursor,
        f"status, currency, SUM(deals), {cursor.dialect.total('amount')}",
        "status, currency",
        (CLOSED_BY_DAY, CLOSED_BY_MONTH),
        in_scope,
        params,
        spans,
    ):
        closed[status]["count"] += int(deals)
        closed[status]["amount"][currency] += Decimal(amount)

    ordered = sorted(stages.values(), key=lambda s: (not s.current, s.order, s.name))
    return {
        "pipeline_id": pipeline_id,
        "pipeline_name": pipeline["name"],
        "requested_scope": scope,
        "scope": effective.label,
        "since": since,
        "until": until,
        "stages": [figures.report() for figures in ordered],
        "won": {**closed[DealStatus.WON], "amount": dict(closed[DealStatus.WON]["amount"])},
        "lost": {**closed[DealStatus.LOST], "amount": dict(closed[DealStatus.LOST]["amount"])},
    }
