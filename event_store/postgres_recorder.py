"""The log in PostgreSQL (``postgresql://…``), for production (see ``event_store.recorders``).

The append is one call of a database function that takes the event table's lock, checks,
notifies and inserts: one round trip, where the library's own statement sequence takes two (a
pipeline, then the commit). The library offers such a function
(``POSTGRES_ENABLE_DB_FUNCTIONS``), but in 9.5 its function does not take the table lock, so
transactions could commit in another order than their log positions, and a reader following
the log could pass over an event that commits after a later one. This one keeps the lock.

An append of thousands of events (an import) takes the same steps as statements of one
transaction instead, the events and their links copied in (``COPY``) and the links computed
here: the function's loop over its array arguments cost three times a plain copy of the rows.
"""

from collections.abc import Sequence
from typing import IO, Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composed, Identifier, Literal

from event_store.chain import Link, Stored, linked
from event_store.recorders import (
    CSV_QUOTE,
    NONE,
    UPGRADE_BATCH,
    RecordedUs,
    Unchanged,
    changed,
    stored_at,
)

READ_WINDOW = 4
"""The span of positions one query of the log covers, in batches: a few, for gaps."""
READ_WINDOW_WITH_TOPICS = 32
"""The same when only some topics are read, which leaves most rows of a span out."""
BULK_APPEND = 1_000
"""Events from which an append copies them in rather than calling the append function."""
LINK_BATCH = 1_000
"""Events linked at a time while an append copies them in."""


def notifications_query(
    schema: str, table: str, after: int, upper: int, limit: int, topics: Sequence[str] = ()
) -> tuple[Composed, list[Any]]:
    """The events after one position and up to another, in order, at most ``limit``."""
    parts = [SQL("notification_id>%s"), SQL("notification_id<=%s")]
    params: list[Any] = [after, upper]
    if topics:
        parts.append(SQL("topic=ANY(%s)"))
        params.append(list(topics))
    params.append(limit)
    statement = Composed(
        [
            SQL(
                "SELECT notification_id, originator_id, originator_version, topic, state FROM {}.{} WHERE "
            ).format(Identifier(schema), Identifier(table)),
            SQL(" AND ").join(parts),
            SQL(" ORDER BY notification_id LIMIT %s"),
        ]
    )
    return statement, params


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

    def _rows(self, statement: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        with (
            self.datastore.get_connection() as connection,
            connection.cursor(row_factory=tuple_row) as cursor,
        ):
            cursor.execute(self._chain_sql(statement), params, binary=True)
            return cursor.fetchall()

    def _links(self, statement: str, params: Sequence[Any]) -> list[Link]:
        return [_postgres_link(row) for row in self._rows(statement, params)]

    def existing(self, originator_ids: Sequence[UUID]) -> set[UUID]:
        return {
            row[0]
            for row in self._rows(
                "SELECT DISTINCT originator_id FROM {schema}.{table} WHERE originator_id = ANY(%s)",
                (list(originator_ids),),
            )
        }

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
        ((found,),) = self._rows(
            "SELECT max(position) FROM {schema}.{chain} WHERE recorded_us <= %s", (recorded_us,)
        )
        return int(found) if found is not None else 0

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
                unlinked: list[Stored] = [
                    (n, o, v, t, bytes(state)) for n, o, v, t, state in cursor.fetchall()
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
        if len(stored_events) >= BULK_APPEND:
            return self._copy_in(stored_events, unchanged)
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

    def _copy_in(self, stored_events: Sequence[StoredEvent], unchanged: Unchanged) -> list[int]:
        """What the append function does, as statements of one transaction: lock, check the
        aggregates decided on, notify, take the positions, then copy in the events and their
        links (``event_store.chain``), computed with the clock read under the lock."""
        with (
            self.datastore.get_connection() as connection,
            connection.transaction(),
            connection.cursor(row_factory=tuple_row) as cursor,
        ):
            cursor.execute(self._chain_sql("LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE"))
            if unchanged:
                cursor.execute(
                    self._chain_sql(
                        "SELECT u.id, (SELECT max(originator_version) FROM {schema}.{table} "
                        "WHERE originator_id = u.id) FROM unnest(%s::uuid[]) AS u(id)"
                    ),
                    (list(unchanged),),
                )
                moved = {id_: latest for id_, latest in cursor.fetchall() if (latest or 0) > unchanged[id_]}
                if moved:
                    raise changed(unchanged, moved)
            cursor.execute(SQL("NOTIFY {}").format(Identifier(self.channel_name)))
            cursor.execute(self._chain_sql("SELECT * FROM {schema}.{chain} ORDER BY position DESC LIMIT 1"))
            found = cursor.fetchone()
            head = _postgres_link(found) if found else None
            sequence = SQL("pg_get_serial_sequence({}, 'notification_id')").format(
                Literal(Identifier(self.datastore.schema, self.events_table_name).as_string(connection))
            )
            cursor.execute(
                SQL(
                    "SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint, "
                    "setval({sequence}, nextval({sequence}) + %s - 1)"
                ).format(sequence=sequence),
                (len(stored_events),),
            )
            ((now_us, last),) = cursor.fetchall()
            positions = list(range(last - len(stored_events) + 1, last + 1))
            links: list[Link] = []
            events_copy = (
                "COPY {schema}.{table} (notification_id, originator_id, originator_version, topic, state)"
            )
            with cursor.copy(self._chain_sql(f"{events_copy} FROM STDIN (FORMAT BINARY)")) as copy:
                copy.set_types(["int8", "uuid", "int8", "text", "bytea"])
                # Linked a batch at a time as the events go: inside the COPY the session is
                # busy, where linking them all between two statements would leave it idle in
                # its transaction for seconds, which the server ends after five.
                for start in range(0, len(stored_events), LINK_BATCH):
                    batch = stored_at(
                        positions[start : start + LINK_BATCH], stored_events[start : start + LINK_BATCH]
                    )
                    links.extend(linked(links[-1] if links else head, batch, lambda _: now_us))
                    for event in batch:
                        copy.write_row(event)
            with cursor.copy(self._chain_sql("COPY {schema}.{chain} FROM STDIN (FORMAT BINARY)")) as copy:
                copy.set_types(["int8", "uuid", "int8", "int8", "bytea"])
                for link in links:
                    copy.write_row(link)
            return positions

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def stored_rows(
        self, after: int, limit: int, stop: int | None = None, topics: Sequence[str] = ()
    ) -> list[Stored]:
        """Read in windows of positions a few times the batch (``READ_WINDOW``), never in one
        range to the head: on a table without planner statistics (a fresh or just bulk-loaded
        store, before autovacuum analyzes it) PostgreSQL may answer a range over the whole log
        with a bitmap scan of every row in it and a sort, hundreds of ms for the first batch of
        a large log, where a window bounds the work whatever the plan. In binary, so that the
        states arrive as they are stored, not spelt in hex to be decoded."""
        schema, table = self.datastore.schema, self.events_table_name
        rows: list[Stored] = []
        with (
            self.datastore.get_connection() as connection,
            connection.cursor(row_factory=tuple_row) as cursor,
        ):
            if stop is None:
                cursor.execute(self._chain_sql("SELECT max(notification_id) FROM {schema}.{table}"))
                found = cursor.fetchone()
                stop = int(found[0]) if found and found[0] is not None else after
            window = limit * (READ_WINDOW_WITH_TOPICS if topics else READ_WINDOW)
            lower = after
            while len(rows) < limit and lower < stop:
                upper = min(stop, lower + window)
                statement, params = notifications_query(
                    schema, table, lower, upper, limit - len(rows), topics
                )
                cursor.execute(statement, params, prepare=True, binary=True)
                rows.extend(cursor.fetchall())
                lower = upper
        return rows

    def position_of(self, originator_id: UUID, version: int) -> int | None:
        found = self._rows(
            "SELECT notification_id FROM {schema}.{table} WHERE originator_id=%s AND originator_version=%s",
            (originator_id, version),
        )
        return int(found[0][0]) if found else None

    def write_csv(self, after: int, upper: int, out: IO[bytes]) -> None:
        """Written by the server itself (COPY)."""
        statement = SQL(
            "COPY (SELECT notification_id, originator_id, originator_version, topic, "
            "convert_from(state, 'UTF8') FROM {}.{} WHERE notification_id > {} "
            "AND notification_id <= {}) TO STDOUT (FORMAT csv, QUOTE {})"
        ).format(
            Identifier(self.datastore.schema),
            Identifier(self.events_table_name),
            Literal(after),
            Literal(upper),
            Literal(CSV_QUOTE),
        )
        with (
            self.datastore.get_connection() as connection,
            connection.cursor() as cursor,
            cursor.copy(statement) as copy,
        ):
            for data in copy:
                out.write(data)


def _postgres_link(row: Sequence[Any]) -> Link:
    return Link(int(row[0]), row[1], int(row[2]), int(row[3]), bytes(row[4]))
