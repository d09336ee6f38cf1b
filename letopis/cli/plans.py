"""``crm plans``: set sales plans, list them, and read plan against actual and the forecast."""

from typing import Annotated

import typer
from rich.table import Table

from aggregates.plan_terms import PlanBasis, PlanMeasure, PlanTarget
from letopis.cli.shared import application, console, console_operator

app = typer.Typer(help="Sales plans, plan against actual, and the forecast.", no_args_is_help=True)

PeriodOption = Annotated[
    str, typer.Option("--period", help="2026-10 (month), 2026-Q4 (quarter) or 2026 (year)")
]
TargetKind = Annotated[PlanTarget, typer.Option("--target-kind", help="Whose plan")]
TargetId = Annotated[
    str | None,
    typer.Option(
        "--target-id", help="The employee's id, the team's or department's name; none for the company"
    ),
]


@app.command("set")
def set_plan(
    period: PeriodOption,
    measure: Annotated[PlanMeasure, typer.Option(help="What the plan counts")],
    reason: Annotated[str, typer.Option(help="Why, for the record")],
    target_kind: TargetKind = PlanTarget.COMPANY,
    target_id: TargetId = None,
    amount: Annotated[str | None, typer.Option(help="Money to the kopeck, or a number of deals")] = None,
    currency: Annotated[str | None, typer.Option(help="For plans in money, e.g. RUB")] = None,
    members: Annotated[
        bool, typer.Option("--members", help="A team's plan as the sum of its members'")
    ] = False,
) -> None:
    """Set a sales plan (or set a withdrawn one again) as the console's administrator."""
    from pydantic import ValidationError

    from commands.sales_plan_commands import SetSalesPlan

    try:
        command = SetSalesPlan(
            period=period,
            target_kind=target_kind,
            target_id=target_id,
            measure=measure,
            basis=PlanBasis.MEMBERS if members else PlanBasis.DIRECT,
            amount=amount,
            currency=currency,
            reason=reason,
        )
    except ValidationError as invalid:
        first = invalid.errors()[0]
        typer.echo(f"{'.'.join(map(str, first['loc']))}: {first['msg']}", err=True)
        raise SystemExit(2) from None
    with application() as letopis:
        outcome = letopis.service.run(console_operator(), command)
    console.print(f"plan {outcome.id} (version {outcome.version})")


@app.command("list")
def list_plans(period: PeriodOption) -> None:
    """The plans in force for a period."""
    from projections.sales_plans import PlanFilter, search_plans

    with application() as letopis:
        letopis.runner.catch_up()
        with letopis.views.reading() as cursor:
            plans, total = search_plans(cursor, console_operator(), PlanFilter(period=period), 200, 0)
    table = Table(
        "Plan", "Target", "Measure", "Basis", "Amount", "Currency", "Reason", title=f"Plans for {period}"
    )
    for plan in plans:
        table.add_row(
            plan["id"],
            f"{plan['target_kind']} {plan['target_id']}",
            plan["measure"],
            plan["basis"],
            "" if plan["amount"] is None else f"{plan['amount']:,}".replace(",", " "),
            plan["currency"] or "",
            plan["reason"],
        )
    console.print(table)
    console.print(f"{total} plans")


@app.command("vs-actual")
def plan_against_actual(
    period: PeriodOption,
    target_kind: TargetKind = PlanTarget.COMPANY,
    target_id: TargetId = None,
    currency: Annotated[str | None, typer.Option("--in", help="Show money in this currency")] = None,
) -> None:
    """Plan against actual for a period: attainment, gap and the weighted forecast to its end."""
    from aggregates.period import parse_period
    from projections.plan_vs_actual import plan_vs_actual, target_of

    with application() as letopis:
        letopis.runner.catch_up()
        today = letopis.service.clock().date()
        with letopis.views.reading() as cursor:
            report = plan_vs_actual(
                cursor,
                console_operator(),
                parse_period(period),
                target_of(target_kind, target_id),
                today,
                currency,
            )
    table = Table(
        "Measure",
        "Plan",
        "Actual",
        "Source",
        "Attainment %",
        "Gap",
        "Forecast",
        "Currency",
        title=f"Plan against actual, {report['period']}, {target_kind.value} {target_id or ''}",
    )
    for line in report["plans"]:
        table.add_row(
            line["measure"],
            str(line["plan"]),
            str(line["actual"]),
            line["actual_source"],
            "" if line["attainment_percent"] is None else str(line["attainment_percent"]),
            str(line["gap"]),
            "" if line["weighted_forecast"] is None else str(line["weighted_forecast"]),
            line["currency"] or "",
        )
    console.print(table)
    for actual in report["actuals"]:
        console.print(f"{actual['source']}: {actual['amount']} {actual['currency']} ({actual['count']})")
    for rate in report["rates"]:
        console.print(f"rate used: {rate['currency']} {rate['rub_per_unit']} RUB on {rate['on']}")


@app.command("forecast")
def forecast(
    period: PeriodOption,
    by: Annotated[str, typer.Option(help="employee, team or company")] = "team",
) -> None:
    """Deals expected to close in a period, weighted by their chance, per forecast category."""
    from aggregates.period import parse_period
    from projections.forecast_queries import Grouping, weighted_forecast

    with application() as letopis:
        letopis.runner.catch_up()
        with letopis.views.reading() as cursor:
            rows = weighted_forecast(cursor, console_operator(), parse_period(period), Grouping(by))
    table = Table(
        "Group", "Category", "Deals", "Amount", "Weighted", "Currency", title=f"Forecast for {period}"
    )
    for row in rows:
        table.add_row(
            row["group"] or "company",
            row["category"],
            str(row["deals"]),
            str(row["amount"]),
            str(row["weighted"]),
            row["currency"],
        )
    console.print(table)
