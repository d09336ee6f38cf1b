"""``crm export``: the register and the directory as files for the office."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from letopis.cli.imports import _employee
from letopis.cli.shared import application, console, console_operator

if TYPE_CHECKING:
    from letopis.spreadsheets import Table

app = typer.Typer(help="Write the register and the directory as CSV or XLSX files.", no_args_is_help=True)


class FileFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


Out = Annotated[Path, typer.Option("--out", dir_okay=False, help="The file to write")]
Format = Annotated[FileFormat, typer.Option("--format", help="csv (UTF-8 with BOM, ',') or xlsx")]
As = Annotated[str | None, typer.Option("--as", help="Whose scope to export; default: everything")]


def _write(table: Table, out: Path, chosen: FileFormat) -> None:
    from letopis.spreadsheets import csv_bytes
    from letopis.xlsx import xlsx_bytes

    out.write_bytes(csv_bytes(table) if chosen is FileFormat.CSV else xlsx_bytes(table))
    console.print(f"Wrote {out}.", markup=False)


@app.command("counterparties")
def export_counterparties(out: Out, file_format: Format = FileFormat.XLSX, as_employee: As = None) -> None:
    """The counterparty register, in the column titles `crm import counterparties` reads back."""
    from letopis.exports import counterparty_register

    with application() as letopis:
        actor = console_operator() if as_employee is None else _employee(letopis, as_employee)
        letopis.runner.catch_up()
        _write(counterparty_register(letopis.views, actor), out, file_format)


@app.command("contacts")
def export_contacts(out: Out, file_format: Format = FileFormat.XLSX, as_employee: As = None) -> None:
    """The contact directory, each person with their organisation's ИНН and name (the import's
    `--contacts`)."""
    from letopis.exports import contact_directory

    with application() as letopis:
        actor = console_operator() if as_employee is None else _employee(letopis, as_employee)
        letopis.runner.catch_up()
        _write(contact_directory(letopis.views, actor), out, file_format)
