"""Reading the log on PostgreSQL stays cheap on a store the planner knows nothing about yet
(fresh or just bulk-loaded, before autovacuum analyzes it), and reads across gaps and
sparse topics miss nothing; on every store, a read of some topics gives exactly theirs."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from eventsourcing.domain import Aggregate, event
from psycopg.sql import SQL, Identifier

from event_store.postgres import split_schema
from event_store.postgres_recorder import READ_WINDOW_WITH_TOPICS, notifications_query
from event_store.store import EventStore, Unread
from tests.conftest import STORES, database_url

EVENTS = 40_000
TAGGED_EVERY = 40


class Note(Aggregate):
    @event("Written")
    def __init__(self, text: str) -> None:
        self.text = text

    @event("Tagged")
    def tag(self, tag: str) -> None:
        self.last_tag = tag


WRITTEN = f"{__name__}:Note.Written"
TAGGED = f"{__name__}:Note.Tagged"


@pytest.fixture
def bulk_loaded(postgres_schema_url: str) -> Iterator[tuple[EventStore, psycopg.Connection[Any], str]]:
    """A log loaded in one statement, as a bulk load writes it, with no planner statistics."""
    store = EventStore(postgres_schema_url)
    note = Note("образец")
    note.tag("образец")
    store.append(note)
    conninfo, schema = split_schema(postgres_schema_url)
    table = SQL("{}.{}").format(Identifier(schema), Identifier("letopis_events"))
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(SQL("ALTER TABLE {} SET (autovacuum_enabled = false)").format(table))
        connection.execute(
            SQL(
                "INSERT INTO {0} (originator_id, originator_version, topic, state) "
                "SELECT gen_random_uuid(), CASE WHEN g %% %s = 0 THEN 2 ELSE 1 END, "
                "CASE WHEN g %% %s = 0 THEN %s ELSE %s END, "
                "(SELECT state FROM {0} WHERE topic = CASE WHEN g %% %s = 0 THEN %s ELSE %s END LIMIT 1) "
                "FROM generate_series(1, %s) AS g"
            ).format(table),
            (TAGGED_EVERY, TAGGED_EVERY, TAGGED, WRITTEN, TAGGED_EVERY, TAGGED, WRITTEN, EVENTS),
        )
        yield store, connection, schema
    store.close()


def _rows_touched(plan: dict[str, Any]) -> int:
    """The most rows any node of an executed plan handled."""
    return max([plan.get("Actual Rows", 0), *(_rows_touched(child) for child in plan.get("Plans", []))])


@pytest.mark.postgres
def test_a_batch_of_the_log_touches_a_few_batches_worth_of_rows_without_statistics(bulk_loaded) -> None:
    store, connection, schema = bulk_loaded
    head = store.head()
    limit = 100
    window = limit * READ_WINDOW_WITH_TOPICS
    statement, params = notifications_query(schema, "letopis_events", 0, min(head, window), limit, [TAGGED])
    explained = connection.execute(SQL("EXPLAIN (ANALYZE, FORMAT JSON) ") + statement, params).fetchone()
    assert explained is not None
    plan = explained[0] if isinstance(explained[0], list) else json.loads(explained[0])
    assert _rows_touched(plan[0]["Plan"]) <= window < head


@pytest.mark.postgres
def test_reads_in_windows_miss_nothing_across_sparse_topics_and_gaps(bulk_loaded) -> None:
    store, connection, schema = bulk_loaded
    head = store.head()
    # A gap wider than any window, as rolled-back appends leave.
    connection.execute(
        SQL("DELETE FROM {}.letopis_events WHERE notification_id BETWEEN 1000 AND 9000").format(
            Identifier(schema)
        )
    )
    everything = [r.position for r in store.read(after=990, limit=20)]
    assert everything == [*range(991, 1000), *range(9001, 9012)]
    assert [r.position for r in store.read(after=head - 5, limit=100)] == list(range(head - 4, head + 1))
    assert store.read(after=head, limit=100) == []

    tagged = store.read(after=0, limit=300, stop=head, topics=[TAGGED])
    # The sample's two events came first; the loaded events follow from position 3.
    expected = [2, *(p for p in range(3, head + 1) if (p - 2) % TAGGED_EVERY == 0 and not 1000 <= p <= 9000)]
    assert [r.position for r in tagged] == expected[:300]
    assert {r.event.__class__.__qualname__ for r in tagged} == {"Note.Tagged"}
    assert getattr(tagged[-1].event, "tag") == "образец"  # noqa: B009


@pytest.mark.postgres
def test_the_relay_reads_the_log_as_committed_across_gaps(bulk_loaded) -> None:
    store, connection, schema = bulk_loaded
    connection.execute(
        SQL("DELETE FROM {}.letopis_events WHERE notification_id BETWEEN 1000 AND 9000").format(
            Identifier(schema)
        )
    )
    stored = store.read_stored(after=995, limit=10)
    assert [n.id for n in stored] == [996, 997, 998, 999, *range(9001, 9007)]
    assert all(isinstance(n.state, bytes) and n.topic in (WRITTEN, TAGGED) for n in stored)
    assert store.read_stored(after=store.head(), limit=10) == []


@pytest.mark.parametrize("kind", STORES)
def test_reading_some_topics_gives_theirs_in_order_between_two_positions_on_every_store(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    store = EventStore(database_url(kind, tmp_path, request))
    notes = [Note(f"заметка {n}") for n in range(30)]
    for n, note in enumerate(notes):
        if n % 3 == 0:
            note.tag("важное")
    store.append(*notes)
    head = store.head()
    everything = store.read(after=0, limit=head)
    tagged = [r.position for r in everything if type(r.event).__qualname__ == "Note.Tagged"]
    assert [r.position for r in store.read(after=0, limit=100, topics=[TAGGED])] == tagged
    both = store.read(after=tagged[1], limit=5, stop=head - 1, topics=[TAGGED, WRITTEN, TAGGED])
    assert [r.position for r in both] == list(range(tagged[1] + 1, tagged[1] + 6))
    assert store.read(after=tagged[-1], limit=10, topics=[TAGGED]) == []
    assert [r.position for r in store.read(after=0, limit=100, stop=tagged[2], topics=[TAGGED])] == tagged[:3]
    store.close()


@pytest.mark.parametrize("kind", STORES)
def test_events_that_mention_none_of_the_values_sought_keep_their_place_undecoded(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    store = EventStore(database_url(kind, tmp_path, request))
    notes = [
        Note(text) for text in ("встреча", 'call "встреча" later', "звонок", "встреча и звонок", "встреча")
    ]
    for note in notes:
        note.tag("переговоры" if note.text == "звонок" else "прочее")
    store.append(*notes)
    head = store.head()
    read = store.read(after=0, limit=head, topics=[WRITTEN, TAGGED], mentions={WRITTEN: ["встреча"]})
    assert [r.position for r in read] == list(range(1, head + 1))
    decoded = [getattr(r.event, "text", None) for r in read if type(r.event).__qualname__ == "Note.Written"]
    # The value must be a whole text of the state: within another, or quoted inside one, it is not there.
    assert decoded == ["встреча", "встреча"]
    unread = [r.event for r in read if isinstance(r.event, Unread)]
    assert [(u.originator_id, u.originator_version) for u in unread] == [(n.id, 1) for n in notes[1:4]]
    assert len([r for r in read if type(r.event).__qualname__ == "Note.Tagged"]) == len(notes)
    # Every value sought counts; and with none sought for a topic, its events are all decoded.
    both = store.read(after=0, limit=head, mentions={WRITTEN: ["встреча", "звонок"]})
    assert sum(isinstance(r.event, Unread) for r in both) == 2
    assert not any(isinstance(r.event, Unread) for r in store.read(after=0, limit=head))
    store.close()
