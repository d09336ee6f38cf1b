"""Analytics over HTTP: raw SQL for analysts, auditors and administrators only; the ready
analyses for everyone, within their scope; refusals with the one error body."""

import csv
import io
from datetime import datetime

import openpyxl
import pytest

from letopis.spreadsheets import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE
from tests.analytics.sales import sell

API = "/api/v1/analytics"


@pytest.fixture
def sales(letopis, staff):
    """Sales, exported: the cases of one test share them (readers, refused queries), since an
    export per case would be most of this file's time."""
    sold = sell(letopis, staff)
    letopis.analytics_export.export()
    return sold


MONEY_PER_CLIENT = "SELECT counterparty_id, sum(amount) AS money FROM payments GROUP BY 1 ORDER BY 2 DESC"


def test_roles_that_read_everything_query_the_whole_history(client, auth, sales):
    for who in ("analyst", "auditor", "admin"):
        answer = client.post(f"{API}/query", json={"sql": MONEY_PER_CLIENT}, headers=auth(who))
        assert answer.status_code == 200, (who, answer.text)
        body = answer.json()
        assert body["columns"] == [
            {"name": "counterparty_id", "type": "VARCHAR"},
            {"name": "money", "type": "DECIMAL(38,2)"},
        ]
        assert body["rows"] == [[sales.ivanov_client, "3000.50"], [sales.kuznetsova_client, "400.00"]], who
        assert body["position"] == sales.position


def test_managers_and_heads_never_run_raw_sql(client, auth, sales):
    for who in ("ivanov", "head"):
        answer = client.post(f"{API}/query", json={"sql": "SELECT * FROM payments"}, headers=auth(who))
        assert (answer.status_code, answer.json()["code"]) == (403, "access_denied"), who


REFUSED_SQL = [
    ("COPY payments TO '/tmp/stolen.csv'", "query_refused", "only SELECT statements"),
    ("SELECT * FROM read_csv('/etc/passwd')", "query_refused", "file system operations are disabled"),
    ("ATTACH '/tmp/x.duckdb'", "query_refused", "not ATTACH"),
    ("SELECT * FROM range(1000000)", "result_too_large", "more than 10000 rows"),
    ("SELEC 1", "query_refused", "syntax error"),
]


def test_refused_sql_answers_400_with_a_reason(client, auth, sales):
    for sql, code, detail in REFUSED_SQL:
        answer = client.post(f"{API}/query", json={"sql": sql}, headers=auth("analyst"))
        assert answer.status_code == 400, (sql, answer.text)
        body = answer.json()
        assert (body["code"], body["errors"]) == (code, []), sql
        assert detail in body["detail"], sql


def test_the_catalogue_describes_every_column(client, auth, sales):
    answer = client.get(f"{API}/tables", headers=auth("ivanov"))
    assert answer.status_code == 200
    tables = {table["name"]: table for table in answer.json()}
    assert {"events", "payments", "order_lines", "views.counterparties"} <= set(tables)
    assert "views.access_tokens" not in tables
    assert all(column["description"] and column["type"] for t in tables.values() for column in t["columns"])


def test_analyses_are_listed_with_their_parameters(client, auth):
    answer = client.get(f"{API}/analyses", headers=auth("ivanov"))
    assert answer.status_code == 200
    listed = {analysis["name"]: analysis for analysis in answer.json()}
    assert "client-value" in listed
    assert "months" in listed["client-value"]["parameters"]["properties"]


SCOPES = [
    ("analyst", {"ivanov", "kuznetsova"}),
    ("ivanov", {"ivanov"}),
    ("petrova", {"ivanov"}),
    ("head", {"ivanov"}),
    ("kuznetsova", {"kuznetsova"}),
    ("sidorov", set()),
]


def test_ready_analyses_answer_within_the_readers_scope(client, auth, sales):
    ids = {"ivanov": sales.ivanov_client, "kuznetsova": sales.kuznetsova_client}
    for who, clients in SCOPES:
        answer = client.get(f"{API}/analyses/client-value", params={"months": 3}, headers=auth(who))
        assert answer.status_code == 200, (who, answer.text)
        body = answer.json()
        assert body["parameters"]["months"] == 3
        assert {row[0] for row in body["rows"]} == {ids[name] for name in clients}, who


def test_another_teams_client_shows_no_activity_to_a_manager(client, auth, sales):
    params = {"counterparty_id": sales.kuznetsova_client}
    theirs = client.get(f"{API}/analyses/client-activity", params=params, headers=auth("ivanov"))
    assert theirs.status_code == 200
    assert theirs.json()["rows"] == []
    own = client.get(f"{API}/analyses/client-activity", params=params, headers=auth("kuznetsova"))
    assert own.json()["rows"] != []


def test_an_unknown_analysis_answers_404_and_an_unknown_parameter_422(client, auth, sales):
    missing = client.get(f"{API}/analyses/fortune", headers=auth("analyst"))
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    unknown = client.get(f"{API}/analyses/client-value", params={"monthz": 3}, headers=auth("analyst"))
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["loc"] == ["query", "monthz"]
    assert "unknown parameter" in unknown.json()["detail"]


def test_an_analysis_downloads_as_a_spreadsheet_with_russian_titles_and_numbers(client, auth, sales):
    answer = client.get(f"{API}/analyses/client-value", params={"format": "xlsx"}, headers=auth("analyst"))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == XLSX_MEDIA_TYPE
    assert answer.headers["log-position"] == str(sales.position)
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    data = book.worksheets[0]
    titles = [cell.value for cell in data[1]]
    assert titles[:4] == ["Клиент (id)", "Клиент", "Класс ABC", "Сегмент"]
    assert data.freeze_panes == "A2"
    money = titles.index("Получено") + 1
    assert [data.cell(row, money).value for row in (2, 3)] == [3000.5, 400]
    assert isinstance(data.cell(2, titles.index("Последняя оплата") + 1).value, datetime)
    parameters = {row[0].value: row[1].value for row in book["Параметры"].iter_rows(min_row=2)}
    assert parameters["Анализ"] == "client-value"
    assert parameters["months"] == 12
    assert parameters["Позиция журнала"] == sales.position


def test_an_analysis_downloads_as_csv_when_the_accept_header_asks(client, auth, sales):
    headers = {**auth("ivanov"), "Accept": CSV_MEDIA_TYPE}
    answer = client.get(f"{API}/analyses/client-value", headers=headers)
    assert answer.status_code == 200, answer.text
    rows = list(csv.reader(answer.content.decode("utf-8-sig").splitlines()))
    assert rows[0][:2] == ["Клиент (id)", "Клиент"]
    assert [row[0] for row in rows[1:]] == [sales.ivanov_client]
