"""How the views read the log: in batches sized to commit within seconds, the next one read
ahead on a thread of its own.

Any source with ``head()`` and ``read(after, limit, stop, topics)`` can feed the views: the
local event store, or a consumer of the Kafka relay.
"""

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from event_store.store import Mentions, Recorded

if TYPE_CHECKING:
    from projections.projection import Projection

_SMALLEST_BATCH, _LARGEST_BATCH = 100, 20_000

Progress = Callable[[int, int], None]
"""Told the position reached and the position aimed at, after every batch."""


class EventSource(Protocol):
    def head(self) -> int: ...

    def read(
        self,
        after: int,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        mentions: Mentions | None = None,
    ) -> list[Recorded]: ...


@dataclass(frozen=True)
class Selection:
    """What one read of the log fetches for some views: the events of ``topics`` (every event
    when there are none), less those whose state mentions none of the values every view reading
    their topic looks for (``mentions``, see ``Projection.mentions``)."""

    topics: tuple[str, ...] = ()
    mentions: Mapping[str, frozenset[str]] = field(default_factory=dict)


def selection_for(projections: Iterable["Projection[Any]"]) -> Selection:
    per_view = list(projections)
    if not all(projection.topics() for projection in per_view):
        return Selection()
    sought: dict[str, set[str] | None] = {}
    for projection in per_view:
        hints = projection.mentions()
        for topic in projection.topics():
            hint = hints.get(topic)
            if hint is None:
                sought[topic] = None
            elif topic not in sought:
                sought[topic] = set(hint)
            elif (values := sought[topic]) is not None:
                values.update(hint)
    mentions = {topic: frozenset(values) for topic, values in sought.items() if values is not None}
    return Selection(tuple(sorted(sought)), mentions)


class BatchSize:
    """A batch should commit within ``seconds``: a worker restarted often under load must
    still move forward, and a long transaction holds back everyone else. The size halves
    after a slow batch and doubles after a quick full one."""

    def __init__(self, events: int = 2000, seconds: float = 2.0, largest: int = _LARGEST_BATCH) -> None:
        self.events = events
        self.seconds = seconds
        self.largest = largest

    def adapt(self, events: int, seconds: float) -> None:
        if seconds > self.seconds and self.events > _SMALLEST_BATCH:
            self.events = max(_SMALLEST_BATCH, self.events // 2)
        elif seconds < self.seconds / 4 and events >= self.events and self.events < self.largest:
            self.events = min(self.largest, self.events * 2)


def read(source: EventSource, after: int, limit: int, stop: int, selection: Selection) -> list[Recorded]:
    return source.read(
        after=after, limit=limit, stop=stop, topics=selection.topics, mentions=selection.mentions
    )


class Prefetch:
    """The next batch, read on a thread of its own while the current one is applied, so
    that the database's work on the read overlaps the views' work on the last batch."""

    def __init__(self, source: EventSource, after: int, limit: int, stop: int, selection: Selection) -> None:
        self.after, self.limit, self.stop, self.selection = after, limit, stop, selection
        self._source = source
        self._batch: list[Recorded] = []
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._read, name="projection-prefetch", daemon=True)
        self._thread.start()

    def serves(self, after: int, selection: Selection) -> bool:
        """Whether this read is the one wanted next: from the same position, of the same
        events (a view that joins brings topics of its own)."""
        return (self.after, self.selection) == (after, selection)

    def reached(self, batch: Sequence[Recorded]) -> int:
        """Where the views stand once they applied this read: its last event if the limit cut
        it short, else its stop."""
        return batch[-1].position if len(batch) == self.limit else self.stop

    def _read(self) -> None:
        try:
            self._batch = read(self._source, self.after, self.limit, self.stop, self.selection)
        except BaseException as error:
            self._error = error

    def take(self) -> list[Recorded]:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._batch
