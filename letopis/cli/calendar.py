"""``crm today`` and ``crm calendar export``: an employee's daily report, and their calendar
as an iCalendar file, read from the views as that employee reads them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from letopis.cli.shared import application, console

if TYPE_CHECKING:
    from aggregates.scope import Actor
    from letopis.wiring import Letopis

app = typer.Typer(help="Calendars as iCalendar files.", no_args_is_help=True)

EmployeeOption = Annotated[str, typer.Option("--employee", help="The employee's id")]


def _employee(letopis: Letopis, employee_id: str) -> Actor:
    """The employee as their own reader, once the views reflect the log."""
    from aggregates.errors import NotFound
    from projections.employee_directory import find_employee

    letopis.runner.catch_up()
    with letopis.views.reading() as cursor:
        employee = find_employee(cursor, employee_id)
    if employee is None:
        raise NotFound(f"employee {employee_id} does not exist")
    return employee


@app.command("export")
def export_calendar(
    employee_id: EmployeeOption,
    out: Annotated[Path, typer.Option("--out", help="The .ics file to write", dir_okay=False)],
) -> None:
    """Write an employee's calendar (30 days back, 90 ahead, reminders as alarms) to an .ics file."""
    from read_api.ical import employee_calendar

    with application() as letopis:
        employee = _employee(letopis, employee_id)
        with letopis.views.reading() as cursor:
            base_url = f"http://{letopis.settings.host}:{letopis.settings.port}"
            document = employee_calendar(cursor, employee, letopis.service.clock(), base_url)
    out.write_bytes(document)
    console.print(f"{out}: {document.count(b'BEGIN:VEVENT')} events for {employee.full_name}")


def today(employee_id: EmployeeOption) -> None:
    """Print an employee's daily report: today in Europe/Moscow, by the server's clock."""
    from projections.calendar_entries import CALENDAR_ZONE
    from projections.daily_report import SECTIONS, daily_report

    with application() as letopis:
        employee = _employee(letopis, employee_id)
        with letopis.views.reading() as cursor:
            report = daily_report(cursor, employee, letopis.service.clock())
    console.print(f"[bold]{employee.full_name}[/bold], {report.today:%d.%m.%Y}")
    for section in SECTIONS:
        items = getattr(report, section)
        # A list the report cuts short names its whole count beside it.
        total = getattr(report, f"{section}_total", len(items))
        shown = f"{len(items)}" if total == len(items) else f"{len(items)} of {total}"
        table = Table("When", "What", "Status", "Source", title=f"{section.replace('_', ' ')} ({shown})")
        for item in items:
            when = f"{item.at.astimezone(CALENDAR_ZONE):%d.%m %H:%M}" if item.at else f"{item.day or ''}"
            table.add_row(when, item.title, item.status, item.path or f"{item.kind} {item.id}")
        console.print(table)
