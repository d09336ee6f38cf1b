"""The Kafka relay and the projection source that reads its topic, against a real broker."""

import logging
import threading
import time
import uuid
from contextlib import suppress

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import KafkaError
from typer.testing import CliRunner

from commands.contact_commands import RegisterContact
from commands.counterparty_commands import (
    ChangeCounterpartyProfile,
    RateCounterparty,
    RegisterCounterparty,
)
from commands.interaction_commands import (
    CorrectInteraction,
    LogInteraction,
)
from event_store.kafka_relay import (
    PREVIOUS_HEADER,
    TOPIC_HEADER,
    VERSION_HEADER,
    KafkaRelay,
    RelayFailed,
    RelayGaveUp,
    header,
    position_of,
)
from event_store.kafka_topic import LOG_TOPIC_CONFIGS, TopicMisconfigured
from letopis.cli import app
from letopis.wiring import Letopis
from projections.counterparty_register import CounterpartyRegister
from projections.kafka_source import KafkaEventSource, MissingFromTopic
from projections.reading import EventSource
from projections.relationship_history import RelationshipHistory
from projections.runner import ProjectionRunner
from projections.sqlite import SqliteViews
from tests.kafka_broker import tansu_broker


@pytest.fixture
def store_kind() -> str:
    """The embedded store: real persistence with gap-aware positions, and no server to wait for."""
    return "sqlite"


@pytest.fixture
def topic() -> str:
    return f"letopis.test.{uuid.uuid4().hex[:12]}"


PHONE = "+7 (495) 123-45-67"


def add_clients(letopis: Letopis, staff, count: int) -> None:
    """Clients with contacts, interactions, corrections and changes, through the commands."""
    ivanov, petrova = staff["ivanov"][0], staff["petrova"][0]
    service = letopis.service
    for number in range(count):
        card = RegisterCounterparty(name=f"ООО «Груз-{number}»", region="Казань", phones=[PHONE])
        client = service.run(ivanov, card).id
        service.run(ivanov, RegisterContact(counterparty_id=client, full_name=f"Лена {number}"))
        details = {"kind": "call", "direction": "incoming", "duration_seconds": 30}
        call = service.run(
            petrova, LogInteraction(counterparty_id=client, subject=f"Звонок {number}", details=details)
        ).id
        service.run(petrova, CorrectInteraction(reason="Опечатка", subject="Звонок"), call)
        service.run(ivanov, ChangeCounterpartyProfile(region="Москва"), client)
        service.run(ivanov, RateCounterparty(rating=number % 6), client)


def published(bootstrap: str, topic: str) -> list:
    """Every message in the topic, partition by partition, in offset order."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
        consumer.assign(partitions)
        consumer.seek_to_beginning()
        ends = consumer.end_offsets(partitions)
        records: dict[TopicPartition, list] = {tp: [] for tp in partitions}
        deadline = time.monotonic() + 10
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            assert time.monotonic() < deadline, "the topic could not be read in 10 s"
            for tp, batch in consumer.poll(timeout_ms=200).items():
                records[tp].extend(batch)
        return [record for tp in partitions for record in records[tp]]
    finally:
        consumer.close()


def topics_of(bootstrap: str) -> list[str]:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        return list(admin.list_topics())
    finally:
        admin.close()


def views_of(source: EventSource, batch_size: int = 2000) -> tuple[ProjectionRunner, SqliteViews]:
    views = SqliteViews(":memory:")
    runner = ProjectionRunner(source, views, [RelationshipHistory(), CounterpartyRegister()], batch_size)
    runner.create_tables()
    return runner, views


def rows(runner: ProjectionRunner) -> dict[str, list[tuple]]:
    tables = [table.name for projection in runner.projections for table in projection.tables]
    with runner.database.reading() as cursor:
        return {t: sorted(map(tuple, cursor.execute(f"SELECT * FROM {t}")), key=repr) for t in tables}


@pytest.mark.kafka
def test_the_relay_publishes_every_event_once_in_log_order_keyed_by_aggregate(
    letopis, staff, kafka_bootstrap, topic
):
    add_clients(letopis, staff, 3)
    relay = KafkaRelay(letopis.store, kafka_bootstrap, topic=topic, batch_size=7)
    try:
        sent = relay.run_until_caught_up()
    finally:
        relay.close()
    log = letopis.store.read_stored(0, 10_000)
    messages = published(kafka_bootstrap, topic)

    assert sent == len(log) == len(messages)
    assert relay.position == letopis.store.head()
    assert [position_of(m) for m in messages] == [n.id for n in log]
    assert [int(header(m, PREVIOUS_HEADER)) for m in messages] == [0, *[n.id for n in log][:-1]]
    for message, notification in zip(messages, log, strict=True):
        assert message.key == str(notification.originator_id).encode()
        assert message.value == notification.state
        assert header(message, TOPIC_HEADER).decode() == notification.topic
        assert int(header(message, VERSION_HEADER)) == notification.originator_version


@pytest.mark.kafka
def test_with_several_partitions_each_aggregate_keeps_one_partition_and_its_order(
    letopis, staff, kafka_bootstrap, topic
):
    add_clients(letopis, staff, 3)
    relay = KafkaRelay(letopis.store, kafka_bootstrap, topic=topic, partitions=3)
    try:
        relay.run_until_caught_up()
    finally:
        relay.close()
    messages = published(kafka_bootstrap, topic)
    partitions_of_key: dict[bytes, set[int]] = {}
    for message in messages:
        partitions_of_key.setdefault(message.key, set()).add(message.partition)
    positions_by_partition: dict[int, list[int]] = {}
    for message in messages:
        positions_by_partition.setdefault(message.partition, []).append(position_of(message))

    assert sorted(position_of(m) for m in messages) == [n.id for n in letopis.store.read_stored(0, 10_000)]
    assert all(len(partitions) == 1 for partitions in partitions_of_key.values())
    assert len(positions_by_partition) > 1
    assert all(positions == sorted(positions) for positions in positions_by_partition.values())


@pytest.mark.kafka
def test_a_restarted_relay_resumes_after_the_last_position_in_the_topic(
    letopis, staff, kafka_bootstrap, topic
):
    first = KafkaRelay(letopis.store, kafka_bootstrap, topic=topic)
    try:
        first.run_until_caught_up()
    finally:
        first.close()
    head_before = letopis.store.head()
    add_clients(letopis, staff, 2)

    second = KafkaRelay(letopis.store, kafka_bootstrap, topic=topic, batch_size=5)
    try:
        assert second.position == head_before
        second.run_until_caught_up()
        assert second.run_once() == 0
    finally:
        second.close()

    positions = [position_of(m) for m in published(kafka_bootstrap, topic)]
    assert positions == [n.id for n in letopis.store.read_stored(0, 10_000)]


@pytest.mark.kafka
def test_the_relay_keeps_publishing_what_is_committed_until_stopped(letopis, staff, kafka_bootstrap, topic):
    relay = KafkaRelay(letopis.store, kafka_bootstrap, topic=topic)
    stop = threading.Event()
    running = threading.Thread(target=relay.run_forever, args=(stop, 0.05))
    running.start()
    try:
        add_clients(letopis, staff, 1)
        head = letopis.store.head()
        deadline = time.monotonic() + 10
        while relay.position < head:
            assert time.monotonic() < deadline, "the relay did not catch up in 10 s"
            time.sleep(0.05)
    finally:
        stop.set()
        running.join(timeout=10)
        relay.close()

    assert not running.is_alive()
    assert [position_of(m) for m in published(kafka_bootstrap, topic)][-1] == head


@pytest.mark.kafka
@pytest.mark.parametrize("partitions", [1, 3])
def test_views_fed_from_kafka_equal_views_fed_from_the_store(
    letopis, staff, kafka_bootstrap, topic, partitions
):
    add_clients(letopis, staff, 3)
    relay = KafkaRelay(letopis.store, kafka_bootstrap, topic=topic, partitions=partitions)
    source = KafkaEventSource(kafka_bootstrap, letopis.store.mapper, topic=topic)
    local, local_views = views_of(letopis.store)
    remote, remote_views = views_of(source, batch_size=4)
    try:
        relay.run_until_caught_up()
        local.catch_up()
        assert remote.catch_up() == local.reflected_position() == letopis.store.head()
        assert rows(remote) == rows(local)
        assert rows(local)["history_entries"], "the scenario left the views empty"

        add_clients(letopis, staff, 2)
        relay.run_until_caught_up()
        local.catch_up()
        remote.catch_up()
        assert rows(remote) == rows(local)

        remote.rebuild()
        assert rows(remote) == rows(local)
    finally:
        relay.close()
        source.close()
        local_views.close()
        remote_views.close()


@pytest.mark.kafka
def test_a_broker_that_comes_back_empty_gets_the_whole_log_again_once_and_in_order(letopis, staff, topic):
    add_clients(letopis, staff, 2)
    with tansu_broker() as broker:
        relay = KafkaRelay(letopis.store, broker.address, topic=topic, batch_size=7, timeout=2)
        source = KafkaEventSource(broker.address, letopis.store.mapper, topic=topic, timeout=2)
        local, local_views = views_of(letopis.store)
        remote, remote_views = views_of(source, batch_size=5)
        try:
            relay.run_until_caught_up()
            remote.catch_up()
            broker.replace_with_empty()
            add_clients(letopis, staff, 1)
            # A reader that asks about the topic while it is missing must not get it created. It
            # finds the topic empty or gets no answer, as its metadata has caught up or not.
            with suppress(KafkaError):
                source.head()
            assert topic not in topics_of(broker.address)
            with pytest.raises(RelayFailed):
                relay.run_once()
            relay.run_until_caught_up()
            messages = published(broker.address, topic)
            local.catch_up()
            remote.catch_up()
            assert rows(remote) == rows(local)
        finally:
            relay.close()
            source.close()
            local_views.close()
            remote_views.close()
    log = [n.id for n in letopis.store.read_stored(0, 10_000)]

    assert {m.partition for m in messages} == {0}
    assert [position_of(m) for m in messages] == log
    assert [int(header(m, PREVIOUS_HEADER)) for m in messages] == [0, *log[:-1]]


def copy_messages(bootstrap: str, topic: str, messages: list) -> None:
    """Send messages again exactly as they are, as a relay does after a failed batch."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    try:
        for message in messages:
            producer.send(
                topic,
                key=message.key,
                value=message.value,
                headers=list(message.headers),
                partition=message.partition,
            )
        producer.flush(timeout=10)
    finally:
        producer.close(timeout=10)


@pytest.mark.kafka
def test_copies_of_published_events_are_handed_out_once(letopis, staff, kafka_bootstrap, topic):
    add_clients(letopis, staff, 2)
    relay = KafkaRelay(letopis.store, kafka_bootstrap, topic=topic)
    relay.run_until_caught_up()
    relay.close()
    copy_messages(kafka_bootstrap, topic, published(kafka_bootstrap, topic)[10:])
    add_clients(letopis, staff, 1)
    restarted = KafkaRelay(letopis.store, kafka_bootstrap, topic=topic)
    restarted.run_until_caught_up()
    restarted.close()
    log = [n.id for n in letopis.store.read_stored(0, 10_000)]
    assert len(published(kafka_bootstrap, topic)) > len(log)

    source = KafkaEventSource(kafka_bootstrap, letopis.store.mapper, topic=topic)
    local, local_views = views_of(letopis.store)
    remote, remote_views = views_of(source, batch_size=6)
    try:
        assert source.head() == log[-1]
        assert [r.position for r in source.read(after=0, limit=10_000, stop=log[-1])] == log
        local.catch_up()
        remote.catch_up()
        assert rows(remote) == rows(local)
    finally:
        source.close()
        local_views.close()
        remote_views.close()


@pytest.mark.kafka
def test_a_message_missing_from_the_topic_stops_the_reader(letopis, staff, kafka_bootstrap, topic):
    relay = KafkaRelay(letopis.store, kafka_bootstrap, topic=topic)
    relay.run_until_caught_up()
    relay.close()
    holed = f"{topic}.holed"
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    admin.create_topics([NewTopic(holed, 1, 1)])
    admin.close()
    messages = published(kafka_bootstrap, topic)
    copy_messages(kafka_bootstrap, holed, messages[:3] + messages[4:])

    source = KafkaEventSource(kafka_bootstrap, letopis.store.mapper, topic=holed, timeout=1)
    try:
        before_hole = source.read(after=0, limit=3)
        with pytest.raises(MissingFromTopic):
            source.read(after=before_hole[-1].position, limit=100, stop=source.head())
    finally:
        source.close()

    assert [r.position for r in before_hole] == [position_of(m) for m in messages[:3]]


def test_relay_run_refuses_to_start_without_brokers(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("LETOPIS_KAFKA_BOOTSTRAP_SERVERS", "")
    monkeypatch.setenv("LETOPIS_DATABASE_URL", "memory://")
    result = CliRunner().invoke(app, ["relay", "run"])

    assert result.exit_code == 2
    assert "LETOPIS_KAFKA_BOOTSTRAP_SERVERS" in result.output


def create_topic(bootstrap: str, topic: str, partitions: int, configs: dict[str, str]) -> None:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics(
            {topic: {"num_partitions": partitions, "replication_factor": 1, "configs": configs}}
        )
    finally:
        admin.close()


EXPECTED = "1 partition, retention.ms=-1, cleanup.policy=delete"


@pytest.mark.kafka
@pytest.mark.parametrize(
    ("relay_partitions", "partitions", "configs", "found", "expected"),
    [
        (1, 3, LOG_TOPIC_CONFIGS, "3 partitions, retention.ms=-1, cleanup.policy=delete", EXPECTED),
        (
            3,
            1,
            LOG_TOPIC_CONFIGS,
            "1 partition, retention.ms=-1, cleanup.policy=delete",
            "3 partitions, retention.ms=-1, cleanup.policy=delete",
        ),
        (
            1,
            1,
            {"retention.ms": "604800000", "cleanup.policy": "delete"},
            "1 partition, retention.ms=604800000, cleanup.policy=delete",
            EXPECTED,
        ),
        (
            1,
            1,
            {"retention.ms": "-1", "cleanup.policy": "compact"},
            "1 partition, retention.ms=-1, cleanup.policy=compact",
            EXPECTED,
        ),
        (1, 1, {}, "1 partition, retention.ms not reported, cleanup.policy not reported", EXPECTED),
    ],
)
def test_a_topic_with_other_settings_is_refused_naming_what_was_found_and_what_is_needed(
    letopis, staff, kafka_bootstrap, topic, relay_partitions, partitions, configs, found, expected
):
    add_clients(letopis, staff, 1)
    create_topic(kafka_bootstrap, topic, partitions, configs)
    relay = KafkaRelay(letopis.store, kafka_bootstrap, topic=topic, partitions=relay_partitions)
    try:
        with pytest.raises(TopicMisconfigured) as refused:
            relay.run_once()
    finally:
        relay.close()

    assert str(refused.value) == (
        f"Kafka topic {topic!r} has {found}, but the relay publishes the log only into a topic with "
        f"{expected}: delete the topic so that the relay creates it, or name another one"
    )
    assert published(kafka_bootstrap, topic) == []


@pytest.mark.kafka
def test_a_topic_the_broker_created_with_its_defaults_is_refused(letopis, staff, kafka_bootstrap, topic):
    add_clients(letopis, staff, 1)
    # A client that lets its metadata requests create topics, as clients do unless told otherwise.
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    producer.partitions_for(topic)
    producer.close(timeout=10)
    relay = KafkaRelay(letopis.store, kafka_bootstrap, topic=topic)
    try:
        with pytest.raises(TopicMisconfigured, match=r"retention\.ms not reported"):
            relay.run_once()
    finally:
        relay.close()


@pytest.mark.kafka
def test_a_relay_whose_broker_is_gone_gives_up_after_its_failures_logging_one_line_each(
    letopis, staff, caplog: pytest.LogCaptureFixture
):
    add_clients(letopis, staff, 1)
    with tansu_broker() as broker:
        gone = broker.address
    relay = KafkaRelay(letopis.store, gone, timeout=0.5)
    with (
        caplog.at_level(logging.INFO, logger="event_store.kafka_relay"),
        pytest.raises(
            RelayGaveUp, match=r"^relay gave up on letopis\.events after 3 failed attempts in a row"
        ),
    ):
        relay.run_forever(threading.Event(), interval=0.01, max_failures=3)
    relay.close()
    lines = [record for record in caplog.records if record.name == "event_store.kafka_relay"]

    assert [record.getMessage().split(":")[0] for record in lines] == [
        "relay attempt failed (1 of 3 in a row), next in 0.0 s",
        "relay attempt failed (2 of 3 in a row), next in 0.0 s",
    ]
    assert all(record.exc_info is None and "\n" not in record.getMessage() for record in lines)


@pytest.mark.kafka
def test_relay_run_exits_with_its_own_code_when_it_gives_up(letopis, monkeypatch: pytest.MonkeyPatch):
    with tansu_broker() as broker:
        gone = broker.address
    monkeypatch.setenv("LETOPIS_KAFKA_BOOTSTRAP_SERVERS", gone)
    monkeypatch.setenv("LETOPIS_DATABASE_URL", "memory://")
    result = CliRunner().invoke(
        app, ["relay", "run", "--max-failures", "2", "--interval", "0.01", "--timeout", "0.5"]
    )

    assert result.exit_code == 3
    assert result.output.splitlines()[-1].startswith(
        "relay gave up on letopis.events after 2 failed attempts in a row; the last one: "
    )


@pytest.mark.kafka
def test_relay_run_exits_at_once_with_its_own_code_on_a_misconfigured_topic(
    kafka_bootstrap, topic, monkeypatch: pytest.MonkeyPatch
):
    create_topic(kafka_bootstrap, topic, 3, LOG_TOPIC_CONFIGS)
    monkeypatch.setenv("LETOPIS_KAFKA_BOOTSTRAP_SERVERS", kafka_bootstrap)
    monkeypatch.setenv("LETOPIS_DATABASE_URL", "memory://")
    result = CliRunner().invoke(app, ["relay", "run", "--topic", topic, "--max-failures", "100"])

    assert result.exit_code == 4
    assert result.output.splitlines()[-1].startswith(
        f"Kafka topic {topic!r} has 3 partitions, retention.ms=-1, cleanup.policy=delete, but the relay"
    )
