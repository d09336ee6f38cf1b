"""The write side's one way to change anything: load, decide, append.

Idempotency: when the caller names its command (``command_id`` or the HTTP
``Idempotency-Key``), a receipt keyed by that id is appended in the same transaction
as the command's events. A retry finds the receipt and gets the first result back;
two retries racing each other collide on the receipt, so only one write survives.

Concurrency: an explicit ``expected_version`` that is stale is refused before anything
is written. Without one, a write that loses a race for a version is decided again on
fresh state, because the rules are checked anew each time.
"""

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

from eventsourcing.domain import Aggregate

from aggregates.command_receipt import CommandReceipt, receipt_id
from aggregates.errors import ConcurrentChange, InvalidValue, NotFound
from aggregates.scope import Actor
from aggregates.stamp import Stamp
from commands.command import Command
from event_store.store import EventStore, StoreConflict

Clock = Callable[[], datetime]
Decision = Callable[[Stamp], Sequence[Aggregate]]

_RETRIES = 10
_CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class Outcome:
    """What a write returns: the aggregate it concerned, its version, and the log position
    a reader can wait for to see the change."""

    id: str
    version: int
    position: int
    replayed: bool = False


class WriteService:
    def __init__(self, store: EventStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def run(self, actor: Actor, command: Command, decide: Decision) -> Outcome:
        command_name = type(command).__name__
        named = command.command_id is not None
        command_id = command.command_id or str(uuid4())
        if named:
            replay = self._replay(command_id, command_name)
            if replay:
                return replay
        stamp = Stamp(
            actor=actor.employee_id,
            occurred_at=self._business_time(command.occurred_at),
            command_id=command_id,
            correlation_id=command.correlation_id or command_id,
        )
        for attempt in range(_RETRIES):
            aggregates = list(decide(stamp))
            primary = aggregates[0]
            outcome: dict[str, Any] = {"id": str(primary.id), "version": primary.version}
            if named:
                aggregates.append(CommandReceipt.record(stamp, command_name, outcome))
            try:
                position = self.store.append(*aggregates)
            except StoreConflict:
                replay = self._replay(command_id, command_name) if named else None
                if replay:
                    return replay
                if getattr(command, "expected_version", None) is not None:
                    raise ConcurrentChange(
                        f"{type(primary).__name__.lower()} {primary.id} changed meanwhile"
                    ) from None
                # Back off a little, at random, so racing writers stop colliding.
                time.sleep(random.uniform(0.001, 0.005) * (attempt + 1))
                continue
            if position == 0:
                position = self.store.head()
            return Outcome(id=outcome["id"], version=outcome["version"], position=position)
        raise ConcurrentChange("the record kept changing under this command; try again")

    def _business_time(self, occurred_at: datetime | None) -> datetime:
        now = self.clock()
        if occurred_at is None:
            return now
        if occurred_at.tzinfo is None:
            raise InvalidValue("occurred_at", "occurred_at must carry a time zone")
        if occurred_at > now + _CLOCK_SKEW:
            raise InvalidValue("occurred_at", "occurred_at lies in the future")
        return occurred_at

    def _replay(self, command_id: str, command_name: str) -> Outcome | None:
        key = receipt_id(command_id)
        try:
            receipt = self.store.get(key, CommandReceipt)
        except NotFound:
            return None
        if receipt.command_name != command_name:
            raise ConcurrentChange(f"command id {command_id!r} was already used for {receipt.command_name}")
        return Outcome(
            id=receipt.result["id"],
            version=receipt.result["version"],
            position=self.store.position_of(key, 1),
            replayed=True,
        )
