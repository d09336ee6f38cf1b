"""Tables written as XLSX or CSV files, the way an office spreadsheet expects them.

A table declares its columns once (key, Russian title, kind); rows are mappings by key. The
same declaration serves both formats, the web API and the command line:

- XLSX (letopis/xlsx.py): numbers, money and percents are numeric cells, dates are date
  cells, booleans are booleans; the header row is frozen and filtered; the parameters and the
  log position the data reflects are on a second sheet, «Параметры». Money is a numeric cell
  with two decimals; its currency is the table's currency column beside it.
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
from collections.abc import Iterable, Mapping, Sequence
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


def utc_naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


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
        return utc_naive(value).isoformat(sep=" ")
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
