"""crm today and crm calendar export: an employee's day and calendar from the console."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from icalendar import Calendar
from typer.testing import CliRunner

from aggregates.employee import Role
from aggregates.scope import Actor
from commands.contact_commands import RegisterContact
from commands.planned_activity_commands import PlanActivity
from commands.reminder_commands import SetReminder
from letopis.cli import app
from letopis.settings import Settings
from letopis.wiring import build
from projections.calendar_entries import CALENDAR_ZONE


def crm(*arguments: str) -> str:
    result = CliRunner().invoke(app, list(arguments))
    assert result.exit_code == 0, result.output
    return result.output


def _ivanovs_week(settings: Settings) -> str:
    letopis = build(settings)
    try:
        employee_id, _token = letopis.create_user("Иванов Иван", Role.MANAGER, "Москва-1", "Продажи")
        ivanov = Actor(employee_id, "Иванов Иван", Role.MANAGER, "Москва-1", "Продажи")
        today = datetime.now(UTC).astimezone(CALENDAR_ZONE).date()
        letopis.service.run(
            ivanov,
            RegisterContact(full_name="Именинница Анна", birthday=today.replace(year=1985).isoformat()),
        )
        starts_at = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
        planned = letopis.service.run(
            ivanov,
            PlanActivity(
                kind="meeting", subject="Встреча в «Ёлке»", starts_at=starts_at, duration_minutes=60
            ),
        )
        letopis.service.run(
            ivanov,
            SetReminder(
                remind_at=starts_at - timedelta(hours=1),
                subject="activity",
                subject_id=planned.id,
                text="Выезжать",
            ),
        )
    finally:
        letopis.close()
    return employee_id


def test_the_day_and_the_calendar_from_the_console(console_store: Settings, tmp_path: Path) -> None:
    employee_id = _ivanovs_week(console_store)
    day = crm("today", "--employee", employee_id)
    assert "Иванов Иван" in day
    assert "Birthday: Именинница Анна" in day

    out = tmp_path / "ivanov.ics"
    assert "2 events" in crm("calendar", "export", "--employee", employee_id, "--out", str(out))
    events = {str(event["SUMMARY"]): event for event in Calendar.from_ical(out.read_bytes()).walk("VEVENT")}
    meeting = events["meeting: Встреча в «Ёлке»"]
    assert [str(alarm["DESCRIPTION"]) for alarm in meeting.walk("VALARM")] == ["Выезжать"]
    assert "Birthday: Именинница Анна" in events


def test_an_unknown_employee_is_refused_in_one_line(console_store: Settings, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["today", "--employee", "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"])
    assert result.exit_code == 2
    assert result.output.splitlines() == ["employee 3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b does not exist"]
