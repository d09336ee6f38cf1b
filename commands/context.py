"""What a command handler works with: the log to load from, the actor, the stamp its
events will carry. Loads are remembered for one attempt, so a check and the decision after
it see the same state and the log is read once.

With ``cached``, a load may answer from what the store remembers of earlier commands; the
versions every load saw (``seen``) then go with the append, which is refused if any of them
has moved on, and the attempt is made again on fresh state."""

from collections.abc import Hashable
from typing import TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from aggregates.employee import Employee
from aggregates.errors import InvalidValue, NotFound
from aggregates.scope import Actor, Responsible, check_may_change
from aggregates.stamp import Stamp
from event_store.store import EventStore

A = TypeVar("A", bound=Aggregate)


def parse_id(value: str | UUID, field: str) -> UUID:
    if isinstance(value, UUID):
        return value
    try:
        return UUID(value)
    except ValueError:
        raise InvalidValue(field, f"{value!r} is not an id") from None


class Context:
    def __init__(self, store: EventStore, actor: Actor, stamp: Stamp, *, cached: bool = False) -> None:
        self.store = store
        self.actor = actor
        self.stamp = stamp
        self.cached = cached
        self._loaded: dict[Hashable, Aggregate] = {}
        self.seen: dict[UUID, int] = {}
        """Every aggregate loaded, at the version it was loaded at."""

    def load(self, kind: type[A], aggregate_id: str | UUID, field: str) -> A:
        """The aggregate as the log has it now (or, with ``cached``, as remembered); NotFound
        names the kind and the id."""
        key = (kind, parse_id(aggregate_id, field))
        found = self._loaded.get(key)
        if found is None:
            found = self._loaded[key] = self.store.get(key[1], kind, cached=self.cached)
            self.seen[found.id] = found.version
        assert isinstance(found, kind)
        return found

    def exists(self, aggregate_id: UUID) -> bool:
        return self.store.exists(aggregate_id)

    def existing(self, aggregate_ids: list[UUID]) -> set[UUID]:
        return self.store.existing(aggregate_ids)

    def responsible(self, employee_id: str) -> Responsible:
        employee = self.load(Employee, employee_id, "manager_id")
        return Responsible(str(employee.id), employee.team, employee.department)

    def check_may_change(self, manager_id: str) -> None:
        """The actor may change what this manager is responsible for."""
        check_may_change(self.actor, self.responsible(manager_id))

    def employee(self, employee_id: str, field: str) -> Employee:
        """An employee a command gives work to (an assignee, an expert): one who is unknown or
        deactivated is an invalid value."""
        try:
            employee = self.load(Employee, employee_id, field)
        except NotFound:
            raise InvalidValue(field, f"no employee {employee_id}") from None
        if not employee.active:
            raise InvalidValue(field, f"{employee.full_name} is deactivated")
        return employee
