"""The log in an SQLite file (``sqlite:///path``), the embedded default (see
``event_store.recorders``)."""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from event_store.chain import Link, Stored, linked
from event_store.recorders import (
    NONE,
    UPGRADE_BATCH,
    RecordedUs,
    SelectedLog,
    Unchanged,
    changed,
    now_us,
    stored_at,
)

_EXISTING_BATCH = 500
"""Ids per query: SQLite allows a few thousand parameters."""


class SQLiteRecorder(SelectedLog, SQLiteApplicationRecorder):
    def __init__(self, datastore: Any, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name)
        self.chain_table_name = f"{events_table_name}_chain"

    def construct_create_table_statements(self) -> list[str]:
        chain = f"{self.events_table_name}_chain"
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {chain} (position INTEGER PRIMARY KEY, originator_id TEXT NOT NULL, "
            "originator_version INTEGER NOT NULL, recorded_us INTEGER NOT NULL, hash BLOB NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {chain}_recorded ON {chain} (recorded_us)",
        ]

    def _chain_head(self, c: SQLiteCursor) -> Link | None:
        c.execute(f"{self._select_links} ORDER BY position DESC LIMIT 1")
        found = c.fetchall()
        return _sqlite_link(found[0]) if found else None

    @property
    def _select_links(self) -> str:
        columns = "position, originator_id, originator_version, recorded_us, hash"
        return f"SELECT {columns} FROM {self.chain_table_name}"

    def _insert_links(self, c: SQLiteCursor, links: Sequence[Link]) -> None:
        c.executemany(
            f"INSERT INTO {self.chain_table_name} VALUES (?,?,?,?,?)",
            [(k.position, k.originator_id.hex, k.version, k.recorded_us, k.hash) for k in links],
        )

    def _insert_events(
        self,
        c: SQLiteCursor,
        stored_events: Sequence[StoredEvent],
        *,
        unchanged: Unchanged = NONE,
        **kwargs: Any,
    ) -> Sequence[int] | None:
        # Inserting first takes the database's write lock, so the check below sees every
        # other writer's commits and none can come between it and this commit. ``unchanged``
        # never names an aggregate this append writes.
        notification_ids = self._insert_rows(c, stored_events)
        now = now_us()
        self._insert_links(
            c, linked(self._chain_head(c), stored_at(notification_ids, stored_events), lambda _: now)
        )
        if unchanged:
            ids = {id_.hex: id_ for id_ in unchanged}
            c.execute(
                f"SELECT originator_id, MAX(originator_version) FROM {self.events_table_name} "
                f"WHERE originator_id IN ({','.join('?' * len(ids))}) GROUP BY originator_id",
                list(ids),
            )
            found = {ids[hex_id]: version for hex_id, version in c.fetchall()}
            latest = {id_: found.get(id_, 0) for id_ in unchanged}
            current = {id_: version for id_, version in latest.items() if version != unchanged[id_]}
            if current:
                raise changed(unchanged, current)
        return notification_ids

    def _insert_rows(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent]) -> list[int]:
        """The events in one statement run for all, where the library runs one per event to read
        back each position: an import appends hundreds of thousands. Under the write lock a new
        row's position is one past the highest, so the batch's positions are the last one's and
        those just before it."""
        c.executemany(
            self.insert_events_statement,
            [(_text_id(e.originator_id), e.originator_version, e.topic, e.state) for e in stored_events],
        )
        c.execute("SELECT last_insert_rowid()")
        last = int(c.fetchone()[0])
        return list(range(last - len(stored_events) + 1, last + 1))

    def existing(self, originator_ids: Sequence[UUID]) -> set[UUID]:
        found: set[UUID] = set()
        with self.datastore.transaction(commit=False) as c:
            for start in range(0, len(originator_ids), _EXISTING_BATCH):
                ids = {id_.hex: id_ for id_ in originator_ids[start : start + _EXISTING_BATCH]}
                c.execute(
                    f"SELECT DISTINCT originator_id FROM {self.events_table_name} "
                    f"WHERE originator_id IN ({','.join('?' * len(ids))})",
                    list(ids),
                )
                found.update(ids[row[0]] for row in c.fetchall())
        return found

    def chain_links(self, after: int, limit: int) -> list[Link]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"{self._select_links} WHERE position > ? ORDER BY position LIMIT ?", (after, limit))
            return [_sqlite_link(row) for row in c.fetchall()]

    def links_of(self, originator_id: UUID) -> list[Link]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT c.position, c.originator_id, c.originator_version, c.recorded_us, c.hash "
                f"FROM {self.events_table_name} e JOIN {self.chain_table_name} c ON c.position = e.rowid "
                "WHERE e.originator_id = ? ORDER BY e.originator_version",
                (originator_id.hex,),
            )
            return [_sqlite_link(row) for row in c.fetchall()]

    def position_recorded_by(self, recorded_us: int) -> int:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT max(position) FROM {self.chain_table_name} WHERE recorded_us <= ?", (recorded_us,)
            )
            found = c.fetchone()
            return int(found[0]) if found and found[0] is not None else 0

    def link_unlinked(self, recorded_us: RecordedUs) -> int:
        with self.datastore.transaction(commit=True) as c:
            # A statement that writes takes the database's write lock, so no append comes
            # between reading the unlinked events and linking them.
            c.execute(f"DELETE FROM {self.chain_table_name} WHERE position < 0")
            head, count = self._chain_head(c), 0
            while True:
                c.execute(
                    "SELECT rowid, originator_id, originator_version, topic, state "
                    f"FROM {self.events_table_name} WHERE rowid > ? ORDER BY rowid LIMIT ?",
                    (head.position if head else 0, UPGRADE_BATCH),
                )
                unlinked: list[Stored] = [(n, UUID(o), v, t, state) for n, o, v, t, state in c.fetchall()]
                if not unlinked:
                    return count
                links = linked(head, unlinked, recorded_us)
                self._insert_links(c, links)
                head, count = links[-1], count + len(links)

    def position_of(self, originator_id: UUID, version: int) -> int | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT rowid FROM {self.events_table_name} WHERE originator_id=? AND originator_version=?",
                (originator_id.hex, version),
            )
            row = c.fetchone()
            return int(row[0]) if row else None


def _text_id(originator_id: UUID | str) -> str:
    return originator_id.hex if isinstance(originator_id, UUID) else originator_id


def _sqlite_link(row: Sequence[Any]) -> Link:
    return Link(int(row[0]), UUID(row[1]), int(row[2]), int(row[3]), bytes(row[4]))
