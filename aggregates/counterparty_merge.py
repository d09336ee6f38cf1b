"""Merging a duplicate card into the card that survives: when two cards may be merged, and
what the survivor's card becomes."""

from typing import TYPE_CHECKING, Any

from aggregates.counterparty_profile import PROFILE_FIELDS
from aggregates.errors import InvalidValue, RuleViolated

if TYPE_CHECKING:
    from aggregates.counterparty import Counterparty


def check_reason(reason: str) -> None:
    if not reason.strip():
        raise InvalidValue("reason", "a merge or its undoing needs a reason")


def check_mergeable(survivor: "Counterparty", duplicate: "Counterparty", reason: str) -> None:
    """A merge joins two live cards; chains are not made, so one step always undoes one merge."""
    if survivor.id == duplicate.id:
        raise InvalidValue("merged_id", "a card cannot be merged into itself")
    if survivor.merged_into is not None:
        raise RuleViolated(f"counterparty {survivor.id} is itself merged into {survivor.merged_into}")
    if duplicate.merged_into is not None:
        raise RuleViolated(f"counterparty {duplicate.id} is already merged into {duplicate.merged_into}")
    if duplicate.absorbed:
        raise RuleViolated(
            f"counterparty {duplicate.id} has cards merged into it: merge the survivor the other way, "
            "or split them first"
        )
    check_reason(reason)


_MERGED_LISTS = frozenset({"phones", "loyalty_reasons", "interests", "competitor_products"})
_MERGED_DICTS = frozenset({"requisites", "attributes"})


def merged_profile(survivor: dict[str, Any], duplicate: dict[str, Any], prefer: list[str]) -> dict[str, Any]:
    """The survivor's card after taking the duplicate in. Lists (phones …) and classifier
    values are united, the survivor's first; in requisites and attributes and in single values
    the survivor's value wins, and the duplicate's fills what the survivor lacks, unless the
    field is named in ``prefer``, where the duplicate's value wins."""
    unknown = set(prefer) - set(PROFILE_FIELDS)
    if unknown:
        raise InvalidValue("prefer_duplicate", f"{sorted(unknown)[0]!r} is not a field of the card")
    merged: dict[str, Any] = {}
    for field in PROFILE_FIELDS:
        ours, theirs = survivor.get(field), duplicate.get(field)
        first, second = (theirs, ours) if field in prefer else (ours, theirs)
        if field in _MERGED_LISTS:
            merged[field] = list(dict.fromkeys([*(first or ()), *(second or ())]))
        elif field in _MERGED_DICTS:
            merged[field] = {**(second or {}), **(first or {})}
        elif field == "classifiers":
            names = dict.fromkeys([*(first or {}), *(second or {})])
            merged[field] = {
                name: list(dict.fromkeys([*(first or {}).get(name, ()), *(second or {}).get(name, ())]))
                for name in names
            }
        else:
            merged[field] = first if first is not None else second
    return merged
