"""The audit trail of one record: every event of its aggregate with who, when and under which
command, and the fields it changed, before → after, found by folding the events one by one.

Generic over aggregates: any record the log holds (a counterparty, a deal, a payment, a plan
added later) is folded the same way, by its own events' ``mutate``."""

import copy
import dataclasses
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from aggregates.facts import fact_name
from event_store.chain import Link


@dataclasses.dataclass(frozen=True)
class Change:
    field: str
    before: Any
    after: Any


@dataclasses.dataclass(frozen=True)
class TrailEntry:
    position: int
    version: int
    event: str
    actor: str | None
    occurred_at: datetime | None
    recorded_at: datetime
    command_id: str | None
    correlation_id: str | None
    changes: list[Change]


def plain(value: Any) -> Any:
    """A field's value as JSON has it: money and times as text, records as objects."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [plain(item) for item in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return str(value)


def _fields(aggregate: Any) -> dict[str, Any]:
    """The aggregate's own fields (not the library's bookkeeping), copied: folding the next
    event changes the aggregate in place."""
    if aggregate is None:
        return {}
    return {name: copy.deepcopy(value) for name, value in vars(aggregate).items() if not name.startswith("_")}


def trail(events: Sequence[Aggregate.Event], links: Sequence[Link]) -> list[TrailEntry]:
    """``links``: the chain's links of the same events, in the same (version) order."""
    entries = []
    aggregate: Any = None
    for event, link in zip(events, links, strict=True):
        before = _fields(aggregate)
        aggregate = event.mutate(aggregate)
        after = _fields(aggregate)
        changes = [
            Change(name, plain(before.get(name)), plain(after.get(name)))
            for name in sorted(before.keys() | after.keys())
            if before.get(name) != after.get(name)
        ]
        entries.append(
            TrailEntry(
                position=link.position,
                version=event.originator_version,
                event=fact_name(type(event)),
                actor=getattr(event, "actor", None),
                occurred_at=getattr(event, "occurred_at", None),
                recorded_at=event.timestamp,
                command_id=getattr(event, "command_id", None),
                correlation_id=getattr(event, "correlation_id", None),
                changes=changes,
            )
        )
    return entries
