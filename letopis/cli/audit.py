"""``crm audit``: check the log against its hash chain; export the chain's head."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from letopis.cli.shared import console, progress_bar

if TYPE_CHECKING:
    from event_store.store import EventStore

app = typer.Typer(help="Tamper evidence: the hash chain beside the event log.", no_args_is_help=True)


def _store() -> EventStore:
    from event_store.store import EventStore
    from letopis.settings import Settings

    settings = Settings()
    return EventStore(settings.event_store_url(), settings.database_timeout, cache_size=0)


AnchorFile = Annotated[
    Path | None,
    typer.Option(
        "--anchor",
        help="A file written by `crm audit anchor`: the chain must pass through its position with its hash",
        exists=True,
        dir_okay=False,
    ),
]


@app.command("verify")
def verify(anchor: AnchorFile = None) -> None:
    """Recompute the hash chain over the whole log and report the first position where an
    event was edited, deleted, inserted or reordered (exit status 1), or that the chain is whole."""
    from event_store.chain import Anchor

    expected = None
    if anchor is not None:
        try:
            kept = json.loads(anchor.read_text(encoding="utf-8"))
            expected = Anchor(int(kept["position"]), bytes.fromhex(kept["hash"]))
        except (ValueError, KeyError, TypeError) as unreadable:
            refusal = f"{anchor}: not an anchor written by `crm audit anchor` ({unreadable})"
            console.print(Text(refusal), style="red")
            raise typer.Exit(2) from None
    store = _store()
    try:
        head = store.head()
        with progress_bar() as progress:
            task = progress.add_task("verifying the hash chain", total=head)

            def report(reached: int) -> None:
                progress.update(task, completed=reached)

            finding = store.verify(expected, progress=report)
            progress.update(task, completed=head)
    finally:
        store.close()
    if finding is not None:
        console.print(
            Text(f"Log position {finding.position}: {finding.breach} — {finding.detail}."), style="bold red"
        )
        raise typer.Exit(1)
    against = f", and passes through the anchor at position {expected.position}" if expected else ""
    console.print(f"The hash chain is whole up to log position {head}{against}.")


@app.command("anchor")
def anchor(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the anchor to this file, not to the screen")
    ] = None,
) -> None:
    """Print the chain's head (position and hash) as JSON, to be kept somewhere the database's
    administrators cannot change; `crm audit verify --anchor FILE` checks the log against it."""
    store = _store()
    try:
        text = json.dumps(store.anchor().as_dict())
    finally:
        store.close()
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        console.print(f"Anchor written to {output}.")
