"""Tables written as XLSX workbooks: the report on the first sheet, «Параметры» on the second.

The package is written part by part here rather than through a general spreadsheet library:
a report has one shape (a bold frozen header with a filter, then typed cells), and a general
writer's per-cell bookkeeping made the contract register of a large company (250,000 cells)
take seconds. Here each column's cell markup is prepared once and a cell is one string
concatenation; the sheet's markup is compressed in chunks as it is made, never held whole.

- Numbers, money and percents are numeric cells, dates and moments are date cells (moments
  in UTC: a cell has no time zone), booleans are booleans, text is an inline string.
- Text that a spreadsheet would run as a formula (starting with ``= + - @``, a tab or a
  carriage return) keeps its value and carries Excel's quote prefix, so it is never evaluated.
- Control characters, which XML cannot hold, are written as Excel's ``_xHHHH_`` escapes, and
  text that already looks like such an escape has its underscore escaped, as Excel does.
- The archive's entries carry a fixed date: the same table gives the same bytes.
"""

import io
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

from letopis.spreadsheets import FORMULA_STARTS, Column, Kind, Table, kind_of, utc_naive

PARAMETERS_SHEET = "Параметры"
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
TEXT_LIMIT = 32_767
"""The most characters a cell holds; longer text is cut there, as Excel would on paste."""

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_ENTRY_DATE = (1980, 1, 1, 0, 0, 0)
_ROWS_PER_CHUNK = 2_000

# Cell styles by index in styles.xml: 0 plain, 1 header, 2 quoted text, then one per number
# format. DECIMAL keeps the plain style: Excel's General shows a number as it is.
_HEADER_STYLE, _QUOTED_STYLE = 1, 2
_NUMBER_FORMATS = {
    Kind.INTEGER: "0",
    Kind.MONEY: "#,##0.00",
    Kind.PERCENT: "0.00",
    Kind.DATE: "dd.mm.yyyy",
    Kind.DATETIME: "dd.mm.yyyy hh:mm:ss",
}
_FIRST_CUSTOM_FORMAT = 164
_STYLES = {kind: 3 + index for index, kind in enumerate(_NUMBER_FORMATS)}

EXCEL_EPOCH = datetime(1899, 12, 30)


def excel_serial(value: date) -> float:
    """A date or moment as the day number a spreadsheet stores (1900 date system)."""
    if isinstance(value, datetime):
        return (utc_naive(value) - EXCEL_EPOCH).total_seconds() / 86400
    return float((value - EXCEL_EPOCH.date()).days)


def sheet_name(title: str) -> str:
    """A title Excel accepts as a sheet name: at most 31 characters, none of []:*?/\\."""
    name = _SHEET_NAME_FORBIDDEN.sub(" ", title).strip(" '")[:31]
    return name if name and name != PARAMETERS_SHEET else "Отчёт"


_ESCAPED = re.compile(r"[\x00-\x08\x0b-\x1f]|_x[0-9a-fA-F]{4}_")


def _escaped_match(match: re.Match[str]) -> str:
    found = match.group()
    return "_x005F" + found if len(found) > 1 else f"_x{ord(found):04X}_"


def _xml_text(text: str) -> str:
    text = escape(text[:TEXT_LIMIT])
    return _ESCAPED.sub(_escaped_match, text) if _ESCAPED.search(text) else text


def column_letter(index: int) -> str:
    """``0`` → ``A``, ``26`` → ``AA``."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _last_cell(column_count: int, row_count: int) -> tuple[str, int]:
    """The column letters and row number of a sheet's last cell: the header and its rows."""
    return column_letter(max(column_count, 1) - 1), row_count + 1


CellMarkup = Callable[[str, Any], str]
"""The markup of one cell of a column, given the row's number (as text) and the value."""


def _number(value: Any) -> str:
    """A number as a spreadsheet writes it: 16 significant digits (Excel keeps 15), and a
    whole number without a decimal point, so that readers take it back as an integer."""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"a spreadsheet cell cannot hold {value}")
    return f"{number:.16G}"


def _cell_markup(column: Column, letter: str) -> CellMarkup:
    opening = f'<c r="{letter}'
    if column.kind is Kind.TEXT:
        as_text = column.text

        def text(row: str, value: Any) -> str:
            written = as_text(value)
            style = f' s="{_QUOTED_STYLE}"' if written.startswith(FORMULA_STARTS) else ""
            return f'{opening}{row}"{style}{_inline_string(written)}'

        return text
    if column.kind is Kind.BOOLEAN:
        return lambda row, value: f'{opening}{row}" t="b"><v>{1 if value else 0}</v></c>'
    styled = f'" s="{_STYLES[column.kind]}"><v>' if column.kind in _STYLES else '"><v>'
    if column.kind in (Kind.DATE, Kind.DATETIME):
        return lambda row, value: f"{opening}{row}{styled}{_number(excel_serial(value))}</v></c>"
    return lambda row, value: f"{opening}{row}{styled}{_number(value)}</v></c>"


def _inline_string(text: str) -> str:
    """The end of a text cell's markup, from its type on."""
    return f' t="inlineStr"><is><t xml:space="preserve">{_xml_text(text)}</t></is></c>'


def _header(titles: Sequence[str]) -> str:
    cells = "".join(
        f'<c r="{column_letter(index)}1" s="{_HEADER_STYLE}"{_inline_string(title)}'
        for index, title in enumerate(titles)
    )
    return f'<row r="1">{cells}</row>'


def _width(column: Column) -> int:
    least = {Kind.DATE: 11, Kind.DATETIME: 19, Kind.MONEY: 14, Kind.TEXT: 16}.get(column.kind, 8)
    return min(max(len(column.title) + 2, least), 60)


def _sheet_opening(widths: Sequence[int], last_cell: str) -> str:
    columns = "".join(
        f'<col min="{number}" max="{number}" width="{width}" customWidth="1"/>'
        for number, width in enumerate(widths, start=1)
    )
    return (
        f'{_DECLARATION}<worksheet xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}">'
        f'<dimension ref="A1:{last_cell}"/>'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        "</sheetView></sheetViews>"
        '<sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{columns}</cols><sheetData>"
    )


def _write_sheet(
    archive: zipfile.ZipFile,
    path: str,
    columns: Sequence[Column],
    widths: Sequence[int],
    rows: Iterable[Sequence[tuple[CellMarkup, Any]]],
    row_count: int,
) -> None:
    """One worksheet: the header, then each row's (markup, value) pairs; ``row_count`` is
    known ahead because the sheet's dimension and filter come before and after its rows."""
    last_column, last_row = _last_cell(len(columns), row_count)
    last_cell = f"{last_column}{last_row}"
    info = zipfile.ZipInfo(path, _ENTRY_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w", force_zip64=True) as sheet:
        sheet.write((_sheet_opening(widths, last_cell) + _header([c.title for c in columns])).encode())
        chunk: list[str] = []
        for number, cells in enumerate(rows, start=2):
            row = str(number)
            chunk.append(f'<row r="{row}">')
            chunk.extend([markup(row, value) for markup, value in cells if value is not None])
            chunk.append("</row>")
            if number % _ROWS_PER_CHUNK == 0:
                sheet.write("".join(chunk).encode())
                chunk.clear()
        chunk.append("</sheetData>")
        if columns:
            chunk.append(f'<autoFilter ref="A1:{last_cell}"/>')
        chunk.append("</worksheet>")
        sheet.write("".join(chunk).encode())


def _styles() -> str:
    formats = "".join(
        f'<numFmt numFmtId="{_FIRST_CUSTOM_FORMAT + index}" formatCode={quoteattr(code)}/>'
        for index, code in enumerate(_NUMBER_FORMATS.values())
    )
    number_styles = "".join(
        f'<xf numFmtId="{_FIRST_CUSTOM_FORMAT + index}" fontId="0" fillId="0" borderId="0" xfId="0"'
        ' applyNumberFormat="1"/>'
        for index in range(len(_NUMBER_FORMATS))
    )
    font = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
    return (
        f'{_DECLARATION}<styleSheet xmlns="{_MAIN}">'
        f'<numFmts count="{len(_NUMBER_FORMATS)}">{formats}</numFmts>'
        f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{3 + len(_NUMBER_FORMATS)}">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">'
        '<alignment vertical="top" wrapText="1"/></xf>'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
        f"{number_styles}</cellXfs>"
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )


def _workbook(names: Sequence[str], filtered: str | None) -> str:
    sheets = "".join(
        f'<sheet name={quoteattr(name)} sheetId="{number}" r:id="rId{number}"/>'
        for number, name in enumerate(names, start=1)
    )
    defined = ""
    if filtered:
        reference = escape("'" + names[0].replace("'", "''") + "'!" + filtered)
        defined = (
            '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
            f"{reference}</definedName></definedNames>"
        )
    return (
        f'{_DECLARATION}<workbook xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}">'
        f'<bookViews><workbookView activeTab="0"/></bookViews><sheets>{sheets}</sheets>{defined}</workbook>'
    )


def _relationships(targets: Sequence[tuple[str, str]]) -> str:
    links = "".join(
        f'<Relationship Id="rId{number}" Type="{_RELATIONSHIPS}/{kind}" Target="{target}"/>'
        for number, (kind, target) in enumerate(targets, start=1)
    )
    return f'{_DECLARATION}<Relationships xmlns="{_PACKAGE_RELATIONSHIPS}">{links}</Relationships>'


def _content_types(sheet_count: int) -> str:
    spreadsheet = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{number}.xml" ContentType="{spreadsheet}.worksheet+xml"/>'
        for number in range(1, sheet_count + 1)
    )
    return (
        f'{_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{spreadsheet}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{spreadsheet}.styles+xml"/>'
        f"{sheets}</Types>"
    )


def _parameter_rows(parameters: Sequence[tuple[str, Any]]) -> list[list[tuple[CellMarkup, Any]]]:
    name = _cell_markup(Column("name", ""), "A")
    return [
        [(name, label), (_cell_markup(Column("value", "", kind_of(type(value))), "B"), value)]
        for label, value in parameters
    ]


def write_xlsx(table: Table, out: IO[bytes]) -> None:
    rows = table.rows if isinstance(table.rows, Sequence) else list(table.rows)
    columns = list(table.columns)
    pairs = [(column.key, _cell_markup(column, column_letter(index))) for index, column in enumerate(columns)]
    data_rows = ([(markup, row.get(key)) for key, markup in pairs] for row in rows)
    parameter_columns = [Column("name", "Параметр"), Column("value", "Значение")]
    names = [sheet_name(table.title), PARAMETERS_SHEET]
    last_column, last_row = _last_cell(len(columns), len(rows))
    filtered = f"$A$1:${last_column}${last_row}" if columns else None
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:

        def part(path: str, text: str) -> None:
            archive.writestr(zipfile.ZipInfo(path, _ENTRY_DATE), text, zipfile.ZIP_DEFLATED)

        part("[Content_Types].xml", _content_types(len(names)))
        part("_rels/.rels", _relationships([("officeDocument", "xl/workbook.xml")]))
        part("xl/workbook.xml", _workbook(names, filtered))
        part(
            "xl/_rels/workbook.xml.rels",
            _relationships(
                [
                    ("worksheet", "worksheets/sheet1.xml"),
                    ("worksheet", "worksheets/sheet2.xml"),
                    ("styles", "styles.xml"),
                ]
            ),
        )
        part("xl/styles.xml", _styles())
        widths = [_width(column) for column in columns]
        _write_sheet(archive, "xl/worksheets/sheet1.xml", columns, widths, data_rows, len(rows))
        _write_sheet(
            archive,
            "xl/worksheets/sheet2.xml",
            parameter_columns,
            [34, 48],
            _parameter_rows(table.parameters),
            len(table.parameters),
        )


def xlsx_bytes(table: Table) -> bytes:
    out = io.BytesIO()
    write_xlsx(table, out)
    return out.getvalue()
