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
"""

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier

Unchanged = Mapping[UUID, int]
"""Aggregates an append was decided on without changing them: id → the version it saw."""

NONE: Unchanged = MappingProxyType({})


def _changed(unchanged: Unchanged, current: Mapping[UUID, int]) -> IntegrityError:
    moved = ", ".join(f"{id_} (at {current[id_]}, not {unchanged[id_]})" for id_ in current)
    return IntegrityError(f"changed since the decision was taken: {moved}")


class MemoryRecorder(POPOApplicationRecorder):
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


class SQLiteRecorder(SQLiteApplicationRecorder):
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
        notification_ids = super()._insert_events(c, stored_events, **kwargs)
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


class PostgresRecorder(PostgresApplicationRecorder):
    APPEND_FUNCTION_SUFFIX = "_append_v1"
    """Part of the function's name: a change to its body takes a new name, so that processes
    of two releases sharing a database each call the body they expect."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.append_function_name = f"{events_table_name}{self.APPEND_FUNCTION_SUFFIX}"
        self.check_identifier_length(self.append_function_name)
        schema, function = Identifier(self.datastore.schema), Identifier(self.append_function_name)
        table = Identifier(self.events_table_name)
        self.sql_create_statements.append(
            SQL(
                "CREATE OR REPLACE FUNCTION {schema}.{function}("
                "ids uuid[], versions bigint[], topics text[], states bytea[], "
                "unchanged_ids uuid[], unchanged_versions bigint[]) "
                "RETURNS SETOF bigint LANGUAGE plpgsql AS $body$ "
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
                "RETURN QUERY INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
                "SELECT * FROM unnest(ids, versions, topics, states) "
                "RETURNING notification_id; "
                "END $body$"
            ).format(
                schema=schema,
                function=function,
                table=table,
                channel=Identifier(self.channel_name),
            )
        )
        self.append_statement = SQL(
            "SELECT notification_id FROM {schema}.{function}("
            "%b::uuid[], %b::bigint[], %b::text[], %b::bytea[], %b::uuid[], %b::bigint[]) AS notification_id"
        ).format(schema=schema, function=function)

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
