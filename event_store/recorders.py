"""The library's recorders, taught one more condition: an append may name aggregates it was
decided on without changing them (``unchanged``: id → the version it saw); if any of them has
moved on since, nothing is written and the append fails as a version conflict does.

That condition is what lets the write side decide on aggregates remembered from earlier
commands (``event_store.cache``) without a round trip to re-read them: the check happens in
the append's own transaction, after every other writer's, so a remembered aggregate that
another thread or process has changed meanwhile can never decide a write that then succeeds.

On PostgreSQL the append is one call of a database function that takes the event table's
lock, checks, notifies and inserts: one round trip, where the library's own statement
sequence takes two (a pipeline, then the commit). The library offers such a function
(``POSTGRES_ENABLE_DB_FUNCTIONS``), but in 9.5 its function does not take the table lock, so
transactions could commit in another order than their log positions, and a reader following
the log could pass over an event that commits after a later one. This one keeps the lock.

Each also links every event it appends into the hash chain kept beside the log
(``event_store.chain``), in the append's own transaction: a link table per log, with the
time the log recorded the event. A log written before the chain existed is linked once, under
the append lock, when a store opens it (``link_unlinked``); an event's recorded time is then
taken from the event itself (the time the write side created it).
"""

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    Notification,
    OperationalError,
    StoredEvent,
)
from eventsourcing.popo import POPOApplicationRecorder
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from eventsourcing.utils import retry
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composed, Identifier

from event_store.chain import Link, linked

Unchanged = Mapping[UUID, int]
"""Aggregates an append was decided on without changing them: id → the version it saw."""

NONE: Unchanged = MappingProxyType({})

UPGRADE_BATCH = 10_000
"""Events of an unchained log read at a time while linking it."""


RecordedUs = Callable[[Notification], int]
"""An event's recorded time in microseconds, read from the event itself (for logs chained late)."""


class ChainedRecorder(Protocol):
    """What every recorder here offers about the chain beside its log."""

    def chain_links(self, after: int, limit: int) -> list[Link]:
        """Up to ``limit`` links after a position, in order."""

    def links_of(self, originator_id: UUID) -> list[Link]:
        """The links of one aggregate's events, in version order."""

    def position_recorded_by(self, recorded_us: int) -> int:
        """The last position recorded at or before a time (0: none)."""

    def link_unlinked(self, recorded_us: RecordedUs) -> int:
        """Link events appended before the chain existed; how many were linked."""

    def existing(self, originator_ids: Sequence[UUID]) -> set[UUID]:
        """Which of these aggregates have events, asked in one query (or a few)."""


def _now_us() -> int:
    return time.time_ns() // 1000


def _changed(unchanged: Unchanged, current: Mapping[UUID, int]) -> IntegrityError:
    moved = ", ".join(f"{id_} (at {current[id_]}, not {unchanged[id_]})" for id_ in current)
    return IntegrityError(f"changed since the decision was taken: {moved}")


_EXISTING_BATCH = 500
"""Ids per query: SQLite allows a few thousand parameters."""


class MemoryRecorder(POPOApplicationRecorder):
    def __init__(self) -> None:
        super().__init__()
        self._links: list[Link] = []

    def _update_table(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        positions = super()._update_table(stored_events, **kwargs) or []
        now = _now_us()
        self._links.extend(
            linked(
                self._links[-1] if self._links else None,
                _notifications(positions, stored_events),
                lambda _: now,
            )
        )
        return positions

    def chain_links(self, after: int, limit: int) -> list[Link]:
        with self._database_lock:
            return [link for link in self._links if link.position > after][:limit]

    def links_of(self, originator_id: UUID) -> list[Link]:
        with self._database_lock:
            return [link for link in self._links if link.originator_id == originator_id]

    def position_recorded_by(self, recorded_us: int) -> int:
        with self._database_lock:
            return max((link.position for link in self._links if link.recorded_us <= recorded_us), default=0)

    def link_unlinked(self, recorded_us: RecordedUs) -> int:
        return 0  # a log in memory is never older than its chain

    def existing(self, originator_ids: Sequence[UUID]) -> set[UUID]:
        with self._database_lock:
            return {id_ for id_ in originator_ids if self._stored_events_index.get(str(id_))}

    def _assert_uniqueness(
        self, stored_events: Sequence[StoredEvent], *, unchanged: Unchanged = NONE, **kwargs: Any
    ) -> None:
        # Runs under the recorder's lock, as the insert that follows does.
        super()._assert_uniqueness(stored_events, **kwargs)
        current = {}
        for id_, version in unchanged.items():
            latest = max(self._stored_events_index.get(str(id_), {}), default=0)
            if latest != version:
                current[id_] = latest
        if current:
            raise _changed(unchanged, current)


def _notifications(positions: Iterable[int], stored_events: Sequence[StoredEvent]) -> list[Notification]:
    return [
        Notification(
            id=position,
            originator_id=event.originator_id,
            originator_version=event.originator_version,
            topic=event.topic,
            state=event.state,
        )
        for position, event in zip(positions, stored_events, strict=True)
    ]


class SQLiteRecorder(SQLiteApplicationRecorder):
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
        now = _now_us()
        self._insert_links(
            c, linked(self._chain_head(c), _notifications(notification_ids, stored_events), lambda _: now)
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
                raise _changed(unchanged, current)
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
                unlinked = [
                    Notification(id=n, originator_id=UUID(o), originator_version=v, topic=t, state=state)
                    for n, o, v, t, state in c.fetchall()
                ]
                if not unlinked:
                    return count
                links = linked(head, unlinked, recorded_us)
                self._insert_links(c, links)
                head, count = links[-1], count + len(links)


def _text_id(originator_id: UUID | str) -> str:
    return originator_id.hex if isinstance(originator_id, UUID) else originator_id


def _sqlite_link(row: Sequence[Any]) -> Link:
    return Link(int(row[0]), UUID(row[1]), int(row[2]), int(row[3]), bytes(row[4]))


class PostgresRecorder(PostgresApplicationRecorder):
    APPEND_FUNCTION_SUFFIX = "_append_v3"
    """Part of the function's name: a change to its body takes a new name, so that processes
    of two releases sharing a database each call the body they expect."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.append_function_name = f"{events_table_name}{self.APPEND_FUNCTION_SUFFIX}"
        self.chain_table_name = f"{events_table_name}_chain"
        self.check_identifier_length(self.append_function_name)
        schema, function = Identifier(self.datastore.schema), Identifier(self.append_function_name)
        table, chain = Identifier(self.events_table_name), Identifier(self.chain_table_name)
        self.sql_create_statements.extend(
            [
                SQL(
                    "CREATE TABLE IF NOT EXISTS {schema}.{chain} (position bigint PRIMARY KEY, "
                    "originator_id uuid NOT NULL, originator_version bigint NOT NULL, "
                    "recorded_us bigint NOT NULL, hash bytea NOT NULL)"
                ).format(schema=schema, chain=chain),
                SQL("CREATE INDEX IF NOT EXISTS {index} ON {schema}.{chain} (recorded_us)").format(
                    index=Identifier(f"{self.chain_table_name}_recorded"), schema=schema, chain=chain
                ),
            ]
        )
        self.sql_create_statements.append(
            SQL(
                "CREATE OR REPLACE FUNCTION {schema}.{function}("
                "ids uuid[], versions bigint[], topics text[], states bytea[], "
                "unchanged_ids uuid[], unchanged_versions bigint[]) "
                "RETURNS SETOF bigint LANGUAGE plpgsql AS $body$ "
                "DECLARE previous bytea; floor_us bigint; now_us bigint; positions bigint[]; "
                "hashes bytea[]; topic bytea; "
                "BEGIN "
                # Serializes appends, so that log positions commit in their order (see the
                # library's _lock_table); readers are not blocked.
                "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
                # One primary-key lookup each: a join with the unnested arrays may be planned
                # as a scan of the whole table, which grows with the log.
                "FOR i IN 1 .. coalesce(array_length(unchanged_ids, 1), 0) LOOP "
                "IF EXISTS (SELECT FROM {schema}.{table} WHERE originator_id = unchanged_ids[i] "
                "AND originator_version > unchanged_versions[i]) THEN "
                "RAISE unique_violation USING MESSAGE = 'changed since the decision was taken'; "
                "END IF; "
                "END LOOP; "
                "NOTIFY {channel}; "
                # The chain's head, and the recorded time: the clock under the lock, never
                # earlier than the head's (event_store.chain).
                "SELECT c.hash, c.recorded_us INTO previous, floor_us FROM {schema}.{chain} c "
                "ORDER BY c.position DESC LIMIT 1; "
                "previous := coalesce(previous, decode(repeat('00', 32), 'hex')); "
                "now_us := greatest((extract(epoch FROM clock_timestamp()) * 1000000)::bigint, "
                "coalesce(floor_us, 0)); "
                # The events in one statement, not one each: an import appends hundreds of
                # thousands. Rows reach the insert in the order given, and take their
                # positions in that order.
                "WITH inserted AS (INSERT INTO {schema}.{table} "
                "(originator_id, originator_version, topic, state) "
                "SELECT e.id, e.version, e.topic, e.state FROM unnest(ids, versions, topics, states) "
                "WITH ORDINALITY AS e(id, version, topic, state, n) ORDER BY e.n RETURNING notification_id) "
                "SELECT array_agg(notification_id ORDER BY notification_id) INTO positions FROM inserted; "
                # Only the hashes need a loop, each link taking the one before it.
                "FOR i IN 1 .. coalesce(array_length(ids, 1), 0) LOOP "
                "topic := convert_to(topics[i], 'UTF8'); "
                "previous := sha256(previous || int8send(positions[i]) || uuid_send(ids[i]) "
                "|| int8send(versions[i]) || int8send(now_us) || int4send(octet_length(topic)) "
                "|| topic || states[i]); "
                "hashes[i] := previous; "
                "END LOOP; "
                "INSERT INTO {schema}.{chain} "
                "SELECT l.position, l.id, l.version, now_us, l.hash "
                "FROM unnest(positions, ids, versions, hashes) AS l(position, id, version, hash); "
                "RETURN QUERY SELECT unnest(positions); "
                "END $body$"
            ).format(
                schema=schema,
                function=function,
                table=table,
                chain=chain,
                channel=Identifier(self.channel_name),
            )
        )
        self.append_statement = SQL(
            "SELECT notification_id FROM {schema}.{function}("
            "%b::uuid[], %b::bigint[], %b::text[], %b::bytea[], %b::uuid[], %b::bigint[]) AS notification_id"
        ).format(schema=schema, function=function)

    def _chain_sql(self, statement: str) -> Composed:
        return SQL(statement).format(
            schema=Identifier(self.datastore.schema),
            table=Identifier(self.events_table_name),
            chain=Identifier(self.chain_table_name),
        )

    def _links(self, statement: str, params: Sequence[Any]) -> list[Link]:
        with (
            self.datastore.get_connection() as connection,
            connection.cursor(row_factory=tuple_row) as cursor,
        ):
            cursor.execute(self._chain_sql(statement), params, binary=True)
            return [_postgres_link(row) for row in cursor.fetchall()]

    def existing(self, originator_ids: Sequence[UUID]) -> set[UUID]:
        with (
            self.datastore.get_connection() as connection,
            connection.cursor(row_factory=tuple_row) as cursor,
        ):
            cursor.execute(
                self._chain_sql(
                    "SELECT DISTINCT originator_id FROM {schema}.{table} WHERE originator_id = ANY(%s)"
                ),
                (list(originator_ids),),
            )
            return {row[0] for row in cursor.fetchall()}

    def chain_links(self, after: int, limit: int) -> list[Link]:
        return self._links(
            "SELECT * FROM {schema}.{chain} WHERE position > %s ORDER BY position LIMIT %s", (after, limit)
        )

    def links_of(self, originator_id: UUID) -> list[Link]:
        return self._links(
            "SELECT c.* FROM {schema}.{table} e JOIN {schema}.{chain} c ON c.position = e.notification_id "
            "WHERE e.originator_id = %s ORDER BY e.originator_version",
            (originator_id,),
        )

    def position_recorded_by(self, recorded_us: int) -> int:
        with (
            self.datastore.get_connection() as connection,
            connection.cursor(row_factory=tuple_row) as cursor,
        ):
            cursor.execute(
                self._chain_sql("SELECT max(position) FROM {schema}.{chain} WHERE recorded_us <= %s"),
                (recorded_us,),
            )
            found = cursor.fetchone()
            return int(found[0]) if found and found[0] is not None else 0

    def link_unlinked(self, recorded_us: RecordedUs) -> int:
        with (
            self.datastore.get_connection() as connection,
            connection.transaction(),
            connection.cursor(row_factory=tuple_row) as cursor,
        ):
            cursor.execute(self._chain_sql("LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE"))
            cursor.execute(self._chain_sql("SELECT * FROM {schema}.{chain} ORDER BY position DESC LIMIT 1"))
            found = cursor.fetchone()
            head = _postgres_link(found) if found else None
            count = 0
            while True:
                cursor.execute(
                    self._chain_sql(
                        "SELECT notification_id, originator_id, originator_version, topic, state "
                        "FROM {schema}.{table} WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
                    ),
                    (head.position if head else 0, UPGRADE_BATCH),
                )
                unlinked = [
                    Notification(id=n, originator_id=o, originator_version=v, topic=t, state=bytes(state))
                    for n, o, v, t, state in cursor.fetchall()
                ]
                if not unlinked:
                    return count
                links = linked(head, unlinked, recorded_us)
                with cursor.copy(self._chain_sql("COPY {schema}.{chain} FROM STDIN")) as copy:
                    for k in links:
                        copy.write_row((k.position, k.originator_id, k.version, k.recorded_us, k.hash))
                head, count = links[-1], count + len(links)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], *, unchanged: Unchanged = NONE, **kwargs: Any
    ) -> Sequence[int] | None:
        if not stored_events:
            return []
        # Columns as arrays, in binary: cheaper to send than an array of the library's
        # composite type, and the states need no escaping.
        params = (
            [e.originator_id for e in stored_events],
            [e.originator_version for e in stored_events],
            [e.topic for e in stored_events],
            [e.state for e in stored_events],
            list(unchanged),
            list(unchanged.values()),
        )
        # Autocommit: the function's one statement is the transaction.
        with self.datastore.get_connection() as connection, connection.cursor() as cursor:
            cursor.execute(self.append_statement, params, prepare=True)
            return [row["notification_id"] for row in cursor.fetchall()]


def _postgres_link(row: Sequence[Any]) -> Link:
    return Link(int(row[0]), row[1], int(row[2]), int(row[3]), bytes(row[4]))
