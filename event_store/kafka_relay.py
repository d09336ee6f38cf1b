"""Publishes the committed event log to Kafka, in log order, for consumers elsewhere.

Kafka is the distribution bus, not the source of truth: the relay copies what the event
store committed and never decides anything. Each stored event becomes one message:

- key: the aggregate id as text, so every event of one aggregate lands in one partition;
- value: the stored state bytes exactly as committed (a compressed or encrypted store
  stays so on the wire; consumers decode with the same mapper);
- headers: ``position`` (the log position), ``topic`` (the event class),
  ``originator_version`` (the event's version within its aggregate) and
  ``previous_position`` (the position of the event before it in the log, 0 for the first).

Log positions have gaps, so a consumer cannot tell a missing message from a gap by the
positions alone; the previous position chains every message to the one before it, so a
consumer hands out an event only once it has handed out its predecessor, and notices a hole
instead of skipping it. The topic keeps messages forever (``retention.ms=-1``): it is a copy
of the log, and a new consumer rebuilds its views from the first message.

Order. With one partition, the default, the topic holds the whole log in log order. With
more, Kafka keeps order per key only: each aggregate's events stay in order, and a consumer
that needs the global order merges the partitions on the position header
(``projections.kafka_source.KafkaEventSource`` does).

Where the relay's position lives. The relay keeps no checkpoint of its own: on start it
reads the position header of the last message of every partition and resumes after the
highest. A checkpoint kept anywhere else (a table, a committed consumer offset) would be a
second record of the same fact, and the two can disagree: after a crash between the
broker's acknowledgement and the checkpoint write the relay would publish a batch twice;
after the topic is recreated or loses data it would skip what the topic no longer holds.
The topic cannot disagree with itself. This relies on the relay being the topic's only
writer, publishing in log order, so that the last message of a partition carries the
highest position in it: run exactly one relay per topic.

Delivery. An idempotent producer with ``acks="all"`` and one request in flight stops the
broker from duplicating or reordering retried batches. If a send still fails, the relay
resumes after the last event that was acknowledged together with everything before it, so
a message the broker kept after the failure may appear twice (consumers are idempotent on
aggregate id and version) but none is skipped while the process lives. One window remains:
after a batch fails for good the producer still sends the batches it holds, so if a later one
is delivered and the process dies before re-sending the failed one, the restarted relay
resumes after the delivered one and the failed events are missing from the topic. It takes
a batch that failed past every retry (``timeout`` seconds of broker trouble) and a crash
before the next attempt; the relay logs every such failure, and consumers stop at the hole
(the previous-position chain) rather than build views without those events.
"""

import logging
import threading
import time
from collections.abc import Sequence
from contextlib import suppress

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError, KafkaTimeoutError, TopicAlreadyExistsError
from kafka.producer.future import FutureRecordMetadata

from event_store.store import EventStore

logger = logging.getLogger(__name__)

DEFAULT_TOPIC = "letopis.events"
POSITION_HEADER = "position"
TOPIC_HEADER = "topic"
VERSION_HEADER = "originator_version"
PREVIOUS_HEADER = "previous_position"


class RelayFailed(Exception):
    """Kafka did not acknowledge every event of a batch; the relay will send the rest again."""


def header(record: ConsumerRecord, name: str) -> bytes:
    for key, value in record.headers:
        if key == name:
            return bytes(value)
    raise KeyError(f"message {record.topic}/{record.partition}@{record.offset} has no {name!r} header")


def position_of(record: ConsumerRecord) -> int:
    return int(header(record, POSITION_HEADER))


def topic_partitions(consumer: KafkaConsumer, topic: str) -> list[TopicPartition]:
    """Every partition of the topic as the broker's metadata has it; none if it does not exist."""
    return [TopicPartition(topic, partition) for partition in sorted(consumer.partitions_for_topic(topic))]


def last_published_position(
    consumer: KafkaConsumer, partitions: Sequence[TopicPartition], timeout: float
) -> int:
    """The highest position among the last messages of the partitions; 0 when they are empty.

    The consumer is reassigned to the partitions for the look and left there."""
    ends = consumer.end_offsets(list(partitions))
    beginnings = consumer.beginning_offsets(list(partitions))
    filled = [tp for tp in partitions if ends[tp] > beginnings[tp]]
    consumer.assign(filled)
    for tp in filled:
        consumer.seek(tp, ends[tp] - 1)
    highest = 0
    deadline = time.monotonic() + timeout
    # Some brokers report the end of a partition as one past the first message of its last
    # record batch and hand out the whole batch from there: read up to the end and keep the
    # highest position seen, rather than trusting the single message before the end.
    while any(consumer.position(tp) < ends[tp] for tp in filled):
        if time.monotonic() > deadline:
            raise KafkaTimeoutError(f"could not read the last messages of {partitions} in {timeout} s")
        for records in consumer.poll(timeout_ms=200).values():
            highest = max([highest, *map(position_of, records)])
    return highest


class KafkaRelay:
    """Copies the event log to one Kafka topic, batch by batch, in log order."""

    def __init__(
        self,
        store: EventStore,
        bootstrap_servers: str,
        topic: str = DEFAULT_TOPIC,
        partitions: int = 1,
        replication_factor: int = 1,
        batch_size: int = 500,
        timeout: float = 60.0,
    ) -> None:
        self.store = store
        self.topic = topic
        self.partitions = partitions
        self.replication_factor = replication_factor
        self.batch_size = batch_size
        self.timeout = timeout
        self._servers = bootstrap_servers.split(",")
        self._producer: KafkaProducer | None = None
        self._position: int | None = None

    @property
    def position(self) -> int:
        """The log position up to which every event is in the topic."""
        if self._position is None:
            self._position = self._resume_position()
        return self._position

    def _resume_position(self) -> int:
        self._ensure_topic()
        consumer = KafkaConsumer(
            bootstrap_servers=self._servers,
            client_id="letopis-relay-resume",
            group_id=None,
            enable_auto_commit=False,
        )
        try:
            deadline = time.monotonic() + self.timeout
            partitions = topic_partitions(consumer, self.topic)
            # A topic created a moment ago may not be in every broker's metadata yet.
            while not partitions:
                if time.monotonic() > deadline:
                    raise KafkaTimeoutError(f"topic {self.topic} has no partitions")
                time.sleep(0.1)
                partitions = topic_partitions(consumer, self.topic)
            position = last_published_position(consumer, partitions, self.timeout)
        finally:
            consumer.close()
        logger.info("relay resumes after log position %d (the last one in %s)", position, self.topic)
        return position

    def _ensure_topic(self) -> None:
        admin = KafkaAdminClient(bootstrap_servers=self._servers, client_id="letopis-relay-admin")
        try:
            admin.create_topics(
                [
                    NewTopic(
                        self.topic,
                        self.partitions,
                        self.replication_factor,
                        topic_configs={"retention.ms": "-1"},
                    )
                ]
            )
        except TopicAlreadyExistsError:
            pass
        finally:
            admin.close()

    def _producer_for_batch(self) -> KafkaProducer:
        if self._producer is None:
            self._producer = KafkaProducer(
                bootstrap_servers=self._servers,
                client_id="letopis-relay",
                acks="all",
                enable_idempotence=True,
                # One request at a time: a retried batch can never overtake the next one.
                max_in_flight_requests_per_connection=1,
                delivery_timeout_ms=int(self.timeout * 1000),
                max_block_ms=int(self.timeout * 1000),
                request_timeout_ms=int(min(self.timeout, 30.0) * 1000),
            )
        return self._producer

    def _discard_producer(self) -> None:
        """Give up on a producer that refuses records; the next batch gets a fresh one."""
        producer, self._producer = self._producer, None
        if producer is not None:
            # Closing flushes first, and that fails while the broker is away; the records it
            # holds are re-sent from the acknowledged position anyway.
            with suppress(KafkaError):
                producer.close(timeout=0)

    def run_once(self) -> int:
        """Publish the next batch of the log; return how many events went out."""
        after = self.position
        batch = self.store.read_stored(after, self.batch_size)
        if not batch:
            return 0
        producer = self._producer_for_batch()
        try:
            # What a failed attempt left in the producer goes out (or fails) before anything
            # new, so the buffer does not fill with copies of a batch while the broker is away.
            producer.flush(timeout=self.timeout)
        except KafkaTimeoutError as waiting:
            raise RelayFailed(f"Kafka has not taken the previous batch in {self.timeout} s") from waiting
        futures: list[FutureRecordMetadata] = []
        failure: BaseException | None = None
        previous = after
        try:
            for notification in batch:
                futures.append(
                    producer.send(
                        self.topic,
                        key=str(notification.originator_id).encode(),
                        value=notification.state,
                        headers=[
                            (POSITION_HEADER, str(notification.id).encode()),
                            (TOPIC_HEADER, notification.topic.encode()),
                            (VERSION_HEADER, str(notification.originator_version).encode()),
                            (PREVIOUS_HEADER, str(previous).encode()),
                        ],
                    )
                )
                previous = notification.id
            producer.flush(timeout=self.timeout)
        except KafkaTimeoutError as error:
            # The broker is slow or away; the producer keeps retrying what it holds.
            failure = error
        except KafkaError as error:
            failure = error
            self._discard_producer()
        acknowledged = after
        for notification, future in zip(batch, futures, strict=False):
            if not future.succeeded():
                failure = failure or future.exception
                break
            acknowledged = notification.id
        self._position = acknowledged
        if acknowledged != batch[-1].id:
            raise RelayFailed(
                f"Kafka acknowledged the log up to position {acknowledged} of {batch[-1].id}: {failure}"
            ) from failure
        logger.info("published log positions %d to %d to %s", batch[0].id, batch[-1].id, self.topic)
        return len(batch)

    def run_until_caught_up(self) -> int:
        """Publish batches until the log holds nothing new; return how many events went out."""
        published = 0
        while sent := self.run_once():
            published += sent
        return published

    def run_forever(self, stop: threading.Event, interval: float = 0.5) -> None:
        """Keep the topic current until ``stop`` is set, waiting ``interval`` seconds once idle."""
        while not stop.is_set():
            try:
                if self.run_once():
                    continue
            except (KafkaError, RelayFailed):
                # The broker may come back: log, wait, and resume from the acknowledged position.
                logger.exception("relay could not publish to %s", self.topic)
            stop.wait(interval)

    def close(self) -> None:
        producer, self._producer = self._producer, None
        if producer is None:
            return
        try:
            producer.close(timeout=self.timeout)
        except KafkaTimeoutError:
            # Nothing is lost: the next relay resumes after the last position in the topic.
            logger.warning("relay closed with events Kafka had not acknowledged; they will be sent again")
