"""What every read model is: tables, and handlers that turn events into rows."""

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from eventsourcing.utils import get_topic

from event_store.store import Recorded
from projections.database import ViewCursor

Handler = Callable[[ViewCursor, Recorded], None]


class Projection(ABC):
    name: ClassVar[str]
    tables: ClassVar[tuple[str, ...]]
    version: ClassVar[int] = 1
    """Raised whenever the tables or what the handlers write change: a view built by another
    version is dropped and rebuilt from the log when the runner starts."""

    @abstractmethod
    def create_tables(self, cursor: ViewCursor) -> None: ...

    @abstractmethod
    def handlers(self) -> dict[type[Any], Handler]: ...

    def topics(self) -> list[str]:
        return [get_topic(event_class) for event_class in self.handlers()]

    def apply(self, cursor: ViewCursor, batch: Sequence[Recorded]) -> None:
        handlers = self.handlers()
        for recorded in batch:
            handler = handlers.get(type(recorded.event))
            if handler is not None:
                handler(cursor, recorded)

    def drop_tables(self, cursor: ViewCursor) -> None:
        for table in self.tables:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
