"""Who did a thing, when it happened in the business, and under which command."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

from aggregates.errors import InvalidValue


@dataclass(frozen=True)
class Stamp:
    """The provenance every event carries.

    ``occurred_at`` is business time (a call made yesterday is logged today); the time
    an event was recorded is the event's own ``timestamp``, set when it is created on
    the write side and never taken from a request.
    """

    actor: str
    occurred_at: datetime
    command_id: str
    correlation_id: str

    def __post_init__(self) -> None:
        if self.occurred_at.tzinfo is None:
            raise InvalidValue("occurred_at", "occurred_at must carry a time zone")

    def fields(self) -> dict[str, Any]:
        return {
            "actor": self.actor,
            "occurred_at": self.occurred_at,
            "command_id": self.command_id,
            "correlation_id": self.correlation_id,
        }


class Fact(Aggregate.Event):
    """Base of every Letopis event: a fact with provenance."""

    actor: str
    occurred_at: datetime
    command_id: str
    correlation_id: str


def changed_fields(
    current: dict[str, Any], proposed: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a proposal into the fields that really change and their previous values."""
    changes = {k: v for k, v in proposed.items() if current.get(k) != v}
    previous = {k: current.get(k) for k in changes}
    return changes, previous
