"""``crm commands``: every command the write side handles, what it changes and records."""

from rich.table import Table

from letopis.cli.shared import console


def list_commands() -> None:
    """List every command the write side handles, with the events it records.

    Each row: the stable name receipts record, the kind of record it changes, the events it
    may record, and what it does."""
    from commands.registry import command_registry

    table = Table("Command", "Changes", "Events it records", "What it does", title="Commands")
    for registration in sorted(command_registry().values(), key=lambda r: r.name):
        table.add_row(
            registration.name,
            registration.target.__name__ if registration.target else "(new or well-known)",
            "\n".join(sorted(event.__qualname__ for event in registration.events)),
            registration.summary,
        )
    console.print(table)
