"""Employees and their access tokens: who a bearer token belongs to, and their team."""

from datetime import datetime
from typing import Any

from aggregates.employee import Employee, Role
from aggregates.scope import Actor, Responsible
from event_store.store import Recorded
from projections.database import ViewCursor
from projections.projection import Handler, Projection
from projections.values import utc_text


class EmployeeDirectory(Projection):
    name = "employee_directory"
    version = 2
    tables = ("employees", "access_tokens")

    def create_tables(self, cursor: ViewCursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS employees (id TEXT PRIMARY KEY, full_name TEXT NOT NULL, "
            "role TEXT NOT NULL, team TEXT, department TEXT, active INTEGER NOT NULL)"
        )
        cursor.execute("CREATE INDEX IF NOT EXISTS employees_team ON employees (team)")
        cursor.execute("CREATE INDEX IF NOT EXISTS employees_department ON employees (department)")
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS access_tokens (token_id TEXT PRIMARY KEY, "
            "digest TEXT NOT NULL UNIQUE, employee_id TEXT NOT NULL, name TEXT NOT NULL, "
            "issued_at TEXT NOT NULL, "
            "expires_at TEXT NOT NULL, revoked_at TEXT, issued_by TEXT NOT NULL, revoked_by TEXT)"
        )
        cursor.execute("CREATE INDEX IF NOT EXISTS access_tokens_employee ON access_tokens (employee_id)")

    def handlers(self) -> dict[type[Any], Handler]:
        return {
            Employee.Hired: self._hired,
            Employee.TokenIssued: self._token_issued,
            Employee.TokenRevoked: self._token_revoked,
            Employee.RoleChanged: self._role_changed,
            Employee.Deactivated: self._deactivated,
            Employee.Reactivated: self._reactivated,
        }

    @staticmethod
    def _hired(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        cursor.execute(
            "INSERT INTO employees (id, full_name, role, team, department, active) VALUES (?, ?, ?, ?, ?, 1)",
            (str(event.originator_id), event.full_name, event.role, event.team, event.department),
        )

    @staticmethod
    def _token_issued(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        cursor.execute(
            "INSERT INTO access_tokens (token_id, digest, employee_id, name, issued_at, expires_at, "
            "issued_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                event.token_id,
                event.token_digest,
                str(event.originator_id),
                event.name,
                utc_text(event.timestamp),
                utc_text(event.expires_at),
                event.actor,
            ),
        )

    @staticmethod
    def _token_revoked(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        _revoke(cursor, event, "token_id = ?", event.token_id)

    @staticmethod
    def _role_changed(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        cursor.execute(
            "UPDATE employees SET role = ?, team = ?, department = ? WHERE id = ?",
            (event.role, event.team, event.department, str(event.originator_id)),
        )

    @staticmethod
    def _deactivated(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        key = str(event.originator_id)
        cursor.execute("UPDATE employees SET active = 0 WHERE id = ?", (key,))
        _revoke(cursor, event, "employee_id = ? AND revoked_at IS NULL", key)

    @staticmethod
    def _reactivated(cursor: ViewCursor, recorded: Recorded) -> None:
        cursor.execute("UPDATE employees SET active = 1 WHERE id = ?", (str(recorded.event.originator_id),))


def _revoke(cursor: ViewCursor, event: Any, condition: str, key: str) -> None:
    cursor.execute(
        f"UPDATE access_tokens SET revoked_at = ?, revoked_by = ? WHERE {condition}",
        (utc_text(event.timestamp), event.actor, key),
    )


_ACTOR_COLUMNS = "e.id, e.full_name, e.role, e.team, e.department"
_EMPLOYEE_COLUMNS = f"{_ACTOR_COLUMNS}, e.active"


def _actor(row: tuple[Any, ...]) -> Actor:
    return Actor(employee_id=row[0], full_name=row[1], role=Role(row[2]), team=row[3], department=row[4])


def actor_for_token(cursor: ViewCursor, digest: str, now: datetime) -> Actor | None:
    """The active employee a live token belongs to: not revoked, not expired."""
    rows = cursor.execute(
        f"SELECT {_ACTOR_COLUMNS} FROM access_tokens t JOIN employees e ON e.id = t.employee_id "
        "WHERE t.digest = ? AND t.revoked_at IS NULL AND t.expires_at > ? AND e.active = 1",
        (digest, utc_text(now)),
    )
    return _actor(rows[0]) if rows else None


_TOKEN_COLUMNS = (
    "token_id",
    "employee_id",
    "name",
    "issued_at",
    "expires_at",
    "revoked_at",
    "issued_by",
    "revoked_by",
)


def tokens_of(cursor: ViewCursor, employee_id: str) -> list[dict[str, Any]]:
    """Every token the employee was issued, newest first; never a digest."""
    rows = cursor.execute(
        f"SELECT {', '.join(_TOKEN_COLUMNS)} FROM access_tokens WHERE employee_id = ? "
        "ORDER BY issued_at DESC, token_id",
        (employee_id,),
    )
    return [dict(zip(_TOKEN_COLUMNS, row, strict=True)) for row in rows]


def token_holder(cursor: ViewCursor, token_id: str) -> str | None:
    rows = cursor.execute("SELECT employee_id FROM access_tokens WHERE token_id = ?", (token_id,))
    return str(rows[0][0]) if rows else None


def find_employee(cursor: ViewCursor, employee_id: str) -> Actor | None:
    rows = cursor.execute(f"SELECT {_ACTOR_COLUMNS} FROM employees e WHERE e.id = ?", (employee_id,))
    return _actor(rows[0]) if rows else None


def responsible(cursor: ViewCursor, employee_id: str) -> Responsible:
    found = find_employee(cursor, employee_id)
    if found is None:
        return Responsible(employee_id, None, None)
    return Responsible(employee_id, found.team, found.department)


def list_employees(cursor: ViewCursor) -> list[Actor]:
    rows = cursor.execute(f"SELECT {_ACTOR_COLUMNS} FROM employees e ORDER BY e.full_name, e.id")
    return [_actor(row) for row in rows]


def employee_records(cursor: ViewCursor) -> list[dict[str, Any]]:
    """Every employee ever hired, active or not, for the directory."""
    rows = cursor.execute(f"SELECT {_EMPLOYEE_COLUMNS} FROM employees e ORDER BY e.full_name, e.id")
    keys = ("id", "full_name", "role", "team", "department", "active")
    return [{**dict(zip(keys, row, strict=True)), "active": bool(row[-1])} for row in rows]


def scope_condition(actor: Actor, column: str) -> tuple[str, list[Any]]:
    """The SQL condition limiting rows to the actor's scope, on a column holding a manager id."""
    if actor.reads_everything:
        return "1=1", []
    if actor.role == Role.HEAD_OF_SALES:
        return f"{column} IN (SELECT id FROM employees WHERE department = ?)", [actor.department]
    return (
        f"({column} = ? OR {column} IN (SELECT id FROM employees WHERE team = ?))",
        [actor.employee_id, actor.team],
    )
