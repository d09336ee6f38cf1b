"""Fetching one card for a reader: it must exist, and lie within the reader's scope."""

from collections.abc import Callable
from typing import Any

from aggregates.errors import NotFound
from aggregates.scope import Actor, check_may_read
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
    found = fresh_lookup(backend, lambda cursor: lookup(cursor, key))
    if found is None:
        raise NotFound(f"{what} {key} does not exist")
    with backend.views.reading() as cursor:
        check_may_read(actor, responsible(cursor, found["manager_id"]))
    return found


def readable_counterparty(backend: Backend, actor: Actor, counterparty_id: str) -> dict[str, Any]:
    return _readable(backend, actor, "counterparty", counterparty_id, get_counterparty)


def readable_contact(backend: Backend, actor: Actor, contact_id: str) -> dict[str, Any]:
    return _readable(backend, actor, "contact", contact_id, get_contact)
