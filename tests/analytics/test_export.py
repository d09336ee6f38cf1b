"""The analytics store: the log flattened with typed columns, views snapshotted, new events
appended as parts of their own, history never rewritten, nothing secret exported."""

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest

from aggregates.errors import DomainError
from analytics.export import AnalyticsExport, ExportRefused
from analytics.facts import FACTS
from commands.payment_commands import RefundPayment
from tests.analytics.sales import sell
from tests.commands.test_contracts import TODAY


def parts(letopis) -> list[str]:
    return sorted(path.name for path in (letopis.analytics_export.folder / "events").iterdir())


def test_every_event_is_exported_once_with_its_provenance_and_typed_money(letopis, staff):
    sales = sell(letopis, staff)
    exported = letopis.analytics_export.export()
    assert (exported.first, exported.last) == (1, sales.position)

    rows = letopis.analytics.query(
        "SELECT count(*), count(DISTINCT position), min(position), max(position), "
        "count(*) FILTER (WHERE actor IS NULL OR occurred_at IS NULL OR recorded_at IS NULL) FROM events"
    ).rows
    assert rows == [(sales.position, sales.position, 1, sales.position, 0)]
    payments = letopis.analytics.query(
        "SELECT counterparty_id, amount, currency, is_refund FROM payments ORDER BY position"
    ).rows
    assert payments == [
        (sales.ivanov_client, Decimal("1000.50"), "RUB", False),
        (sales.ivanov_client, Decimal("2000.00"), "RUB", False),
        (sales.kuznetsova_client, Decimal("500.00"), "RUB", False),
        (sales.kuznetsova_client, Decimal("-100.00"), "RUB", True),
    ]
    lines = letopis.analytics.query("SELECT item, sum(quantity) FROM order_lines GROUP BY item ORDER BY item")
    assert lines.rows == [("Авиаперевозка", Decimal("2.000")), ("Фрахт 40HC", Decimal("4.000"))]


def test_an_events_text_reaches_its_payload_as_it_was_recorded(letopis, staff):
    sales = sell(letopis, staff)
    reason = 'Клиент: "верните", it\'s;\tпо\r\nдоговору \\N, NULL'
    refunded = letopis.store.read_stored(0, 10_000)[-1].originator_id
    letopis.service.run(
        staff["kuznetsova"][0],
        RefundPayment(amount=Decimal("50"), refunded_on=TODAY, reason=reason),
        str(refunded),
    )
    letopis.analytics_export.export()
    found = letopis.analytics.query(
        "SELECT payload->>'reason' FROM events WHERE event_type = 'Payment.Refunded' ORDER BY position"
    ).rows
    assert found == [("Переплата",), (reason,)]
    assert sales.position < letopis.store.head()


def test_an_export_appends_only_what_is_new_and_leaves_earlier_parts_untouched(letopis, staff):
    sell(letopis, staff)
    letopis.analytics_export.export()
    [first_part] = parts(letopis)
    first_path = letopis.analytics_export.folder / "events" / first_part
    written = first_path.stat().st_mtime_ns, first_path.read_bytes()

    exported_up_to = letopis.store.head()
    nothing_new = letopis.analytics_export.export()
    assert nothing_new.last < nothing_new.first
    assert parts(letopis) == [first_part]

    letopis.create_user("Новикова Ирина", staff["ivanov"][0].role, "Москва-1", "Продажи")
    added = letopis.analytics_export.export()
    assert (added.first, added.last) == (exported_up_to + 1, letopis.store.head())
    assert len(parts(letopis)) == 2
    assert (first_path.stat().st_mtime_ns, first_path.read_bytes()) == written
    count = letopis.analytics.query("SELECT count(*) FROM events").rows
    assert count == [(letopis.store.head(),)]


def test_views_are_snapshotted_and_follow_the_views(letopis, staff):
    sales = sell(letopis, staff)
    letopis.analytics_export.export()
    names = letopis.analytics.run(
        "SELECT name FROM views.counterparties WHERE id IN ($one, $other) ORDER BY name",
        {"one": sales.ivanov_client, "other": sales.kuznetsova_client},
    )
    assert names.rows == [("АО «Невский порт»",), ("ООО «Ёлка-Транс»",)]


def test_no_token_or_digest_leaves_the_store(letopis, staff):
    letopis.issue_token(staff["analyst"][0].employee_id, "reports")
    letopis.runner.catch_up()
    letopis.analytics_export.export()
    folder = letopis.analytics_export.folder
    assert not (folder / "views" / "access_tokens.parquet").exists()
    withheld = letopis.analytics.query(
        "SELECT count(*), count(payload) FROM events WHERE event_type LIKE 'Employee.Token%'"
    ).rows
    assert withheld[0][0] > 0
    assert withheld[0][1] == 0
    every_value = letopis.analytics.query(
        "SELECT count(*) FROM events WHERE payload::VARCHAR LIKE '%digest%'"
    )
    assert every_value.rows == [(0,)]


@contextmanager
def unwritable(folder: Path) -> Iterator[None]:
    """The folder made read-only: by its mode, or, for the superuser, whom modes do not stop,
    by the immutable attribute."""
    folder.chmod(0o500)
    immutable = False
    try:
        probe = folder / ".probe"
        try:
            probe.touch()
        except OSError:
            pass
        else:
            probe.unlink()
            immutable = subprocess.run(["chattr", "+i", str(folder)], check=False).returncode == 0
            if not immutable:
                pytest.skip("no way to make a folder read-only for this user")
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o700)


def test_a_folder_that_cannot_be_written_is_refused_and_the_store_is_left_as_it_was(letopis, staff):
    sell(letopis, staff)
    letopis.analytics_export.export()
    folder = letopis.analytics_export.folder
    before = {str(path): path.read_bytes() for path in folder.rglob("*") if path.is_file()}
    letopis.create_user("Новикова Ирина", staff["ivanov"][0].role, "Москва-1", "Продажи")
    with unwritable(folder), pytest.raises(ExportRefused, match="is not writable"):
        letopis.analytics_export.export()
    assert {str(path): path.read_bytes() for path in folder.rglob("*") if path.is_file()} == before
    assert letopis.analytics.query("SELECT max(position) FROM events").rows[0][0] < letopis.store.head()
    assert issubclass(ExportRefused, DomainError)


def test_a_folder_that_cannot_be_created_is_refused_before_anything_is_read(letopis, staff, tmp_path):
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("not a folder")
    export = AnalyticsExport(
        in_the_way / "analytics", letopis.store, letopis.views, letopis.runner.projections
    )
    with pytest.raises(ExportRefused, match=r"a-file/analytics is not writable"):
        export.export()
    assert in_the_way.read_text() == "not a folder"


def test_each_part_keeps_each_fact_tables_rows_beside_it_and_a_rebuild_replaces_them(letopis, staff):
    sell(letopis, staff)
    letopis.analytics_export.export()
    letopis.create_user("Новикова Ирина", staff["ivanov"][0].role, "Москва-1", "Продажи")
    letopis.analytics_export.export()
    folder = letopis.analytics_export.folder

    def facts() -> dict[str, list[str]]:
        return {fact.name: sorted(p.name for p in (folder / "facts" / fact.name).iterdir()) for fact in FACTS}

    assert facts() == {fact.name: parts(letopis) for fact in FACTS}
    assert letopis.analytics.query("SELECT count(*), sum(amount) FROM payments").rows == [
        (4, Decimal("3400.50"))
    ]

    letopis.analytics_export.rebuild()
    assert len(parts(letopis)) == 1
    assert facts() == {fact.name: parts(letopis) for fact in FACTS}
    assert letopis.analytics.query("SELECT count(*), sum(amount) FROM payments").rows == [
        (4, Decimal("3400.50"))
    ]
    assert sorted(path.name for path in folder.iterdir() if path.name.startswith(".")) == []


TEXTS = {"industry": "", "activity": "NULL", "lead_source": 'it\'s, "так"\nи так', "tax_id": "\\N"}


def test_a_views_text_reaches_the_snapshot_as_it_is_and_apart_from_null(letopis, staff):
    sales = sell(letopis, staff)
    with letopis.views.writing() as cursor:
        cursor.execute(
            "UPDATE counterparties SET industry = $1, activity = $2, lead_source = $3, tax_id = $4, "
            "region = NULL WHERE id = $5",
            (*TEXTS.values(), sales.ivanov_client),
        )
        other_client = sales.kuznetsova_client
        cursor.execute("UPDATE counterparties SET industry = $1 WHERE id = $2", (" ' ", other_client))
    letopis.analytics_export.export()
    found = letopis.analytics.run(
        f"SELECT {', '.join(TEXTS)}, region IS NULL FROM views.counterparties WHERE id = $one",
        {"one": sales.ivanov_client},
    )
    assert found.rows == [(*TEXTS.values(), True)]
    other = letopis.analytics.run(
        "SELECT industry FROM views.counterparties WHERE id = $other", {"other": sales.kuznetsova_client}
    )
    assert other.rows == [(" ' ",)]


def test_a_view_row_longer_than_csv_readers_expect_is_snapshotted_whole(letopis, staff):
    sales = sell(letopis, staff)
    long_text = "Ёлка, «груз»\n" * 250_000  # 4.5 MB in UTF-8: a line longer than DuckDB's default
    with letopis.views.writing() as cursor:
        cursor.execute(
            "UPDATE counterparties SET industry = $1 WHERE id = $2", (long_text, sales.ivanov_client)
        )
    letopis.analytics_export.export()
    found = letopis.analytics.run(
        "SELECT industry = $text, length(industry) FROM views.counterparties WHERE id = $one",
        {"one": sales.ivanov_client, "text": long_text},
    )
    assert found.rows == [(True, len(long_text))]
