"""Benchmark 1: one command per transaction through the command layer, against a raw insert.

The project path is ``log_interaction`` on a ``WriteService``: validate the command, load
the counterparty and the responsible employee (from the store's memory of earlier commands
after the first round, ``event_store.cache``), decide, append one event in one transaction
that also checks that neither has changed since it was loaded.
The baseline inserts one row per transaction into a table shaped like the event table,
with the same payload bytes, through plain psycopg / sqlite3.
"""

import sqlite3
import uuid
from collections.abc import Callable

import psycopg
from psycopg import sql

from benchmarks.common import Result, Stopwatch, pg_schema, rate, raw_events_table, sqlite_dir, sqlite_url
from benchmarks.world import World, build_world, log_command

TOPIC = "aggregates.interaction:Interaction.Logged"
ROUNDS = 4


def stored_payload(world: World) -> bytes:
    """The state bytes of a real logged interaction, to give the baseline the same payload."""
    store = world.letopis.store
    outcome = world.letopis.service.run(world.actor, log_command(world.counterparty_ids[0], 0))
    recorded = store.read(after=outcome.position - 1, limit=1)[0]
    return bytes(store._mapper.to_stored_event(recorded.event).state)


def _project_runner(world: World) -> Callable[[int, int], None]:
    service, actor, ids = world.letopis.service, world.actor, world.counterparty_ids

    def run(start: int, count: int) -> None:
        for n in range(start, start + count):
            service.run(actor, log_command(ids[n % len(ids)], n))

    return run


def _alternate(
    project: Callable[[int, int], None], raw: Callable[[int, int], None], total: int
) -> tuple[float, float]:
    """Run both in alternating rounds so that noise on a shared machine hits both alike."""
    project_s = raw_s = 0.0
    chunk = max(1, total // ROUNDS)
    for round_no in range(ROUNDS):
        with Stopwatch() as watch:
            project(round_no * chunk, chunk)
        project_s += watch.elapsed
        with Stopwatch() as watch:
            raw(round_no * chunk, chunk)
        raw_s += watch.elapsed
    return project_s, raw_s


def _postgres(total: int) -> Result:
    with pg_schema("bench_append") as (url, schema):
        world = build_world(url)
        try:
            payload = stored_payload(world)
            _project_runner(world)(1, 20)  # warm-up
            conninfo = url.split("?", 1)[0]
            with psycopg.connect(conninfo) as connection:
                table = raw_events_table(connection, schema)
                insert = sql.SQL(
                    "INSERT INTO {} (originator_id, originator_version, topic, state) VALUES (%s, 1, %s, %s)"
                ).format(table)

                def raw(start: int, count: int) -> None:
                    for _ in range(count):
                        with connection.cursor() as cursor:
                            cursor.execute(insert, (uuid.uuid4(), TOPIC, payload))
                        connection.commit()

                project_s, raw_s = _alternate(_project_runner(world), raw, total)
        finally:
            world.letopis.close()
    done = (total // ROUNDS) * ROUNDS
    ours, theirs = rate(done, project_s), rate(done, raw_s)
    return Result(
        "1 append (command layer)",
        "PostgreSQL",
        f"{ours:,.0f} cmd/s",
        f"{theirs:,.0f} rows/s",
        ours / theirs,
        0.5,
        f"{done} commands, {len(payload)} B payload",
    )


def _sqlite(total: int) -> Result:
    with sqlite_dir("append") as directory:
        world = build_world(sqlite_url(directory))
        try:
            payload = stored_payload(world)
            _project_runner(world)(1, 20)
            connection = sqlite3.connect(str(directory / "raw.sqlite"), isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(
                "CREATE TABLE raw_events (originator_id TEXT, originator_version INTEGER, topic TEXT, "
                "state BLOB, PRIMARY KEY (originator_id, originator_version))"
            )

            def raw(start: int, count: int) -> None:
                for _ in range(count):
                    connection.execute("BEGIN")
                    connection.execute(
                        "INSERT INTO raw_events VALUES (?, 1, ?, ?)", (uuid.uuid4().hex, TOPIC, payload)
                    )
                    connection.execute("COMMIT")

            project_s, raw_s = _alternate(_project_runner(world), raw, total)
            connection.close()
        finally:
            world.letopis.close()
    done = (total // ROUNDS) * ROUNDS
    ours, theirs = rate(done, project_s), rate(done, raw_s)
    return Result(
        "1 append (command layer)",
        "SQLite",
        f"{ours:,.0f} cmd/s",
        f"{theirs:,.0f} rows/s",
        ours / theirs,
        0.5,
        f"{done} commands, {len(payload)} B payload",
    )


def run(quick: bool) -> list[Result]:
    total = 200 if quick else 2000
    return [_postgres(total), _sqlite(total)]
