"""Events that the write side refuses now but that stores already hold, appended straight to
the log as an older release let them in; and a release whose history handler copes with the
one that stays a failure."""

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

from aggregates.counterparty import Counterparty
from aggregates.interaction import Direction, Interaction, InteractionKind
from aggregates.stamp import Stamp
from commands.fields import FIRST_DAY
from event_store.store import Recorded
from letopis.wiring import Letopis, all_projections
from projections.database import ViewCursor
from projections.projection import Projection
from projections.relationship_history import RelationshipHistory
from projections.runner import ProjectionRunner

OUT_OF_RANGE = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))
"""Valid with its zone, but a year before 1 in UTC."""


def stamp(actor: str, occurred_at: datetime | None = None) -> Stamp:
    command_id = str(uuid4())
    return Stamp(actor, occurred_at or datetime.now(UTC), command_id, command_id)


def append_call(
    letopis: Letopis, actor: str, counterparty_id: str, subject: str, occurred_at: datetime | None = None
) -> int:
    interaction = Interaction.log(
        stamp(actor, occurred_at),
        admission=None,
        counterparty_id=counterparty_id,
        contact_ids=[],
        kind=InteractionKind.CALL,
        direction=Direction.INCOMING,
        subject=subject,
        details={},
    )
    return letopis.store.append(interaction)


def append_counterparty(
    letopis: Letopis, actor: str, name: str, region: str | None = None
) -> tuple[str, int]:
    counterparty = Counterparty.register(stamp(actor), manager_id=actor, name=name, region=region)
    return str(counterparty.id), letopis.store.append(counterparty)


def append_profile_change(letopis: Letopis, actor: str, counterparty_id: str, **changes: Any) -> int:
    """A ProfileChanged as it was stored, whatever the rules of today say of its changes."""
    counterparty = letopis.store.get(UUID(counterparty_id), Counterparty)
    previous = {name: counterparty.profile.get(name) for name in changes}
    counterparty.trigger_event(
        Counterparty.ProfileChanged, changes=changes, previous=previous, **stamp(actor).fields()
    )
    return letopis.store.append(counterparty)


class CorrectedHistory(RelationshipHistory):
    """The history as a later release would build it: a business time that has no UTC date
    is shown as the first day of the calendar the write side accepts."""

    def apply(self, cursor: ViewCursor, batch: Sequence[Recorded], physical: Mapping[str, str]) -> None:
        super().apply(cursor, [_in_range(recorded) for recorded in batch], physical)


def _in_range(recorded: Recorded) -> Recorded:
    event: Any = recorded.event
    try:
        event.occurred_at.astimezone(UTC)
    except OverflowError:
        earliest = dataclasses.replace(event, occurred_at=datetime.combine(FIRST_DAY, time.min, UTC))
        return Recorded(recorded.position, earliest)
    return recorded


def corrected_projections() -> list[Projection]:
    return [CorrectedHistory() if isinstance(p, RelationshipHistory) else p for p in all_projections()]


def restarted_with_correction(letopis: Letopis) -> ProjectionRunner:
    """The runner of a process started with the corrected release, over the same log and views."""
    runner = ProjectionRunner(letopis.store, letopis.views, corrected_projections())
    runner.create_tables()
    return runner
