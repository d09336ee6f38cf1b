"""The write side's one way to run any command: check its times, load its target, authorize,
decide, append.

Permission first: the command's guard runs before anything else, a repeated command
included, so a key never answers for someone who may no longer act.

Idempotency: a command that names itself (``command_id`` or the HTTP ``Idempotency-Key``)
belongs to its actor. A receipt keyed by (actor, key) is appended in the same transaction as
the command's events; a repeat by the same actor gets the first result back, and two repeats
racing each other collide on the receipt, so only one write survives. The same key from
someone else is another command; the same key for a different request is refused.

Concurrency: an explicit ``expected_version`` that is stale is refused before anything is
written. Without one, a write that loses a race for a version is authorized and decided
again on fresh state, because the rules are checked anew each time.

Remembered state: the records a command loads may come from what this process remembers of
earlier commands (``event_store.cache``), which saves reading them from the log. The append
names every record the decision was taken on, at the version it saw, and is refused if any
has moved on since, by this process or another; the command is then decided again on fresh
state, as after any lost race. What is answered without an append (a refusal for a rule, a
permission or a stale expected version; a repeat's first answer) is decided once more on the
log's state if it was decided on remembered state.
"""

import hashlib
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import uuid4

from eventsourcing.domain import Aggregate

from aggregates.command_receipt import CommandReceipt, receipt_id
from aggregates.errors import ConcurrentChange, DomainError, NotFound
from aggregates.new_record import NewRecord
from aggregates.scope import Actor
from aggregates.stamp import Stamp
from commands.command import Command
from commands.context import Context
from commands.handling import Registration
from commands.time_bounds import TimeBounds
from event_store.store import EventStore, StoreConflict

Clock = Callable[[], datetime]

_RETRIES = 10


@dataclass(frozen=True)
class Outcome:
    """What a write returns: the aggregate it concerned, its version, and the log position
    a reader can wait for to see the change."""

    id: str
    version: int
    position: int
    replayed: bool = False


class UnregisteredCommand(Exception):
    """A command no module registered a handler for: a fault in the code, not the request."""


class WriteService:
    def __init__(
        self,
        store: EventStore,
        clock: Clock,
        registry: Mapping[type[Command], Registration],
        bounds: TimeBounds | None = None,
        appended: Callable[[int], None] | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.registry = registry
        self.bounds = bounds or TimeBounds()
        # Told each new log position, so that this process's views need not wait for a poll.
        self.appended = appended

    def run(self, actor: Actor, command: Command, target_id: str | None = None) -> Outcome:
        registration = self.registry.get(type(command))
        if registration is None or (registration.target is None) != (target_id is None):
            raise UnregisteredCommand(f"no handler for {type(command).__name__} with target {target_id!r}")
        now = self.clock()
        self.bounds.check(command, now)
        command_id = command.command_id or str(uuid4())
        stamp = Stamp(
            actor=actor.employee_id,
            occurred_at=command.occurred_at or now,
            command_id=command_id,
            correlation_id=command.correlation_id or command_id,
        )
        # What a receipt records of the request; only a named command has one.
        fingerprint = _fingerprint(registration, command, target_id) if command.command_id is not None else ""
        fresh = False
        for attempt in range(_RETRIES):
            ctx = Context(self.store, actor, stamp, cached=not fresh)
            try:
                decided = self._decide(ctx, registration, command, target_id, fingerprint)
            except DomainError:
                if fresh or not ctx.seen:
                    raise
                # Perhaps refused on remembered state that has moved on: ask the log itself.
                self.store.forget(ctx.seen)
                fresh = True
                continue
            if isinstance(decided, Outcome):
                if fresh or not ctx.seen:
                    return decided
                # A repeat's answer goes only to whom today's state allows it: not on a
                # remembered copy, which nothing appended will check.
                fresh = True
                continue
            aggregates, result = decided
            try:
                position = self.store.append(*aggregates, unchanged=ctx.seen)
            except StoreConflict:
                # Something this decision was taken on changed meanwhile (and the store forgot
                # what it remembered of it). Decided again on fresh state, where a stale
                # expected version is refused before anything is written.
                # Back off a little, at random, so racing writers stop colliding.
                time.sleep(random.uniform(0.001, 0.005) * (attempt + 1))
                fresh = True
                continue
            if position == 0:
                position = self.store.head()
            if self.appended is not None:
                self.appended(position)
            return Outcome(id=result["id"], version=result["version"], position=position)
        raise ConcurrentChange("the record kept changing under this command; try again")

    def _decide(
        self,
        ctx: Context,
        registration: Registration,
        command: Command,
        target_id: str | None,
        fingerprint: str,
    ) -> Outcome | tuple[list[Aggregate | NewRecord], dict[str, Any]]:
        """One attempt up to the append: the repeat's outcome for a command already run, or
        what to append and the result to answer with."""
        stamp = ctx.stamp
        named = command.command_id is not None
        expected_version = getattr(command, "expected_version", None)
        target = None
        if registration.target is not None and target_id is not None:
            target = ctx.load(registration.target, target_id, "id")
        registration.authorize(ctx, command, target)
        if named:
            replay = self._replay(stamp, registration, target_id, fingerprint)
            if replay:
                return replay
        if target is not None and expected_version is not None and target.version != expected_version:
            raise ConcurrentChange(
                f"{_kind(target)} {target_id} is at version {target.version}, not {expected_version}"
            )
        aggregates = list(registration.decide(ctx, command, target))
        _check_declared(registration, aggregates)
        primary = aggregates[0]
        result: dict[str, Any] = {"id": str(primary.id), "version": primary.version}
        if named:
            aggregates.append(
                CommandReceipt.record(
                    stamp,
                    command_name=registration.name,
                    target_id=target_id,
                    fingerprint=fingerprint,
                    result=result,
                )
            )
        return aggregates, result

    def _replay(
        self, stamp: Stamp, registration: Registration, target_id: str | None, fingerprint: str
    ) -> Outcome | None:
        key = receipt_id(stamp.actor, stamp.command_id)
        try:
            receipt = self.store.get(key, CommandReceipt)
        except NotFound:
            return None
        same_request = receipt.command_name == registration.name and receipt.target_id == target_id
        if not same_request or (receipt.fingerprint and receipt.fingerprint != fingerprint):
            raise ConcurrentChange(
                f"the key {stamp.command_id!r} was already used for another request ({receipt.command_name}"
                f"{f' on {receipt.target_id}' if receipt.target_id else ''}): use a new key"
            )
        return Outcome(
            id=receipt.result["id"],
            version=receipt.result["version"],
            position=self.store.position_of(key, 1),
            replayed=True,
        )


def _kind(aggregate: Aggregate) -> str:
    return type(aggregate).__name__.lower()


def _fingerprint(registration: Registration, command: Command, target_id: str | None) -> str:
    asked = command.model_dump_json(exclude={"command_id"})
    return hashlib.sha256(f"{registration.name}\n{target_id}\n{asked}".encode()).hexdigest()


def _check_declared(registration: Registration, aggregates: Iterable[Aggregate | NewRecord]) -> None:
    """The registry lists what each command records; a handler recording anything else is
    a fault in the code, caught before it reaches the log."""
    for aggregate in aggregates:
        for event in aggregate.pending_events:
            if type(event) not in registration.events:
                raise UnregisteredCommand(
                    f"{registration.name} recorded {type(event).__qualname__}, which it does not declare"
                )
