"""The sales funnel (FEATURES C3): pipelines as defined now, deals as they stand, and every
stretch of time a deal spent at a stage, for counts, weighted amounts, conversion and time
in stage per manager, team, department or company over any period.

A deal keeps the probability its own events recorded, and each stretch at a stage keeps the
stage's place in the pipeline as it was then: redefining the pipeline rewrites no history.
Amounts are Decimal text, summed in Python; times are business time (``occurred_at``) as
UTC text, and a period's dates are UTC calendar days, both included."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from aggregates.deal import Deal, DealStatus
from aggregates.employee import Role
from aggregates.errors import AccessDenied, InvalidValue, NotFound
from aggregates.money import percent_of
from aggregates.sales_pipeline import SalesPipeline
from aggregates.scope import Actor, Responsible, covers
from event_store.store import Recorded
from projections.database import ViewCursor
from projections.employee_directory import list_employees, scope_condition
from projections.projection import Handler, Projection
from projections.values import from_json, to_json, utc_text

_PIPELINE_COLUMNS = ("id", "name", "stages", "version", "defined_at", "updated_at")
_DEAL_COLUMNS = (
    "id",
    "counterparty_id",
    "manager_id",
    "pipeline_id",
    "stage",
    "probability",
    "amount",
    "currency",
    "status",
    "expected_close_on",
    "lines",
    "lead_source",
    "inquiry_id",
    "lost_reason_code",
    "lost_reason_text",
    "opened_at",
    "closed_at",
    "version",
    "updated_at",
)


class DealFunnel(Projection):
    name = "deal_funnel"
    version = 2
    tables = (
        "sales_pipelines",
        "deals",
        "deal_stage_periods",
        "funnel_open_deals",
        "funnel_stage_entries",
        "funnel_closed_deals",
    )

    def create_tables(self, cursor: ViewCursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS sales_pipelines (id TEXT PRIMARY KEY, name TEXT NOT NULL, "
            "stages TEXT NOT NULL, version INTEGER NOT NULL, defined_at TEXT NOT NULL, "
            "updated_at TEXT NOT NULL)"
        )
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS deals (id TEXT PRIMARY KEY, counterparty_id TEXT NOT NULL, "
            "manager_id TEXT NOT NULL, pipeline_id TEXT NOT NULL, stage TEXT NOT NULL, "
            "stage_order INTEGER NOT NULL, probability TEXT NOT NULL, amount TEXT NOT NULL, "
            "currency TEXT NOT NULL, status TEXT NOT NULL, expected_close_on TEXT NOT NULL, "
            "lines TEXT NOT NULL, lead_source TEXT, inquiry_id TEXT, lost_reason_code TEXT, "
            "lost_reason_text TEXT, opened_at TEXT NOT NULL, closed_at TEXT, "
            "version INTEGER NOT NULL, updated_at TEXT NOT NULL)"
        )
        for column in ("manager_id", "counterparty_id", "pipeline_id", "closed_at"):
            cursor.execute(f"CREATE INDEX IF NOT EXISTS deals_{column} ON deals ({column})")
        # One row per stretch a deal spent at a stage. The covering index serves the median
        # time in stage: counted, then read at the middle offset, without touching the rows.
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS deal_stage_periods (deal_id TEXT NOT NULL, "
            "entered_version INTEGER NOT NULL, pipeline_id TEXT NOT NULL, manager_id TEXT NOT NULL, "
            "stage TEXT NOT NULL, stage_order INTEGER NOT NULL, entered_at TEXT NOT NULL, "
            "left_at TEXT, microseconds BIGINT, advanced INTEGER NOT NULL, "
            "PRIMARY KEY (deal_id, entered_version))"
        )
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS deal_stage_periods_time_in_stage ON deal_stage_periods "
            "(pipeline_id, stage, microseconds, left_at, manager_id)"
        )
        # Running totals, so that a funnel reads a few rows per manager and day, not every deal.
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS funnel_open_deals (pipeline_id TEXT NOT NULL, "
            "manager_id TEXT NOT NULL, stage TEXT NOT NULL, stage_order INTEGER NOT NULL, "
            "currency TEXT NOT NULL, deals INTEGER NOT NULL, amount TEXT NOT NULL, "
            "weighted_amount TEXT NOT NULL, "
            "PRIMARY KEY (pipeline_id, manager_id, stage, stage_order, currency))"
        )
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS funnel_stage_entries (pipeline_id TEXT NOT NULL, "
            "manager_id TEXT NOT NULL, stage TEXT NOT NULL, stage_order INTEGER NOT NULL, "
            "day TEXT NOT NULL, entered INTEGER NOT NULL, advanced INTEGER NOT NULL, "
            "PRIMARY KEY (pipeline_id, day, manager_id, stage, stage_order))"
        )
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS funnel_closed_deals (pipeline_id TEXT NOT NULL, "
            "manager_id TEXT NOT NULL, day TEXT NOT NULL, status TEXT NOT NULL, "
            "currency TEXT NOT NULL, deals INTEGER NOT NULL, amount TEXT NOT NULL, "
            "PRIMARY KEY (pipeline_id, day, manager_id, status, currency))"
        )

    def handlers(self) -> dict[type[Any], Handler]:
        return {
            SalesPipeline.Defined: self._pipeline_defined,
            SalesPipeline.Redefined: self._pipeline_redefined,
            Deal.Opened: self._deal_opened,
            Deal.StageChanged: self._stage_changed,
            Deal.AmountChanged: self._amount_changed,
            Deal.CloseDateChanged: self._close_date_changed,
            Deal.Won: self._won,
            Deal.Lost: self._lost,
        }

    @staticmethod
    def _pipeline_defined(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        now = utc_text(event.timestamp)
        cursor.execute(
            "INSERT INTO sales_pipelines (id, name, stages, version, defined_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (str(event.originator_id), event.name, to_json(event.stages), event.originator_version, now, now),
        )

    @staticmethod
    def _pipeline_redefined(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        cursor.execute(
            "UPDATE sales_pipelines SET stages = ?, version = ?, updated_at = ? WHERE id = ?",
            (
                to_json(event.stages),
                event.originator_version,
                utc_text(event.timestamp),
                str(event.originator_id),
            ),
        )

    @staticmethod
    def _deal_opened(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        key = str(event.originator_id)
        order = _stage_order(cursor, event.pipeline_id, event.stage)
        cursor.execute(
            "INSERT INTO deals (id, counterparty_id, manager_id, pipeline_id, stage, stage_order, "
            "probability, amount, currency, status, expected_close_on, lines, lead_source, inquiry_id, "
            "opened_at, version, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                key,
                event.counterparty_id,
                event.manager_id,
                event.pipeline_id,
                event.stage,
                order,
                str(event.probability),
                str(event.amount),
                event.currency,
                DealStatus.OPEN.value,
                event.expected_close_on.isoformat(),
                to_json(event.lines),
                event.lead_source,
                event.inquiry_id,
                utc_text(event.occurred_at),
                event.originator_version,
                utc_text(event.timestamp),
            ),
        )
        deal = _OpenDeal(
            key,
            event.pipeline_id,
            event.manager_id,
            event.stage,
            order,
            event.amount,
            event.currency,
            event.probability,
        )
        _enter_stage(cursor, deal, event)
        _count_open(cursor, deal, 1)

    @staticmethod
    def _stage_changed(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        deal = _open_deal(cursor, event)
        order = _stage_order(cursor, deal.pipeline_id, event.stage)
        _leave_stage(cursor, deal, event)
        _count_open(cursor, deal, -1)
        _mark_advanced(cursor, deal, lambda earlier_order: earlier_order < order)
        moved = replace(deal, stage=event.stage, stage_order=order, probability=event.probability)
        _enter_stage(cursor, moved, event)
        _count_open(cursor, moved, 1)
        _update(cursor, event, stage=event.stage, stage_order=order, probability=str(event.probability))

    @staticmethod
    def _amount_changed(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        deal = _open_deal(cursor, event)
        _count_open(cursor, deal, -1)
        _count_open(cursor, replace(deal, amount=event.amount, currency=event.currency), 1)
        _update(cursor, event, amount=str(event.amount), currency=event.currency)

    @staticmethod
    def _close_date_changed(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        _update(cursor, event, expected_close_on=event.expected_close_on.isoformat())

    @staticmethod
    def _won(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        deal = _open_deal(cursor, event)
        _leave_stage(cursor, deal, event)
        _count_open(cursor, deal, -1)
        _mark_advanced(cursor, deal, lambda _order: True)
        _count_closed(cursor, deal, event, DealStatus.WON, event.amount, event.currency)
        _update(
            cursor,
            event,
            status=DealStatus.WON.value,
            amount=str(event.amount),
            currency=event.currency,
            closed_at=utc_text(event.occurred_at),
        )

    @staticmethod
    def _lost(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        deal = _open_deal(cursor, event)
        _leave_stage(cursor, deal, event)
        _count_open(cursor, deal, -1)
        _count_closed(cursor, deal, event, DealStatus.LOST, deal.amount, deal.currency)
        _update(
            cursor,
            event,
            status=DealStatus.LOST.value,
            lost_reason_code=event.reason_code,
            lost_reason_text=event.reason_text,
            closed_at=utc_text(event.occurred_at),
        )


@dataclass(frozen=True)
class _OpenDeal:
    """What the running totals need of a deal still open."""

    id: str
    pipeline_id: str
    manager_id: str
    stage: str
    stage_order: int
    amount: Decimal
    currency: str
    probability: Decimal


def _open_deal(cursor: ViewCursor, event: Any) -> _OpenDeal:
    ((pipeline_id, manager_id, stage, order, amount, currency, probability),) = cursor.execute(
        "SELECT pipeline_id, manager_id, stage, stage_order, amount, currency, probability "
        "FROM deals WHERE id = ?",
        (str(event.originator_id),),
    )
    return _OpenDeal(
        str(event.originator_id),
        pipeline_id,
        manager_id,
        stage,
        int(order),
        Decimal(amount),
        currency,
        Decimal(probability),
    )


def _stage_order(cursor: ViewCursor, pipeline_id: str, stage: str) -> int:
    """The stage's place in the pipeline as defined when the deal reached it. A move decided
    on the definition a racing redefinition replaced names a stage no longer there: it
    counts as past the last one."""
    ((stages_text,),) = cursor.execute("SELECT stages FROM sales_pipelines WHERE id = ?", (pipeline_id,))
    stages = from_json(stages_text)
    return next((int(s["order"]) for s in stages if s["name"] == stage), len(stages) + 1)


def _utc_day(moment: datetime) -> str:
    return moment.astimezone(UTC).date().isoformat()


def _enter_stage(cursor: ViewCursor, deal: _OpenDeal, event: Any) -> None:
    cursor.execute(
        "INSERT INTO deal_stage_periods (deal_id, entered_version, pipeline_id, manager_id, stage, "
        "stage_order, entered_at, advanced) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
        (
            deal.id,
            event.originator_version,
            deal.pipeline_id,
            deal.manager_id,
            deal.stage,
            deal.stage_order,
            utc_text(event.occurred_at),
        ),
    )
    _count_entries(cursor, deal, deal.stage, deal.stage_order, _utc_day(event.occurred_at), 1, 0)


def _leave_stage(cursor: ViewCursor, deal: _OpenDeal, event: Any) -> None:
    """Close the open stretch; its length is kept in whole microseconds, so medians are exact."""
    rows = cursor.execute(
        "SELECT entered_version, entered_at FROM deal_stage_periods WHERE deal_id = ? AND left_at IS NULL",
        (deal.id,),
    )
    for entered_version, entered_at in rows:
        spent = event.occurred_at.astimezone(UTC).replace(tzinfo=None) - _parse_utc(entered_at)
        cursor.execute(
            "UPDATE deal_stage_periods SET left_at = ?, microseconds = ? "
            "WHERE deal_id = ? AND entered_version = ?",
            (utc_text(event.occurred_at), spent // timedelta(microseconds=1), deal.id, entered_version),
        )


def _mark_advanced(cursor: ViewCursor, deal: _OpenDeal, beyond: Callable[[int], bool]) -> None:
    """A stretch counts as converted once the deal later reaches a stage further on, or is won."""
    rows = cursor.execute(
        "SELECT entered_version, stage, stage_order, entered_at FROM deal_stage_periods "
        "WHERE deal_id = ? AND advanced = 0",
        (deal.id,),
    )
    for entered_version, stage, order, entered_at in rows:
        if beyond(int(order)):
            cursor.execute(
                "UPDATE deal_stage_periods SET advanced = 1 WHERE deal_id = ? AND entered_version = ?",
                (deal.id, entered_version),
            )
            _count_entries(cursor, deal, stage, int(order), entered_at[:10], 0, 1)


def _count_entries(
    cursor: ViewCursor, deal: _OpenDeal, stage: str, order: int, day: str, entered: int, advanced: int
) -> None:
    cursor.execute(
        "INSERT INTO funnel_stage_entries (pipeline_id, day, manager_id, stage, stage_order, entered, "
        "advanced) VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (pipeline_id, day, manager_id, stage, stage_order) DO UPDATE SET "
        "entered = funnel_stage_entries.entered + excluded.entered, "
        "advanced = funnel_stage_entries.advanced + excluded.advanced",
        (deal.pipeline_id, day, deal.manager_id, stage, order, entered, advanced),
    )


def _add_to_totals(
    cursor: ViewCursor, table: str, key: dict[str, Any], counts: dict[str, int], amounts: dict[str, Decimal]
) -> None:
    """Add to a row of running totals, creating it on first use. Amounts are Decimal text,
    so they are added here rather than by the database."""
    where = " AND ".join(f"{column} = ?" for column in key)
    found = cursor.execute(
        f"SELECT {', '.join([*counts, *amounts])} FROM {table} WHERE {where}", [*key.values()]
    )
    current = found[0] if found else (0,) * len(counts) + ("0",) * len(amounts)
    totals: dict[str, Any] = {
        column: int(current[index]) + delta for index, (column, delta) in enumerate(counts.items())
    }
    totals.update(
        (column, str(Decimal(current[len(counts) + index]) + delta))
        for index, (column, delta) in enumerate(amounts.items())
    )
    if found:
        assignments = ", ".join(f"{column} = ?" for column in totals)
        cursor.execute(f"UPDATE {table} SET {assignments} WHERE {where}", [*totals.values(), *key.values()])
    else:
        row = {**key, **totals}
        marks = ", ".join("?" * len(row))
        cursor.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({marks})", [*row.values()])


def _count_open(cursor: ViewCursor, deal: _OpenDeal, sign: int) -> None:
    """Add the deal to (sign 1) or take it from (sign -1) the open totals of its stage."""
    _add_to_totals(
        cursor,
        "funnel_open_deals",
        {
            "pipeline_id": deal.pipeline_id,
            "manager_id": deal.manager_id,
            "stage": deal.stage,
            "stage_order": deal.stage_order,
            "currency": deal.currency,
        },
        {"deals": sign},
        {"amount": sign * deal.amount, "weighted_amount": sign * percent_of(deal.amount, deal.probability)},
    )


def _count_closed(
    cursor: ViewCursor, deal: _OpenDeal, event: Any, status: DealStatus, amount: Decimal, currency: str
) -> None:
    _add_to_totals(
        cursor,
        "funnel_closed_deals",
        {
            "pipeline_id": deal.pipeline_id,
            "day": _utc_day(event.occurred_at),
            "manager_id": deal.manager_id,
            "status": status.value,
            "currency": currency,
        },
        {"deals": 1},
        {"amount": amount},
    )


def _update(cursor: ViewCursor, event: Any, **columns: Any) -> None:
    columns.update(version=event.originator_version, updated_at=utc_text(event.timestamp))
    assignments = ", ".join(f"{column} = ?" for column in columns)
    cursor.execute(
        f"UPDATE deals SET {assignments} WHERE id = ?", (*columns.values(), str(event.originator_id))
    )


def _row_to_pipeline(row: tuple[Any, ...]) -> dict[str, Any]:
    pipeline = dict(zip(_PIPELINE_COLUMNS, row, strict=True))
    pipeline["stages"] = [
        {**stage, "probability": Decimal(stage["probability"])} for stage in from_json(pipeline["stages"])
    ]
    return pipeline


def list_pipelines(cursor: ViewCursor) -> list[dict[str, Any]]:
    rows = cursor.execute(f"SELECT {', '.join(_PIPELINE_COLUMNS)} FROM sales_pipelines ORDER BY name, id")
    return [_row_to_pipeline(row) for row in rows]


def get_pipeline(cursor: ViewCursor, pipeline_id: str) -> dict[str, Any] | None:
    rows = cursor.execute(
        f"SELECT {', '.join(_PIPELINE_COLUMNS)} FROM sales_pipelines WHERE id = ?", (pipeline_id,)
    )
    return _row_to_pipeline(rows[0]) if rows else None


def _row_to_deal(row: tuple[Any, ...]) -> dict[str, Any]:
    deal = dict(zip(_DEAL_COLUMNS, row, strict=True))
    deal["amount"] = Decimal(deal["amount"])
    deal["probability"] = Decimal(deal["probability"])
    deal["lines"] = from_json(deal["lines"])
    code, text = deal.pop("lost_reason_code"), deal.pop("lost_reason_text")
    deal["lost_reason"] = {"code": code, "text": text} if code is not None else None
    return deal


@dataclass(frozen=True)
class DealFilter:
    status: str | None = None
    stage: str | None = None
    manager_id: str | None = None
    counterparty_id: str | None = None
    pipeline_id: str | None = None


def search_deals(
    cursor: ViewCursor, actor: Actor, criteria: DealFilter, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    scope_sql, params = scope_condition(actor, "manager_id")
    conditions = [scope_sql]
    for column in ("status", "stage", "manager_id", "counterparty_id", "pipeline_id"):
        value = getattr(criteria, column)
        if value is not None:
            conditions.append(f"{column} = ?")
            params.append(value)
    where = " AND ".join(conditions)
    (total,) = cursor.execute(f"SELECT COUNT(*) FROM deals WHERE {where}", params)[0]
    rows = cursor.execute(
        f"SELECT {', '.join(_DEAL_COLUMNS)} FROM deals WHERE {where} "
        "ORDER BY opened_at DESC, id LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return [_row_to_deal(row) for row in rows], int(total)


def get_deal(cursor: ViewCursor, deal_id: str) -> dict[str, Any] | None:
    rows = cursor.execute(f"SELECT {', '.join(_DEAL_COLUMNS)} FROM deals WHERE id = ?", (deal_id,))
    return _row_to_deal(rows[0]) if rows else None


# What a scope names, as an attribute of an employee and as a column of the employees view.
_SCOPE_KINDS = {
    "manager": ("employee_id", "id"),
    "team": ("team", "team"),
    "department": ("department", "department"),
}


@dataclass(frozen=True)
class FunnelScope:
    """The deals a funnel counts: those of the employees a scope names, all within the
    reader's own scope."""

    label: str
    condition: str
    params: list[Any]


def _widest_scope(actor: Actor) -> str:
    if actor.reads_everything:
        return "company"
    if actor.role == Role.HEAD_OF_SALES and actor.department:
        return f"department:{actor.department}"
    if actor.team:
        return f"team:{actor.team}"
    return f"manager:{actor.employee_id}"


def funnel_scope(cursor: ViewCursor, actor: Actor, requested: str) -> FunnelScope:
    """``company`` is narrowed to the widest scope the reader has; a narrower scope naming
    someone the reader may not see is refused."""
    wanted = _widest_scope(actor) if requested == "company" else requested
    if wanted == "company":
        return FunnelScope("company", "1=1", [])
    kind, _, key = wanted.partition(":")
    if kind not in _SCOPE_KINDS or not key:
        raise InvalidValue(
            "scope", "the scope is manager:<id>, team:<name>, department:<name> or company", location="query"
        )
    attribute, column = _SCOPE_KINDS[kind]
    members = [e for e in list_employees(cursor) if getattr(e, attribute) == key]
    if not members:
        raise NotFound(f"there is no {kind} {key!r}")
    if not all(covers(actor, Responsible(e.employee_id, e.team, e.department)) for e in members):
        raise AccessDenied(f"the {kind} {key!r} lies outside your scope")
    return FunnelScope(wanted, f"manager_id IN (SELECT id FROM employees WHERE {column} = ?)", [key])


def _period(column: str, since: date | None, until: date | None) -> tuple[str, list[Any]]:
    conditions, params = ["1=1"], []
    if since is not None:
        conditions.append(f"{column} >= ?")
        params.append(since.isoformat())
    if until is not None:
        conditions.append(f"{column} < ?")
        params.append((until + timedelta(days=1)).isoformat())
    return " AND ".join(conditions), params


_MICROSECONDS_A_DAY = Decimal(86_400_000_000)


def _parse_utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")


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


_CLOSED = (DealStatus.WON.value, DealStatus.LOST.value)


def _median_time_in_stage(
    cursor: ViewCursor, in_scope: str, params: list[Any], since: date | None, until: date | None
) -> list[tuple[str, int, Decimal]]:
    """Per stage, the median length in microseconds of the stretches that ended in the period:
    counted first, then only the one or two middle lengths read, in order, from the index."""
    left_sql, left_params = _period("left_at", since, until)
    where = f"{in_scope} AND microseconds IS NOT NULL AND {left_sql}"
    medians = []
    for stage, order, count in cursor.execute(
        f"SELECT stage, MAX(stage_order), COUNT(*) FROM deal_stage_periods WHERE {where} GROUP BY stage",
        [*params, *left_params],
    ):
        middle = cursor.execute(
            f"SELECT microseconds FROM deal_stage_periods WHERE {where} AND stage = ? "
            "ORDER BY microseconds LIMIT ? OFFSET ?",
            [*params, *left_params, stage, 2 - int(count) % 2, (int(count) - 1) // 2],
        )
        medians.append((stage, int(order), Decimal(sum(int(m) for (m,) in middle)) / len(middle)))
    return medians


def funnel(
    cursor: ViewCursor,
    actor: Actor,
    pipeline_id: str,
    scope: str,
    since: date | None,
    until: date | None,
) -> dict[str, Any]:
    """The pipeline's funnel in a scope. Open deals are those open now; what entered a stage,
    left it, was won or lost is counted when it happened within the period.

    Conversion: of the deals that entered a stage in the period, the share that later
    entered a stage further on or were won. Time in stage: the median of the stretches at
    the stage that ended in the period."""
    pipeline = get_pipeline(cursor, pipeline_id)
    if pipeline is None:
        raise NotFound(f"pipeline {pipeline_id} does not exist")
    effective = funnel_scope(cursor, actor, scope)
    in_scope = f"pipeline_id = ? AND {effective.condition}"
    params = [pipeline_id, *effective.params]
    stages = _Stages(
        (s["name"], _StageFigures(s["name"], s["order"], s["probability"], current=True))
        for s in pipeline["stages"]
    )

    for stage, order, currency, deals, amount, weighted in cursor.execute(
        "SELECT stage, stage_order, currency, deals, amount, weighted_amount FROM funnel_open_deals "
        f"WHERE {in_scope} AND deals > 0",
        params,
    ):
        figures = stages.at(stage, order)
        figures.open_deals += int(deals)
        figures.open_amount[currency] += Decimal(amount)
        figures.weighted_amount[currency] += Decimal(weighted)

    days_sql, days_params = _period("day", since, until)
    for stage, order, entered, advanced in cursor.execute(
        "SELECT stage, MAX(stage_order), SUM(entered), SUM(advanced) FROM funnel_stage_entries "
        f"WHERE {in_scope} AND {days_sql} GROUP BY stage",
        [*params, *days_params],
    ):
        figures = stages.at(stage, order)
        figures.entered, figures.advanced = int(entered), int(advanced)

    for stage, order, spent in _median_time_in_stage(cursor, in_scope, params, since, until):
        stages.at(stage, order).median_days = spent / _MICROSECONDS_A_DAY

    closed: dict[str, dict[str, Any]] = {
        status: {"count": 0, "amount": defaultdict(Decimal)} for status in _CLOSED
    }
    for status, currency, deals, amount in cursor.execute(
        f"SELECT status, currency, deals, amount FROM funnel_closed_deals WHERE {in_scope} AND {days_sql}",
        [*params, *days_params],
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
