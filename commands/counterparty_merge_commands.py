"""Merging a duplicate card into the card that survives, and undoing it (FEATURES A8).

Both cards change in one append: the duplicate records that it was merged (or split off),
the survivor what its card gained (or gave back), so the two never disagree."""

from typing import Literal

from pydantic import Field

from aggregates.counterparty import Counterparty
from aggregates.errors import RuleViolated
from commands.command import Change
from commands.context import Context
from commands.fields import EntityId, Reason
from commands.handling import Handlers
from commands.scope import counterparty_guard, live_counterparty_guard

handlers = Handlers()

ProfileField = Literal[
    "legal_form",
    "kind",
    "name",
    "tax_id",
    "requisites",
    "industry",
    "region",
    "activity",
    "attributes",
    "lead_source",
]
"""The fields where the two cards may disagree; lists and classifiers are always united."""


class MergeCounterparty(Change):
    """Merge a duplicate card into this one: its history, contacts and money count here from now on."""

    merged_id: EntityId = Field(description="The duplicate card, merged into the one in the path")
    reason: Reason
    prefer_duplicate: list[ProfileField] = Field(
        default_factory=list,
        max_length=10,
        description="Fields where the duplicate's value wins; elsewhere the survivor's wins",
    )


class SplitCounterparty(Change):
    """Undo the merge of this card: it is its own again, and the survivor gives back what it gained."""

    reason: Reason


def _may_merge(ctx: Context, survivor: Counterparty, command: MergeCounterparty) -> None:
    """Both cards must be the actor's to change: a merge moves a client's history."""
    live_counterparty_guard(ctx, survivor)
    counterparty_guard(ctx, ctx.load(Counterparty, command.merged_id, "merged_id"))


@handlers.changes(
    Counterparty,
    MergeCounterparty,
    "counterparty.merge",
    Counterparty.DuplicateAbsorbed,
    Counterparty.ProfileChanged,
    Counterparty.MergedInto,
    authorize=_may_merge,
)
def merge_counterparty(
    ctx: Context, survivor: Counterparty, command: MergeCounterparty
) -> list[Counterparty]:
    duplicate = ctx.load(Counterparty, command.merged_id, "merged_id")
    survivor.absorb(ctx.stamp, duplicate, command.reason, list(command.prefer_duplicate))
    return [duplicate]


def _survivor(ctx: Context, merged: Counterparty) -> Counterparty:
    if merged.merged_into is None:
        raise RuleViolated(f"counterparty {merged.id} is not merged into another card")
    return ctx.load(Counterparty, merged.merged_into, "counterparty_id")


def _may_split(ctx: Context, merged: Counterparty, _command: SplitCounterparty) -> None:
    counterparty_guard(ctx, merged)
    counterparty_guard(ctx, _survivor(ctx, merged))


@handlers.changes(
    Counterparty,
    SplitCounterparty,
    "counterparty.split",
    Counterparty.SplitOff,
    Counterparty.DuplicateReleased,
    Counterparty.ProfileChanged,
    authorize=_may_split,
)
def split_counterparty(ctx: Context, merged: Counterparty, command: SplitCounterparty) -> list[Counterparty]:
    survivor = _survivor(ctx, merged)
    survivor.release(ctx.stamp, merged, command.reason)
    return [survivor]
