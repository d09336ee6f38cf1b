"""How a command is handled: one registration per command, in the module of its records.

A registration names the command's stable name (what receipts record, so renaming a class
never breaks a retry), the kind of record it changes (none for a command that creates
one), the events it may record, who may run it, and the decision. Commands on an existing
record share one path in the write service: load it by id, run its guard, decide, append.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from eventsourcing.domain import Aggregate

from aggregates.new_record import NewRecord
from commands.command import Command
from commands.context import Context
from commands.scope import GUARDS

C = TypeVar("C", bound=Command)
A = TypeVar("A", bound=Aggregate)

Decision = Callable[[Context, C], Sequence[Aggregate | NewRecord]]
ChangeDecision = Callable[[Context, A, C], Iterable[Aggregate | NewRecord] | None]
"""Changes the target in place; returns any other records the change also writes."""


@dataclass(frozen=True)
class Registration:
    command: type[Command]
    name: str
    target: type[Aggregate] | None
    events: frozenset[type[Any]]
    authorize: Callable[[Context, Any, Any], None]
    """May raise AccessDenied or NotFound; runs before a repeated command is answered."""
    decide: Callable[[Context, Any, Any], Sequence[Aggregate | NewRecord]]
    """Returns the records to append, the one the command is about first."""

    @property
    def summary(self) -> str:
        return (self.command.__doc__ or self.command.__name__).strip().splitlines()[0]


class Handlers:
    """The registrations of one module; ``commands.registry`` gathers every module's."""

    def __init__(self) -> None:
        self.registrations: list[Registration] = []

    def handles(
        self, command: type[C], name: str, *events: type[Any], authorize: Callable[[Context, C], None]
    ) -> Callable[[Decision[C]], Decision[C]]:
        """A command sent to no record by id: it creates records, or works on well-known ones."""

        def register(decide: Decision[C]) -> Decision[C]:
            self.registrations.append(
                Registration(
                    command=command,
                    name=name,
                    target=None,
                    events=frozenset(events),
                    authorize=lambda ctx, cmd, _target: authorize(ctx, cmd),
                    decide=lambda ctx, cmd, _target: decide(ctx, cmd),
                )
            )
            return decide

        return register

    def changes(
        self,
        target: type[A],
        command: type[C],
        name: str,
        *events: type[Any],
        authorize: Callable[[Context, A, C], None] | None = None,
    ) -> Callable[[ChangeDecision[A, C]], ChangeDecision[A, C]]:
        """``authorize`` defaults to the target's guard; one given must run the guard itself."""
        check = authorize or (lambda ctx, record, _command: GUARDS[target](ctx, record))

        def register(decide: ChangeDecision[A, C]) -> ChangeDecision[A, C]:
            self.registrations.append(
                Registration(
                    command=command,
                    name=name,
                    target=target,
                    events=frozenset(events),
                    authorize=lambda ctx, cmd, record: check(ctx, record, cmd),
                    decide=lambda ctx, cmd, record: [record, *(decide(ctx, record, cmd) or ())],
                )
            )
            return decide

        return register
