"""``crm relay``: publish the committed log to Kafka, in order."""

import logging
import signal
import threading
from typing import Annotated

import typer

from letopis.cli.shared import console

app = typer.Typer(help="Publishing the event log to Kafka.", no_args_is_help=True)

RELAY_GAVE_UP = 3
RELAY_TOPIC_MISCONFIGURED = 4


@app.command("run")
def run_relay(
    topic: Annotated[
        str | None, typer.Option(help="Kafka topic that receives the log", show_default="letopis.events")
    ] = None,
    partitions: Annotated[
        int, typer.Option(min=1, help="Partitions of the topic (events of one aggregate share one)")
    ] = 1,
    interval: Annotated[float, typer.Option(min=0.01, help="Seconds between looks at an idle log")] = 0.5,
    timeout: Annotated[float, typer.Option(min=0.1, help="Seconds one attempt waits for Kafka")] = 60.0,
    max_failures: Annotated[
        int, typer.Option(min=1, help="Failed attempts in a row after which the relay exits")
    ] = 10,
) -> None:
    """Publish the event log to Kafka (LETOPIS_KAFKA_BOOTSTRAP_SERVERS) in order, keyed by aggregate id.

    Creates the topic (--partitions, retention.ms=-1: kept forever); refuses one with other settings.

    A failed attempt is followed by a wait (doubling from --interval up to 30 s) and a fresh start
    from the topic's last position, so a broker that lost the topic gets the whole log again.

    Exit codes: 2 no brokers configured; 3 gave up after --max-failures failures in a row;
    4 the topic exists with other settings.
    """
    from event_store.kafka_relay import DEFAULT_TOPIC, KafkaRelay, RelayGaveUp
    from event_store.kafka_topic import TopicMisconfigured
    from event_store.store import EventStore
    from letopis.settings import Settings

    topic = topic or DEFAULT_TOPIC
    settings = Settings()
    if not settings.kafka_bootstrap_servers:
        console.print("LETOPIS_KAFKA_BOOTSTRAP_SERVERS is empty: set it to the brokers (host:port,…).")
        raise typer.Exit(2)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # The relay logs each failed attempt once, with the error it ended on; the client's own
    # reports of the same trouble come many times a second.
    logging.getLogger("kafka").setLevel(logging.CRITICAL)
    store = EventStore(settings.event_store_url(), settings.database_timeout)
    relay = KafkaRelay(
        store, settings.kafka_bootstrap_servers, topic=topic, partitions=partitions, timeout=timeout
    )
    stop = threading.Event()
    # As a container's first process the relay gets SIGTERM, whose default is ignored there.
    for stopping in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stopping, lambda _signal, _frame: stop.set())
    console.print(f"Relaying the log to {topic} on {settings.kafka_bootstrap_servers}; Ctrl+C stops it.")
    try:
        relay.run_forever(stop, interval, max_failures)
    except RelayGaveUp as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(RELAY_GAVE_UP) from None
    except TopicMisconfigured as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(RELAY_TOPIC_MISCONFIGURED) from None
    finally:
        relay.close()
        store.close()
