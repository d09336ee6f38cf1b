"""A file to import as a header and rows of text cells: CSV as 1C and Excel save it, or XLSX.

CSV: UTF-8 with or without a byte-order mark, or Windows-1251 (what Excel and 1C write on a
Russian Windows), detected unless named; separated by ``;``, ``,`` or tab, whichever the
header uses most. A file that is part UTF-8 and part something else is refused rather than
read half garbled. XLSX: the first sheet is read; a workbook with several sheets is refused
unless one is named (a «Параметры» sheet, which Letopis's own exports add, is ignored), and so
is any cell holding a formula, whose value the file may not even carry.

A cell that starts with an apostrophe before ``= + - @`` is read without it: that is how an
export keeps a spreadsheet from running the text as a formula.
"""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from letopis.spreadsheets import FORMULA_STARTS

MAX_CELL = 100_000
"""Characters a cell may hold: more is a broken export, not a counterparty."""
ENCODINGS = ("utf-8", "cp1251")
_ENCODING_NAMES = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "utf-8-sig": "utf-8",
    "cp1251": "cp1251",
    "windows-1251": "cp1251",
}
_DELIMITERS = (";", ",", "\t")
_XLSX_MAGIC = b"PK\x03\x04"
_NON_ASCII = re.compile(rb"[\x80-\xff]")


class FileRefused(Exception):
    """The whole file cannot be read; ``line`` is where the trouble is (1: the header)."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


@dataclass
class SourceTable:
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    """Each non-blank row with the line (CSV) or row number (XLSX) it starts on."""
    described: str
    """What was read, in words: the encoding and separator, or the sheet."""


def read_table(data: bytes | str, *, encoding: str | None = None, sheet: str | None = None) -> SourceTable:
    if isinstance(data, bytes) and data.startswith(_XLSX_MAGIC):
        return _read_xlsx(data, sheet)
    if sheet is not None:
        raise FileRefused(1, "--sheet is for XLSX workbooks; this file is not one")
    text, used = (data, "text") if isinstance(data, str) else _decoded(data, encoding)
    return _read_csv(text.removeprefix("\ufeff"), used)


def _decoded(data: bytes, encoding: str | None) -> tuple[str, str]:
    if encoding is not None:
        chosen = _ENCODING_NAMES.get(encoding.strip().casefold())
        if chosen is None:
            raise FileRefused(1, f"unknown encoding {encoding!r}: choose utf-8 or cp1251")
        try:
            return data.decode(chosen), chosen
        except UnicodeDecodeError as undecodable:
            raise FileRefused(
                _line_at(data, undecodable.start), f"the file is not {chosen}: {undecodable.reason}"
            ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as undecodable:
        _refuse_mixed(data, undecodable.start)
        return data.decode("cp1251"), "cp1251"


def _refuse_mixed(data: bytes, first_bad: int) -> None:
    """Windows-1251 text is never valid UTF-8 once it holds a Cyrillic letter; a file with
    lines of each was pasted together from two sources."""
    for number, line in enumerate(data.split(b"\n"), start=1):
        if _NON_ASCII.search(line):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                continue
            raise FileRefused(
                _line_at(data, first_bad),
                f"mixed encodings: line {number} is UTF-8 but line {_line_at(data, first_bad)} is not; "
                "save the file in one encoding",
            )


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _unescaped(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


def _read_csv(text: str, encoding: str) -> SourceTable:
    header_line = text.partition("\n")[0]
    delimiter = max(_DELIMITERS, key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header = _header(_next_record(reader))
    named = {";": "';'", ",": "','", "\t": "tab"}[delimiter]

    def rows() -> Iterator[tuple[int, list[str]]]:
        while True:
            line = reader.line_num + 1
            cells = _next_record(reader)
            if cells is None:
                return
            if any(cell.strip() for cell in cells):
                if any(len(cell) > MAX_CELL for cell in cells):
                    raise FileRefused(line, f"a cell is longer than {MAX_CELL} characters")
                yield line, [_unescaped(cell) for cell in cells]

    return SourceTable(header, rows(), f"CSV in {encoding}, separated by {named}")


def _next_record(reader: Any) -> list[str] | None:
    try:
        return next(reader, None)
    except csv.Error as malformed:
        if "field larger than field limit" in str(malformed):
            raise FileRefused(reader.line_num, f"a cell is longer than {MAX_CELL} characters") from None
        raise FileRefused(reader.line_num, f"malformed CSV: {malformed}") from None


def _header(record: list[str] | None) -> list[str]:
    if record is None or not any(cell.strip() for cell in record):
        raise FileRefused(1, "the file is empty: a header row is needed")
    header = [" ".join(cell.split()) for cell in record]
    while not header[-1]:
        header.pop()
    for cell in header:
        if len(cell) > 200:
            raise FileRefused(1, f"no header: the first row holds {cell[:40]!r}…, not column titles")
    return header


def _read_xlsx(data: bytes, wanted: str | None) -> SourceTable:
    from commands.import_xlsx import xlsx_records  # loaded only for a workbook

    name, records = xlsx_records(data, wanted)
    first_number, first = next(records, (1, []))
    header = _header([] if first_number != 1 else first)

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, cells in records:
            while len(cells) > len(header) and not cells[-1]:
                cells.pop()
            if any(cell.strip() for cell in cells):
                yield number, cells + [""] * (len(header) - len(cells))

    return SourceTable(header, rows(), f"XLSX, sheet {name!r}")
