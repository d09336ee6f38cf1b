"""A workbook's cells read as text: plainly from the sheet's XML while they are plain, by
openpyxl from the first row that is not, with the same text either way."""

import io
from datetime import datetime

import openpyxl
import pytest

from commands.import_tables import read_table

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


def test_rows_after_a_date_are_read_on_by_openpyxl() -> None:
    founded: list[object] = ["ООО «Север»", 7707083893, 1.5, True, datetime(2020, 5, 17), "после даты"]

    table = read_table(workbook([PLAIN_ROWS[0], founded, PLAIN_ROWS[1]], write_only=False))

    assert list(table.rows) == [
        PLAIN_TEXT[0],
        (3, ["ООО «Север»", "7707083893", "1.5", "True", "2020-05-17 00:00:00", "после даты"]),
        (4, PLAIN_TEXT[1][1]),
    ]
