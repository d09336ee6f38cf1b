"""A workbook's cells read as text: by calamine when the sheet is plain, by openpyxl when it
is not (a date, a formula anywhere in the workbook, a number past a double's exact integers),
with the same text either way."""

import io
import zipfile
from datetime import datetime

import openpyxl
import pytest

from commands.import_tables import MAX_CELL, FileRefused, read_table

HEADER = ["Наименование", "ИНН", "Доля", "Активен", "Пусто", "Примечание"]
PLAIN_ROWS: list[list[object]] = [
    ["ООО «Ромашка»", 7707083893, 0.25, True, None, "первый"],
    ["АО «Вектор»", "500100732259", 3.0, False, None, None],
    [None, None, None, None, None, "только примечание"],
]
PLAIN_TEXT: list[tuple[int, list[str]]] = [
    (2, ["ООО «Ромашка»", "7707083893", "0.25", "True", "", "первый"]),
    (3, ["АО «Вектор»", "500100732259", "3", "False", "", ""]),
    (4, ["", "", "", "", "", "только примечание"]),
]


def workbook(rows: list[list[object]], *, write_only: bool) -> bytes:
    """``write_only`` writes strings inline, as exports do; otherwise they are shared, as Excel does."""
    book = openpyxl.Workbook(write_only=write_only)
    sheet = book.create_sheet("Лист1") if write_only else book.active
    for row in [HEADER, *rows]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("write_only", [True, False], ids=["inline strings", "shared strings"])
def test_plain_cells_read_as_openpyxl_gives_them(write_only) -> None:
    table = read_table(workbook(PLAIN_ROWS, write_only=write_only))

    assert table.header == HEADER
    assert list(table.rows) == PLAIN_TEXT


def test_a_sheet_with_a_date_is_read_by_openpyxl_with_the_same_text() -> None:
    founded: list[object] = ["ООО «Север»", 7707083893, 1.5, True, datetime(2020, 5, 17), "после даты"]

    table = read_table(workbook([PLAIN_ROWS[0], founded, PLAIN_ROWS[1]], write_only=False))

    assert list(table.rows) == [
        PLAIN_TEXT[0],
        (3, ["ООО «Север»", "7707083893", "1.5", "True", "2020-05-17 00:00:00", "после даты"]),
        (4, PLAIN_TEXT[1][1]),
    ]


def test_a_formula_on_a_sheet_not_read_leaves_the_sheet_read_as_it_is() -> None:
    book = openpyxl.Workbook()
    book.active.title = "Клиенты"
    for row in [HEADER, *PLAIN_ROWS]:
        book.active.append(row)
    book.create_sheet("Расчёты").append(["=1+1"])
    out = io.BytesIO()
    book.save(out)

    table = read_table(out.getvalue(), sheet="Клиенты")

    assert list(table.rows) == PLAIN_TEXT


def test_a_number_past_a_double_s_exact_integers_keeps_its_digits() -> None:
    # Written as exact digits, as some generators write a big number (openpyxl rounds it first).
    plain = workbook([["ООО «Ромашка»", 12345, 1, True, None, "длинное число"]], write_only=True)

    table = read_table(rewritten(plain, b"<v>12345</v>", b"<v>9007199254740993</v>"))

    assert list(table.rows) == [(2, ["ООО «Ромашка»", "9007199254740993", "1", "True", "", "длинное число"])]


def rewritten(data: bytes, old: bytes, new: bytes) -> bytes:
    """The workbook with ``old`` replaced in its sheet's XML: what writers of workbooks won't write."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = next(name for name in parts if name.startswith("xl/worksheets/"))
    parts[sheet] = parts[sheet].replace(old, new)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, content in parts.items():
            target.writestr(name, content)
    return out.getvalue()


def test_an_error_value_is_read_as_openpyxl_gives_it_not_as_an_empty_cell() -> None:
    plain = workbook([["ООО «Ромашка»", 12345, 1, True, None, "ошибка в ИНН"]], write_only=True)
    with_error = rewritten(plain, b'<c r="B2" t="n"><v>12345</v></c>', b'<c r="B2" t="e"><v>#N/A</v></c>')

    assert list(read_table(with_error).rows) == [
        (2, ["ООО «Ромашка»", "#N/A", "1", "True", "", "ошибка в ИНН"])
    ]


def test_cells_keep_their_rows_and_columns_when_the_sheet_starts_further_in() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"], sheet["C1"] = "Наименование", "ИНН"
    sheet["C3"] = 7707083893
    sheet["A4"] = "ООО «Ромашка»"
    out = io.BytesIO()
    book.save(out)

    table = read_table(out.getvalue())

    assert table.header == ["Наименование", "", "ИНН"]
    assert list(table.rows) == [(3, ["", "", "7707083893"]), (4, ["ООО «Ромашка»", "", ""])]


def test_a_cell_longer_than_any_value_is_refused_at_its_place() -> None:
    # Excel and openpyxl stop a cell at 32,767 characters; a file made otherwise may hold more.
    plain = workbook([["ООО «Ромашка»", 1, 1, True, None, "примечание"]], write_only=True)
    longer = rewritten(plain, "примечание".encode(), ("Я" * (MAX_CELL + 1)).encode())

    with pytest.raises(FileRefused, match=rf"cell F2 is longer than {MAX_CELL} characters"):
        list(read_table(longer).rows)
