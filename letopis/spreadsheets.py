"""Tables written as XLSX or CSV files, the way an office spreadsheet expects them.

A table declares its columns once (key, Russian title, kind); rows are mappings by key. The
same declaration serves both formats, the web API and the command line:

- XLSX: numbers, money and percents are numeric cells, dates are date cells, booleans are
  booleans; the header row is frozen and filtered; the parameters and the log position the
  data reflects are on a second sheet, «Параметры». Money is a numeric cell with two
  decimals; its currency is the table's currency column beside it.
- CSV: UTF-8 with a byte-order mark (so Excel reads Cyrillic), comma-separated, a header
  row of the Russian titles, then the rows alone: numbers with a decimal point, ISO dates,
  true/false. The parameters are not in the file, so that every CSV reader parses it as it
  is; the web API sends them in headers and the file name names the log position.

Text is never run as a formula: in CSV a cell starting with ``= + - @``, a tab or a carriage
return gets a leading apostrophe; in XLSX such text is written as a string cell with Excel's
own quote prefix, so its value stays exactly what was recorded.
"""

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv"


class Kind(Enum):
    """What a column holds, which decides its cell type and number format."""

    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    MONEY = "money"
    PERCENT = "percent"
    """Percent points: 12.5 means 12.5 %, written as the number 12.5."""
    DATE = "date"
    DATETIME = "datetime"
    """Written in UTC: a spreadsheet cell has no time zone."""
    BOOLEAN = "boolean"


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: Kind = Kind.TEXT
    labels: Mapping[str, str] | None = None
    """Russian names of the codes a text column holds (a status); a code without one is
    written as it is."""

    def text(self, value: Any) -> str:
        text = _as_text(value)
        return self.labels.get(text, text) if self.labels else text


@dataclass(frozen=True)
class Table:
    """One report as rows, with what it was asked for and the log position it reflects."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Mapping[str, Any]]
    parameters: Sequence[tuple[str, Any]] = field(default_factory=tuple)


def kind_of(python_type: type) -> Kind:
    """The kind for values of a Python type, for tables whose columns are known only at run
    time (a query's result)."""
    for base, kind in (
        (bool, Kind.BOOLEAN),
        (int, Kind.INTEGER),
        (float, Kind.DECIMAL),
        (Decimal, Kind.DECIMAL),
        (datetime, Kind.DATETIME),
        (date, Kind.DATE),
    ):
        if issubclass(python_type, base):
            return kind
    return Kind.TEXT


def defused(text: str) -> str:
    """Text a spreadsheet shows as it is and never evaluates."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


EXCEL_EPOCH = datetime(1899, 12, 30)


def excel_serial(value: date) -> float:
    """A date or moment as the day number a spreadsheet stores (1900 date system): cheaper to
    compute here, for every cell of a large register, than through the writer's conversion."""
    if isinstance(value, datetime):
        return (_utc(value) - EXCEL_EPOCH).total_seconds() / 86400
    return float((value - EXCEL_EPOCH.date()).days)


def _as_text(value: Any) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


# --- CSV -------------------------------------------------------------------------------------


def _csv_cell(column: Column, value: Any) -> str:
    kind = column.kind
    if value is None:
        return ""
    if kind is Kind.BOOLEAN:
        return "true" if value else "false"
    if kind in (Kind.DECIMAL, Kind.MONEY, Kind.PERCENT):
        return format(value, "f") if isinstance(value, Decimal) else str(value)
    if kind is Kind.DATETIME and isinstance(value, datetime):
        return _utc(value).isoformat(sep=" ")
    if kind in (Kind.INTEGER, Kind.DATE):
        return str(value.isoformat() if isinstance(value, date) else value)
    return defused(column.text(value))


def write_csv(table: Table, out: IO[str]) -> None:
    """The header of Russian titles, then the rows; ``out`` should be opened with
    ``encoding="utf-8-sig", newline=""``."""
    writer = csv.writer(out)
    writer.writerow([defused(column.title) for column in table.columns])
    columns = table.columns
    writer.writerows([_csv_cell(column, row.get(column.key)) for column in columns] for row in table.rows)


def csv_bytes(table: Table) -> bytes:
    out = io.StringIO(newline="")
    write_csv(table, out)
    return out.getvalue().encode("utf-8-sig")


# --- XLSX ------------------------------------------------------------------------------------

_NUMBER_FORMATS = {
    Kind.INTEGER: "0",
    Kind.DECIMAL: "General",
    Kind.MONEY: "#,##0.00",
    Kind.PERCENT: "0.00",
    Kind.DATE: "dd.mm.yyyy",
    Kind.DATETIME: "dd.mm.yyyy hh:mm:ss",
}
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
PARAMETERS_SHEET = "Параметры"


def sheet_name(title: str) -> str:
    """A title Excel accepts as a sheet name: at most 31 characters, none of []:*?/\\."""
    name = _SHEET_NAME_FORBIDDEN.sub(" ", title).strip(" '")[:31]
    return name if name and name != PARAMETERS_SHEET else "Отчёт"


CellWriter = Callable[[Any, int, int, Any], Any]


def _cell_writers(workbook: Any, columns: Sequence[Column]) -> list[CellWriter]:
    quoted = workbook.add_format({"quote_prefix": True})

    def text_writer(column: Column) -> CellWriter:
        as_text = column.text if column.labels else _as_text  # most columns have no codes to name

        def write(sheet: Any, row: int, col: int, value: Any) -> Any:
            text = as_text(value)
            if text.startswith(FORMULA_STARTS):
                return sheet.write_string(row, col, text, quoted)
            return sheet.write_string(row, col, text)

        return write

    def number_writer(number_format: Any) -> CellWriter:
        def write(sheet: Any, row: int, col: int, value: Any) -> Any:
            return sheet.write_number(row, col, float(value), number_format)

        return write

    def date_writer(number_format: Any) -> CellWriter:
        def write(sheet: Any, row: int, col: int, value: Any) -> Any:
            return sheet.write_number(row, col, excel_serial(value), number_format)

        return write

    def boolean_writer(sheet: Any, row: int, col: int, value: Any) -> Any:
        return sheet.write_boolean(row, col, bool(value))

    writers: list[CellWriter] = []
    for column in columns:
        if column.kind is Kind.TEXT:
            writers.append(text_writer(column))
        elif column.kind is Kind.BOOLEAN:
            writers.append(boolean_writer)
        elif column.kind in (Kind.DATE, Kind.DATETIME):
            writers.append(date_writer(workbook.add_format({"num_format": _NUMBER_FORMATS[column.kind]})))
        else:
            writers.append(number_writer(workbook.add_format({"num_format": _NUMBER_FORMATS[column.kind]})))
    return writers


def _width(column: Column) -> int:
    least = {Kind.DATE: 11, Kind.DATETIME: 19, Kind.MONEY: 14, Kind.TEXT: 16}.get(column.kind, 8)
    return min(max(len(column.title) + 2, least), 60)


def write_xlsx(table: Table, out: IO[bytes]) -> None:
    import xlsxwriter  # a spreadsheet library is loaded only by those who write one

    workbook = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    data = workbook.add_worksheet(sheet_name(table.title))
    for col, column in enumerate(table.columns):
        data.write_string(0, col, column.title, header)
        data.set_column(col, col, _width(column))
    data.freeze_panes(1, 0)
    writers = _cell_writers(workbook, table.columns)
    keyed = list(zip(range(len(writers)), [column.key for column in table.columns], writers, strict=True))
    row_number = 0
    for row_number, row in enumerate(table.rows, start=1):
        for col, key, write in keyed:
            value = row.get(key)
            if value is not None:
                write(data, row_number, col, value)
    if table.columns:
        data.autofilter(0, 0, row_number, len(table.columns) - 1)
    _write_parameters(workbook, table.parameters, header)
    workbook.close()


def _write_parameters(workbook: Any, parameters: Sequence[tuple[str, Any]], header: Any) -> None:
    sheet = workbook.add_worksheet(PARAMETERS_SHEET)
    sheet.write_string(0, 0, "Параметр", header)
    sheet.write_string(0, 1, "Значение", header)
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 48)
    sheet.freeze_panes(1, 0)
    kinds = [Column("value", "", kind_of(type(value))) for _, value in parameters]
    writers = _cell_writers(workbook, kinds)
    for row, ((name, value), write) in enumerate(zip(parameters, writers, strict=True), start=1):
        sheet.write_string(row, 0, name)
        if value is not None:
            write(sheet, row, 1, value)


def xlsx_bytes(table: Table) -> bytes:
    out = io.BytesIO()
    write_xlsx(table, out)
    return out.getvalue()
