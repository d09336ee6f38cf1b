"""Employees and their access tokens: who a bearer token belongs to, and their team."""

from typing import Any

from aggregates.employee import Employee, Role
from aggregates.scope import Actor, Responsible
from event_store.store import Recorded
from projections.database import ViewCursor
from projections.projection import Handler, Projection


class EmployeeDirectory(Projection):
    name = "employee_directory"
    tables = ("employees", "access_tokens")

    def create_tables(self, cursor: ViewCursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS employees (id TEXT PRIMARY KEY, full_name TEXT NOT NULL, "
            "role TEXT NOT NULL, team TEXT, department TEXT)"
        )
        cursor.execute("CREATE INDEX IF NOT EXISTS employees_team ON employees (team)")
        cursor.execute("CREATE INDEX IF NOT EXISTS employees_department ON employees (department)")
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS access_tokens (digest TEXT PRIMARY KEY, employee_id TEXT NOT NULL)"
        )

    def handlers(self) -> dict[type[Any], Handler]:
        return {Employee.Hired: self._hired, Employee.TokenIssued: self._token_issued}

    @staticmethod
    def _hired(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        cursor.execute(
            "INSERT INTO employees (id, full_name, role, team, department) VALUES (?, ?, ?, ?, ?)",
            (str(event.originator_id), event.full_name, event.role, event.team, event.department),
        )

    @staticmethod
    def _token_issued(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        cursor.execute(
            "INSERT INTO access_tokens (digest, employee_id) VALUES (?, ?)",
            (event.token_digest, str(event.originator_id)),
        )


_ACTOR_COLUMNS = "e.id, e.full_name, e.role, e.team, e.department"


def _actor(row: tuple[Any, ...]) -> Actor:
    return Actor(employee_id=row[0], full_name=row[1], role=Role(row[2]), team=row[3], department=row[4])


def actor_for_token(cursor: ViewCursor, digest: str) -> Actor | None:
    rows = cursor.execute(
        f"SELECT {_ACTOR_COLUMNS} FROM access_tokens t JOIN employees e ON e.id = t.employee_id "
        "WHERE t.digest = ?",
        (digest,),
    )
    return _actor(rows[0]) if rows else None


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
