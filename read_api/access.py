"""Fetching one card for a reader: it must exist, and lie within the reader's scope."""

from collections.abc import Callable
from typing import Any

from aggregates.errors import NotFound
from aggregates.scope import Actor, Responsible, check_may_read
from projections.contact_directory import get_contact
from projections.counterparty_merges import merged_cards, merged_into
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


def _card_with_merges(cursor: ViewCursor, counterparty_id: str) -> dict[str, Any] | None:
    card = get_counterparty(cursor, counterparty_id)
    if card is not None:
        merge = merged_into(cursor, counterparty_id)
        card["merged_into"] = merge and {**merge, "href": f"/counterparties/{merge['survivor_id']}"}
        card["merged_ids"] = merged_cards(cursor, counterparty_id)
    return card


def readable_counterparty(backend: Backend, actor: Actor, counterparty_id: str) -> dict[str, Any]:
    """The card, and, for one merged into another, the merge that leads to the survivor."""
    return _readable(backend, actor, "counterparty", counterparty_id, _card_with_merges)


def readable_contact(backend: Backend, actor: Actor, contact_id: str) -> dict[str, Any]:
    return _readable(backend, actor, "contact", contact_id, get_contact)
