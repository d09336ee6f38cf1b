"""The SQL side of scope: a reader's ``Reach`` as a condition on a view's manager column,
against the view's own copy of the staff (``projections.staff``)."""

from aggregates.scope import Actor, Reach, reach_of
from projections.database import Params


def reach_condition(reach: Reach, manager_column: str, staff_table: str, p: Params) -> str:
    if reach.everyone:
        return "1 = 1"
    if reach.department is not None:
        return f"{manager_column} IN (SELECT id FROM {staff_table} WHERE department = {p(reach.department)})"
    own = f"{manager_column} = {p(reach.employee_id)}"
    if reach.team is None:
        return own
    return f"({own} OR {manager_column} IN (SELECT id FROM {staff_table} WHERE team = {p(reach.team)}))"


def in_scope(actor: Actor, manager_column: str, staff_table: str, p: Params) -> str:
    """Rows the actor may read: those whose manager lies within the actor's reach."""
    return reach_condition(reach_of(actor), manager_column, staff_table, p)
