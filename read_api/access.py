"""Fetching one card for a reader: it must exist, and lie within the reader's scope."""

from collections.abc import Callable
from typing import Any

from aggregates.errors import NotFound
from aggregates.scope import Actor, Responsible, check_may_read
from projections.contact_directory import get_contact
from projections.counterparty_register import get_counterparty
from projections.database import ViewCursor
from projections.employee_directory import responsible
from read_api.deps import Backend, fresh_lookup


def _readable(
    backend: Backend,
    actor: Actor,
    what: str,
    key: str,
    lookup: Callable[[ViewCursor, str], dict[str, Any] | None],
) -> dict[str, Any]:
    def with_its_manager(cursor: ViewCursor) -> tuple[dict[str, Any], Responsible] | None:
        found = lookup(cursor, key)
        return None if found is None else (found, responsible(cursor, found["manager_id"]))

    card = fresh_lookup(backend, with_its_manager)
    if card is None:
        raise NotFound(f"{what} {key} does not exist")
    found, manager = card
    check_may_read(actor, manager)
    return found


def readable_counterparty(backend: Backend, actor: Actor, counterparty_id: str) -> dict[str, Any]:
    return _readable(backend, actor, "counterparty", counterparty_id, get_counterparty)


def readable_contact(backend: Backend, actor: Actor, contact_id: str) -> dict[str, Any]:
    return _readable(backend, actor, "contact", contact_id, get_contact)
