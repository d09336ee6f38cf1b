"""The log read from its start up to a position, of some topics only, as the views read it:
in batches sized to the time they take, the next one read ahead while this one is used."""

import time
from collections.abc import Iterator, Sequence
from datetime import datetime

from aggregates.errors import InvalidValue
from event_store.store import Recorded
from projections.reading import BatchSize, EventSource, Prefetch, Progress, Selection


def checked_position(source: EventSource, position: int | None, field: str = "position") -> int:
    """The position asked for, or the head; one beyond the head has not happened yet."""
    head = source.head()
    if position is None:
        return head
    if position > head:
        raise InvalidValue(field, f"position {position} is beyond the log's head ({head})", "query")
    return position


def happened_by(recorded: Recorded, as_of: datetime) -> bool:
    """Whether an event had happened by a business time (one without a business time always had)."""
    occurred_at: datetime | None = getattr(recorded.event, "occurred_at", None)
    return occurred_at is None or occurred_at <= as_of


def batches_up_to(
    source: EventSource,
    stop: int,
    topics: Sequence[str],
    progress: Progress | None = None,
    batch_size: BatchSize | None = None,
    after: int = 0,
) -> Iterator[list[Recorded]]:
    """``batch_size``: how many events to read at a time (by default, as the views read);
    ``after``: the position to read from (the log's start by default)."""
    batch_size = batch_size or BatchSize()
    reached = after
    selection = Selection(tuple(topics))
    ahead = Prefetch(source, reached, batch_size.events, stop, selection) if stop > reached else None
    while ahead is not None:
        began = time.monotonic()
        batch = ahead.take()
        reached = ahead.reached(batch)
        ahead = Prefetch(source, reached, batch_size.events, stop, selection) if reached < stop else None
        yield batch
        batch_size.adapt(len(batch), time.monotonic() - began)
        if progress:
            progress(reached, stop)


def events_up_to(
    source: EventSource, stop: int, topics: Sequence[str], progress: Progress | None = None
) -> Iterator[Recorded]:
    for batch in batches_up_to(source, stop, topics, progress):
        yield from batch
