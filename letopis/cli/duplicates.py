"""``crm duplicates``: the likely duplicate cards, as the duplicates report lists them."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from letopis.cli.shared import application, console, console_operator


def duplicates(
    employee_id: Annotated[
        str | None,
        typer.Option("--employee", help="Read as this employee, within their scope; everyone's by default"),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="Pairs shown")] = 50,
) -> None:
    """List pairs of cards that are likely one counterparty, likeliest first, with the reasons."""
    from aggregates.errors import NotFound
    from projections.duplicates import duplicate_pairs
    from projections.employee_directory import find_employee

    with application() as letopis:
        letopis.runner.catch_up()
        with letopis.views.reading() as cursor:
            reader = console_operator() if employee_id is None else find_employee(cursor, employee_id)
            if reader is None:
                raise NotFound(f"employee {employee_id} does not exist")
            pairs, total = duplicate_pairs(cursor, reader, limit, 0)
    table = Table("Score", "Card", "Likely the same as", "Because", title=f"Likely duplicates: {total}")
    for pair in pairs:
        reasons = ", ".join(f"{reason['rule']} {reason['value']}" for reason in pair["reasons"])
        first, second = pair["first"], pair["second"]
        table.add_row(
            f"{pair['score']:.2f}",
            f"{first['name']}\n{first['id']}",
            f"{second['name']}\n{second['id']}",
            reasons,
        )
    console.print(table)
