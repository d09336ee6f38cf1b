"""Benchmark 15: importing a client base of 100,000 counterparties with 200,000 contacts.

The files are what a 1C user hands over: the counterparties as CSV in Windows-1251 separated
by ';' (or one XLSX sheet), with ИНН, КПП, ОГРН, bank requisites, phones, region and the
responsible manager; the contacts, two per organisation, linked by the organisation's ИНН.
They are generated once and kept in ``benchmarks/.work``.

Letopis's path is ``import_counterparties`` into a fresh store: every row read, placed by
its title, validated by the command model and the aggregate (control digits included),
checked against the ИНН claims in the log, then the cards, their claims and the contacts
written in one append. The baseline inserts exactly the events that import wrote (same
topics, same state bytes) into a table shaped like the event table, in one transaction, with
plain sqlite3 or psycopg ``COPY``. Both are counted in file rows (cards + contacts) per second.
"""

import io
import random
import sqlite3
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from aggregates.employee import Role
from aggregates.requisites import account_control_key, inn_check_digits, ogrn_control_digit
from aggregates.scope import Actor
from benchmarks.common import Result, Stopwatch, pg_schema, rate, raw_events_table, sqlite_dir, sqlite_url
from commands.counterparty_import import import_counterparties
from commands.import_checks import ImportFile
from letopis.settings import Settings
from letopis.wiring import build

WORK = Path(__file__).resolve().parent / ".work"
TARGET = 0.3
CARD_TITLES = [
    "Наименование",
    "Полное наименование",
    "ИНН",
    "КПП",
    "ОГРН",
    "БИК",
    "Расчётный счёт",
    "Телефон",
    "E-mail",
    "Адрес",
    "Регион",
    "Вид контрагента",
]
CONTACT_TITLES = ["ФИО", "Должность", "Телефон", "E-mail", "ИНН организации"]
_REGIONS = [
    ("77", "Москва", "495"),
    ("78", "Санкт-Петербург", "812"),
    ("16", "Казань", "843"),
    ("54", "Новосибирск", "383"),
    ("66", "Екатеринбург", "343"),
]
_SURNAMES = ["Иванов", "Петров", "Сидоров", "Кузнецов", "Смирнов", "Волков", "Морозов", "Соколов"]
_NAMES = ["Иван", "Пётр", "Алексей", "Дмитрий", "Сергей", "Андрей", "Олег", "Михаил"]
_POSITIONS = ["Директор", "Главный бухгалтер", "Логист", "Менеджер по закупкам", "Начальник склада"]


def _digits(rng: random.Random, count: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(count))


def client_base_rows(cards: int) -> tuple[list[list[str]], list[list[str]]]:
    rng = random.Random(15)
    organisations, people = [], []
    for n in range(cards):
        code, region, area = _REGIONS[n % len(_REGIONS)]
        body = f"{code}{n:07d}"
        inn = body + inn_check_digits(body)
        ogrn = f"1{_digits(rng, 11)}"
        bik = f"04{_digits(rng, 7)}"
        account = f"40702810{_digits(rng, 12)}"
        brand = f"Ромашка-{n}"
        organisations.append(
            [
                f"ООО «{brand}»",
                f"Общество с ограниченной ответственностью «{brand}»",
                inn,
                f"{code}0101001",
                ogrn + ogrn_control_digit(ogrn),
                bik,
                account[:8] + account_control_key(account, bik) + account[9:],
                f"+7 ({area}) {_digits(rng, 3)}-{_digits(rng, 2)}-{_digits(rng, 2)}",
                f"info@romashka-{n}.ru",
                f"{region}, ул. Ленина, {n % 200 + 1}",
                region,
                "Юридическое лицо",
            ]
        )
        for k in range(2):
            people.append(
                [
                    f"{rng.choice(_SURNAMES)} {rng.choice(_NAMES)}",
                    _POSITIONS[(n + k) % len(_POSITIONS)],
                    f"8 9{_digits(rng, 2)} {_digits(rng, 3)}-{_digits(rng, 2)}-{_digits(rng, 2)}",
                    f"person{k}@romashka-{n}.ru",
                    inn,
                ]
            )
    return organisations, people


def csv_file(titles: list[str], rows: list[list[str]]) -> bytes:
    lines = [";".join(titles), *(";".join(row) for row in rows)]
    return ("\r\n".join(lines) + "\r\n").encode("cp1251")


def _xlsx(titles: list[str], rows: list[list[str]], title: str) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet(title)
    for number, row in enumerate([titles, *rows]):
        sheet.write_row(number, 0, row)
    book.close()
    return out.getvalue()


def input_files(cards: int, kind: str) -> tuple[bytes, bytes]:
    """The two files, generated once per size and kept in ``benchmarks/.work``."""
    WORK.mkdir(exist_ok=True)
    paths = [WORK / f"import-{cards}-{what}.{kind}" for what in ("counterparties", "contacts")]
    if not all(path.exists() for path in paths):
        organisations, people = client_base_rows(cards)
        if kind == "csv":
            data = [csv_file(CARD_TITLES, organisations), csv_file(CONTACT_TITLES, people)]
        else:
            data = [
                _xlsx(CARD_TITLES, organisations, "Контрагенты"),
                _xlsx(CONTACT_TITLES, people, "Контакты"),
            ]
        for path, content in zip(paths, data, strict=True):
            path.write_bytes(content)
    return paths[0].read_bytes(), paths[1].read_bytes()


def _import(
    url: str, cards: bytes, people: bytes, directory: Path
) -> tuple[float, int, list[tuple[Any, ...]]]:
    letopis = build(Settings(database_url=url, data_dir=directory))
    try:
        manager_id, _token = letopis.create_user("Иванов Иван", Role.HEAD_OF_SALES, None, "Продажи")
        actor = Actor(manager_id, "Иванов Иван", Role.HEAD_OF_SALES, None, "Продажи")
        head = letopis.store.head()
        with Stopwatch() as watch:
            report = import_counterparties(
                letopis.service, actor, ImportFile(cards), contacts=ImportFile(people)
            )
        if report.rejected or not report.position:
            raise RuntimeError(f"the import refused rows: {report.rejected[:3]}")
        rows = report.imported + report.contacts
        written: list[tuple[Any, ...]] = []
        after = head
        while batch := letopis.store.read_stored(after, 20_000):
            written.extend((n.originator_id, n.originator_version, n.topic, bytes(n.state)) for n in batch)
            after = batch[-1].id
        return watch.elapsed, rows, written
    finally:
        letopis.close()


def _raw_sqlite(directory: Path, events: list[tuple[Any, ...]]) -> float:
    connection = sqlite3.connect(str(directory / "raw.sqlite"), isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(
        "CREATE TABLE raw_events (originator_id TEXT, originator_version INTEGER, topic TEXT, state BLOB, "
        "notification_id INTEGER PRIMARY KEY, UNIQUE (originator_id, originator_version))"
    )
    with Stopwatch() as watch:
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT INTO raw_events (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)",
            ((o.hex, v, t, s) for o, v, t, s in events),
        )
        connection.execute("COMMIT")
    connection.close()
    return watch.elapsed


def _raw_postgres(url: str, schema: str, events: list[tuple[Any, ...]]) -> float:
    with psycopg.connect(url.split("?", 1)[0]) as connection:
        table = raw_events_table(connection, schema)
        with Stopwatch() as watch:
            copy = sql.SQL("COPY {} (originator_id, originator_version, topic, state) FROM STDIN").format(
                table
            )
            with connection.cursor() as cursor, cursor.copy(copy) as writer:
                for event in events:
                    writer.write_row(event)
            connection.commit()
    return watch.elapsed


def _result(store: str, kind: str, rows: int, ours_s: float, raw_s: float, events: int) -> Result:
    ours, theirs = rate(rows, ours_s), rate(rows, raw_s)
    return Result(
        "15 import",
        f"{kind.upper()}, {store}",
        f"{ours:,.0f} rows/s",
        f"{theirs:,.0f} rows/s",
        ours / theirs,
        TARGET,
        f"{rows:,} rows ({rows // 3:,} cards, {rows - rows // 3:,} contacts) → {events:,} events, "
        f"one append; {ours_s:.0f} s",
    )


def run(quick: bool) -> list[Result]:
    cards = 2_000 if quick else 100_000
    results = []
    for kind in ("csv", "xlsx"):
        organisations, people = input_files(cards, kind)
        with sqlite_dir("import") as directory:
            ours_s, rows, events = _import(sqlite_url(directory), organisations, people, directory)
            results.append(_result("SQLite", kind, rows, ours_s, _raw_sqlite(directory, events), len(events)))
        with pg_schema("bench_import") as (url, schema), sqlite_dir("import-pg") as directory:
            ours_s, rows, events = _import(url, organisations, people, directory)
            results.append(
                _result("PostgreSQL", kind, rows, ours_s, _raw_postgres(url, schema, events), len(events))
            )
    return results
