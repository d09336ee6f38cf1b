"""The chronicle: one eventsourcing application over the configured persistence.

``memory://`` keeps events in the process (unit tests), ``sqlite:///path`` is the
embedded default, ``postgresql://…`` is production. The rest of the code sees only
this class: append aggregates atomically, load an aggregate, read the log in order.
When PostgreSQL cannot be used, every method raises ``DatabaseUnavailable`` within the
store's timeout.
"""

from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any, TypeVar, cast
from urllib.parse import unquote, urlparse
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, DomainEventProtocol
from eventsourcing.persistence import (
    ApplicationRecorder,
    InfrastructureFactory,
    IntegrityError,
    JSONTranscoder,
    Mapper,
    Notification,
    StoredEvent,
    Transcoder,
    Transcoding,
    find_id_convertor,
)
from eventsourcing.popo import POPOFactory
from eventsourcing.postgres import BasePostgresFactory
from eventsourcing.utils import Environment, get_topic, resolve_topic

from aggregates.errors import InvalidValue, NotFound
from aggregates.new_record import NewRecord
from event_store.cache import AggregateCache
from event_store.chain import Anchor, Finding, Link, as_uuid, check, micros
from event_store.memory_recorder import MemoryRecorder
from event_store.postgres import DEFAULT_TIMEOUT, FailFastDatastore, ensure_schema, split_schema
from event_store.postgres_recorder import PostgresRecorder
from event_store.recorders import NONE, LogRecorder, Unchanged
from event_store.sqlite_recorder import SQLiteRecorder
from event_store.transcoder import OrjsonTranscoder

A = TypeVar("A", bound=Aggregate)

DEFAULT_CACHE_SIZE = 10_000
"""Aggregates a store remembers for the write side (``event_store.cache``)."""


@dataclass(frozen=True)
class Recorded:
    """An event together with its position in the log."""

    position: int
    event: DomainEventProtocol[UUID]


@dataclass(frozen=True)
class Unread:
    """An event ``EventStore.read`` left undecoded because its state mentions none of the
    values its readers look for: it keeps its place in the batch, and no handler takes it."""

    originator_id: UUID
    originator_version: int

    @property
    def timestamp(self) -> datetime:
        raise LookupError("an event left unread has no decoded fields")


Mentions = Mapping[str, Collection[str]]
"""By topic, text values at least one of which an event's state must hold for its readers to
want it (``EventStore.read``)."""


class StoreConflict(Exception):
    """Two writers raced for the same aggregate version; nothing of the loser was kept."""


def persistence_env(url: str) -> dict[str, str]:
    """Translate one database URL into the eventsourcing library's settings."""
    parsed = urlparse(url)
    if parsed.scheme == "memory":
        return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        if parsed.netloc:
            path = parsed.netloc + path
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": path,
            "APPLICATION_RECORDER_TOPIC": get_topic(SQLiteRecorder),
        }
    if parsed.scheme in ("postgresql", "postgres"):
        # The library's factory insists on these, though the store hands it a datastore of
        # its own (``FailFastDatastore``), built from the same URL.
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": parsed.path.lstrip("/") or "postgres",
            "POSTGRES_HOST": parsed.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parsed.port or 5432),
            "POSTGRES_USER": unquote(parsed.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parsed.password or ""),
            "APPLICATION_RECORDER_TOPIC": get_topic(PostgresRecorder),
        }
    raise InvalidValue("database_url", f"unsupported database URL scheme {parsed.scheme!r}")


class DateAsISO(Transcoding):
    """Calendar dates (a contract's validity, a planned stage) travel as ISO text."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class LetopisLog(Application[UUID]):
    name = "Letopis"

    def __init__(self, env: Mapping[str, str], datastore: FailFastDatastore | None = None) -> None:
        self._datastore = datastore
        super().__init__(env)

    def construct_factory(self, env: Environment) -> InfrastructureFactory[Any]:
        factory = super().construct_factory(env)
        if self._datastore is not None:
            assert isinstance(factory, BasePostgresFactory)
            factory.datastore.close()
            factory.datastore = self._datastore
        return factory

    def construct_recorder(self) -> ApplicationRecorder:
        # The SQLite and PostgreSQL factories take the recorder's class from the environment
        # (``persistence_env``); the in-memory one has no such setting.
        if isinstance(self.factory, POPOFactory):
            return MemoryRecorder()
        return super().construct_recorder()

    def construct_transcoder(self) -> Transcoder:
        transcoder = OrjsonTranscoder()
        self.register_transcodings(transcoder)
        return transcoder

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())


class EventStore:
    def __init__(
        self, url: str, timeout: float = DEFAULT_TIMEOUT, cache_size: int = DEFAULT_CACHE_SIZE
    ) -> None:
        """``timeout``: seconds to wait for PostgreSQL before raising ``DatabaseUnavailable``;
        ``cache_size``: aggregates remembered for ``get(cached=True)`` (0: none)."""
        self.url = url
        env = persistence_env(url)
        datastore = None
        if env["PERSISTENCE_MODULE"] == "eventsourcing.postgres":
            conninfo, schema = split_schema(url)
            ensure_schema(conninfo, schema, timeout)
            # Two connections open at once, up to twenty as concurrent requests need them: a
            # command holds one for a single statement, and a server shared by several
            # processes (workers, the test suite's) has connections to spare for none idle.
            datastore = FailFastDatastore(conninfo, schema, timeout, pool_size=2, max_overflow=18)
        self._app = LetopisLog(env, datastore)
        self._recorder = self._app.recorder
        self._log: LogRecorder = cast(LogRecorder, self._recorder)
        self._mapper = self._app.mapper
        self._cache = AggregateCache(cache_size)
        self._link_unlinked()

    def _link_unlinked(self) -> None:
        """A log written before the chain existed is linked once, when first opened."""
        head = self.head()
        if head and not self._log.chain_links(head - 1, 1):
            decode = self._mapper.transcoder.decode
            self._log.link_unlinked(lambda stored: micros(decode(stored[4])["timestamp"]))

    def append(self, *aggregates: Aggregate | NewRecord, unchanged: Unchanged = NONE) -> int:
        """Record every pending event of the given aggregates (or new records) in one transaction.

        ``unchanged``: aggregates the change was decided on without changing them (id → the
        version seen); if one has moved on, nothing is written. So has nothing when one of
        ``aggregates`` was appended to since it was loaded. Either raises ``StoreConflict``.
        Returns the highest log position written (0 when nothing was pending)."""
        written = {aggregate.id for aggregate in aggregates}
        seen = {id_: version for id_, version in unchanged.items() if id_ not in written}
        # What the library's Application.save does for an application without snapshots,
        # aggregate cache or event listeners, less its per-call machinery: this is the path
        # of every command.
        to_stored = self._mapper.to_stored_event
        stored = [to_stored(event) for aggregate in aggregates for event in aggregate.collect_events()]
        if not stored:
            return 0
        try:
            positions = self._recorder.insert_events(stored, unchanged=seen)
        except IntegrityError as error:
            self._cache.forget([*written, *seen])
            raise StoreConflict(str(error)) from error
        self._cache.refresh(a for a in aggregates if isinstance(a, Aggregate))
        return max(positions or (0,))

    def get(self, aggregate_id: UUID, kind: type[A], *, cached: bool = False) -> A:
        """The aggregate as the log has it now, or, with ``cached``, possibly as this process
        last saw it: a write decided on that must name it in ``append(unchanged=…)`` (or
        append to it), which refuses the write if it has moved on (``event_store.cache``)."""
        aggregate = self._cache.get(aggregate_id) if cached else None
        if aggregate is None:
            try:
                aggregate = self._app.repository.get(aggregate_id)
            except AggregateNotFoundError:
                raise NotFound(f"{kind.__name__.lower()} {aggregate_id} does not exist") from None
            if cached:
                self._cache.put(aggregate)
            else:
                self._cache.refresh([aggregate])
        if not isinstance(aggregate, kind):
            raise NotFound(f"{kind.__name__.lower()} {aggregate_id} does not exist")
        return aggregate

    def forget(self, aggregate_ids: Iterable[UUID]) -> None:
        """Load these afresh next time, whatever ``get(cached=True)`` remembers of them."""
        self._cache.forget(aggregate_ids)

    def events_of(self, aggregate_id: UUID) -> list[Any]:
        return list(self._app.events.get(aggregate_id))

    def exists(self, aggregate_id: UUID) -> bool:
        # The library answers with a lazy iterator, which is truthy even when empty.
        return next(iter(self._app.events.get(aggregate_id, limit=1)), None) is not None

    def existing(self, aggregate_ids: Iterable[UUID]) -> set[UUID]:
        """Which of these aggregates exist, in one query (a few for thousands): for a write
        that would otherwise ask ``exists`` once per record."""
        wanted = list(dict.fromkeys(aggregate_ids))
        return self._log.existing(wanted) if wanted else set()

    def head(self) -> int:
        return self._recorder.max_notification_id() or 0

    def read(
        self,
        after: int,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        mentions: Mentions | None = None,
    ) -> list[Recorded]:
        """The events after ``after`` (up to ``stop``; of ``topics`` when some are named),
        decoded. A rebuild's hot path: rows as they are stored, and the mapper's decoding without
        the intermediate notification objects. Events of classes that need upcasting, and states
        compressed or encrypted, take the mapper's own path.

        ``mentions``: an event of a topic named there whose stored state holds none of the
        values (as JSON text: the value in quotes) is not decoded but handed back as ``Unread``.
        The calendar reads every logged interaction to show the meetings, an eighth of them."""
        rows = self._log.stored_rows(after, limit, stop, topics)
        to_event = self._mapper.to_domain_event
        if not self._plain_mapper():
            return [Recorded(n, to_event(StoredEvent(o, v, t, bytes(s)))) for n, o, v, t, s in rows]
        decode = self._mapper.transcoder.decode
        encode = self._mapper.transcoder.encode
        sought = {topic: [encode(value) for value in values] for topic, values in (mentions or {}).items()}
        recorded = []
        for notification_id, originator_id, originator_version, topic, state in rows:
            cls = resolve_topic(topic)
            data = bytes(state)
            event: DomainEventProtocol[UUID]
            if getattr(cls, "class_version", 1) != 1:
                event = to_event(StoredEvent(originator_id, originator_version, topic, data))
            elif topic in sought and not any(value in data for value in sought[topic]):
                event = Unread(as_uuid(originator_id), originator_version)
            else:
                event_state: dict[str, Any] = decode(data)
                if "class_version" in event_state:
                    event = to_event(StoredEvent(originator_id, originator_version, topic, data))
                else:
                    event_state["originator_id"] = find_id_convertor(
                        cls, cast(Hashable, type(originator_id))
                    )(originator_id)
                    event_state["originator_version"] = originator_version
                    event = object.__new__(cls)
                    object.__setattr__(event, "__dict__", event_state)
            recorded.append(Recorded(notification_id, event))
        return recorded

    def _plain_mapper(self) -> bool:
        """Stored state is bare JSON: neither compressed nor encrypted."""
        return self._mapper.cipher is None and self._mapper.compressor is None

    @property
    def mapper(self) -> Mapper[UUID]:
        """Turns stored events into domain events and back; consumers of the relay decode with it."""
        return self._mapper

    def read_stored(self, after: int, limit: int) -> list[Notification]:
        """The log exactly as committed (state bytes untouched), for the Kafka relay."""
        return [
            Notification(id=n, originator_id=o, originator_version=v, topic=t, state=bytes(state))
            for n, o, v, t, state in self._log.stored_rows(after, limit)
        ]

    def position_of(self, aggregate_id: UUID, version: int) -> int:
        """The log position at which one event of an aggregate was recorded."""
        position = self._log.position_of(aggregate_id, version)
        if position is None:
            raise NotFound(f"event {aggregate_id}@{version} is not in the log")
        return position

    def links(self, after: int, limit: int) -> list[Link]:
        """The hash chain beside the log (``event_store.chain``), in position order."""
        return self._log.chain_links(after, limit)

    def links_of(self, aggregate_id: UUID) -> list[Link]:
        """The links of one aggregate's events, in version order: their positions and recorded times."""
        return self._log.links_of(aggregate_id)

    def position_known_at(self, moment: datetime) -> int:
        """The last position the log had recorded at ``moment`` (0: nothing yet)."""
        return self._log.position_recorded_by(micros(moment))

    def anchor(self) -> Anchor:
        """The chain's head, to be kept elsewhere and checked against later."""
        head = self.head()
        found = self._log.chain_links(head - 1, 1) if head else []
        return Anchor(found[0].position, found[0].hash) if found else Anchor(0, bytes(32))

    def verify(
        self, anchor: Anchor | None = None, batch: int = 10_000, progress: Callable[[int], None] | None = None
    ) -> Finding | None:
        """Check the whole log against its chain; the first position where they disagree."""

        def pages(read: Callable[[int], Sequence[Any]]) -> Iterator[Any]:
            after = 0
            while page := read(after):
                yield from page
                after = int(page[-1][0])

        events = pages(lambda after: self._log.stored_rows(after, batch))
        links = pages(lambda after: self.links(after, batch))
        return check(events, links, anchor, progress)

    def write_csv(self, after: int, upper: int, out: IO[bytes]) -> None:
        """The events after ``after`` and up to ``upper`` as CSV, in any order, one line each:
        position, aggregate id, its version, topic and the state as stored (JSON text), for a
        reader that loads millions of them at once. Values are quoted by ``CSV_QUOTE``
        (``event_store.recorders``). PostgreSQL writes it itself (COPY); the other stores are
        read a batch at a time."""
        self._log.write_csv(after, upper, out)

    def close(self) -> None:
        self._app.close()
