"""``crm bonuses``: managers' bonus statements recomputed from the log."""

from typing import Annotated

import typer
from rich.table import Table

from letopis.cli.shared import application, console, progress_bar

app = typer.Typer(help="Managers' bonuses, recomputed from the event log.", no_args_is_help=True)


@app.command("compute")
def compute(
    period: Annotated[str, typer.Option(help="A month (2026-10) or a year (2026)")],
    rules: Annotated[
        int | None, typer.Option(help="A rule version; by default each month's in force")
    ] = None,
    position: Annotated[
        int | None, typer.Option(help="As the log stood at this position; by default its head")
    ] = None,
) -> None:
    """Every manager's statement: each payment that counted, under which contract, the rule and
    rate applied and the bonus; totals per currency and in roubles at the rates named."""
    from aggregates.period import parse_period
    from projections.employee_directory import find_employee
    from replay.bonus_statement import replay_bonus_facts, rules_in_force, statements

    with application() as letopis:
        asked = parse_period(period, "period", "option")
        with progress_bar() as progress:
            task = progress.add_task("Reading the log", total=None)
            replayed = replay_bonus_facts(
                letopis.store,
                position,
                lambda reached, head: progress.update(task, completed=reached, total=head),
            )
        found = statements(replayed.facts, asked, rules_in_force(replayed.facts, rules, "option"))
        with letopis.views.reading() as cursor:
            names = {s.employee_id: find_employee(cursor, s.employee_id) for s in found}
        for statement in found:
            employee = names[statement.employee_id]
            name = employee.full_name if employee else statement.employee_id
            table = Table(title=f"{name} — {statement.period}, rule version {statement.rules_version}")
            for column in ("Date", "Contract", "Kind", "Rule", "%", "Base", "Bonus"):
                table.add_column(column, justify="right" if column in ("%", "Base", "Bonus") else "left")
            for line in statement.lines:
                table.add_row(
                    line.on.isoformat(),
                    line.contract_number or "",
                    line.kind,
                    line.rule,
                    "" if line.percent is None else str(line.percent),
                    f"{line.base} {line.currency}",
                    f"{line.amount} {line.currency}",
                )
            console.print(table)
            totals = ", ".join(
                f"{amount} {currency}" for currency, amount in sorted(statement.totals.items())
            )
            rates = "; ".join(
                f"{r.currency} {r.rub_per_unit} on {r.on} ({r.source})" for r in statement.rates
            )
            rub = "—" if statement.converted is None else f"{statement.converted} RUB"
            console.print(f"Total: {totals} = {rub}" + (f" at {rates}" if rates else ""))
            for missing in statement.missing_rates:
                console.print(missing, style="red")
        console.print(
            f"{len(found)} statement(s) at log position {replayed.position}; {replayed.events} events read."
        )
