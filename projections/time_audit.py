"""Time audit and the cost of serving clients (FEATURES F3): every time entry, and every
hourly rate with the day it takes effect from.

An entry is costed at the rate in effect on the day the time was spent: the latest rate
effective on or before that day (of two for one day, the one recorded later). The report
names the rate it used for each part of the sum, and the time it could not cost."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from aggregates.hourly_rate import HourlyRate
from aggregates.scope import Actor
from aggregates.timesheet import Timesheet
from letopis.garbage_collector import collector_paused
from projections.counterparty_merges import same_client
from projections.database import Params, ViewCursor
from projections.parties import KeepsParties, parties_table
from projections.projection import Projection, on
from projections.scope import in_scope
from projections.staff import KeepsStaff, staff_table
from projections.tables import Kind, Table
from projections.writes import Appends, Rows, Writes

ENTRIES = Table(
    "time_entries",
    {
        "entry_id": Kind.TEXT,
        "employee_id": Kind.TEXT,
        "day": Kind.DAY,
        "minutes": Kind.INTEGER,
        "work_done": Kind.TEXT,
        "task_id": Kind.TEXT,
        "counterparty_id": Kind.TEXT,
    },
    key=("entry_id",),
    nullable=frozenset({"task_id", "counterparty_id"}),
    # A period's time is summed from the index alone.
    indexes=(("employee_id", "day", "counterparty_id", "minutes"), ("counterparty_id", "day")),
)
RATES = Table(
    "hourly_rates",
    {
        "position": Kind.BIGINT,
        "employee_id": Kind.TEXT,
        "effective_from": Kind.DAY,
        "rate": Kind.MONEY,
        "currency": Kind.TEXT,
    },
    key=("position",),
    indexes=(("employee_id", "effective_from"),),
)
PARTIES = parties_table("time_audit_parties")
STAFF = staff_table("time_audit_staff")


@dataclass
class _Batch:
    entries: Appends
    rates: Appends
    parties: Rows
    staff: Rows


class TimeAudit(KeepsStaff, KeepsParties, Projection[_Batch]):
    name = "time_audit"
    version = 2
    tables = (ENTRIES, RATES, PARTIES, STAFF)

    def open(self, writes: Writes) -> _Batch:
        return _Batch(
            writes.appends(ENTRIES), writes.appends(RATES), writes.rows(PARTIES), writes.rows(STAFF)
        )

    @on(Timesheet.TimeSpent)
    def _time_spent(self, view: _Batch, event: Timesheet.TimeSpent, _position: int) -> None:
        view.entries.add(
            (
                event.entry_id,
                event.employee_id,
                event.day,
                event.minutes,
                event.work_done,
                event.task_id,
                event.counterparty_id,
            )
        )

    @on(HourlyRate.Recorded)
    def _rate(self, view: _Batch, event: HourlyRate.Recorded, position: int) -> None:
        view.rates.add((position, event.employee_id, event.effective_from, event.rate, event.currency))


Grouping = Literal["employee", "client"]


@dataclass(frozen=True)
class AuditQuery:
    since: date
    until: date
    """The last day included."""
    by: Grouping = "employee"
    employee_id: str | None = None
    counterparty_id: str | None = None


_RATE_PERIODS = (
    "SELECT position, employee_id, effective_from, "
    "LEAD(effective_from) OVER (PARTITION BY employee_id ORDER BY effective_from, position) AS next_from "
    f"FROM {RATES.name}"
)
"""Each rate with the day the next takes over (none for the latest): of two rates for one day,
the earlier recorded lasts no day at all."""


@collector_paused()
def time_audit(cursor: ViewCursor, actor: Actor, query: AuditQuery) -> list[dict[str, Any]]:
    """Minutes and cost per employee or per client, each split by the rate used for it: a
    department's month by client is thousands of groups, built with the collector held off."""
    p = Params()
    conditions = [
        in_scope(actor, "t.employee_id", STAFF.name, p),
        f"t.day >= {p(query.since)}",
        f"t.day <= {p(query.until)}",
    ]
    if query.employee_id:
        conditions.append(f"t.employee_id = {p(query.employee_id)}")
    if query.counterparty_id:
        conditions.append(same_client(cursor, "t.counterparty_id", query.counterparty_id, p))
    # Each entry meets its rate in a join with the rates' periods, not a lookup an entry;
    # the names and rates are joined to the few groups the entries sum to.
    summed = (
        "SELECT t.employee_id, t.counterparty_id, r.position AS rate_position, SUM(t.minutes) AS minutes "
        f"FROM {ENTRIES.name} t LEFT JOIN ({_RATE_PERIODS}) r ON r.employee_id = t.employee_id "
        "AND r.effective_from <= t.day AND (r.next_from IS NULL OR t.day < r.next_from) "
        f"WHERE {' AND '.join(conditions)} GROUP BY t.employee_id, t.counterparty_id, r.position"
    )
    rows = cursor.execute(
        "SELECT g.employee_id, e.full_name, g.counterparty_id, c.name, r.rate, r.currency, r.effective_from, "
        f"g.minutes FROM ({summed}) g "
        f"LEFT JOIN {STAFF.name} e ON e.id = g.employee_id "
        f"LEFT JOIN {PARTIES.name} c ON c.id = g.counterparty_id "
        f"LEFT JOIN {RATES.name} r ON r.position = g.rate_position",
        p.values,
    )
    return _report(cursor, rows, query.by)


def _report(cursor: ViewCursor, rows: list[Any], by: Grouping) -> list[dict[str, Any]]:
    """The sums per employee, client and rate, gathered per employee or per client and costed."""
    groups: dict[tuple[Any, Any], dict[str, Any]] = {}
    costs: dict[tuple[Any, Any], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for employee_id, full_name, counterparty_id, client_name, rate, currency, effective_from, minutes in rows:
        key = (employee_id, full_name) if by == "employee" else (counterparty_id, client_name)
        group = groups.setdefault(
            key, {"id": key[0], "name": key[1], "minutes": 0, "uncosted_minutes": 0, "parts": []}
        )
        minutes = int(minutes)
        group["minutes"] += minutes
        part: dict[str, Any] = {
            "employee_id": employee_id,
            "counterparty_id": counterparty_id,
            "minutes": minutes,
            "rate": None,
            "currency": None,
            "effective_from": None,
            "cost": None,
        }
        if rate is None:
            group["uncosted_minutes"] += minutes
        else:
            hourly = Decimal(rate)
            cost = (hourly * minutes / 60).quantize(Decimal("0.01"))
            part.update(
                rate=hourly,
                currency=currency,
                effective_from=cursor.dialect.day_of(effective_from),
                cost=cost,
            )
            costs[key][currency] += cost
        group["parts"].append(part)
    for key, group in groups.items():
        group["cost"] = [
            {"amount": amount, "currency": currency} for currency, amount in sorted(costs[key].items())
        ]
        group["parts"].sort(
            key=lambda part: (part["employee_id"], part["counterparty_id"] or "", str(part["effective_from"]))
        )
    return sorted(groups.values(), key=lambda group: (group["name"] or "", group["id"] or ""))


def rates_of(cursor: ViewCursor, employee_id: str) -> list[dict[str, Any]]:
    """An employee's rates, in the order they take effect."""
    rows = cursor.execute(
        f"SELECT effective_from, rate, currency FROM {RATES.name} WHERE employee_id = $1 "
        "ORDER BY effective_from, position",
        (employee_id,),
    )
    return [
        {"effective_from": cursor.dialect.day_of(day), "rate": Decimal(rate), "currency": currency}
        for day, rate, currency in rows
    ]
