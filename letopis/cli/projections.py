"""``crm projections``: rebuild the read models, keep them current, see where each stands."""

import typer
from rich.table import Table
from rich.text import Text

from letopis.cli.shared import application, build, catch_up_with_progress, console

app = typer.Typer(help="Read models built from the event log.", no_args_is_help=True)


@app.command("rebuild")
def rebuild() -> None:
    """Drop every read model and replay the whole log into it, with a progress bar."""
    with application() as letopis:
        reached = catch_up_with_progress(letopis, "Rebuilding views", rebuild=True)
        console.print(f"Views rebuilt up to log position {reached}.")


@app.command("run")
def run_projections() -> None:
    """Keep the read models current (the projection worker of a multi-process deployment)."""
    from projections.runner import ProjectionWorker

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


@app.command("status")
def status() -> None:
    """Show the log position each read model reflects, and where and why a stopped one stopped
    (the exit status is 1 while any is stopped)."""
    with application() as letopis:
        head = letopis.store.head()
        views = letopis.runner.status()
    table = Table(title=f"Log head: {head}")
    table.add_column("View", no_wrap=True)
    table.add_column("Position", justify="right")
    table.add_column("Behind", justify="right")
    table.add_column("State")
    table.add_column("Stopped at", overflow="fold")
    table.add_column("Error", overflow="fold")
    for view in views:
        failure = view.failure
        if failure is None:
            table.add_row(view.name, str(view.position), str(head - view.position), "[green]running")
            continue
        # Error messages are shown as they are, never read as console markup.
        table.add_row(
            view.name,
            str(view.position),
            str(head - view.position),
            "[red]stopped",
            Text(f"{failure.position} {failure.topic}"),
            Text(
                f"{failure.error_type}: {failure.message} (since {failure.failed_at:%Y-%m-%d %H:%M:%S} UTC, "
                f"attempts: {failure.attempts})"
            ),
        )
    console.print(table)
    if any(view.failure for view in views):
        raise typer.Exit(1)
