"""The spreadsheet writer on its own, as the command line and the web API use it: cell types,
formula defusing, times in UTC, sheet names Excel accepts, and which format a request gets."""

import csv
import io
import zipfile
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import openpyxl
import pytest

from aggregates.catalogue_item import ItemKind
from aggregates.contract import ContractStatus
from aggregates.counterparty_profile import CounterpartyKind
from aggregates.deal import DealStatus
from aggregates.order import OrderStatus
from letopis.spreadsheets import Column, Kind, Table, csv_bytes, kind_of
from letopis.vocabulary import CONTRACT_STATUS, COUNTERPARTY_KIND, DEAL_STATUS, ITEM_KIND, ORDER_STATUS
from letopis.xlsx import column_letter, sheet_name, xlsx_bytes
from read_api.spreadsheet_routes import Format, negotiated

MOSCOW = timezone(timedelta(hours=3))
COLUMNS = [
    Column("text", "Текст"),
    Column("money", "Сумма", Kind.MONEY),
    Column("when", "Когда", Kind.DATETIME),
    Column("day", "День", Kind.DATE),
    Column("flag", "Флаг", Kind.BOOLEAN),
    Column("count", "Штук", Kind.INTEGER),
]
DANGEROUS = ["=1+2", "+7 495", "-5", "@SUM(A1)", "\tTAB", "\rCR"]


def table(rows) -> Table:
    return Table("Проверка", COLUMNS, rows, [("Позиция журнала", 42), ("q", "=danger")])


@pytest.mark.parametrize("text", DANGEROUS)
def test_csv_defuses_every_formula_start(text) -> None:
    rows = list(csv.reader(io.StringIO(csv_bytes(table([{"text": text}])).decode("utf-8-sig"))))
    assert rows[1][0] == "'" + text


# A carriage return is stored as Excel's escape _x000D_, which openpyxl does not decode.
@pytest.mark.parametrize("text", [text for text in DANGEROUS if "\r" not in text])
def test_xlsx_keeps_the_text_and_marks_it_as_text(text) -> None:
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(table([{"text": text}]))))
    cell = book.worksheets[0]["A2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)


def test_values_keep_their_types_and_times_are_utc() -> None:
    moment = datetime(2026, 3, 31, 23, 30, tzinfo=MOSCOW)
    row = {
        "text": "Ёлка",
        "money": Decimal("1234567.89"),
        "when": moment,
        "day": date(2026, 12, 31),
        "flag": True,
        "count": 7,
    }
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(table([row, {}]))))
    sheet = book["Проверка"]
    assert [cell.value for cell in sheet[2]] == [
        "Ёлка",
        1234567.89,
        datetime(2026, 3, 31, 20, 30),
        datetime(2026, 12, 31),
        True,
        7,
    ]
    assert [cell.value for cell in sheet[3]] == [None] * 6, "an absent value is an empty cell"
    assert sheet["B2"].number_format == "#,##0.00"
    assert sheet["D2"].number_format == "dd.mm.yyyy"
    parameters = dict(book["Параметры"].iter_rows(min_row=2, values_only=True))
    assert parameters == {"Позиция журнала": 42, "q": "=danger"}
    text = csv_bytes(table([row])).decode("utf-8-sig").splitlines()
    assert text[1] == "Ёлка,1234567.89,2026-03-31 20:30:00,2026-12-31,true,7"


def test_an_empty_table_still_has_its_header() -> None:
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(table([]))))
    assert [cell.value for cell in book.worksheets[0][1]] == [column.title for column in COLUMNS]
    assert csv_bytes(table([])).decode("utf-8-sig").strip() == "Текст,Сумма,Когда,День,Флаг,Штук"


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Отчёт: продажи [2026/03]?", "Отчёт  продажи  2026 03"),
        ("Параметры", "Отчёт"),
        ("", "Отчёт"),
        ("'" * 3, "Отчёт"),
        ("Очень длинное название отчёта по продажам", "Очень длинное название отчёта п"),
    ],
)
def test_a_sheet_name_is_one_excel_accepts(title, name) -> None:
    assert sheet_name(title) == name


def test_kinds_follow_python_types() -> None:
    expected = [Kind.BOOLEAN, Kind.INTEGER, Kind.DECIMAL, Kind.DECIMAL, Kind.DATETIME, Kind.DATE, Kind.TEXT]
    assert [kind_of(t) for t in (bool, int, float, Decimal, datetime, date, str)] == expected
    assert kind_of(type(datetime.now(UTC))) is Kind.DATETIME


@pytest.mark.parametrize(
    ("asked", "accept", "chosen"),
    [
        (None, None, Format.JSON),
        (None, "*/*", Format.JSON),
        (None, "text/csv", Format.CSV),
        (None, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Format.XLSX),
        (None, "text/csv;q=0.4, application/json;q=0.9", Format.JSON),
        (None, "application/json;q=0.1, TEXT/CSV", Format.CSV),
        (None, "text/csv;q=abc", Format.JSON),
        (None, "text/csv;q=0", Format.JSON),
        (None, "image/png, text/html", Format.JSON),
        (None, ",,,;;;=", Format.JSON),
        (Format.XLSX, "text/csv", Format.XLSX),
    ],
)
def test_the_format_is_negotiated(asked, accept, chosen) -> None:
    assert negotiated(asked, accept) is chosen


def test_codes_are_written_by_their_russian_names_in_both_formats() -> None:
    table = Table(
        "Заказы",
        [Column("status", "Статус", labels=ORDER_STATUS), Column("note", "Заметка")],
        [{"status": OrderStatus.IN_WORK, "note": "in_work"}, {"status": "unknown-code", "note": None}],
    )
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(table)))["Заказы"]
    assert [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)] == [
        ["В работе", "in_work"],
        ["unknown-code", None],
    ]
    rows = list(csv.reader(io.StringIO(csv_bytes(table).decode("utf-8-sig"))))
    assert rows[1:] == [["В работе", "in_work"], ["unknown-code", ""]]


@pytest.mark.parametrize(
    ("codes", "names"),
    [
        (ContractStatus, CONTRACT_STATUS),
        (OrderStatus, ORDER_STATUS),
        (DealStatus, DEAL_STATUS),
        (CounterpartyKind, COUNTERPARTY_KIND),
        (ItemKind, ITEM_KIND),
    ],
)
def test_every_code_has_a_russian_name(codes, names) -> None:
    assert set(names) == set(codes)
    assert all(name and name[0].isupper() and name.isprintable() for name in names.values())


def test_text_xml_cannot_hold_is_written_as_excels_escapes_and_the_rest_as_it_is() -> None:
    texts = ["<b>&amp;</b>", "  по краям  ", "нуль\x00и\x01", "_x0041_ буквально", "строка\nвторая"]
    book_bytes = xlsx_bytes(Table("Текст", [Column("text", "Текст")], [{"text": text} for text in texts]))
    sheet = openpyxl.load_workbook(io.BytesIO(book_bytes)).worksheets[0]
    read = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert [read[0], read[1], read[4]] == [texts[0], texts[1], texts[4]]
    with zipfile.ZipFile(io.BytesIO(book_bytes)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "нуль_x0000_и_x0001_" in xml, "control characters as the escapes Excel decodes"
    assert "_x005F_x0041_ буквально" in xml, "text that looks like an escape keeps its underscore"


def test_a_wide_table_keeps_every_column_in_its_place_under_a_filter_over_all_rows() -> None:
    columns = [Column(f"c{n}", f"Колонка {n}", Kind.INTEGER) for n in range(30)]
    rows = [{f"c{n}": n * 10 + r for n in range(30) if n != 3} for r in range(2)]
    book_bytes = xlsx_bytes(Table("Широкая", columns, rows))
    sheet = openpyxl.load_workbook(io.BytesIO(book_bytes))["Широкая"]
    assert [cell.value for cell in sheet[3]] == [None if n == 3 else n * 10 + 1 for n in range(30)]
    assert {type(cell.value) for cell in sheet[3]} == {int, type(None)}, "whole numbers read back as integers"
    assert (sheet["AD1"].value, sheet["AD1"].font.b) == ("Колонка 29", True)
    assert (sheet.auto_filter.ref, sheet.freeze_panes) == ("A1:AD3", "A2")
    assert xlsx_bytes(Table("Широкая", columns, rows)) == book_bytes, "the same table, the same bytes"


@pytest.mark.parametrize(("index", "letters"), [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")])
def test_columns_are_lettered_as_a_spreadsheet_letters_them(index, letters) -> None:
    assert column_letter(index) == letters
