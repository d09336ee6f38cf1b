"""``crm planning``: the control of planned activities' execution, the time audit with its
cost, shared resources and an employee's due reminders, read from the views by the console
operator (who reads everything)."""

from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.table import Table

from letopis.cli.shared import application, console, console_operator

app = typer.Typer(
    help="Planned activities, tasks' time and cost, resources, reminders.", no_args_is_help=True
)

Days = Annotated[int, typer.Option(min=1, max=3660, help="How many days back from today")]


@app.command("control")
def control(
    days: Days = 30,
    team: Annotated[str | None, typer.Option(help="Only this team's employees")] = None,
) -> None:
    """Control of execution per employee: planned, held on time, held late, missed, cancelled,
    overdue now and upcoming, over activities beginning in the last DAYS days."""
    from projections.planned_activities import CONTROL_MEASURES, execution_control

    with application() as letopis:
        letopis.runner.catch_up()
        now = letopis.service.clock()
        with letopis.views.reading() as cursor:
            rows = execution_control(cursor, console_operator(), now, now - timedelta(days=days), now, team)
    table = Table(
        "Employee", "Team", *(m.replace("_", " ") for m in CONTROL_MEASURES), title="Control of execution"
    )
    for row in rows:
        table.add_row(row["full_name"], row["team"], *(str(row[m]) for m in CONTROL_MEASURES))
    console.print(table)


@app.command("time-audit")
def time_audit_report(
    by: Annotated[str, typer.Option(help="employee or client")] = "employee",
    days: Days = 30,
) -> None:
    """Time spent over the last DAYS days per employee or per client, and its cost at the rate
    in effect on each day, naming every rate used."""
    from projections.time_audit import AuditQuery, time_audit

    if by not in ("employee", "client"):
        raise typer.BadParameter("employee or client", param_hint="--by")
    today = datetime.now(UTC).date()
    with application() as letopis:
        letopis.runner.catch_up()
        query = AuditQuery(today - timedelta(days=days), today, "client" if by == "client" else "employee")
        with letopis.views.reading() as cursor:
            groups = time_audit(cursor, console_operator(), query)
    table = Table(by.capitalize(), "Hours", "Cost", "Rates used", title="Time audit")
    for group in groups:
        cost = ", ".join(f"{c['amount']} {c['currency']}" for c in group["cost"]) or "—"
        rates = sorted(
            {
                f"{p['rate']} {p['currency']} from {p['effective_from']}"
                for p in group["parts"]
                if p["rate"] is not None
            }
        )
        if group["uncosted_minutes"]:
            rates.append(f"no rate for {group['uncosted_minutes'] / 60:.1f} h")
        table.add_row(group["name"] or "—", f"{group['minutes'] / 60:.1f}", cost, "\n".join(rates))
    console.print(table)


@app.command("resources")
def resources(days: Annotated[int, typer.Option(min=1, max=366, help="How many days ahead")] = 7) -> None:
    """Shared resources and their bookings from now for DAYS days."""
    from projections.resource_bookings import BookingQuery, bookings, list_resources

    with application() as letopis:
        letopis.runner.catch_up()
        now = letopis.service.clock()
        with letopis.views.reading() as cursor:
            found = list_resources(cursor)
            booked = bookings(cursor, BookingQuery(now, now + timedelta(days=days)))
    table = Table("Resource", "Kind", "Location", "Bookings ahead", title="Shared resources")
    for resource in found:
        ahead = [
            f"{b['starts_at']:%d.%m %H:%M}–{b['ends_at']:%H:%M} {b['booked_by_name'] or ''}"
            for b in booked
            if b["resource_id"] == resource["id"]
        ]
        table.add_row(resource["name"], resource["kind"], resource["location"], "\n".join(ahead))
    console.print(table)


@app.command("reminders")
def due(employee_id: Annotated[str, typer.Argument(help="The employee's id")]) -> None:
    """An employee's reminders due now and not dismissed."""
    from projections.reminders import due_reminders

    with application() as letopis:
        letopis.runner.catch_up()
        with letopis.views.reading() as cursor:
            found = due_reminders(cursor, employee_id, letopis.service.clock())
    table = Table("When", "About", "Text", title="Reminders due")
    for reminder in found:
        table.add_row(f"{reminder['remind_at']:%Y-%m-%d %H:%M} UTC", reminder["subject"], reminder["text"])
    console.print(table)
