"""Benchmark 3: rebuilding the relationship history from a large log, against a raw COPY.

The log is made of real Letopis events. A few dozen "units" (a counterparty, three of its
contacts and twenty interactions, the proportions of the demo data) are produced by the
domain and serialised by the application's own mapper; the rest of the log repeats those
units under fresh aggregate ids (the ids inside the stored state are rewritten to match),
and is loaded with a binary COPY. Every row decodes to a domain event.

The project side is ``ProjectionRunner.rebuild()`` with only ``RelationshipHistory``.
The baseline COPYs exactly the rows the rebuild produced into a table of the same shape
(same primary key and index), from a pre-rendered byte stream: no per-row work at all.
"""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from psycopg import sql

from aggregates.contact import Contact
from aggregates.counterparty import Counterparty
from aggregates.interaction import Direction, Interaction, InteractionKind
from aggregates.requisites import inn_check_digits
from aggregates.stamp import Stamp
from benchmarks.common import BENCH_CONNINFO, Result, Stopwatch, pg_schema, rate
from event_store.store import EventStore
from projections.postgres import PostgresViews
from projections.relationship_history import RelationshipHistory
from projections.runner import ProjectionRunner

TEMPLATE_UNITS = 40
CONTACTS_PER_UNIT = 3
INTERACTIONS_PER_UNIT = 20
EVENTS_PER_UNIT = 1 + CONTACTS_PER_UNIT + INTERACTIONS_PER_UNIT
MANAGER_ID = "0c9b22b9-b107-4a74-89cb-53b682207549"

KINDS: list[tuple[InteractionKind, Direction | None, dict[str, Any]]] = [
    (InteractionKind.CALL, Direction.INCOMING, {"duration_seconds": 240, "notes": "Уточнили объём поставки"}),
    (InteractionKind.CALL, Direction.OUTGOING, {"duration_seconds": 95, "phone": "+7 495 100-20-30"}),
    (
        InteractionKind.EMAIL,
        Direction.OUTGOING,
        {"address": "zakupki@example.ru", "body": "Коммерческое предложение"},
    ),
    (
        InteractionKind.MEETING,
        None,
        {"location": "Офис клиента", "agenda": "Годовой договор", "result": "Согласовали"},
    ),
    (InteractionKind.MESSAGE, Direction.INCOMING, {"channel": "chat", "body": "Когда будет счёт?"}),
    (InteractionKind.SERVICE_VISIT, None, {"work_done": "Пусконаладка", "time_spent_minutes": 180}),
]


def _stamp(moment: datetime) -> Stamp:
    command = str(uuid.uuid4())
    return Stamp(actor=MANAGER_ID, occurred_at=moment, command_id=command, correlation_id=command)


def template_units(store: EventStore) -> list[tuple[list[str], list[tuple[uuid.UUID, int, str, bytes]]]]:
    """Units produced by the domain: (the ids to rewrite, stored events as (id, version, topic, state))."""
    mapper = store._mapper
    base = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
    units = []
    for unit in range(TEMPLATE_UNITS):
        moment = base + timedelta(days=unit * 7)
        counterparty = Counterparty.register(
            _stamp(moment),
            manager_id=MANAGER_ID,
            name=f"ООО Север-{unit}",
            tax_id=f"77{unit:07d}" + inn_check_digits(f"77{unit:07d}"),
            phones=[f"+7 495 200-{unit:02d}-00"],
            industry="Производство",
            region="Москва",
        )
        cp_id = str(counterparty.id)
        contacts = [
            Contact.register(
                _stamp(moment + timedelta(minutes=c)),
                counterparty_id=cp_id,
                manager_id=MANAGER_ID,
                full_name=f"Сотрудник {unit}-{c}",
                position="Закупщик",
                phones=[f"+7 916 300-{unit:02d}-{c:02d}"],
                emails=[f"person{unit}.{c}@example.ru"],
            )
            for c in range(CONTACTS_PER_UNIT)
        ]
        interactions = []
        for i in range(INTERACTIONS_PER_UNIT):
            kind, direction, details = KINDS[(unit + i) % len(KINDS)]
            interactions.append(
                Interaction.log(
                    _stamp(moment + timedelta(days=1 + i % 6, hours=i)),
                    admission=None,
                    counterparty_id=cp_id,
                    contact_ids=[str(contacts[i % CONTACTS_PER_UNIT].id)] if i % 2 else [],
                    kind=kind,
                    direction=direction,
                    subject=f"Тема {unit}-{i}",
                    details=details,
                )
            )
        stored = [
            (event.originator_id, event.originator_version, stored_event.topic, bytes(stored_event.state))
            for aggregate in (counterparty, *contacts, *interactions)
            for event in aggregate.collect_events()
            for stored_event in [mapper.to_stored_event(event)]
        ]
        units.append(([cp_id, *(str(c.id) for c in contacts)], stored))
    return units


def load_log(conninfo: str, schema: str, store: EventStore, events: int) -> int:
    """Append ``events`` real events to the log by binary COPY; return how many were written."""
    units = template_units(store)
    table = sql.Identifier(schema, "letopis_events")
    written = 0
    with psycopg.connect(conninfo) as connection:
        with (
            connection.cursor() as cursor,
            cursor.copy(
                sql.SQL(
                    "COPY {} (originator_id, originator_version, topic, state) FROM STDIN (FORMAT BINARY)"
                ).format(table)
            ) as copy,
        ):
            copy.set_types(["uuid", "int8", "text", "bytea"])
            replica = 0
            while written < events:
                ids, stored = units[replica % len(units)]
                fresh = [uuid.uuid4() for _ in ids]
                swaps = [(old.encode(), str(new).encode()) for old, new in zip(ids, fresh, strict=True)]
                renamed = dict(zip(ids, fresh, strict=True))
                for originator_id, version, topic, state in stored[: events - written]:
                    for old, new in swaps:
                        state = state.replace(old, new)
                    own = renamed.get(str(originator_id))
                    copy.write_row((own or uuid.uuid4(), version, topic, state))
                    written += 1
                replica += 1
        connection.commit()
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(sql.SQL("VACUUM ANALYZE {}").format(table))
    return written


def raw_copy(conninfo: str, schema: str) -> tuple[int, float]:
    """COPY the rows the rebuild produced into an identical table; return (rows, seconds)."""
    source = sql.Identifier(schema, "history_entries")
    target = sql.Identifier(schema, "history_raw")
    chunks: list[bytes] = []
    with psycopg.connect(conninfo) as connection:
        with connection.cursor() as cursor, cursor.copy(sql.SQL("COPY {} TO STDOUT").format(source)) as copy:
            chunks.extend(bytes(chunk) for chunk in copy)
        connection.execute(
            sql.SQL(
                "CREATE TABLE {} (subject_id TEXT NOT NULL, position BIGINT NOT NULL, counterparty_id TEXT, "
                "source_id TEXT NOT NULL, source_version INTEGER NOT NULL, entry_type TEXT NOT NULL, "
                "event TEXT NOT NULL, summary TEXT NOT NULL, details TEXT NOT NULL, actor TEXT NOT NULL, "
                "occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL, PRIMARY KEY (subject_id, position))"
            ).format(target)
        )
        connection.execute(sql.SQL("CREATE INDEX ON {} (subject_id, occurred_at, position)").format(target))
        connection.commit()
        # Group the stream into ~1 MB writes, as a loader reading a file would.
        buffers, pending, size = [], [], 0
        for chunk in chunks:
            pending.append(chunk)
            size += len(chunk)
            if size >= 1 << 20:
                buffers.append(b"".join(pending))
                pending, size = [], 0
        if pending:
            buffers.append(b"".join(pending))
        with Stopwatch() as watch:
            with (
                connection.cursor() as cursor,
                cursor.copy(sql.SQL("COPY {} FROM STDIN").format(target)) as copy,
            ):
                for buffer in buffers:
                    copy.write(buffer)
            connection.commit()
        row = connection.execute(sql.SQL("SELECT count(*) FROM {}").format(target)).fetchone()
    return int(row[0]) if row else 0, watch.elapsed


def run(quick: bool, events: int | None = None, profile: Any = None) -> list[Result]:
    events = events or (50_000 if quick else 1_000_000)
    with pg_schema("bench_rebuild") as (url, schema):
        store = EventStore(url)
        views = PostgresViews(BENCH_CONNINFO, schema=schema)
        try:
            with Stopwatch() as load_watch:
                loaded = load_log(BENCH_CONNINFO, schema, store, events)
            runner = ProjectionRunner(store, views, [RelationshipHistory()])
            runner.create_tables()  # the bookkeeping a rebuild records its build in, as wiring sets up
            with Stopwatch() as watch:
                if profile is not None:
                    profile.enable()
                reached = runner.rebuild()
                if profile is not None:
                    profile.disable()
            assert reached == store.head(), (reached, store.head())
            rows, raw_s = raw_copy(BENCH_CONNINFO, schema)
        finally:
            views.close()
            store.close()
    ours_rows, raw_rows = rate(rows, watch.elapsed), rate(rows, raw_s)
    return [
        Result(
            "3 history rebuild",
            f"PostgreSQL, {loaded:,} events",
            f"{rate(loaded, watch.elapsed):,.0f} events/s ({ours_rows:,.0f} rows/s)",
            f"{raw_rows:,.0f} rows/s COPY",
            ours_rows / raw_rows,
            0.2,
            f"{rows:,} rows in {watch.elapsed:.1f} s vs {raw_s:.1f} s; "
            f"log loaded in {load_watch.elapsed:.0f} s",
        )
    ]
