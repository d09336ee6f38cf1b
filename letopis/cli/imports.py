"""``crm import``: bring records in from files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from aggregates.errors import DomainError
from letopis.cli.shared import application, console, console_operator

if TYPE_CHECKING:
    from aggregates.scope import Actor
    from letopis.wiring import Letopis

app = typer.Typer(help="Bring records in from files.", no_args_is_help=True)


@app.command("counterparties")
def import_counterparties_command(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, readable=True, help="CSV in UTF-8, separated by ',' or ';'"
        ),
    ],
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Import the valid rows even if others are rejected")
    ] = False,
    as_employee: Annotated[
        str | None,
        typer.Option("--as", help="Id of the employee the import is recorded under; default: the console"),
    ] = None,
) -> None:
    """Register counterparties from a CSV file, all in one transaction."""
    from commands.counterparty_import import import_counterparties

    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as undecodable:
        console.print(f"{file} is not UTF-8 text: {undecodable}", markup=False)
        raise typer.Exit(2) from None
    with application() as letopis:
        actor = console_operator() if as_employee is None else _employee(letopis, as_employee)
        report = import_counterparties(letopis.service, actor, text, skip_invalid=skip_invalid)
    if report.rejected:
        table = Table("Line", "Reason", title="Rejected rows")
        for rejection in report.rejected:
            table.add_row(str(rejection.line), rejection.reason)
        console.print(table)
    if report.imported:
        console.print(
            f"Imported {report.imported} counterparties (log position {report.position}); "
            f"{len(report.rejected)} rows rejected."
        )
    else:
        console.print(f"Nothing imported; {len(report.rejected)} rows rejected.")
        if report.rejected:
            raise typer.Exit(1)


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
