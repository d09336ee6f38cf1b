"""crm analytics: export, SQL with results as a table or a file, the catalogue, analyses."""

import csv
import json

import duckdb
import openpyxl
from typer.testing import CliRunner

from letopis.cli import app
from letopis.settings import Settings


def crm(*arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(arguments))
    return result.exit_code, result.output


def test_an_analyst_exports_and_queries_from_the_command_line(console_store: Settings, tmp_path) -> None:
    assert crm("users", "create", "Морозов Денис", "--role", "analyst")[0] == 0
    code, output = crm("analytics", "export")
    assert code == 0, output
    assert "Exported events 1…2 and" in output

    code, output = crm(
        "analytics", "sql", "SELECT event_type, count(*) AS n FROM events GROUP BY 1 ORDER BY 1"
    )
    assert code == 0, output
    assert "Employee.Hired" in output
    assert "Employee.TokenIssued" in output

    code, output = crm(
        "analytics", "sql", "SELECT event_type, actor FROM events ORDER BY position", "--format", "csv"
    )
    assert code == 0, output
    assert list(csv.reader(output.splitlines())) == [
        ["event_type", "actor"],
        ["Employee.Hired", "console"],
        ["Employee.TokenIssued", "console"],
    ]

    target = tmp_path / "events.parquet"
    code, output = crm(
        "analytics",
        "sql",
        "SELECT position, occurred_at FROM events",
        "--format",
        "parquet",
        "--out",
        str(target),
    )
    assert code == 0, output
    assert duckdb.execute(f"SELECT count(*), typeof(any_value(occurred_at)) FROM '{target}'").fetchall() == [
        (2, "TIMESTAMP WITH TIME ZONE")
    ]

    answer = tmp_path / "segments.json"
    code, output = crm(
        "analytics", "analysis", "segments", "-p", "months=24", "--format", "json", "--out", str(answer)
    )
    assert code == 0, output
    assert json.loads(answer.read_text(encoding="utf-8")) == []

    book = tmp_path / "value.xlsx"
    code, output = crm("analytics", "analysis", "client-value", "--format", "xlsx", "--out", str(book))
    assert code == 0, output
    workbook = openpyxl.load_workbook(book)
    assert [cell.value for cell in workbook.worksheets[0][1]][:3] == ["Клиент (id)", "Клиент", "Класс ABC"]
    assert workbook["Параметры"]["A2"].value == "currency"

    code, output = crm("analytics", "export", "--incremental")
    assert code == 0, output
    assert "no new events" in output


def test_refusals_are_one_line_and_exit_2(console_store: Settings) -> None:
    assert crm("analytics", "export")[0] == 0
    code, output = crm("analytics", "sql", "COPY events TO '/tmp/stolen.csv'")
    assert code == 2
    assert "only SELECT statements may run here, not COPY" in output
    code, output = crm("analytics", "analysis", "client-value", "-p", "monthz=3")
    assert code == 2
    assert "monthz: client-value: unknown parameter" in output
    code, output = crm("analytics", "analysis", "fortune")
    assert code == 2
    assert "there is no analysis 'fortune'" in output


def test_the_catalogue_lists_tables_and_columns(console_store: Settings) -> None:
    code, output = crm("analytics", "tables")
    assert code == 0, output
    assert "payments" in output
    assert "views.counterparties" in output
    code, output = crm("analytics", "tables", "payments")
    assert code == 0, output
    assert "DECIMAL(38,2)" in output
    code, output = crm("analytics", "tables", "secrets")
    assert code == 2
