"""Reports downloaded as XLSX and CSV, read back the way a spreadsheet user's tools read them:
Russian titles, numbers as numbers, dates as dates, a frozen header, the parameters and log
position beside the data, text never run as a formula, and the reader's scope kept."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient

from letopis.spreadsheets import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE
from tests.read_api.world import API, Api, contract_body, days, ivanov_world

HOSTILE_NAME = '=HYPERLINK("http://example.com";"Открыть")'


@pytest.fixture
def world(client: TestClient, auth: Any) -> dict[str, str]:
    ids = ivanov_world(client, auth)
    api = Api(client, auth)
    hostile = api.write("ivanov", "post", "/counterparties", {"name": HOSTILE_NAME})["id"]
    api.write("ivanov", "post", "/contracts", contract_body(hostile, number="ТЛ-2026/002"))
    last = api.write("ivanov", "post", "/contracts", contract_body(hostile, number="ТЛ-2026/003"))
    ids["position"] = str(last["position"])
    ids["signed_on"] = days(-10)
    return ids


def workbook(response: Any) -> Any:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX_MEDIA_TYPE
    return openpyxl.load_workbook(io.BytesIO(response.content))


def parameters(book: Any) -> dict[str, Any]:
    sheet = book["Параметры"]
    assert [cell.value for cell in sheet[1]] == ["Параметр", "Значение"]
    return dict(sheet.iter_rows(min_row=2, values_only=True))


def records(sheet: Any) -> list[dict[str, Any]]:
    titles = [cell.value for cell in sheet[1]]
    return [dict(zip(titles, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_the_contract_register_as_xlsx_keeps_types_titles_and_parameters(client, auth, world) -> None:
    response = client.get(
        f"{API}/contracts",
        params={"format": "xlsx", "limit": 1, "status": "active", "after": world["position"]},
        headers=auth("ivanov"),
    )
    book = workbook(response)
    assert book.sheetnames == ["Реестр договоров", "Параметры"]
    sheet = book["Реестр договоров"]
    assert sheet.freeze_panes == "A2"
    rows = {row["Номер"]: row for row in records(sheet)}
    assert sorted(rows) == ["ТЛ-2026/001", "ТЛ-2026/002", "ТЛ-2026/003"], "every row, not one page"
    first = rows["ТЛ-2026/001"]
    assert (first["Сумма"], first["Валюта"], first["Оплачено"]) == (100000, "RUB", 10000)
    assert isinstance(first["Подписан"], datetime)
    assert first["Оригиналы получены"] is False
    assert first["Этапов с опозданием"] == 0
    assert first["Статус"] == "Действует", "the status in Russian, not its code"
    amount_cell = sheet.cell(row=2, column=7)
    assert (amount_cell.data_type, amount_cell.number_format) == ("n", "#,##0.00")
    given = parameters(book)
    assert given["Адрес"] == "/api/v1/contracts"
    assert given["status"] == "active"
    assert "format" not in given
    assert given["Позиция журнала"] >= int(world["position"])
    assert given["Позиция журнала"] == int(response.headers["Log-Position"])
    assert (given["Всего по отбору"], given["Строк"]) == (3, 3)
    assert isinstance(given["Сформирован (UTC)"], datetime)
    assert f"contracts-{given['Позиция журнала']}.xlsx" in response.headers["content-disposition"]


def test_the_contract_register_as_csv_by_accept_header_parses_as_plain_csv(client, auth, world) -> None:
    response = client.get(
        f"{API}/contracts",
        params={"after": world["position"]},
        headers={**auth("ivanov"), "Accept": f"application/json;q=0.5, {CSV_MEDIA_TYPE}"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(CSV_MEDIA_TYPE)
    assert response.content.startswith(b"\xef\xbb\xbf"), "a byte-order mark, so Excel reads Cyrillic"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 3
    first = next(row for row in rows if row["Номер"] == "ТЛ-2026/001")
    assert Decimal(first["Сумма"]) == Decimal("100000.00")
    assert date.fromisoformat(first["Подписан"]) == date.fromisoformat(world["signed_on"])
    assert first["Оригиналы получены"] == "false"
    assert first["Расторгнут"] == ""
    assert first["Статус"] == "Действует"
    assert int(response.headers["Log-Position"]) >= int(world["position"])


def test_text_that_looks_like_a_formula_is_never_run(client, auth, world) -> None:
    path, params, headers = f"{API}/contracts", {"after": world["position"]}, auth("ivanov")
    text = client.get(path, params={**params, "format": "csv"}, headers=headers).content.decode("utf-8-sig")
    names = {row["Контрагент"] for row in csv.DictReader(io.StringIO(text))}
    assert "'" + HOSTILE_NAME in names
    assert HOSTILE_NAME not in names
    book = workbook(client.get(path, params={**params, "format": "xlsx"}, headers=headers))
    sheet = book["Реестр договоров"]
    hostile = [row[1] for row in sheet.iter_rows(min_row=2) if row[1].value == HOSTILE_NAME]
    assert len(hostile) == 2
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in hostile)
    plain = next(row[1] for row in sheet.iter_rows(min_row=2) if row[1].value != HOSTILE_NAME)
    assert not plain.quotePrefix


def test_a_parameter_that_looks_like_a_formula_stays_text(client, auth, world) -> None:
    response = client.get(
        f"{API}/reports/refusals",
        params={"format": "xlsx", "group_by": "reason", "since": "2020-01-01", "=cmd": "@SUM(A1)"},
        headers=auth("head"),
    )
    cell = next(row[1] for row in workbook(response)["Параметры"].iter_rows() if row[0].value == "=cmd")
    assert (cell.value, cell.quotePrefix) == ("@SUM(A1)", True)


def test_every_report_downloads_with_its_russian_sheet(client, auth, world) -> None:
    api = Api(client, auth)
    rate = {"currency": "USD", "rub_per_unit": "90.50", "on": "2020-01-01"}
    after = api.write("admin", "post", "/exchange-rates", rate)["position"]
    reports = [
        ("head", "/reports/funnel", {"pipeline_id": world["pipeline"]}, "Воронка продаж", "Открытых сделок"),
        ("head", "/reports/refusals", {"group_by": "manager"}, "Отказы", "Отказов по причине"),
        (
            "ivanov",
            f"/counterparties/{world['counterparty']}/financial-position",
            {"in": "USD"},
            "Финансовое положение",
            "Оплачено",
        ),
    ]
    for who, path, params, title, column in reports:
        book = workbook(
            client.get(f"{API}{path}", params={**params, "format": "xlsx", "after": after}, headers=auth(who))
        )
        assert book.sheetnames == [title, "Параметры"], path
        assert book[title].freeze_panes == "A2"
        assert column in [cell.value for cell in book[title][1]]
        assert isinstance(parameters(book)["Позиция журнала"], int)
    funnel = workbook(
        client.get(
            f"{API}/reports/funnel",
            params={"pipeline_id": world["pipeline"], "format": "xlsx"},
            headers=auth("head"),
        )
    )
    stages = records(funnel["Воронка продаж"])
    assert [stage["Этап"] for stage in stages] == ["Квалификация", "Переговоры"]
    assert stages[0]["Открытых сделок"] == 1
    assert (stages[0]["Валюта"], stages[0]["Сумма открытых"]) == ("RUB", 500000)
    position = workbook(
        client.get(
            f"{API}/counterparties/{world['counterparty']}/financial-position",
            params={"in": "USD", "format": "xlsx", "after": after},
            headers=auth("ivanov"),
        )
    )
    lines = records(position["Финансовое положение"])
    assert [(line["Валюта"], line["Оплачено"]) for line in lines] == [("RUB", 10000), ("USD", 110.5)]


def test_a_spreadsheet_keeps_the_readers_scope(client, auth, world) -> None:
    book = workbook(
        client.get(
            f"{API}/contracts", params={"format": "xlsx", "after": world["position"]}, headers=auth("sidorov")
        )
    )
    assert records(book["Реестр договоров"]) == []
    denied = client.get(
        f"{API}/counterparties/{world['counterparty']}/financial-position",
        params={"format": "xlsx"},
        headers=auth("sidorov"),
    )
    assert denied.status_code == 403
    assert denied.json()["code"] == "access_denied"


def test_json_stays_the_default_and_unknown_types_answer_json(client, auth, world) -> None:
    for accept in (None, "*/*", "application/pdf", "text/csv;q=oops, application/json"):
        headers = auth("ivanov") | ({"Accept": accept} if accept else {})
        response = client.get(f"{API}/contracts", params={"after": world["position"]}, headers=headers)
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json", accept
        assert response.json()["total"] == 3


def test_an_unknown_format_is_refused_clearly(client, auth, world) -> None:
    response = client.get(f"{API}/contracts", params={"format": "pdf"}, headers=auth("ivanov"))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_value" or body["errors"][0]["loc"] == ["query", "format"]
    assert body["errors"][0]["loc"] == ["query", "format"]


def test_a_spreadsheet_needs_a_token(client, world) -> None:
    response = client.get(f"{API}/contracts", params={"format": "xlsx"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/json"


def test_every_report_that_declares_spreadsheets_answers_them(client, auth, world) -> None:
    """Walks the OpenAPI document: each operation declaring the XLSX type downloads as XLSX
    and CSV for the administrator, with its data sheet first and the parameters second."""
    document = client.get("/openapi.json").json()
    downloadable = {
        path: operation
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if method == "get" and XLSX_MEDIA_TYPE in operation["responses"]["200"]["content"]
    }
    assert {
        "/api/v1/reports/funnel",
        "/api/v1/reports/refusals",
        "/api/v1/contracts",
        "/api/v1/counterparties/{counterparty_id}/financial-position",
        "/api/v1/deals",
        "/api/v1/counterparties",
    } <= set(downloadable)
    known = {"counterparty_id": world["counterparty"], "pipeline_id": world["pipeline"]}
    known["name"] = "client-value"
    for path, operation in downloadable.items():
        assert CSV_MEDIA_TYPE in operation["responses"]["200"]["content"], path
        required = [p["name"] for p in operation["parameters"] if p.get("required") and p["in"] == "query"]
        url = API + path.removeprefix(API).format(**known)
        declared = {p["name"] for p in operation["parameters"]}
        params = {name: known[name] for name in required}
        if "after" in declared:
            params["after"] = world["position"]
        book = workbook(client.get(url, params=params | {"format": "xlsx"}, headers=auth("admin")))
        assert book.sheetnames[1] == "Параметры", path
        assert book.worksheets[0].freeze_panes == "A2", path
        text = client.get(url, params=params | {"format": "csv"}, headers=auth("admin"))
        assert text.status_code == 200, path
        header = next(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))
        assert header == [cell.value for cell in book.worksheets[0][1]], path
