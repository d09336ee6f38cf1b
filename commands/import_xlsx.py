"""A workbook's sheet as rows of text cells, as openpyxl gives them.

A plain sheet — text, numbers and booleans, no formulas — is read by calamine (measured on an
import's 20,000 cards: 20 µs a row of twelve cells, where a parser of the sheet's XML handing
over to openpyxl took 52 to 70). Anything else is read by openpyxl, which knows every kind and
words every refusal: a formula, whose value the file may not even carry; an error value
(#N/A), which calamine reads as an empty cell; a date, which the two spell differently; a
number past a double's exact integers; a cell too long; a file calamine cannot read. Either
way the text is the same."""

import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any

import openpyxl
import python_calamine

from commands.import_tables import MAX_CELL, FileRefused
from letopis.xlsx import PARAMETERS_SHEET

Records = Iterator[tuple[int, list[str]]]
"""Each row of the sheet with its number, its cells as text."""

_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_EXACT_INTEGERS = 2.0**53


class _NotPlain(Exception):
    """The sheet holds a cell calamine's values cannot stand for as openpyxl would."""


def xlsx_records(data: bytes, wanted: str | None) -> tuple[str, Records]:
    """The name of the sheet read and its rows; ``wanted`` names the sheet, else the workbook's
    one sheet (besides the «Параметры» of Letopis's own exports) is read."""
    try:
        return _plain_records(data, wanted)
    except _NotPlain:
        return _openpyxl_records(data, wanted)


def _sheet_to_read(sheet_names: Sequence[str], wanted: str | None) -> str:
    if wanted is not None:
        if wanted not in sheet_names:
            raise FileRefused(1, f"no sheet {wanted!r}; the workbook has {', '.join(map(repr, sheet_names))}")
        return wanted
    names = [name for name in sheet_names if name != PARAMETERS_SHEET]
    if len(names) != 1:
        raise FileRefused(
            1,
            f"the workbook has {len(names)} sheets ({', '.join(map(repr, names))}): "
            "name the one to read with --sheet",
        )
    return names[0]


def _plain_records(data: bytes, wanted: str | None) -> tuple[str, Records]:
    # Whatever calamine cannot read, openpyxl reads or refuses in words.
    try:
        if _has_formulas_or_errors(data):
            raise _NotPlain
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as unreadable:
        raise _NotPlain from unreadable
    name = _sheet_to_read(book.sheet_names, wanted)
    try:
        # From A1, so that rows keep their numbers and cells their columns.
        values = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except python_calamine.CalamineError as unreadable:
        raise _NotPlain from unreadable
    return name, iter([(number, _plain_cells(row)) for number, row in enumerate(values, start=1)])


def _has_formulas_or_errors(data: bytes) -> bool:
    """Whether any worksheet of the workbook holds a formula (calamine gives its cached value,
    or nothing, without saying it was one) or an error value."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return any(
            _holds_formula_or_error(archive.read(entry))
            for entry in archive.namelist()
            if entry.startswith("xl/worksheets/") and entry.endswith(".xml")
        )


def _holds_formula_or_error(xml: bytes) -> bool:
    if b't="e"' in xml or b"t='e'" in xml:
        return True
    # The pattern looks at every tag; a plain search for its start rules most sheets out first.
    return (b"<f" in xml or b":f" in xml) and _FORMULA.search(xml) is not None


def _plain_cells(values: list[Any]) -> list[str]:
    cells = []
    for value in values:
        kind = type(value)
        if kind is str:
            if len(value) > MAX_CELL:
                raise _NotPlain
            cells.append(value)
        elif kind is float:
            if abs(value) >= _EXACT_INTEGERS:
                raise _NotPlain
            cells.append(str(int(value)) if value.is_integer() else str(value))
        elif kind is bool or kind is int:
            cells.append(str(value))
        else:
            raise _NotPlain
    return cells


def _openpyxl_records(data: bytes, wanted: str | None) -> tuple[str, Records]:
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as unreadable:  # openpyxl raises many kinds for a broken archive
        raise FileRefused(1, f"not a readable XLSX workbook: {unreadable}") from None
    name = _sheet_to_read(book.sheetnames, wanted)

    def records() -> Records:
        for number, record in enumerate(book[name].iter_rows(), start=1):
            yield number, [_text(cell, name) for cell in record]
        book.close()

    return name, records()


def _text(cell: Any, sheet: str) -> str:
    if cell.data_type == "f":
        raise FileRefused(
            cell.row, f"cell {cell.coordinate} of sheet {sheet!r} holds a formula: save its values instead"
        )
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed into a cell: 7707083893, not 7707083893.0
    text = str(value)
    if len(text) > MAX_CELL:
        raise FileRefused(cell.row, f"cell {cell.coordinate} is longer than {MAX_CELL} characters")
    return text
