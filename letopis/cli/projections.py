"""``crm projections``: rebuild the read models, keep them current, see where each stands."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from letopis.cli.shared import application, build, console, progress_bar

if TYPE_CHECKING:
    from projections.status import ViewStatus

app = typer.Typer(help="Read models built from the event log.", no_args_is_help=True)


ViewNames = Annotated[
    list[str] | None,
    typer.Argument(help="Views to rebuild, by the names `crm projections status` shows; all when none"),
]


@app.command("rebuild")
def rebuild(names: ViewNames = None) -> None:
    """Rebuild views from the whole log beside the live ones, which keep answering until each
    rebuilt view takes its place; one read of the log serves them all (exit status 1 if an
    event stops a rebuild, 2 for an unknown name)."""
    from aggregates.errors import InvalidValue
    from projections.rebuilds import RebuildFailed

    with application() as letopis:
        try:
            chosen = [projection.name for projection in letopis.runner.named(names or [])]
        except InvalidValue as unknown:
            console.print(Text(str(unknown)), style="red")
            raise typer.Exit(2) from None
        with progress_bar() as progress:
            task = progress.add_task(", ".join(chosen), total=None)

            def report(position: int, head: int) -> None:
                progress.update(task, completed=position, total=head)

            try:
                reached = letopis.runner.rebuild(chosen, report)
            except RebuildFailed as failed:
                console.print(Text(f"{failed}; the view answers from its last build."), style="red")
                raise typer.Exit(1) from None
            progress.update(task, completed=reached, total=reached)
        console.print(f"Rebuilt {len(chosen)} view(s) up to log position {reached}.")


@app.command("run")
def run_projections() -> None:
    """Keep the read models current (the projection worker of a multi-process deployment)."""
    from projections.worker import ProjectionWorker

    letopis = build()
    worker = ProjectionWorker(
        letopis.runner, letopis.settings.projection_interval, after_catch_up=letopis.background_jobs
    )
    console.print("Projection worker running; Ctrl+C stops it.")
    worker.start()
    try:
        worker.join()
    except KeyboardInterrupt:
        worker.stop()
    finally:
        letopis.close()


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


@app.command("status")
def status() -> None:
    """Show each read model's state, the log position it reflects, how far behind it is, how
    fast it moves and when it should catch up; a rebuild under way beside it; and where and
    why a stopped one stopped (the exit status is 1 while any is stopped)."""
    with application() as letopis:
        head = letopis.store.head()
        views = letopis.runner.status()
    table = Table(title=f"Log head: {head}")
    table.add_column("View", no_wrap=True)
    table.add_column("State")
    table.add_column("Version", justify="right")
    table.add_column("Position", justify="right")
    table.add_column("Behind", justify="right")
    table.add_column("Events/s", justify="right")
    table.add_column("ETA", justify="right")
    table.add_column("Details", overflow="fold")
    colours = {"running": "green", "rebuilding": "yellow", "stopped": "red"}
    for view in views:
        version = str(view.version)
        if view.version != view.current_version or view.build:
            version += f" → {view.current_version}"
        table.add_row(
            view.name,
            Text(view.state, style=colours[view.state]),
            version,
            str(view.position),
            str(view.behind(head)),
            "?" if view.pace is None else f"{view.pace:,.0f}",
            _duration(view.eta_seconds(head)),
            _details(view),
        )
    console.print(table)
    if any(view.failure for view in views):
        raise typer.Exit(1)


def _details(view: ViewStatus) -> Text:
    """A stopped view's failure, or a build's progress; shown as they are, never read as
    console markup."""
    failure = view.failure
    if failure is not None:
        return Text(
            f"stopped at {failure.position} {failure.topic}: {failure.error_type}: {failure.message} "
            f"(since {failure.failed_at:%Y-%m-%d %H:%M:%S} UTC, attempts: {failure.attempts})"
        )
    build = view.build
    if build is None:
        return Text("")
    if build.error is not None:
        return Text(f"rebuild stopped at {build.failed_position}: {build.error}")
    return Text(f"rebuilt up to {build.position}; the last build answers meanwhile")
