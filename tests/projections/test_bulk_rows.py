"""A batch's keyed rows read ahead in one statement and written back in bulk (by COPY into a
scratch table on PostgreSQL, once there are many) end as the same rows written one by one."""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from letopis.wiring import Letopis
from projections.tables import Kind, Table
from projections.writes import Writes

TABLE = Table(
    "test_bulk_rows",
    {"id": Kind.TEXT, "name": Kind.TEXT, "day": Kind.DAY, "n": Kind.INTEGER},
    key=("id",),
)
MANY = 500


def _stored(letopis: Letopis) -> dict[str, tuple[str, date, int]]:
    with letopis.views.reading() as cursor:
        rows = cursor.execute(f"SELECT id, name, day, n FROM {TABLE.name}")
        return {key: (name, cursor.dialect.day_of(day), int(n)) for key, name, day, n in rows}


def test_many_rows_are_written_rewritten_and_deleted_in_bulk(letopis: Letopis) -> None:
    with letopis.views.writing() as cursor:
        TABLE.create(cursor, TABLE.name)
        writes = Writes(cursor, {})
        rows = writes.rows(TABLE)
        for n in range(MANY):
            rows.put({"id": f"r{n}", "name": f"Имя\x00{n}", "day": date(2024, 2, 29), "n": n})
        writes.flush()
        # A second bulk write in the same transaction finds the scratch table empty.
        for n in range(MANY, 2 * MANY):
            rows.put({"id": f"r{n}", "name": f"Имя {n}", "day": date(2024, 12, 31), "n": n})
        writes.flush()

    with letopis.views.writing() as cursor:
        writes = Writes(cursor, {})
        rows = writes.rows(TABLE)
        rows.load("id", [f"r{n}" for n in range(0, 2 * MANY, 2)] + ["absent", "r0"])
        assert rows.get("absent") is None
        assert rows.get("r1") is not None  # not read ahead: read alone
        for n in range(0, 2 * MANY, 2):
            rows.update((f"r{n}",), n=-n)
        rows.delete("r3")
        rows.put({"id": "new", "name": "новая", "day": date(2025, 1, 1), "n": 7})
        writes.flush()

    stored = _stored(letopis)
    assert len(stored) == 2 * MANY
    assert stored["r0"][1] == date(2024, 2, 29)
    assert stored["r4"][2] == -4
    assert stored["r5"][2] == 5
    assert stored[f"r{MANY}"] == (f"Имя {MANY}", date(2024, 12, 31), -MANY)
    assert "r3" not in stored
    assert stored["new"] == ("новая", date(2025, 1, 1), 7)
    assert stored["r1"][0] in {"Имя\x001", "Имя\ufffd1"}  # PostgreSQL text cannot hold NUL


def test_rows_read_ahead_never_replace_what_the_batch_changed(letopis: Letopis) -> None:
    with letopis.views.writing() as cursor:
        TABLE.create(cursor, TABLE.name)
        writes = Writes(cursor, {})
        writes.rows(TABLE).put({"id": "a", "name": "было", "day": date(2024, 1, 1), "n": 1})
        writes.flush()
    with letopis.views.writing() as cursor:
        writes = Writes(cursor, {})
        rows = writes.rows(TABLE)
        rows.update(("a",), n=2)
        rows.delete("b")
        rows.load("id", ["a", "b"])
        assert rows[("a",)]["n"] == 2
        assert rows.get("b") is None
        writes.flush()
    assert _stored(letopis)["a"][2] == 2


DAYS = Table(
    "test_bulk_days",
    {"id": Kind.TEXT, "day": Kind.DAY, "n": Kind.INTEGER},
    key=("id", "day"),
)


def test_many_rows_of_a_key_of_several_columns_are_deleted_in_one_go(letopis: Letopis) -> None:
    days = [date(1, 1, 1), date(2024, 2, 29), date(9999, 12, 31)]
    with letopis.views.writing() as cursor:
        DAYS.create(cursor, DAYS.name)
        writes = Writes(cursor, {})
        rows = writes.rows(DAYS)
        for n in range(MANY):
            for day in days:
                rows.put({"id": f"Запись\x00{n}", "day": day, "n": n})
        writes.flush()
    with letopis.views.writing() as cursor:
        writes = Writes(cursor, {})
        rows = writes.rows(DAYS)
        for n in range(0, MANY, 2):
            rows.delete(f"Запись\x00{n}", days[n % 3])
        rows.delete("never stored", date(2024, 1, 1))
        writes.flush()
    with letopis.views.reading() as cursor:
        found = cursor.execute(f"SELECT id, day FROM {DAYS.name}")
        kept = {(key.replace("\ufffd", "\x00"), cursor.dialect.day_of(day)) for key, day in found}
    assert kept == {
        (f"Запись\x00{n}", day) for n in range(MANY) for day in days if n % 2 or day != days[n % 3]
    }


ODD_KEYS = [
    'a "quoted" name',
    "back\\slash",
    "{braces}",
    "comma, inside",
    "NULL",
    " spaced ",
    "Ёлка",
    "it's",
    "",
]


def test_rows_are_read_ahead_whatever_their_keys_spell(letopis: Letopis) -> None:
    days = [date(1, 1, 1), date(2024, 2, 29), date(9999, 12, 31)]
    with letopis.views.writing() as cursor:
        TABLE.create(cursor, TABLE.name)
        writes = Writes(cursor, {})
        for n, key in enumerate(ODD_KEYS):
            writes.rows(TABLE).put({"id": key, "name": key, "day": days[n % 3], "n": n})
        writes.flush()
    with letopis.views.writing() as cursor:
        writes = Writes(cursor, {})
        texts = writes.rows(TABLE)
        # A key the read ahead missed would be taken as absent: the table's key is the column read by.
        texts.load("id", [*ODD_KEYS, "null", "absent"])
        assert [texts[(key,)]["n"] for key in ODD_KEYS] == list(range(len(ODD_KEYS)))
        assert texts.get("null") is None
        assert texts.get("absent") is None


SUMS = Table(
    "test_bulk_sums",
    {"id": Kind.TEXT, "amount": Kind.MONEY, "count": Kind.INTEGER},
    key=("id",),
)


def test_many_running_totals_are_added_to_in_bulk(letopis: Letopis) -> None:
    with letopis.views.writing() as cursor:
        SUMS.create(cursor, SUMS.name)
    for batch in range(2):
        with letopis.views.writing() as cursor:
            writes = Writes(cursor, {})
            totals = writes.totals(SUMS)
            for n in range(MANY + batch):
                totals.add((f"клиент {n}",), amount=Decimal("0.10") * n, count=1)
                totals.add((f"клиент {n}",), amount=Decimal("0.01"), count=1)
            writes.flush()
    with letopis.views.reading() as cursor:
        stored = {
            key: (Decimal(str(amount)), count)
            for key, amount, count in cursor.execute(f"SELECT id, amount, count FROM {SUMS.name}")
        }
    assert len(stored) == MANY + 1
    assert stored["клиент 0"] == (Decimal("0.02"), 4)
    assert stored[f"клиент {MANY - 1}"] == (Decimal("0.20") * (MANY - 1) + Decimal("0.02"), 4)
    assert stored[f"клиент {MANY}"] == (Decimal("0.10") * MANY + Decimal("0.01"), 2)


ORDERED = Table(
    "test_ordered_rows",
    {"id": Kind.TEXT, "owner": Kind.TEXT, "day": Kind.DAY},
    key=("id",),
    written_in=("owner", "day"),
)


def test_a_batch_writes_its_rows_in_the_order_its_table_declares(letopis: Letopis) -> None:
    """Stored that way, rows read together (an owner's days) lie together on the same pages."""
    placed = [(f"o{n % 7}", date(2024, 1, 1 + n % 28)) for n in range(MANY)]
    with letopis.views.writing() as cursor:
        ORDERED.create(cursor, ORDERED.name)
        writes = Writes(cursor, {})
        rows = writes.rows(ORDERED)
        for n, (owner, day) in enumerate(placed):
            rows.put({"id": f"r{n}", "owner": owner, "day": day})
        writes.flush()

    with letopis.views.reading() as cursor:
        # A table just written is read in the order its rows were stored.
        stored = [
            (owner, cursor.dialect.day_of(day))
            for owner, day in cursor.execute(f"SELECT owner, day FROM {ORDERED.name}")
        ]
    assert stored == sorted(placed)


def test_rows_whose_values_differ_in_type_are_written_all_the_same(letopis: Letopis) -> None:
    """SQLite gives a day back as text, which does not sort beside a date a handler puts."""
    with letopis.views.writing() as cursor:
        ORDERED.create(cursor, ORDERED.name)
        writes = Writes(cursor, {})
        writes.rows(ORDERED).put({"id": "read back", "owner": "o1", "day": date(2024, 3, 1)})
        writes.flush()
    with letopis.views.writing() as cursor:
        writes = Writes(cursor, {})
        rows = writes.rows(ORDERED)
        rows.update(("read back",), owner="o2")
        rows.put({"id": "put", "owner": "o2", "day": date(2024, 2, 29)})
        writes.flush()

    with letopis.views.reading() as cursor:
        stored = {
            key: (owner, cursor.dialect.day_of(day))
            for key, owner, day in cursor.execute(f"SELECT id, owner, day FROM {ORDERED.name}")
        }
    assert stored == {"read back": ("o2", date(2024, 3, 1)), "put": ("o2", date(2024, 2, 29))}


TIMED = Table("test_timed_rows", {"id": Kind.TEXT, "at": Kind.MOMENT}, key=("id",))


def test_times_written_in_bulk_keep_their_instant_and_one_outside_the_calendar_is_refused(
    letopis: Letopis,
) -> None:
    """A time of year 1 east of UTC falls in year 0 there: it stops the batch as it is written,
    rather than being stored where no read could load it, and none of the batch is kept."""
    moscow = ZoneInfo("Europe/Moscow")
    moments = {
        f"t{n}": datetime(2024, 2, 29, 9, 0, tzinfo=moscow) + timedelta(minutes=n) for n in range(MANY)
    }
    with letopis.views.writing() as cursor:
        TIMED.create(cursor, TIMED.name)
        writes = Writes(cursor, {})
        rows = writes.rows(TIMED)
        for key, at in moments.items():
            rows.put({"id": key, "at": at})
        writes.flush()

    def write_year_one_among_others() -> None:
        with letopis.views.writing() as cursor:
            writes = Writes(cursor, {})
            rows = writes.rows(TIMED)
            for n in range(MANY):
                rows.put({"id": f"late{n}", "at": datetime(2024, 3, 1, tzinfo=UTC)})
            rows.put({"id": "year one", "at": datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))})
            writes.flush()

    with pytest.raises(OverflowError):
        write_year_one_among_others()

    with letopis.views.reading() as cursor:
        stored = {
            key: cursor.dialect.moment_of(at)
            for key, at in cursor.execute(f"SELECT id, at FROM {TIMED.name}")
        }
    assert stored == moments


BY_TIME = Table(
    "test_rows_by_time", {"id": Kind.TEXT, "at": Kind.MOMENT, "n": Kind.INTEGER}, key=("id", "at")
)


def test_rows_already_stored_are_rewritten_in_bulk_whatever_their_keys_hold(letopis: Letopis) -> None:
    """Rows new to the table and rows it holds, in one batch, keyed by texts with NUL and by
    times given in Moscow, which the engine keeps as U+FFFD and in UTC."""
    moscow = ZoneInfo("Europe/Moscow")
    keys = [
        (f"ключ\x00{n}", datetime(2024, 2, 29, 9, tzinfo=moscow) + timedelta(minutes=n)) for n in range(MANY)
    ]
    with letopis.views.writing() as cursor:
        BY_TIME.create(cursor, BY_TIME.name)
        writes = Writes(cursor, {})
        rows = writes.rows(BY_TIME)
        for key, at in keys[: MANY // 2]:
            rows.put({"id": key, "at": at, "n": 1})
        writes.flush()
    with letopis.views.writing() as cursor:
        writes = Writes(cursor, {})
        rows = writes.rows(BY_TIME)
        for key, at in keys:
            rows.put({"id": key, "at": at, "n": 2})
        writes.flush()
    with letopis.views.reading() as cursor:
        stored = cursor.execute(f"SELECT id, at, n FROM {BY_TIME.name}")
        found = {(key.replace("\ufffd", "\x00"), cursor.dialect.moment_of(at)): n for key, at, n in stored}
    assert found == dict.fromkeys(keys, 2)
