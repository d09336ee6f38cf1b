"""The contract register (FEATURES D1–D5): one row per contract with what was booked and paid
under it, and its stages with planned and actual dates, for the register and the Gantt chart.

Amounts are kept as Decimal text and added up in Python: SQLite has no decimal type."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from aggregates.contract import Contract, ContractStatus
from aggregates.payment import Payment
from aggregates.scope import Actor
from event_store.store import Recorded
from projections.database import ViewCursor
from projections.employee_directory import scope_condition
from projections.projection import Handler, Projection
from projections.values import utc_text

_PROGRESS_STEP = Decimal("0.0001")

# A stage is late when it completed after plan, or when its planned end passed without
# completion while the contract still runs: a terminated contract waits for no stage.
_LATE_STAGE = (
    "((s.completed_on IS NULL AND s.planned_end < ? AND k.status = 'active') "
    "OR s.completed_on > s.planned_end)"
)

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
    "k.booked",
    "k.paid",
    "k.overpaid",
    "k.status",
    "k.originals_received_on",
    "k.terminated_on",
    "k.version",
)
_ROW_KEYS = tuple(
    {"c.name": "counterparty_name", "e.full_name": "manager_name"}.get(c, c.removeprefix("k."))
    for c in _ROW_COLUMNS
)
_FROM = (
    "FROM contracts k LEFT JOIN counterparties c ON c.id = k.counterparty_id "
    "LEFT JOIN employees e ON e.id = k.manager_id"
)


class ContractRegister(Projection):
    name = "contract_register"
    version = 2
    tables = ("contracts", "contract_stages")

    def create_tables(self, cursor: ViewCursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS contracts (id TEXT PRIMARY KEY, number TEXT NOT NULL, "
            "counterparty_id TEXT NOT NULL, manager_id TEXT NOT NULL, signed_on TEXT NOT NULL, "
            "valid_from TEXT NOT NULL, valid_until TEXT NOT NULL, amount TEXT NOT NULL, "
            "currency TEXT NOT NULL, booked TEXT NOT NULL, paid TEXT NOT NULL, overpaid TEXT NOT NULL, "
            "status TEXT NOT NULL, "
            "originals_received_on TEXT, terminated_on TEXT, version INTEGER NOT NULL, "
            "signed_at TEXT NOT NULL, updated_at TEXT NOT NULL)"
        )
        for column in ("counterparty_id", "manager_id", "valid_until", "status", "number"):
            cursor.execute(f"CREATE INDEX IF NOT EXISTS contracts_{column} ON contracts ({column})")
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS contract_stages (contract_id TEXT NOT NULL, name TEXT NOT NULL, "
            "position INTEGER NOT NULL, planned_start TEXT NOT NULL, planned_end TEXT NOT NULL, "
            "started_on TEXT, completed_on TEXT, PRIMARY KEY (contract_id, name))"
        )

    def handlers(self) -> dict[type[Any], Handler]:
        return {
            Contract.Signed: self._signed,
            Contract.OriginalsReceived: self._update(lambda e: {"originals_received_on": e.received_on}),
            Contract.Amended: self._amended,
            Contract.Prolonged: self._update(lambda e: {"valid_until": e.valid_until}),
            Contract.Terminated: self._update(
                lambda e: {"status": ContractStatus.TERMINATED.value, "terminated_on": e.terminated_on}
            ),
            Contract.StageStarted: self._stage_marked("started_on"),
            Contract.StageCompleted: self._stage_marked("completed_on"),
            Contract.OrderBooked: self._order_booked,
            Payment.Received: self._paid(Decimal(1)),
            Payment.Refunded: self._paid(Decimal(-1)),
        }

    @staticmethod
    def _signed(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        key = str(event.originator_id)
        now = utc_text(event.timestamp)
        cursor.execute(
            "INSERT INTO contracts (id, number, counterparty_id, manager_id, signed_on, valid_from, "
            "valid_until, amount, currency, booked, paid, overpaid, status, originals_received_on, "
            "terminated_on, version, signed_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '0', '0', '0', ?, NULL, NULL, ?, ?, ?)",
            (
                key,
                event.number,
                event.counterparty_id,
                event.manager_id,
                event.signed_on.isoformat(),
                event.valid_from.isoformat(),
                event.valid_until.isoformat(),
                str(event.amount),
                event.currency,
                ContractStatus.ACTIVE.value,
                event.originator_version,
                now,
                now,
            ),
        )
        _plan_stages(cursor, key, event.stages, {})

    @staticmethod
    def _update(columns_of: Callable[[Any], dict[str, Any]]) -> Handler:
        def handle(cursor: ViewCursor, recorded: Recorded) -> None:
            _set(cursor, recorded, columns_of(recorded.event))

        return handle

    @staticmethod
    def _amended(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        changes = event.changes
        columns = {k: changes[k] for k in ("amount", "valid_until") if k in changes}
        if "amount" in changes:
            ((paid,),) = cursor.execute(
                "SELECT paid FROM contracts WHERE id = ?", (str(event.originator_id),)
            )
            columns["overpaid"] = _overpaid(Decimal(paid), changes["amount"])
        _set(cursor, recorded, columns)
        if "stages" in changes:
            key = str(event.originator_id)
            actual = {
                name: (started, completed)
                for name, started, completed in cursor.execute(
                    "SELECT name, started_on, completed_on FROM contract_stages WHERE contract_id = ?",
                    (key,),
                )
            }
            cursor.execute("DELETE FROM contract_stages WHERE contract_id = ?", (key,))
            _plan_stages(cursor, key, changes["stages"], actual)

    @staticmethod
    def _stage_marked(column: str) -> Handler:
        def handle(cursor: ViewCursor, recorded: Recorded) -> None:
            event: Any = recorded.event
            on = event.started_on if column == "started_on" else event.completed_on
            cursor.execute(
                f"UPDATE contract_stages SET {column} = ? WHERE contract_id = ? AND name = ?",
                (on.isoformat(), str(event.originator_id), event.stage),
            )
            _set(cursor, recorded, {})

        return handle

    @staticmethod
    def _order_booked(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        (booked,) = cursor.execute("SELECT booked FROM contracts WHERE id = ?", (str(event.originator_id),))[
            0
        ]
        _set(cursor, recorded, {"booked": Decimal(booked) + event.amount})

    @staticmethod
    def _paid(sign: Decimal) -> Handler:
        """Payments are their own records: they move the paid amount, not the contract's version."""

        def handle(cursor: ViewCursor, recorded: Recorded) -> None:
            event: Any = recorded.event
            ((paid, amount),) = cursor.execute(
                "SELECT paid, amount FROM contracts WHERE id = ?", (event.contract_id,)
            )
            paid_now = Decimal(paid) + sign * event.amount
            cursor.execute(
                "UPDATE contracts SET paid = ?, overpaid = ? WHERE id = ?",
                (str(paid_now), _overpaid(paid_now, Decimal(amount)), event.contract_id),
            )

        return handle


def _overpaid(paid: Decimal, amount: Decimal) -> str:
    """An overpayment is accepted (it happens), and shown: how much was paid beyond the amount."""
    return str(paid - amount) if paid > amount else "0"


def _text(value: Any) -> Any:
    """Dates as ISO text, amounts as Decimal text: both compare and convert back exactly."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _set(cursor: ViewCursor, recorded: Recorded, columns: dict[str, Any]) -> None:
    event: Any = recorded.event
    values = {k: _text(v) for k, v in columns.items()}
    values.update(version=event.originator_version, updated_at=utc_text(event.timestamp))
    assignments = ", ".join(f"{column} = ?" for column in values)
    cursor.execute(
        f"UPDATE contracts SET {assignments} WHERE id = ?", (*values.values(), str(event.originator_id))
    )


def _plan_stages(
    cursor: ViewCursor,
    contract_id: str,
    stages: list[dict[str, Any]],
    actual: dict[str, tuple[str | None, str | None]],
) -> None:
    """Stages keep their actual dates across a new plan when their names stay."""
    cursor.executemany(
        "INSERT INTO contract_stages (contract_id, name, position, planned_start, planned_end, "
        "started_on, completed_on) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                contract_id,
                stage["name"],
                position,
                _text(stage["planned_start"]),
                _text(stage["planned_end"]),
                *actual.get(stage["name"], (None, None)),
            )
            for position, stage in enumerate(stages)
        ],
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


def _progress(paid: Decimal, amount: Decimal) -> str:
    return str((paid / amount).quantize(_PROGRESS_STEP))


def _row(row: tuple[Any, ...]) -> dict[str, Any]:
    record = dict(zip((*_ROW_KEYS, "late_stages"), row, strict=True))
    for money in ("amount", "booked", "paid", "overpaid"):
        record[money] = Decimal(record[money])
    record["remaining"] = record["amount"] - record["booked"]
    record["progress"] = _progress(record["paid"], record["amount"])
    record["originals_received"] = record["originals_received_on"] is not None
    record["late_stages"] = int(record["late_stages"])
    return record


def _late_count_column() -> str:
    return f"(SELECT COUNT(*) FROM contract_stages s WHERE s.contract_id = k.id AND {_LATE_STAGE})"


def search_contracts(
    cursor: ViewCursor, actor: Actor, criteria: ContractFilter, today: date, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """``today`` decides which stages are late and which contracts expire soon."""
    scope_sql, params = scope_condition(actor, "k.manager_id")
    conditions = [scope_sql]
    for column in ("status", "counterparty_id", "manager_id"):
        value = getattr(criteria, column)
        if value is not None:
            conditions.append(f"k.{column} = ?")
            params.append(value)
    if criteria.expiring_within_days is not None:
        conditions.append("k.status = ? AND k.valid_until >= ? AND k.valid_until <= ?")
        horizon = today + timedelta(days=criteria.expiring_within_days)
        params.extend((ContractStatus.ACTIVE.value, today.isoformat(), horizon.isoformat()))
    if criteria.missing_originals:
        conditions.append("k.originals_received_on IS NULL")
    if criteria.overpaid:
        conditions.append("k.overpaid <> '0'")
    if criteria.late:
        conditions.append(
            f"EXISTS (SELECT 1 FROM contract_stages s WHERE s.contract_id = k.id AND {_LATE_STAGE})"
        )
        params.append(today.isoformat())
    where = " AND ".join(conditions)
    (total,) = cursor.execute(f"SELECT COUNT(*) {_FROM} WHERE {where}", params)[0]
    rows = cursor.execute(
        f"SELECT {', '.join(_ROW_COLUMNS)}, {_late_count_column()} {_FROM} WHERE {where} "
        "ORDER BY k.valid_until, k.number, k.id LIMIT ? OFFSET ?",
        [today.isoformat(), *params, limit, offset],
    )
    return [_row(row) for row in rows], int(total)


def get_contract(cursor: ViewCursor, contract_id: str, today: date) -> dict[str, Any] | None:
    """The register row with its stages, each with planned and actual dates and whether it is late."""
    rows = cursor.execute(
        f"SELECT {', '.join(_ROW_COLUMNS)}, {_late_count_column()} {_FROM} WHERE k.id = ?",
        (today.isoformat(), contract_id),
    )
    if not rows:
        return None
    contract = _row(rows[0])
    stages = cursor.execute(
        "SELECT s.name, s.planned_start, s.planned_end, s.started_on, s.completed_on, "
        f"CASE WHEN {_LATE_STAGE} THEN 1 ELSE 0 END "
        "FROM contract_stages s JOIN contracts k ON k.id = s.contract_id "
        "WHERE s.contract_id = ? ORDER BY s.position",
        (today.isoformat(), contract_id),
    )
    contract["stages"] = [
        {
            "name": name,
            "planned_start": planned_start,
            "planned_end": planned_end,
            "actual_start": started_on,
            "actual_end": completed_on,
            "late": bool(late),
        }
        for name, planned_start, planned_end, started_on, completed_on, late in stages
    ]
    return contract


def contract_amounts(cursor: ViewCursor, counterparty_id: str) -> list[tuple[str, str, str, str, str]]:
    """(status, amount, paid, overpaid, currency) of every contract with a client."""
    return [
        (status, amount, paid, overpaid, currency)
        for status, amount, paid, overpaid, currency in cursor.execute(
            "SELECT status, amount, paid, overpaid, currency FROM contracts WHERE counterparty_id = ?",
            (counterparty_id,),
        )
    ]
