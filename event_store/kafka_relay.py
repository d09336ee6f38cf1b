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
instead of skipping it.

The topic. The relay creates it itself, with the settings a copy of the log needs, and
refuses to publish into one whose settings differ (``event_store.kafka_topic``).

Order. With one partition, the default, the topic holds the whole log in log order. With
more, Kafka keeps order per key only: each aggregate's events stay in order, and a consumer
that needs the global order merges the partitions on the position header
(``projections.kafka_source.KafkaEventSource`` does).

Where the relay's position lives. The relay keeps no checkpoint of its own: on start, and
again after every failure, it reads the position header of the last message of every
partition and resumes after the highest. A checkpoint kept anywhere else (a table, a
committed consumer offset) would be a second record of the same fact, and the two can
disagree: after a crash between the broker's acknowledgement and the checkpoint write the
relay would publish a batch twice; after the topic is recreated or loses data it would skip
what the topic no longer holds. The topic cannot disagree with itself. This relies on the
relay being the topic's only writer, publishing in log order, so that the last message of a
partition carries the highest position in it: run exactly one relay per topic.

Delivery. An idempotent producer with ``acks="all"`` and one request in flight stops the
broker from duplicating or reordering retried batches. Any error, whether raised by the
producer or reported for a record, ends the attempt: the relay closes the producer (which
settles every record it still holds within ``timeout`` seconds), forgets its position and
reads the topic's last one again, so a broker that came back empty gets the whole log again
from the first event, and the next batch goes through a new producer. It resumes after the
lower of the topic's last position and the last one acknowledged before the failure: a
batch the old producer delivered after an earlier one failed is published again rather
than leave a hole. Copies are harmless (consumers are idempotent on aggregate id and
version); a hole is not, and consumers stop at one (the previous-position chain) rather
than build views without those events.

Failing for good. ``run_forever`` backs off between failed attempts, logs one line per
attempt, and raises ``RelayGaveUp`` after a bounded number of failures in a row, so that a
relay that cannot make progress exits and its supervisor sees it; a misconfigured topic
raises ``TopicMisconfigured`` at once, since waiting will not fix it.
"""

import logging
import threading
import time
from collections.abc import Sequence
from contextlib import suppress
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError, KafkaTimeoutError
from kafka.producer.future import FutureRecordMetadata

from event_store.kafka_topic import WITHOUT_TOPIC_CREATION, ensure_log_topic
from event_store.store import EventStore

logger = logging.getLogger(__name__)

DEFAULT_TOPIC = "letopis.events"
POSITION_HEADER = "position"
TOPIC_HEADER = "topic"
VERSION_HEADER = "originator_version"
PREVIOUS_HEADER = "previous_position"

# Waits between failed attempts double from the idle interval up to this.
LONGEST_BACKOFF = 30.0


class RelayFailed(Exception):
    """Kafka did not acknowledge every event of a batch; the relay will send the rest again."""


class RelayGaveUp(Exception):
    """The relay failed too many times in a row to go on waiting for Kafka."""


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
    ends = consumer.end_offsets(list(partitions), timeout_ms=int(timeout * 1000))
    beginnings = consumer.beginning_offsets(list(partitions), timeout_ms=int(timeout * 1000))
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
        self._clients: dict[str, Any] = {
            "bootstrap_servers": bootstrap_servers.split(","),
            "bootstrap_timeout_ms": int(timeout * 1000),
            "request_timeout_ms": int(min(timeout, 30.0) * 1000),
        }
        self._producer: KafkaProducer | None = None
        self._position: int | None = None
        self._acknowledged_before_failure: int | None = None

    @property
    def position(self) -> int:
        """The log position up to which every event is in the topic."""
        if self._position is None:
            self._position = self._resume_position()
        return self._position

    def _resume_position(self) -> int:
        admin = KafkaAdminClient(client_id="letopis-relay-admin", **self._clients)
        try:
            ensure_log_topic(admin, self.topic, self.partitions, self.replication_factor)
        finally:
            admin.close()
        consumer = KafkaConsumer(
            client_id="letopis-relay-resume",
            group_id=None,
            enable_auto_commit=False,
            **self._clients,
            **WITHOUT_TOPIC_CREATION,
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
        acknowledged = self._acknowledged_before_failure
        if acknowledged is not None and acknowledged < position:
            logger.warning(
                "%s reaches log position %d though a batch after %d failed; publishing again from %d",
                self.topic,
                position,
                acknowledged,
                acknowledged,
            )
            position = acknowledged
        logger.info("relay resumes after log position %d in %s", position, self.topic)
        return position

    def _producer_for_batch(self) -> KafkaProducer:
        if self._producer is None:
            self._producer = KafkaProducer(
                client_id="letopis-relay",
                acks="all",
                enable_idempotence=True,
                # One request at a time: a retried batch can never overtake the next one.
                max_in_flight_requests_per_connection=1,
                delivery_timeout_ms=int(self.timeout * 1000),
                max_block_ms=int(self.timeout * 1000),
                **self._clients,
                **WITHOUT_TOPIC_CREATION,
            )
        return self._producer

    def _start_over(self, acknowledged: int) -> None:
        """After a failure nothing the relay knows about the topic is trusted: the producer
        goes, and the next attempt reads the topic's last position again."""
        producer, self._producer = self._producer, None
        if producer is not None:
            # Closing waits until every record the producer holds is delivered or has failed
            # (each within its delivery timeout), so none lands after the topic is read again.
            with suppress(KafkaError):
                producer.close(timeout=self.timeout)
        self._position = None
        self._acknowledged_before_failure = acknowledged

    def run_once(self) -> int:
        """Publish the next batch of the log; return how many events went out."""
        after = self.position
        batch = self.store.read_stored(after, self.batch_size)
        if not batch:
            return 0
        futures: list[FutureRecordMetadata] = []
        failure: BaseException | None = None
        previous = after
        try:
            producer = self._producer_for_batch()
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
        except KafkaError as error:
            failure = error
        acknowledged = after
        for notification, future in zip(batch, futures, strict=False):
            if not future.succeeded():
                failure = failure or future.exception
                break
            acknowledged = notification.id
        if acknowledged != batch[-1].id:
            self._start_over(acknowledged)
            raise RelayFailed(
                f"Kafka acknowledged the log up to position {acknowledged} of {batch[-1].id}: {failure}"
            ) from failure
        self._position = acknowledged
        logger.info("published log positions %d to %d to %s", batch[0].id, batch[-1].id, self.topic)
        return len(batch)

    def run_until_caught_up(self) -> int:
        """Publish batches until the log holds nothing new; return how many events went out."""
        published = 0
        while sent := self.run_once():
            published += sent
        return published

    def run_forever(self, stop: threading.Event, interval: float = 0.5, max_failures: int = 10) -> None:
        """Keep the topic current until ``stop`` is set, waiting ``interval`` seconds once idle.

        A failed attempt is logged in one line and followed by a wait that doubles from
        ``interval`` up to ``LONGEST_BACKOFF``; ``max_failures`` failures in a row raise
        ``RelayGaveUp``. ``TopicMisconfigured`` is raised at once."""
        failures = 0
        while not stop.is_set():
            try:
                sent = self.run_once()
            except (KafkaError, RelayFailed) as error:
                failures += 1
                if failures >= max_failures:
                    raise RelayGaveUp(
                        f"relay gave up on {self.topic} after {failures} failed attempts in a row; "
                        f"the last one: {error}"
                    ) from error
                backoff = min(interval * 2 ** (failures - 1), LONGEST_BACKOFF)
                logger.warning(
                    "relay attempt failed (%d of %d in a row), next in %.1f s: %s",
                    failures,
                    max_failures,
                    backoff,
                    error,
                )
                stop.wait(backoff)
                continue
            failures = 0
            if not sent:
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
