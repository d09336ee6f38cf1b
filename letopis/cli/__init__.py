"""The ``crm`` command line.

The application is imported by the commands that need it, not with this package: its import
takes about a second that ``--help`` and a mistyped option need not pay.
"""

from typing import Any

import typer
from typer.core import TyperGroup

from aggregates.errors import DomainError, InvalidValue
from event_store.errors import DatabaseUnavailable
from letopis.cli import (
    analytics,
    audit,
    bonuses,
    calendar,
    duplicates,
    exports,
    imports,
    planning,
    plans,
    projections,
    relay,
    serving,
    users,
)
from letopis.cli.shared import console
from letopis.cli.write_commands import list_commands


class _OneLineRefusals(TyperGroup):
    """Every command reports a database it cannot use, or a value the domain refuses, in
    one line rather than a traceback."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().main(*args, **kwargs)
        except DatabaseUnavailable as unavailable:
            typer.echo(unavailable, err=True)
            raise SystemExit(1) from None
        except DomainError as refused:
            where = f"{refused.field}: " if isinstance(refused, InvalidValue) else ""
            typer.echo(f"{where}{refused.message}", err=True)
            raise SystemExit(2) from None


app = typer.Typer(
    cls=_OneLineRefusals,
    help="Letopis CRM: a chronicle of every interaction with your clients.",
    no_args_is_help=True,
)
app.command("serve")(serving.serve)
app.command("seed")(serving.seed_command)
app.command("demo")(serving.demo)
app.command("commands")(list_commands)
app.command("today")(calendar.today)
app.add_typer(projections.app, name="projections")
app.add_typer(users.app, name="users")
app.add_typer(imports.app, name="import")
app.add_typer(relay.app, name="relay")
app.add_typer(audit.app, name="audit")
app.add_typer(analytics.app, name="analytics")
app.add_typer(planning.app, name="planning")
app.add_typer(calendar.app, name="calendar")
app.add_typer(plans.app, name="plans")
app.add_typer(bonuses.app, name="bonuses")
app.add_typer(exports.app, name="export")
app.command("duplicates")(duplicates.duplicates)

__all__ = ["app", "console"]
