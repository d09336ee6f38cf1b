"""The cells of a worksheet read straight from its XML, for the plain sheets most imports are.

openpyxl builds a cell object and a dictionary for every cell it reads, which makes reading
a workbook cost more than checking all its rows. Here a row's cells become text as they are
parsed, as openpyxl would give them: shared and inline strings, booleans and unstyled
numbers. Any other cell (a formula, a number with a style, which may be a date, an error, a
cell or row without its reference, a cell too long) ends the plain reading with
``UnusualCell`` at its row, so that the caller reads on from there with openpyxl, which
knows every kind and words every refusal.
"""

import re
from collections.abc import Iterator, Sequence
from typing import IO
from xml.etree.ElementTree import Element, iterparse

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _VALUE, _INLINE, _TEXT, _RUN, _FORMULA = (f"{_MAIN}{tag}" for tag in ("row", "v", "is", "t", "r", "f"))
_COLUMN = re.compile(r"[A-Z]{1,3}")


class UnusualCell(Exception):
    """A cell this reader leaves to openpyxl; ``row`` is where openpyxl should start."""

    def __init__(self, row: int) -> None:
        super().__init__(row)
        self.row = row


def plain_rows(
    source: IO[bytes], shared_strings: Sequence[str], longest: int
) -> Iterator[tuple[int, list[str]]]:
    """Each row present in the sheet, with its number and its cells as text, a missing cell
    as ``""``; a cell longer than ``longest`` is unusual."""
    number = 1
    for _event, element in iterparse(source):
        if element.tag != _ROW:
            continue
        reference = element.get("r")
        if reference is None:
            raise UnusualCell(number)
        number = int(reference)
        cells: list[str] = []
        for cell in element:
            column = _column(cell.get("r"), number)
            text = _text(cell, shared_strings, number)
            if len(text) > longest or column < len(cells):
                raise UnusualCell(number)
            cells.extend([""] * (column - len(cells)))
            cells.append(text)
        element.clear()
        yield number, cells


def _column(reference: str | None, row: int) -> int:
    """The cell's column from 0."""
    found = _COLUMN.match(reference or "")
    if found is None:
        raise UnusualCell(row)
    index = 0
    for letter in found.group():
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def _text(cell: Element, shared_strings: Sequence[str], row: int) -> str:
    kind = cell.get("t", "n")
    if cell.find(_FORMULA) is not None:
        raise UnusualCell(row)
    if kind == "inlineStr":
        inline = cell.find(_INLINE)
        return "" if inline is None else _inline_text(inline)
    value = cell.findtext(_VALUE)
    if not value:
        return ""
    try:
        if kind == "s":
            return str(shared_strings[int(value)])
        if kind == "str":
            return value
        if kind == "b":
            return str(bool(int(value)))
        if kind == "n" and cell.get("s", "0") == "0":
            return _number(value)
    except (ValueError, IndexError):
        pass  # openpyxl says what is wrong with it
    raise UnusualCell(row)


def _inline_text(inline: Element) -> str:
    """The plain text and the rich-text runs, as openpyxl joins them (phonetic hints left out)."""
    parts = [inline.findtext(_TEXT) or ""]
    parts.extend(run.findtext(_TEXT) or "" for run in inline.iter(_RUN))
    return "".join(parts)


def _number(value: str) -> str:
    """A number typed into a cell: 7707083893, not 7707083893.0."""
    if "." in value or "E" in value or "e" in value:
        number = float(value)
        return str(int(number)) if number.is_integer() else str(number)
    return str(int(value))
