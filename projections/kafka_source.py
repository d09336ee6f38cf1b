"""Feeds the projection runner from the Kafka topic the relay writes, not from the store.

A projection worker on another machine reads the relay's topic and builds the same views
the local store would give: ``KafkaEventSource`` answers the runner's ``head()`` and
``read(after, limit, stop, topics)`` from the topic (see ``event_store.kafka_relay`` for
the message format).

- The reader never creates the topic (only the relay does, with the settings the log
  needs): a reader asking about it while it is missing would otherwise have the broker
  create it with its defaults.
- Partitions are assigned by hand, all of them: a consumer group would split the log
  between workers, while each worker needs all of it, and joining a group costs seconds.
  Where a reader stands lives in the views database (the runner's tracked positions),
  so no offsets are committed to Kafka either.
- Messages are handed out in log order. Each carries the position of the event before it
  in the log, so a message is handed out only after its predecessor: this merges several
  partitions into the one log order, and a message the relay has not delivered stops the
  reader (an error after ``timeout`` seconds) instead of being skipped.
- A message at or below the last position handed out is a copy of an event already
  handed out (the relay re-sends after a failed batch). One position holds one
  (aggregate id, version), so dropping those copies makes the reader idempotent on
  (aggregate id, version) without remembering every aggregate.
- Reading resumes where the last read stopped; a read from an earlier position (a
  rebuild) starts again from the beginning of the topic, since Kafka cannot seek by log
  position. Messages are decoded with the store's mapper only when handed out, and only
  for the event topics asked for.

Memory holds one batch, plus whatever one partition runs ahead of another.
"""

import heapq
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.persistence import Mapper, StoredEvent
from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from event_store.kafka_relay import (
    DEFAULT_TOPIC,
    PREVIOUS_HEADER,
    TOPIC_HEADER,
    VERSION_HEADER,
    header,
    last_published_position,
    position_of,
    topic_partitions,
)
from event_store.kafka_topic import WITHOUT_TOPIC_CREATION
from event_store.store import Mentions, Recorded


@dataclass(frozen=True)
class _Message:
    position: int
    previous: int
    aggregate_id: UUID
    version: int
    topic: str
    state: bytes

    @classmethod
    def of(cls, record: ConsumerRecord) -> "_Message":
        return cls(
            position=position_of(record),
            previous=int(header(record, PREVIOUS_HEADER)),
            aggregate_id=UUID(record.key.decode()),
            version=int(header(record, VERSION_HEADER)),
            topic=header(record, TOPIC_HEADER).decode(),
            state=bytes(record.value),
        )


class MissingFromTopic(Exception):
    """The topic lacks an event that the log has: the relay has not (yet) delivered it."""


class KafkaEventSource:
    def __init__(
        self,
        bootstrap_servers: str,
        mapper: Mapper[UUID],
        topic: str = DEFAULT_TOPIC,
        timeout: float = 30.0,
    ) -> None:
        self.topic = topic
        self.timeout = timeout
        self._mapper = mapper
        servers = bootstrap_servers.split(",")
        self._consumer = KafkaConsumer(
            bootstrap_servers=servers,
            client_id="letopis-projections",
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            **WITHOUT_TOPIC_CREATION,
        )
        # head() looks at the ends of the partitions without moving the reading consumer.
        self._probe = KafkaConsumer(
            bootstrap_servers=servers,
            client_id="letopis-projections-head",
            group_id=None,
            enable_auto_commit=False,
            **WITHOUT_TOPIC_CREATION,
        )
        self._partitions: list[TopicPartition] = []
        self._pending: list[tuple[int, int, _Message]] = []
        self._arrival = itertools.count()
        self._handed_out_through = 0

    def head(self) -> int:
        """The highest log position in the topic."""
        partitions = self._assigned_partitions()
        if not partitions:
            return 0
        return last_published_position(self._probe, partitions, self.timeout)

    def read(
        self,
        after: int,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        mentions: Mentions | None = None,
    ) -> list[Recorded]:
        """Up to ``limit`` events after position ``after`` and up to ``stop``, in log order;
        fewer only when none is left up to ``stop`` (default: the head of the topic). Every
        event is decoded: ``mentions`` is a hint this source does without."""
        if not self._assigned_partitions():
            return []
        if after < self._handed_out_through:
            self._rewind()
        stop = self.head() if stop is None else stop
        wanted = frozenset(topics)
        batch: list[Recorded] = []
        deadline = time.monotonic() + self.timeout
        while len(batch) < limit and self._handed_out_through < stop:
            message = self._next_in_log_order()
            if message is None:
                if time.monotonic() > deadline:
                    raise MissingFromTopic(self._missing(stop))
                self._fetch()
                continue
            if message.position <= after or (wanted and message.topic not in wanted):
                continue
            stored = StoredEvent(message.aggregate_id, message.version, message.topic, message.state)
            batch.append(Recorded(message.position, self._mapper.to_domain_event(stored)))
        return batch

    def _assigned_partitions(self) -> list[TopicPartition]:
        """All partitions of the topic, assigned once it exists; reading starts at the beginning.

        Partitions added to the topic later are not picked up: adding partitions moves keys
        between them and breaks the per-aggregate order anyway."""
        if not self._partitions:
            found = topic_partitions(self._consumer, self.topic)
            if found:
                self._consumer.assign(found)
                self._consumer.seek_to_beginning()
                self._partitions = found
        return self._partitions

    def _rewind(self) -> None:
        self._consumer.seek_to_beginning()
        self._pending.clear()
        self._handed_out_through = 0

    def _fetch(self) -> None:
        for records in self._consumer.poll(timeout_ms=100).values():
            for record in records:
                message = _Message.of(record)
                heapq.heappush(self._pending, (message.position, next(self._arrival), message))

    def _next_in_log_order(self) -> _Message | None:
        """The message that follows the last one handed out, once it has arrived; copies of
        messages already handed out are dropped on the way."""
        while self._pending:
            message = self._pending[0][2]
            if message.position <= self._handed_out_through:
                heapq.heappop(self._pending)
                continue
            if message.previous != self._handed_out_through:
                return None
            heapq.heappop(self._pending)
            self._handed_out_through = message.position
            return message
        return None

    def _missing(self, stop: int) -> str:
        waiting = f"; the next message in the topic is at {self._pending[0][0]}" if self._pending else ""
        return (
            f"{self.topic} holds nothing after log position {self._handed_out_through} "
            f"within {self.timeout} s, though it reaches {stop}{waiting}"
        )

    def close(self) -> None:
        self._consumer.close()
        self._probe.close()
