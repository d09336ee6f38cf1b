"""The store's memory of aggregates, and the append that refuses when one it names moved on."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from uuid import uuid4

import pytest
from eventsourcing.domain import Aggregate, event

from aggregates.errors import NotFound
from event_store.cache import AggregateCache
from event_store.postgres_recorder import BULK_APPEND
from event_store.store import EventStore, StoreConflict
from tests.conftest import database_url


class Note(Aggregate):
    @event("Written")
    def __init__(self, text: str) -> None:
        self.text = text
        self.tags: list[str] = []

    @event("Tagged")
    def tag(self, tag: str) -> None:
        self.tags.append(tag)


@pytest.fixture
def store(store_kind: str, tmp_path: Path, request: pytest.FixtureRequest):
    built = EventStore(database_url(store_kind, tmp_path, request), cache_size=3)
    yield built
    built.close()


def test_the_cache_hands_out_copies_and_keeps_the_latest_version() -> None:
    cache = AggregateCache(size=3)
    note = Note("первая")
    cache.put(note)
    copy = cache.get(note.id)
    assert isinstance(copy, Note)
    assert copy is not note
    copy.tag("изменена")
    assert cache.get(note.id).tags == []  # type: ignore[union-attr]

    older = cache.get(note.id)
    assert older is not None
    note.tag("вторая")
    cache.put(note)
    cache.put(older)  # a slower thread's older copy does not replace the newer one
    assert cache.get(note.id).version == 2  # type: ignore[union-attr]


def test_the_cache_is_bounded_and_forgets_the_least_recently_used_first() -> None:
    cache = AggregateCache(size=3)
    notes = [Note(f"заметка {n}") for n in range(5)]
    for note in notes[:3]:
        cache.put(note)
    cache.get(notes[0].id)
    for note in notes[3:]:
        cache.put(note)
    assert len(cache) == 3
    assert cache.get(notes[1].id) is None
    assert cache.get(notes[2].id) is None
    assert all(cache.get(note.id) is not None for note in (notes[0], notes[3], notes[4]))
    assert len(AggregateCache(size=0)) == 0


def test_the_cache_serves_many_threads() -> None:
    cache = AggregateCache(size=50)
    notes = [Note(f"заметка {n}") for n in range(200)]

    def churn(note: Note) -> None:
        cache.put(note)
        cache.get(note.id)
        cache.forget([note.id])
        cache.put(note)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(churn, notes))
    assert len(cache) == 50


def test_an_append_is_refused_when_an_aggregate_it_was_decided_on_moved_on(store: EventStore) -> None:
    read, written = Note("прочитана"), Note("записана")
    store.append(read, written)
    seen = store.get(read.id, Note, cached=True)
    assert seen.version == 1

    moved = store.get(read.id, Note)
    moved.tag("изменена")
    store.append(moved)
    head = store.head()

    written.tag("решено по устаревшему")
    with pytest.raises(StoreConflict):
        store.append(written, unchanged={read.id: seen.version})
    assert store.head() == head
    assert store.get(written.id, Note).version == 1

    fresh = store.get(written.id, Note)
    fresh.tag("решено по свежему")
    assert store.append(fresh, unchanged={read.id: 2}) > head


def test_an_append_of_thousands_is_refused_as_a_single_one_is(store: EventStore) -> None:
    read = Note("прочитана")
    store.append(read)
    moved = store.get(read.id, Note)
    moved.tag("изменена")
    store.append(moved)
    head = store.head()

    with pytest.raises(StoreConflict):
        store.append(*[Note(f"по устаревшему {n}") for n in range(BULK_APPEND)], unchanged={read.id: 1})
    assert store.head() == head
    assert store.verify() is None

    fresh = [Note(f"по свежему {n}") for n in range(BULK_APPEND)]
    assert store.append(*fresh, unchanged={read.id: 2}) == head + BULK_APPEND
    assert store.get(fresh[-1].id, Note).text == f"по свежему {BULK_APPEND - 1}"


def test_a_remembered_aggregate_is_stale_until_the_append_finds_out(
    store_kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if store_kind == "memory":
        pytest.skip("two processes cannot share a store in memory")
    url = database_url(store_kind, tmp_path, request)
    here, elsewhere = EventStore(url), EventStore(url)
    try:
        note = Note("заметка")
        here.append(note)
        here.get(note.id, Note, cached=True)
        changed = elsewhere.get(note.id, Note, cached=True)
        changed.tag("в другом процессе")
        elsewhere.append(changed)

        stale = here.get(note.id, Note, cached=True)
        assert stale.version == 1
        stale.tag("по устаревшему")
        with pytest.raises(StoreConflict):
            here.append(stale)
        assert here.get(note.id, Note, cached=True).version == 2  # forgotten on conflict, reloaded
    finally:
        here.close()
        elsewhere.close()


def test_an_aggregate_that_is_not_there_is_not_found_each_time(store: EventStore) -> None:
    missing = uuid4()
    with pytest.raises(NotFound):
        store.get(missing, Note, cached=True)
    with pytest.raises(NotFound):
        store.get(missing, Note, cached=True)
