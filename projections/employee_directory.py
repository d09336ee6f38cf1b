"""Employees and their access tokens: who a bearer token belongs to, and their team."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aggregates.employee import Employee, Role
from aggregates.scope import Actor, Responsible
from projections.database import ViewCursor
from projections.projection import Projection, on
from projections.tables import Kind, Table
from projections.writes import Rows, Writes

EMPLOYEES = Table(
    "employees",
    {
        "id": Kind.TEXT,
        "full_name": Kind.TEXT,
        "role": Kind.TEXT,
        "team": Kind.TEXT,
        "department": Kind.TEXT,
        "active": Kind.INTEGER,
    },
    key=("id",),
    nullable=frozenset({"team", "department"}),
    indexes=(("team",), ("department",)),
)
TOKENS = Table(
    "access_tokens",
    {
        "token_id": Kind.TEXT,
        "digest": Kind.TEXT,
        "employee_id": Kind.TEXT,
        "name": Kind.TEXT,
        "issued_at": Kind.MOMENT,
        "expires_at": Kind.MOMENT,
        "revoked_at": Kind.MOMENT,
        "issued_by": Kind.TEXT,
        "revoked_by": Kind.TEXT,
    },
    key=("token_id",),
    nullable=frozenset({"revoked_at", "revoked_by"}),
    indexes=(("digest",), ("employee_id",)),
)


@dataclass
class _Batch:
    employees: Rows
    tokens: Rows


class EmployeeDirectory(Projection[_Batch]):
    name = "employee_directory"
    version = 3
    tables = (EMPLOYEES, TOKENS)

    def open(self, writes: Writes) -> _Batch:
        return _Batch(writes.rows(EMPLOYEES), writes.rows(TOKENS))

    @on(Employee.Hired)
    def _hired(self, view: _Batch, event: Employee.Hired, _position: int) -> None:
        view.employees.put(
            {
                "id": str(event.originator_id),
                "full_name": event.full_name,
                "role": event.role,
                "team": event.team,
                "department": event.department,
                "active": 1,
            }
        )

    @on(Employee.TokenIssued)
    def _token_issued(self, view: _Batch, event: Employee.TokenIssued, _position: int) -> None:
        view.tokens.put(
            {
                "token_id": event.token_id,
                "digest": event.token_digest,
                "employee_id": str(event.originator_id),
                "name": event.name,
                "issued_at": event.timestamp,
                "expires_at": event.expires_at,
                "revoked_at": None,
                "issued_by": event.actor,
                "revoked_by": None,
            }
        )

    @on(Employee.TokenRevoked)
    def _token_revoked(self, view: _Batch, event: Employee.TokenRevoked, _position: int) -> None:
        view.tokens.update((event.token_id,), revoked_at=event.timestamp, revoked_by=event.actor)

    @on(Employee.RoleChanged)
    def _role_changed(self, view: _Batch, event: Employee.RoleChanged, _position: int) -> None:
        view.employees.update(
            (str(event.originator_id),), role=event.role, team=event.team, department=event.department
        )

    @on(Employee.Deactivated)
    def _deactivated(self, view: _Batch, event: Employee.Deactivated, _position: int) -> None:
        view.employees.update((str(event.originator_id),), active=0)
        for token_id in event.revoked_token_ids:
            view.tokens.update((token_id,), revoked_at=event.timestamp, revoked_by=event.actor)

    @on(Employee.Reactivated)
    def _reactivated(self, view: _Batch, event: Employee.Reactivated, _position: int) -> None:
        view.employees.update((str(event.originator_id),), active=1)


_ACTOR_COLUMNS = "e.id, e.full_name, e.role, e.team, e.department"


def _actor(row: tuple[Any, ...]) -> Actor:
    return Actor(employee_id=row[0], full_name=row[1], role=Role(row[2]), team=row[3], department=row[4])


def actor_for_token(cursor: ViewCursor, digest: str, now: datetime) -> Actor | None:
    """The active employee a live token belongs to: not revoked, not expired."""
    rows = cursor.execute(
        f"SELECT {_ACTOR_COLUMNS} FROM access_tokens t JOIN employees e ON e.id = t.employee_id "
        "WHERE t.digest = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND e.active = 1",
        (digest, now),
    )
    return _actor(rows[0]) if rows else None


_TOKEN_COLUMNS = TOKENS.column_names[:1] + TOKENS.column_names[2:]


def tokens_of(cursor: ViewCursor, employee_id: str) -> list[dict[str, Any]]:
    """Every token the employee was issued, newest first; never a digest."""
    rows = cursor.execute(
        f"SELECT {', '.join(_TOKEN_COLUMNS)} FROM access_tokens WHERE employee_id = $1 "
        "ORDER BY issued_at DESC, token_id",
        (employee_id,),
    )
    return [dict(zip(_TOKEN_COLUMNS, row, strict=True)) for row in rows]


def token_holder(cursor: ViewCursor, token_id: str) -> str | None:
    rows = cursor.execute("SELECT employee_id FROM access_tokens WHERE token_id = $1", (token_id,))
    return str(rows[0][0]) if rows else None


def find_employee(cursor: ViewCursor, employee_id: str) -> Actor | None:
    rows = cursor.execute(f"SELECT {_ACTOR_COLUMNS} FROM employees e WHERE e.id = $1", (employee_id,))
    return _actor(rows[0]) if rows else None


def responsible(cursor: ViewCursor, employee_id: str) -> Responsible:
    found = find_employee(cursor, employee_id)
    if found is None:
        return Responsible(employee_id, None, None)
    return Responsible(employee_id, found.team, found.department)


def employee_records(cursor: ViewCursor) -> list[dict[str, Any]]:
    """Every employee ever hired, active or not, for the directory."""
    rows = cursor.execute(f"SELECT {_ACTOR_COLUMNS}, e.active FROM employees e ORDER BY e.full_name, e.id")
    keys = ("id", "full_name", "role", "team", "department", "active")
    return [{**dict(zip(keys, row, strict=True)), "active": bool(row[-1])} for row in rows]
