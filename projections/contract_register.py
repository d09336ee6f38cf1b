"""The contract register (FEATURES D1–D5): one row per contract with what was booked and paid
under it, and its stages with planned and actual dates, for the register and the Gantt chart.

Booked and paid are running totals added by the database; overpaid is read from them. The
client's name and the manager's name and team are the view's own copies."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from aggregates.contract import Contract, ContractStatus
from aggregates.payment import Payment
from aggregates.scope import Actor
from projections.counterparty_merges import same_client
from projections.database import Params, ViewCursor
from projections.parties import KeepsParties, parties_table
from projections.projection import Projection, on
from projections.scope import in_scope
from projections.staff import KeepsStaff, staff_table
from projections.tables import Kind, Table
from projections.writes import Rows, Totals, Writes

CONTRACTS = Table(
    "contracts",
    {
        "id": Kind.TEXT,
        "number": Kind.TEXT,
        "counterparty_id": Kind.TEXT,
        "manager_id": Kind.TEXT,
        "signed_on": Kind.DAY,
        "valid_from": Kind.DAY,
        "valid_until": Kind.DAY,
        "amount": Kind.MONEY,
        "currency": Kind.TEXT,
        "status": Kind.TEXT,
        "originals_received_on": Kind.DAY,
        "terminated_on": Kind.DAY,
        "version": Kind.INTEGER,
        "signed_at": Kind.MOMENT,
        "updated_at": Kind.MOMENT,
    },
    key=("id",),
    nullable=frozenset({"originals_received_on", "terminated_on"}),
    # The register's order, so that a page is read from the index rather than sorted.
    indexes=(
        ("counterparty_id",),
        ("manager_id",),
        ("valid_until", "number", "id"),
        ("status",),
        ("number",),
    ),
)
MONEY = Table(
    "contract_money",
    {"contract_id": Kind.TEXT, "booked": Kind.MONEY, "paid": Kind.MONEY},
    key=("contract_id",),
)
STAGES = Table(
    "contract_stages",
    {
        "contract_id": Kind.TEXT,
        "name": Kind.TEXT,
        "position": Kind.INTEGER,
        "planned_start": Kind.DAY,
        "planned_end": Kind.DAY,
        "started_on": Kind.DAY,
        "completed_on": Kind.DAY,
    },
    key=("contract_id", "name"),
    nullable=frozenset({"started_on", "completed_on"}),
)
PARTIES = parties_table("contract_parties")
STAFF = staff_table("contract_staff")

_ZERO = Decimal(0)
_PROGRESS_STEP = Decimal("0.0001")


@dataclass
class _Batch:
    contracts: Rows
    money: Totals
    stages: Rows
    parties: Rows
    staff: Rows


class ContractRegister(KeepsStaff, KeepsParties, Projection[_Batch]):
    name = "contract_register"
    version = 4
    tables = (CONTRACTS, MONEY, STAGES, PARTIES, STAFF)

    def open(self, writes: Writes) -> _Batch:
        return _Batch(
            writes.rows(CONTRACTS),
            writes.totals(MONEY),
            writes.rows(STAGES),
            writes.rows(PARTIES),
            writes.rows(STAFF),
        )

    @on(Contract.Signed)
    def _signed(self, view: _Batch, event: Contract.Signed, _position: int) -> None:
        key = str(event.originator_id)
        view.contracts.put(
            {
                "id": key,
                "number": event.number,
                "counterparty_id": event.counterparty_id,
                "manager_id": event.manager_id,
                "signed_on": event.signed_on,
                "valid_from": event.valid_from,
                "valid_until": event.valid_until,
                "amount": event.amount,
                "currency": event.currency,
                "status": ContractStatus.ACTIVE.value,
                "originals_received_on": None,
                "terminated_on": None,
                "version": event.originator_version,
                "signed_at": event.timestamp,
                "updated_at": event.timestamp,
            }
        )
        view.money.add((key,), booked=_ZERO, paid=_ZERO)
        _plan_stages(view, key, event.stages, {})

    @on(Contract.OriginalsReceived)
    def _originals(self, view: _Batch, event: Contract.OriginalsReceived, _position: int) -> None:
        _touch(view, event, originals_received_on=event.received_on)

    @on(Contract.Amended)
    def _amended(self, view: _Batch, event: Contract.Amended, _position: int) -> None:
        changes = event.changes
        _touch(view, event, **{k: changes[k] for k in ("amount", "valid_until") if k in changes})
        if "stages" in changes:
            key = str(event.originator_id)
            actual = {}
            for stage in view.stages.rows_where("contract_id", key):
                actual[stage["name"]] = (stage["started_on"], stage["completed_on"])
                view.stages.delete(key, stage["name"])
            _plan_stages(view, key, changes["stages"], actual)

    @on(Contract.Prolonged)
    def _prolonged(self, view: _Batch, event: Contract.Prolonged, _position: int) -> None:
        _touch(view, event, valid_until=event.valid_until)

    @on(Contract.Terminated)
    def _terminated(self, view: _Batch, event: Contract.Terminated, _position: int) -> None:
        _touch(view, event, status=ContractStatus.TERMINATED.value, terminated_on=event.terminated_on)

    @on(Contract.StageStarted)
    def _stage_started(self, view: _Batch, event: Contract.StageStarted, _position: int) -> None:
        view.stages.update((str(event.originator_id), event.stage), started_on=event.started_on)
        _touch(view, event)

    @on(Contract.StageCompleted)
    def _stage_completed(self, view: _Batch, event: Contract.StageCompleted, _position: int) -> None:
        view.stages.update((str(event.originator_id), event.stage), completed_on=event.completed_on)
        _touch(view, event)

    @on(Contract.OrderBooked)
    def _order_booked(self, view: _Batch, event: Contract.OrderBooked, _position: int) -> None:
        view.money.add((str(event.originator_id),), booked=event.amount)
        _touch(view, event)

    @on(Payment.Received)
    def _paid(self, view: _Batch, event: Payment.Received, _position: int) -> None:
        """Payments are their own records: they move the paid amount, not the contract's version."""
        view.money.add((event.contract_id,), paid=event.amount)

    @on(Payment.Refunded)
    def _refunded(self, view: _Batch, event: Payment.Refunded, _position: int) -> None:
        view.money.add((event.contract_id,), paid=-event.amount)


def _touch(view: _Batch, event: Contract.Event, **columns: Any) -> None:
    view.contracts.update(
        (str(event.originator_id),), **columns, version=event.originator_version, updated_at=event.timestamp
    )


def _plan_stages(
    view: _Batch, contract_id: str, stages: list[dict[str, Any]], actual: dict[str, tuple[Any, Any]]
) -> None:
    """Stages keep their actual dates across a new plan when their names stay."""
    for position, stage in enumerate(stages):
        started, completed = actual.get(stage["name"], (None, None))
        view.stages.put(
            {
                "contract_id": contract_id,
                "name": stage["name"],
                "position": position,
                "planned_start": stage["planned_start"],
                "planned_end": stage["planned_end"],
                "started_on": started,
                "completed_on": completed,
            }
        )


@dataclass(frozen=True)
class ContractFilter:
    status: str | None = None
    counterparty_id: str | None = None
    manager_id: str | None = None
    expiring_within_days: int | None = None
    missing_originals: bool = False
    late: bool = False
    overpaid: bool = False


_ROW_COLUMNS = (
    "k.id",
    "k.number",
    "k.counterparty_id",
    "c.name",
    "k.manager_id",
    "e.full_name",
    "k.signed_on",
    "k.valid_from",
    "k.valid_until",
    "k.amount",
    "k.currency",
    "m.booked",
    "m.paid",
    "k.status",
    "k.originals_received_on",
    "k.terminated_on",
    "k.version",
)
_ROW_KEYS = tuple(
    {"c.name": "counterparty_name", "e.full_name": "manager_name"}.get(c, c.split(".")[1])
    for c in _ROW_COLUMNS
)
_FROM = (
    f"FROM {CONTRACTS.name} k JOIN {MONEY.name} m ON m.contract_id = k.id "
    f"LEFT JOIN {PARTIES.name} c ON c.id = k.counterparty_id "
    f"LEFT JOIN {STAFF.name} e ON e.id = k.manager_id"
)


def _late_stage(today: str) -> str:
    """A stage is late when it completed after plan, or when its planned end passed without
    completion while the contract still runs: a terminated contract waits for no stage."""
    return (
        f"((s.completed_on IS NULL AND s.planned_end < {today} AND k.status = 'active') "
        "OR s.completed_on > s.planned_end)"
    )


def _row(cursor: ViewCursor, row: tuple[Any, ...]) -> dict[str, Any]:
    record = dict(zip((*_ROW_KEYS, "late_stages"), row, strict=True))
    for money in ("amount", "booked", "paid"):
        record[money] = Decimal(record[money])
    for day in ("signed_on", "valid_from", "valid_until", "originals_received_on", "terminated_on"):
        if record[day] is not None:
            record[day] = cursor.dialect.day_of(record[day])
    record["remaining"] = record["amount"] - record["booked"]
    record["overpaid"] = overpaid(record["paid"], record["amount"])
    record["progress"] = str((record["paid"] / record["amount"]).quantize(_PROGRESS_STEP))
    record["originals_received"] = record["originals_received_on"] is not None
    record["late_stages"] = int(record["late_stages"])
    return record


def overpaid(paid: Decimal, amount: Decimal) -> Decimal:
    """An overpayment is accepted (it happens), and shown: how much was paid beyond the amount."""
    return paid - amount if paid > amount else _ZERO


def search_contracts(
    cursor: ViewCursor, actor: Actor, criteria: ContractFilter, today: date, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """``today`` decides which stages are late and which contracts expire soon."""
    p = Params(today)
    late = f"(SELECT COUNT(*) FROM {STAGES.name} s WHERE s.contract_id = k.id AND {_late_stage('$1')})"
    conditions = [in_scope(actor, "k.manager_id", STAFF.name, p)]
    for column in ("status", "manager_id"):
        value = getattr(criteria, column)
        if value is not None:
            conditions.append(f"k.{column} = {p(value)}")
    if criteria.counterparty_id is not None:
        conditions.append(same_client(cursor, "k.counterparty_id", criteria.counterparty_id, p))
    if criteria.expiring_within_days is not None:
        horizon = today + timedelta(days=criteria.expiring_within_days)
        conditions.append(f"k.status = 'active' AND k.valid_until >= $1 AND k.valid_until <= {p(horizon)}")
    if criteria.missing_originals:
        conditions.append("k.originals_received_on IS NULL")
    if criteria.overpaid:
        conditions.append(cursor.dialect.exceeds("m.paid", "k.amount"))
    if criteria.late:
        conditions.append(f"{late} > 0")
    where = " AND ".join(conditions)
    # Counting and finding the page's keys join only what the filter needs; the late stages
    # are counted for the page alone, not for every row the offset skips.
    keys_from = _FROM if criteria.overpaid else f"FROM {CONTRACTS.name} k"
    (total,) = cursor.execute(f"SELECT COUNT(*) {keys_from} WHERE {where}", p.values)[0]
    order = "k.valid_until, k.number, k.id"
    rows = cursor.execute(
        f"WITH page AS (SELECT k.id {keys_from} WHERE {where} ORDER BY {order} "
        f"LIMIT {p(limit)} OFFSET {p(offset)}) "
        f"SELECT {', '.join(_ROW_COLUMNS)}, {late} {_FROM} JOIN page ON page.id = k.id ORDER BY {order}",
        p.values,
    )
    return [_row(cursor, row) for row in rows], int(total)


def get_contract(cursor: ViewCursor, contract_id: str, today: date) -> dict[str, Any] | None:
    """The register row with its stages, each with planned and actual dates and whether it is late."""
    late = f"(SELECT COUNT(*) FROM {STAGES.name} s WHERE s.contract_id = k.id AND {_late_stage('$1')})"
    rows = cursor.execute(
        f"SELECT {', '.join(_ROW_COLUMNS)}, {late} {_FROM} WHERE k.id = $2", (today, contract_id)
    )
    if not rows:
        return None
    contract = _row(cursor, rows[0])
    stages = cursor.execute(
        "SELECT s.name, s.planned_start, s.planned_end, s.started_on, s.completed_on, "
        f"CASE WHEN {_late_stage('$1')} THEN 1 ELSE 0 END "
        f"FROM {STAGES.name} s JOIN {CONTRACTS.name} k ON k.id = s.contract_id "
        "WHERE s.contract_id = $2 ORDER BY s.position",
        (today, contract_id),
    )
    day = cursor.dialect.day_of
    contract["stages"] = [
        {
            "name": name,
            "planned_start": day(planned_start),
            "planned_end": day(planned_end),
            "actual_start": started_on and day(started_on),
            "actual_end": completed_on and day(completed_on),
            "late": bool(late),
        }
        for name, planned_start, planned_end, started_on, completed_on, late in stages
    ]
    return contract


def contract_amounts(cursor: ViewCursor, counterparty_id: str) -> list[tuple[str, Decimal, Decimal, str]]:
    """(status, amount, paid, currency) of every contract with a client, a merged card's included."""
    p = Params()
    client = same_client(cursor, "k.counterparty_id", counterparty_id, p)
    return [
        (status, Decimal(amount), Decimal(paid), currency)
        for status, amount, paid, currency in cursor.execute(
            f"SELECT k.status, k.amount, m.paid, k.currency FROM {CONTRACTS.name} k "
            f"JOIN {MONEY.name} m ON m.contract_id = k.id WHERE {client}",
            p.values,
        )
    ]
