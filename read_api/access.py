"""Fetching one card for a reader: it must exist, and lie within the reader's scope."""

from collections.abc import Callable, Collection
from typing import Any

from aggregates.errors import NotFound
from aggregates.scope import Actor, Responsible, check_may_read
from projections.contact_directory import get_contact
from projections.counterparty_merges import merged_cards, merged_into
from projections.counterparty_register import get_counterparty
from projections.database import ViewCursor
from projections.employee_directory import responsible
from read_api.deps import Backend, fresh_lookup


def readable(
    backend: Backend,
    actor: Actor,
    what: str,
    lookup: Callable[[ViewCursor], dict[str, Any] | None],
    owner: str = "manager_id",
    involved: Callable[[dict[str, Any]], Collection[str]] = lambda found: (),
) -> dict[str, Any]:
    """The record ``lookup`` finds, named ``what`` when it does not exist; the reader must have
    its ``owner`` field's employee within scope, unless the reader is one of the people
    ``involved`` in it (a participant of a meeting, the assigner of a task)."""

    def with_its_owner(cursor: ViewCursor) -> tuple[dict[str, Any], Responsible] | None:
        found = lookup(cursor)
        return None if found is None else (found, responsible(cursor, found[owner]))

    card = fresh_lookup(backend, with_its_owner)
    if card is None:
        raise NotFound(f"{what} does not exist")
    found, its_owner = card
    if actor.employee_id not in involved(found):
        check_may_read(actor, its_owner)
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
    return readable(
        backend,
        actor,
        f"counterparty {counterparty_id}",
        lambda cursor: _card_with_merges(cursor, counterparty_id),
    )


def readable_contact(backend: Backend, actor: Actor, contact_id: str) -> dict[str, Any]:
    return readable(backend, actor, f"contact {contact_id}", lambda cursor: get_contact(cursor, contact_id))
