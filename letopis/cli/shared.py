"""What every ``crm`` command shares: the console, the application, progress bars."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

if TYPE_CHECKING:
    from aggregates.scope import Actor
    from letopis.wiring import Letopis

console = Console()


def build() -> Letopis:
    """The application, wired from the settings."""
    from letopis.wiring import build as wire

    return wire()


@contextmanager
def application() -> Iterator[Letopis]:
    """The application for one command, closed when it is done."""
    letopis = build()
    try:
        yield letopis
    finally:
        letopis.close()


def console_operator() -> Actor:
    from letopis.wiring import CONSOLE

    return CONSOLE


def progress_bar() -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
    )


def catch_up_with_progress(letopis: Letopis, description: str) -> int:
    with progress_bar() as progress:
        task = progress.add_task(description, total=None)

        def report(reached: int, head: int) -> None:
            progress.update(task, completed=reached, total=head)

        return letopis.runner.catch_up(report)
