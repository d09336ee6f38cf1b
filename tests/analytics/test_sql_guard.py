"""What an analyst's SQL may not do: write, attach, read files, change settings, run too
long or return too much. Each is refused with a sentence and the store is left as it was."""

from collections.abc import Iterator

import duckdb
import pytest

from aggregates.employee import Role
from analytics.sql import AnalyticsDatabase, QueryRefused, QueryTooLong, ResultTooLarge
from letopis.settings import Settings
from letopis.wiring import Letopis, build
from tests.conftest import hire


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Letopis]:
    folder = tmp_path_factory.mktemp("guard")
    letopis = build(Settings(database_url=f"sqlite:///{folder / 'events.sqlite'}", data_dir=folder))
    hire(letopis, "Морозов Денис", Role.ANALYST)
    letopis.runner.catch_up()
    letopis.analytics_export.export()
    yield letopis
    letopis.close()


def store_files(letopis: Letopis) -> dict[str, bytes]:
    folder = letopis.analytics_export.folder
    return {str(path): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        ("COPY events TO '{folder}/stolen.csv'", "only SELECT statements may run here, not COPY"),
        ("CREATE TABLE mine AS SELECT * FROM events", "not CREATE"),
        ("INSERT INTO events (position) VALUES (1)", "not INSERT"),
        ("DELETE FROM events", "not DELETE"),
        ("ATTACH '{folder}/other.duckdb' AS other", "not ATTACH"),
        ("INSTALL httpfs", "not LOAD"),
        ("LOAD httpfs", "not LOAD"),
        ("PRAGMA version", "not PRAGMA"),
        ("SET enable_external_access = true", "not SET"),
        ("SELECT 1; DROP VIEW events", "exactly one statement, not 2"),
        ("SELECT * FROM read_parquet('/etc/passwd')", "file system operations are disabled"),
        ("SELECT * FROM read_csv('/etc/passwd')", "file system operations are disabled"),
        ("SELECT * FROM read_text('{folder}/../events.sqlite')", "file system operations are disabled"),
        ("SELECT * FROM glob('/*')", "file system operations are disabled"),
        ("SELECT * FROM read_json('http://example.com/x.json')", "disabled"),
        ("SELECT * FROM events WHERE", "syntax error"),
        ("SELECT * FROM no_such_table", "does not exist"),
        ("SELECT count(*) FROM views.access_tokens", "does not exist"),
    ],
)
def test_statements_that_reach_beyond_reading_the_store_are_refused(exported, statement, reason):
    before = store_files(exported)
    folder = exported.analytics_export.folder
    with pytest.raises(QueryRefused, match=reason) as refused:
        exported.analytics.query(statement.replace("{folder}", str(folder)))
    assert refused.value.code == "query_refused"
    assert store_files(exported) == before
    assert exported.analytics.query("SELECT count(*) FROM events").rows == [(exported.store.head(),)]


def test_a_query_that_runs_too_long_is_interrupted(exported):
    patient = AnalyticsDatabase(exported.analytics.folder, exported.analytics.tables, time_limit=0.5)
    with pytest.raises(QueryTooLong, match=r"longer than 0.5 s"):
        patient.query("SELECT count(*) FROM range(10000000000) a, range(1000) b WHERE a.range * b.range = 7")


def test_a_result_larger_than_the_limit_is_refused(exported):
    small = AnalyticsDatabase(exported.analytics.folder, exported.analytics.tables, row_limit=100)
    assert len(small.query("SELECT * FROM range(100)").rows) == 100
    with pytest.raises(ResultTooLarge, match="more than 100 rows"):
        small.query("SELECT * FROM range(101)")


def test_the_configuration_cannot_be_unlocked_from_inside_a_select(exported):
    with pytest.raises(QueryRefused, match="file system operations are disabled"):
        exported.analytics.query(
            "SELECT * FROM (SELECT current_setting('enable_external_access')), read_csv('/etc/hostname')"
        )


def test_analyst_sql_runs_on_the_exports_database_file_opened_read_only(exported):
    folder = exported.analytics_export.folder
    [database_file] = folder.glob("store-*.duckdb")
    with exported.analytics.connect() as connection:
        assert connection.execute("SELECT current_database()").fetchone() == (database_file.stem,)
        opened = connection.execute(
            "SELECT path, readonly FROM duckdb_databases() WHERE database_name = current_database()"
        ).fetchone()
        assert opened == (str(database_file), True)
        listed = connection.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
        views = {name for (name,) in listed}
        assert {"events", "payments", "orders", "counterparties", "employees"} <= views
        with pytest.raises(duckdb.Error, match="read-only"):
            connection.execute("CREATE TABLE mine AS SELECT 1")
        with pytest.raises(duckdb.Error, match="read-only"):
            connection.execute("DROP VIEW events")
    assert exported.analytics.query("SELECT count(*) FROM events").rows == [(exported.store.head(),)]


def test_a_new_part_is_read_through_the_same_database_file(exported):
    folder = exported.analytics_export.folder
    [before] = folder.glob("store-*.duckdb")
    exported.create_user("Новикова Ирина", Role.ANALYST, None, None)
    exported.runner.catch_up()
    exported.analytics_export.export()
    assert list(folder.glob("store-*.duckdb")) == [before], "the views' definitions did not change"
    assert exported.analytics.query("SELECT count(*) FROM events").rows == [(exported.store.head(),)]
    hired = exported.analytics.query(
        "SELECT count(*) FROM views.employees WHERE full_name = 'Новикова Ирина'"
    )
    assert hired.rows == [(1,)]
