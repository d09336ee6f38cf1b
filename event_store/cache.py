"""Aggregates this process has loaded or saved, kept to decide the next command without
re-reading them from the log.

An entry may be stale: another process, or another thread of this one, may have appended to
the aggregate since. That is safe only because whoever decides on an entry names it in the
append (the version it saw) and the store refuses the append if the aggregate has moved on
(``event_store.recorders``): a stale entry costs one refused append and a retry on fresh
state, never a write decided on old facts. Entries are copies: the caller may change what it
gets, and nobody changes what the cache holds. They are kept pickled, which makes a copy
several times faster than ``deepcopy`` does (about 30 µs for a counterparty, against 190);
an aggregate that cannot be pickled is not remembered. The least recently used entry leaves
first.
"""

import pickle
from collections import OrderedDict
from collections.abc import Iterable
from threading import Lock
from typing import NamedTuple
from uuid import UUID

from eventsourcing.domain import Aggregate


class _Entry(NamedTuple):
    version: int
    pickled: bytes


class AggregateCache:
    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[UUID, _Entry] = OrderedDict()
        self._lock = Lock()

    def get(self, aggregate_id: UUID) -> Aggregate | None:
        """A copy of the aggregate as last seen here, or None."""
        with self._lock:
            found = self._entries.get(aggregate_id)
            if found is None:
                return None
            self._entries.move_to_end(aggregate_id)
        aggregate: Aggregate = pickle.loads(found.pickled)
        return aggregate

    def put(self, aggregate: Aggregate) -> None:
        """Remember a copy of an aggregate as loaded or saved, unless a later version is
        remembered already (threads finish in any order)."""
        if self.size <= 0:
            return
        try:
            entry = _Entry(aggregate.version, pickle.dumps(aggregate, pickle.HIGHEST_PROTOCOL))
        except (pickle.PicklingError, TypeError, AttributeError):
            return
        with self._lock:
            known = self._entries.get(aggregate.id)
            if known is None or known.version < entry.version:
                self._entries[aggregate.id] = entry
            self._entries.move_to_end(aggregate.id)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def refresh(self, aggregates: Iterable[Aggregate]) -> None:
        """Saved aggregates replace the entries of those remembered; others are not added
        (most are new records, read again rarely, if ever)."""
        for aggregate in aggregates:
            with self._lock:
                known = aggregate.id in self._entries
            if known:
                self.put(aggregate)

    def forget(self, aggregate_ids: Iterable[UUID]) -> None:
        with self._lock:
            for aggregate_id in aggregate_ids:
                self._entries.pop(aggregate_id, None)

    def __len__(self) -> int:
        return len(self._entries)
