"""What every read model is: tables it owns, and typed handlers, one per event class.

A handler is a method marked with ``@on(EventClass)``; it receives the batch's writes (the
view's ``Rows``, ``Totals`` and ``Appends``, opened by ``open``), the event with its class
visible to the type checker, and the event's log position. While applying events a view
reads and writes only its own tables: a fact from another stream (an employee's team, a
client's name) is kept in a table of the view's own, from that stream's events, so that any
view rebuilt alone equals a full rebuild.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from eventsourcing.utils import get_topic

from event_store.store import Recorded
from projections.database import ViewCursor
from projections.tables import Table
from projections.writes import Writes

V = TypeVar("V")
E = TypeVar("E")
P = TypeVar("P")

Handler = Callable[[Any, V, E, int], None]
"""(projection, the batch's writes, the event, its log position)"""


def on(
    *event_classes: type[E], mentioning: Collection[str] = ()
) -> Callable[[Callable[[P, V, E, int], None]], Callable[[P, V, E, int], None]]:
    """Marks a method as the handler of an event class (or of several that one method
    handles alike, typed by what they share).

    ``mentioning``: text values one of which an event must hold for the handler to do anything
    with it (it still checks); the log's reader may leave the others undecoded."""

    def mark(method: Callable[[P, V, E, int], None]) -> Callable[[P, V, E, int], None]:
        method.__dict__.setdefault("handles", []).extend(event_classes)
        if mentioning:
            method.__dict__.setdefault("mentioning", {}).update(
                dict.fromkeys(event_classes, frozenset(mentioning))
            )
        return method

    return mark


def originators(events: Sequence[Recorded], *event_classes: type[Any]) -> list[str]:
    """The ids of the records the batch's events of these classes happened to."""
    return [str(r.event.originator_id) for r in events if isinstance(r.event, event_classes)]


class Projection(ABC, Generic[V]):
    name: ClassVar[str]
    tables: ClassVar[tuple[Table, ...]]
    version: ClassVar[int] = 1
    """Raised whenever the tables or what the handlers write change: a view built by another
    version is rebuilt beside it from the log, and takes its place once caught up."""
    _handlers: ClassVar[dict[type[Any], Callable[..., None]]]
    _mentions: ClassVar[dict[str, frozenset[str]]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._handlers = {}
        cls._mentions = {}
        for klass in reversed(cls.__mro__):
            for member in vars(klass).values():
                mentioning = getattr(member, "mentioning", {})
                for event_class in getattr(member, "handles", ()):
                    cls._handlers[event_class] = member
                    topic = get_topic(event_class)
                    cls._mentions.pop(topic, None)
                    if event_class in mentioning:
                        cls._mentions[topic] = mentioning[event_class]

    @abstractmethod
    def open(self, writes: Writes) -> V:
        """The view's writes for one batch."""

    def preload(self, view: V, events: Sequence[Recorded]) -> None:
        """Read ahead, in a few statements, the rows the batch's handlers will look up (see
        ``Rows.load``); a view whose handlers look up rows one by one overrides it."""

    def handled(self) -> frozenset[type[Any]]:
        return frozenset(self._handlers)

    def topics(self) -> list[str]:
        return [get_topic(event_class) for event_class in self._handlers]

    def mentions(self) -> dict[str, frozenset[str]]:
        """By topic, the values its handler said an event must mention (``on(mentioning=…)``)."""
        return self._mentions

    def handled_after(self, batch: Sequence[Recorded], after: int) -> list[Recorded]:
        """The part of a batch this view handles, past the position it reached."""
        return [r for r in batch if r.position > after and type(r.event) in self._handlers]

    def create_tables(self, cursor: ViewCursor, physical: Mapping[str, str]) -> None:
        for table in self.tables:
            table.create(cursor, physical.get(table.name, table.name))

    def drop_tables(self, cursor: ViewCursor, physical: Mapping[str, str]) -> None:
        for table in self.tables:
            cursor.execute(f"DROP TABLE IF EXISTS {physical.get(table.name, table.name)}")

    def apply(self, cursor: ViewCursor, batch: Sequence[Recorded], physical: Mapping[str, str]) -> None:
        writes = Writes(cursor, physical)
        view = self.open(writes)
        self.preload(view, batch)
        handlers = self._handlers
        for recorded in batch:
            handler = handlers.get(type(recorded.event))
            if handler is not None:
                handler(self, view, recorded.event, recorded.position)
        writes.flush()
