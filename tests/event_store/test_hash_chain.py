"""The hash chain beside the log: rows edited, deleted, inserted or reordered directly in the
database are caught at the first position they touch; a log written before the chain is
linked when opened; an anchor catches a chain rewritten from some point on."""

import sqlite3
from collections.abc import Callable, Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import psycopg
import pytest
from eventsourcing.domain import Aggregate, event
from psycopg.sql import SQL, Identifier

from event_store.chain import Anchor
from event_store.postgres import split_schema
from event_store.postgres_recorder import BULK_APPEND, LINK_BATCH
from event_store.store import EventStore
from tests.conftest import database_url

EVENTS = 6


class Note(Aggregate):
    @event("Written")
    def __init__(self, text: str) -> None:
        self.text = text


Execute = Callable[[str, tuple[Any, ...]], list[tuple[Any, ...]]]
"""Runs one statement on the stored log; ``{log}`` and ``{chain}`` name its two tables and
``{pos}`` its position column."""


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def stored(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[EventStore, Execute]]:
    url = database_url(request.param, tmp_path, request)
    store = EventStore(url)
    for number in range(EVENTS):
        store.append(Note(f"запись {number}"))
    if request.param == "sqlite":
        connection = sqlite3.connect(str(tmp_path / "events.sqlite"), isolation_level=None)

        def on_sqlite(statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
            sql = statement.format(log="stored_events", chain="stored_events_chain", pos="rowid")
            return connection.execute(sql.replace("%s", "?"), params).fetchall()

        yield store, on_sqlite
        connection.close()
    else:
        conninfo, schema = split_schema(url)
        with psycopg.connect(conninfo, autocommit=True) as pg:

            def on_postgres(statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
                sql = SQL(statement).format(
                    log=Identifier(schema, "letopis_events"),
                    chain=Identifier(schema, "letopis_events_chain"),
                    pos=Identifier("notification_id"),
                )
                cursor = pg.execute(sql, params)
                return cursor.fetchall() if cursor.description else []

            yield store, on_postgres
    store.close()


def found(store: EventStore, anchor: Anchor | None = None) -> tuple[int, str]:
    finding = store.verify(anchor)
    assert finding is not None, "the chain did not catch the change"
    return finding.position, finding.breach


def test_an_untouched_log_verifies(stored: tuple[EventStore, Execute]) -> None:
    store, _ = stored
    assert store.verify() is None
    assert store.verify(store.anchor()) is None
    assert store.anchor().position == EVENTS


def test_an_edited_event_is_caught_where_it_stands(stored: tuple[EventStore, Execute]) -> None:
    store, execute = stored
    [(state,)] = execute("SELECT state FROM {log} WHERE {pos} = %s", (3,))
    forged = bytes(state).replace("запись 2".encode(), "запись 9".encode())
    execute("UPDATE {log} SET state = %s WHERE {pos} = %s", (forged, 3))
    assert found(store) == (3, "edited")


def test_a_deleted_event_is_caught(stored: tuple[EventStore, Execute]) -> None:
    store, execute = stored
    execute("DELETE FROM {log} WHERE {pos} = %s", (4,))
    assert found(store) == (4, "deleted")


def test_an_event_deleted_with_its_link_still_breaks_the_chain(stored: tuple[EventStore, Execute]) -> None:
    store, execute = stored
    execute("DELETE FROM {log} WHERE {pos} = %s", (4,))
    execute("DELETE FROM {chain} WHERE position = %s", (4,))
    assert found(store)[0] == 5


def test_an_inserted_event_is_caught(stored: tuple[EventStore, Execute]) -> None:
    store, execute = stored
    [(state,)] = execute("SELECT state FROM {log} WHERE {pos} = %s", (2,))
    execute(
        "INSERT INTO {log} ({pos}, originator_id, originator_version, topic, state) "
        "SELECT %s, originator_id, 7, topic, %s FROM {log} WHERE {pos} = %s",
        (EVENTS + 10, state, 5),
    )
    assert found(store) == (EVENTS + 10, "inserted")


def test_reordered_events_are_caught(stored: tuple[EventStore, Execute]) -> None:
    store, execute = stored
    execute("UPDATE {log} SET {pos} = %s WHERE {pos} = %s", (1000, 2))
    execute("UPDATE {log} SET {pos} = %s WHERE {pos} = %s", (2, 5))
    execute("UPDATE {log} SET {pos} = %s WHERE {pos} = %s", (5, 1000))
    assert found(store) == (2, "reordered")


def test_a_chain_cut_short_is_caught_by_the_anchor(stored: tuple[EventStore, Execute]) -> None:
    store, execute = stored
    anchor = store.anchor()
    # Deleting the last events and their links leaves a chain that is whole in itself.
    execute("DELETE FROM {log} WHERE {pos} > %s", (EVENTS - 2,))
    execute("DELETE FROM {chain} WHERE position > %s", (EVENTS - 2,))
    assert store.verify() is None
    assert found(store, anchor) == (EVENTS, "deleted")
    assert store.verify(Anchor(EVENTS - 2, anchor.hash)) is not None


def test_a_log_written_before_the_chain_is_linked_when_opened(stored: tuple[EventStore, Execute]) -> None:
    store, execute = stored
    before = store.links(0, EVENTS)
    execute("DELETE FROM {chain} WHERE position > %s", (2,))
    store.close()
    url = store.url
    reopened = EventStore(url)
    try:
        after = reopened.links(0, EVENTS)
        assert [link.position for link in after] == list(range(1, EVENTS + 1))
        assert after[:2] == before[:2]
        assert all(a.recorded_us <= b.recorded_us for a, b in pairwise(after))
        assert reopened.verify() is None
        reopened.append(Note("после"))
        assert reopened.verify() is None
    finally:
        reopened.close()


def test_an_append_of_thousands_is_linked_as_every_append_is(stored: tuple[EventStore, Execute]) -> None:
    store, _ = stored
    # Past the size copied in, and over more than one batch of links.
    notes = [Note(f"импорт {number}") for number in range(max(BULK_APPEND, 2 * LINK_BATCH) + 1)]
    assert store.append(*notes) == EVENTS + len(notes)
    store.append(Note("после импорта"))
    links = store.links(0, 2 * len(notes))
    assert [link.position for link in links] == list(range(1, EVENTS + len(notes) + 2))
    assert [(link.originator_id, link.version) for link in links[EVENTS:-1]] == [(n.id, 1) for n in notes]
    assert all(a.recorded_us <= b.recorded_us for a, b in pairwise(links))
    assert store.verify(store.anchor()) is None
    assert store.get(notes[-1].id, Note).text == f"импорт {len(notes) - 1}"
