"""``crm analytics``: export the log and views for DuckDB, query them with SQL, list the
tables and run the ready analyses."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from letopis.cli.shared import application, console, progress_bar

if TYPE_CHECKING:
    from analytics.sql import QueryResult

app = typer.Typer(help="SQL over every fact ever recorded (DuckDB over Parquet).", no_args_is_help=True)


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    PARQUET = "parquet"
    XLSX = "xlsx"


FormatOption = Annotated[Format, typer.Option("--format", help="How to give the result")]
OutOption = Annotated[
    Path | None, typer.Option("--out", help="Write the result to this file (needed for parquet and xlsx)")
]


@app.command("export")
def export(
    incremental: Annotated[
        bool, typer.Option("--incremental", help="Only append events recorded since the last export")
    ] = False,
) -> None:
    """Rebuild the analytics store from the whole log (or append what is new), then snapshot every
    view; the worker of `crm serve` or `crm projections run` keeps it current meanwhile."""
    with application() as letopis:
        letopis.runner.catch_up()
        with progress_bar() as progress:
            task = progress.add_task("Exporting the log", total=None)

            def report(position: int, head: int) -> None:
                progress.update(task, completed=position, total=head)

            exporter = letopis.analytics_export
            exported = exporter.export(report) if incremental else exporter.rebuild(report)
        events = (
            f"events {exported.first}…{exported.last}" if exported.last >= exported.first else "no new events"
        )
        console.print(f"Exported {events} and {exported.views} view tables to {exporter.folder}.")


@app.command("sql")
def sql(
    statement: Annotated[str, typer.Argument(help="One SELECT, e.g. 'SELECT count(*) FROM events'")],
    format_: FormatOption = Format.TABLE,
    out: OutOption = None,
) -> None:
    """Run one SELECT over the analytics store (read-only, within the time and row limits)."""
    with application() as letopis:
        result = letopis.analytics.query(statement)
    _give(result, format_, out, "Запрос", [("Запрос", statement)])


@app.command("tables")
def tables(name: Annotated[str | None, typer.Argument(help="A table whose columns to show")] = None) -> None:
    """List the tables analysts can query, or the columns of one, with what each holds."""
    from analytics.catalogue import catalogue

    with application() as letopis:
        found = catalogue(letopis.analytics, letopis.runner.projections)
    if name is None:
        listing = Table("Table", "Columns", "What it holds", title="Analytics tables")
        for table in found:
            listing.add_row(table.name, str(len(table.columns)), table.description)
        console.print(listing)
        return
    chosen = next((table for table in found if table.name == name), None)
    if chosen is None:
        console.print(f"There is no table {name!r}; `crm analytics tables` lists them.", style="red")
        raise typer.Exit(2)
    columns = Table("Column", "Type", "What it holds", title=f"{chosen.name}: {chosen.description}")
    for column in chosen.columns:
        columns.add_row(column.name, column.type, column.description)
    console.print(columns)


@app.command("analyses")
def analyses() -> None:
    """List the ready analyses and their parameters."""
    from analytics.analyses import ANALYSES

    listing = Table("Name", "Title", "Parameters", "What it shows", title="Ready analyses")
    for analysis in ANALYSES.values():
        fields = analysis.parameters.model_fields
        listing.add_row(analysis.name, analysis.title, ", ".join(fields), analysis.description)
    console.print(listing)


@app.command("analysis")
def analysis(
    name: Annotated[str, typer.Argument(help="As `crm analytics analyses` lists them")],
    parameters: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="A parameter as name=value; repeat for more")
    ] = None,
    format_: FormatOption = Format.TABLE,
    out: OutOption = None,
) -> None:
    """Run a ready analysis over the whole company."""
    from aggregates.errors import InvalidValue
    from analytics.analyses import ANALYSES
    from analytics.analyses.registry import find
    from analytics.sql import EVERYONE

    chosen = find(ANALYSES, name)
    raw = {}
    for parameter in parameters or []:
        key, equals, value = parameter.partition("=")
        if not equals:
            raise InvalidValue(key, "give a parameter as name=value")
        raw[key.strip()] = value
    validated = chosen.validated(raw)
    with application() as letopis:
        result = chosen.run(letopis.analytics, validated, EVERYONE)
    _give(result, format_, out, chosen.title, list(validated.model_dump().items()))


def _give(
    result: QueryResult, format_: Format, out: Path | None, title: str, parameters: list[tuple[str, Any]]
) -> None:
    from analytics.output import plain_rows, write

    if format_ == Format.TABLE:
        shown = Table(*(name for name, _ in result.columns), title=f"Log position {result.position}")
        for row in plain_rows(result.rows):
            shown.add_row(*("" if value is None else str(value) for value in row))
        console.print(shown)
        console.print(f"{len(result.rows)} row(s)")
        return
    if out is None:
        if format_ in (Format.PARQUET, Format.XLSX):
            console.print(f"{format_.value} needs --out FILE.", style="red")
            raise typer.Exit(2)
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder) / f"result.{format_.value}"
            write(result, format_.value, target, title, parameters)
            typer.echo(target.read_text(encoding="utf-8"), nl=False)
        return
    write(result, format_.value, out, title, parameters)
    console.print(f"{len(result.rows)} row(s) written to {out}")
