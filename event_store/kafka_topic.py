"""The relay's topic: created with the settings a copy of the log needs, and never by accident.

The topic is a copy of the log, and a new consumer rebuilds its views from its first
message, so it must keep every message (``retention.ms=-1``, ``cleanup.policy=delete``: a
compacted topic would keep only the last event of each aggregate) in the partitioning the
relay publishes for. The relay creates it itself before any producer for it exists, and
refuses to publish into an existing topic whose partition count or those settings differ,
whoever created it.

A metadata request asks the broker to create a topic it does not know, with the broker's
defaults (several partitions, limited retention), unless the client says otherwise; every
producer and consumer of the topic says otherwise (``WITHOUT_TOPIC_CREATION``), so a client
that asks about the topic while it is missing (after the broker lost its data, say) cannot
create it wrongly before the relay creates it rightly.

A setting the broker does not report counts as not set. Kafka reports every setting of a
topic, its defaults included; Tansu (the tests' broker) reports only the settings a topic
was created with, so there a topic created without them, by hand or by auto-creation, is
refused even where the broker's default would have done. The replication factor is not
checked: it only decides how many broker failures the copy survives, and is the
operator's to raise.
"""

from collections.abc import Mapping
from contextlib import suppress
from typing import Any

from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType
from kafka.errors import NoError, TopicAlreadyExistsError, for_code
from kafka.net.compat import KafkaNetClient

LOG_TOPIC_CONFIGS = {"retention.ms": "-1", "cleanup.policy": "delete"}


class TopicMisconfigured(Exception):
    """The topic exists with settings under which it cannot hold a copy of the log."""


def _client_without_topic_creation(**configs: Any) -> KafkaNetClient:
    client = KafkaNetClient(**configs)
    # kafka-python 3.0.12 accepts allow_auto_create_topics but never passes it on to the
    # cluster metadata its requests are built from, so each metadata request naming a topic
    # asks the broker to create it: carry the option over by hand.
    client.cluster.config["allow_auto_create_topics"] = configs["allow_auto_create_topics"]
    return client


WITHOUT_TOPIC_CREATION: Mapping[str, Any] = {
    "allow_auto_create_topics": False,
    "kafka_client": _client_without_topic_creation,
}


def _settings(partitions: int, configs: Mapping[str, str | None]) -> str:
    described = [f"{partitions} partition{'' if partitions == 1 else 's'}"]
    described += [f"{name}={value}" if value else f"{name} not reported" for name, value in configs.items()]
    return ", ".join(described)


def ensure_log_topic(admin: KafkaAdminClient, topic: str, partitions: int, replication_factor: int) -> None:
    """Create the topic with the settings the log needs, or check that the existing one has them."""
    with suppress(TopicAlreadyExistsError):
        admin.create_topics(
            {
                topic: {
                    "num_partitions": partitions,
                    "replication_factor": replication_factor,
                    "configs": LOG_TOPIC_CONFIGS,
                }
            },
            wait_for_metadata=True,
        )
    [description] = admin.describe_topics([topic])
    error = for_code(description["error_code"])
    if error is not NoError:
        raise error(f"topic {topic} cannot be described")
    reported = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)], config_filter="all")
    configs = reported.get("topic", {}).get(topic, {})
    found_configs = {name: configs.get(name, {}).get("value") for name in LOG_TOPIC_CONFIGS}
    found_partitions = len(description["partitions"])
    if (found_partitions, found_configs) != (partitions, LOG_TOPIC_CONFIGS):
        raise TopicMisconfigured(
            f"Kafka topic {topic!r} has {_settings(found_partitions, found_configs)}, but the relay "
            f"publishes the log only into a topic with {_settings(partitions, LOG_TOPIC_CONFIGS)}: "
            "delete the topic so that the relay creates it, or name another one"
        )
