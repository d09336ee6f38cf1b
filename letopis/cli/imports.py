"""``crm import``: bring records in from files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from aggregates.errors import DomainError
from letopis.cli.shared import application, console, console_operator, progress_bar

if TYPE_CHECKING:
    from aggregates.scope import Actor
    from commands.counterparty_import import ImportReport
    from commands.import_checks import ImportFile
    from letopis.wiring import Letopis

app = typer.Typer(help="Bring records in from files.", no_args_is_help=True)

_FILE_HELP = (
    "CSV (UTF-8 with or without BOM, or Windows-1251; separated by ';', ',' or tab) or XLSX (the first "
    "sheet; name another with --sheet)"
)


@app.command("counterparties")
def import_counterparties_command(
    file: Annotated[
        Path | None,
        typer.Argument(exists=True, dir_okay=False, readable=True, help=f"The counterparties: {_FILE_HELP}"),
    ] = None,
    contacts: Annotated[
        Path | None,
        typer.Option(
            "--contacts",
            exists=True,
            dir_okay=False,
            readable=True,
            help="Their contact persons, linked to an organisation by its ИНН or name (a card of this "
            "import or one registered)",
        ),
    ] = None,
    encoding: Annotated[
        str | None, typer.Option("--encoding", help="utf-8 or cp1251; default: detected")
    ] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="The XLSX sheet to read")] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help='A column title the import does not know, and the field it fills: "Title=field" '
            "(name, tax_id, phones, region, manager, attr:<name>, req:<name>, class:<name>, …); repeatable",
        ),
    ] = None,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Import the valid rows even if others are rejected")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row and say what would be imported; write nothing")
    ] = False,
    as_employee: Annotated[
        str | None,
        typer.Option("--as", help="Id of the employee the import is recorded under; default: the console"),
    ] = None,
) -> None:
    """Register counterparties and their contact persons from files, all in one transaction.

    Column titles as 1C, Bitrix24, amoCRM and Excel write them are known (Наименование, ИНН, КПП,
    ОГРН, Телефон, E-mail, Адрес, Регион, Ответственный — by name or id —, Вид контрагента, …).
    A row whose ИНН already belongs to a card, or whose requisites fail their control digits, is
    rejected with the reason."""
    from commands.import_checks import ImportFile
    from commands.import_columns import parse_mapping
    from letopis.importing import run_import

    if file is None and contacts is None:
        console.print("Give a file of counterparties, --contacts FILE, or both.")
        raise typer.Exit(2)
    try:
        columns = parse_mapping(mapping or [])
    except ValueError as refused:
        console.print(str(refused), markup=False)
        raise typer.Exit(2) from None

    def given(path: Path | None) -> ImportFile | None:
        return None if path is None else ImportFile(path.read_bytes(), encoding, sheet, columns)

    rows = sum(path.read_bytes().count(b"\n") for path in (file, contacts) if path is not None)
    with application() as letopis, progress_bar() as progress:
        actor = console_operator() if as_employee is None else _employee(letopis, as_employee)
        # Managers named by name, and organisations by name, are looked up in the views.
        letopis.runner.catch_up()
        task = progress.add_task("Checking rows", total=rows or None)
        report = run_import(
            letopis,
            actor,
            given(file),
            given(contacts),
            skip_invalid=skip_invalid,
            dry_run=dry_run,
            progress=lambda checked: progress.update(task, completed=checked),
        )
        progress.update(task, completed=rows)
    _print(report)
    if not (report.imported or report.contacts) and report.rejected:
        raise typer.Exit(1)


def _print(report: ImportReport) -> None:
    for described in report.read_as:
        console.print(f"Read {described}.", markup=False)
    for title, rows in (
        ("Rejected rows", report.rejected),
        ("Warnings (imported as they are)", report.warnings),
    ):
        if rows:
            table = Table("File", "Line", "Reason", title=title)
            for row in rows:
                table.add_row(row.file, str(row.line), row.reason)
            console.print(table)
    linked = (
        f", {report.linked_to_existing} of them added to cards already registered" if report.contacts else ""
    )
    counts = f"{report.imported} counterparties and {report.contacts} contacts{linked}"
    if report.dry_run and (report.imported or report.contacts):
        console.print(
            f"Dry run: would import {counts}; {len(report.rejected)} rows rejected. Nothing written."
        )
    elif report.imported or report.contacts:
        console.print(
            f"Imported {counts} (log position {report.position}); {len(report.rejected)} rows rejected."
        )
    else:
        console.print(f"Nothing imported; {len(report.rejected)} rows rejected.")


def _employee(letopis: Letopis, employee_id: str) -> Actor:
    from aggregates.employee import Employee
    from aggregates.scope import Actor
    from commands.context import parse_id

    try:
        employee = letopis.store.get(parse_id(employee_id, "--as"), Employee)
    except DomainError as refused:
        console.print(refused.message, markup=False)
        raise typer.Exit(2) from None
    return Actor(str(employee.id), employee.full_name, employee.role, employee.team, employee.department)
