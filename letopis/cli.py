"""The ``crm`` command line."""

from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from aggregates.employee import Role
from letopis.wiring import Letopis, build
from projections.runner import ProjectionWorker
from read_api.app import create_app

app = typer.Typer(
    help="Letopis CRM: a chronicle of every interaction with your clients.", no_args_is_help=True
)
projections_app = typer.Typer(help="Read models built from the event log.", no_args_is_help=True)
users_app = typer.Typer(help="Employees and their access tokens.", no_args_is_help=True)
app.add_typer(projections_app, name="projections")
app.add_typer(users_app, name="users")
console = Console()


def _progress() -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
    )


def catch_up_with_progress(letopis: Letopis, description: str, rebuild: bool = False) -> int:
    with _progress() as progress:
        task = progress.add_task(description, total=None)

        def report(reached: int, head: int) -> None:
            progress.update(task, completed=reached, total=head)

        if rebuild:
            return letopis.runner.rebuild(report)
        return letopis.runner.catch_up(report)


def serve_api(letopis: Letopis) -> None:
    """Serve the web API, keeping the views current in the background."""
    worker = ProjectionWorker(letopis.runner, letopis.settings.projection_interval)
    worker.start()
    try:
        uvicorn.run(
            create_app(letopis),
            host=letopis.settings.host,
            port=letopis.settings.port,
            log_level="info",
        )
    finally:
        worker.stop()
        letopis.close()


@app.command()
def serve() -> None:
    """Run the web API on LETOPIS_HOST:LETOPIS_PORT."""
    serve_api(build())


@projections_app.command("rebuild")
def rebuild() -> None:
    """Drop every read model and replay the whole log into it."""
    letopis = build()
    try:
        reached = catch_up_with_progress(letopis, "Rebuilding views", rebuild=True)
        console.print(f"Views rebuilt up to log position {reached}.")
    finally:
        letopis.close()


@projections_app.command("run")
def run_projections() -> None:
    """Keep the read models current (the projection worker of a multi-process deployment)."""
    letopis = build()
    worker = ProjectionWorker(letopis.runner, letopis.settings.projection_interval)
    console.print("Projection worker running; Ctrl+C stops it.")
    worker.start()
    try:
        worker.join()
    except KeyboardInterrupt:
        worker.stop()
    finally:
        letopis.close()


@projections_app.command("status")
def status() -> None:
    """Show the log position each read model reflects."""
    letopis = build()
    try:
        head = letopis.store.head()
        for name, position in sorted(letopis.runner.positions().items()):
            console.print(f"{name:24} {position:>10} / {head}")
    finally:
        letopis.close()


@users_app.command("create")
def create_user(
    full_name: Annotated[str, typer.Argument(help="Full name, e.g. 'Иванов Иван'")],
    role: Annotated[Role, typer.Option(help="What the employee may do")] = Role.MANAGER,
    team: Annotated[str | None, typer.Option(help="Sales team (managers)")] = None,
    department: Annotated[str | None, typer.Option(help="Department (heads of sales)")] = None,
) -> None:
    """Hire an employee and print their bearer token (shown only once)."""
    letopis = build()
    try:
        employee_id, token = letopis.create_user(full_name, role, team, department)
        console.print(f"employee id: {employee_id}")
        console.print(f"token: {token}")
    finally:
        letopis.close()


@users_app.command("token")
def new_token(employee_id: Annotated[str, typer.Argument(help="The employee's id")]) -> None:
    """Issue another token for an existing employee."""
    letopis = build()
    try:
        console.print(f"token: {letopis.issue_token(employee_id)}")
    finally:
        letopis.close()
