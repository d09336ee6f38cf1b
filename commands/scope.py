"""Scope checks on the write side, answered from the log itself."""

from uuid import UUID

from aggregates.counterparty import Counterparty
from aggregates.employee import Employee, Role
from aggregates.errors import InvalidValue, NotFound
from aggregates.scope import Actor, Responsible, check_may_change
from event_store.store import EventStore


def parse_id(value: str, field: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise InvalidValue(field, f"{value!r} is not an id") from None


def responsible(store: EventStore, employee_id: str) -> Responsible:
    employee = store.get(parse_id(employee_id, "manager_id"), Employee)
    return Responsible(str(employee.id), employee.team, employee.department)


def check_assignable(store: EventStore, actor: Actor, manager_id: str) -> None:
    """A card can only be given to a sales employee the actor could act for."""
    try:
        employee = store.get(parse_id(manager_id, "manager_id"), Employee)
    except NotFound:
        raise InvalidValue("manager_id", f"no employee {manager_id}") from None
    if employee.role not in (Role.MANAGER, Role.HEAD_OF_SALES):
        raise InvalidValue("manager_id", "only a manager or head of sales can be responsible")
    check_may_change(actor, Responsible(str(employee.id), employee.team, employee.department))


def load_counterparty_for_change(
    store: EventStore, actor: Actor, counterparty_id: str, expected_version: int | None = None
) -> Counterparty:
    counterparty = store.get_at_version(
        parse_id(counterparty_id, "counterparty_id"), Counterparty, expected_version
    )
    check_may_change(actor, responsible(store, counterparty.manager_id))
    return counterparty
