"""A view's own copy of the staff: who each employee is, in which team and department.

Views that answer within a reader's scope, or name the people in their rows, keep this copy
from the employees' events rather than reading another view's tables, so that each is
rebuilt alone to the same result as with all the others."""

from typing import Protocol

from aggregates.employee import Employee
from projections.projection import on
from projections.tables import Kind, Table
from projections.writes import Rows


def staff_table(name: str) -> Table:
    return Table(
        name,
        {"id": Kind.TEXT, "full_name": Kind.TEXT, "team": Kind.TEXT, "department": Kind.TEXT},
        key=("id",),
        nullable=frozenset({"team", "department"}),
        indexes=(("team",), ("department",)),
    )


class WithStaff(Protocol):
    staff: Rows


class KeepsStaff:
    """Mixed into a projection whose batch writes have a ``staff`` part."""

    @on(Employee.Hired)
    def _employee_hired(self, view: WithStaff, event: Employee.Hired, _position: int) -> None:
        view.staff.put(
            {
                "id": str(event.originator_id),
                "full_name": event.full_name,
                "team": event.team,
                "department": event.department,
            }
        )

    @on(Employee.RoleChanged)
    def _employee_moved(self, view: WithStaff, event: Employee.RoleChanged, _position: int) -> None:
        view.staff.update((str(event.originator_id),), team=event.team, department=event.department)
