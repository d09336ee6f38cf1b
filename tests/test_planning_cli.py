"""crm planning: control of execution, time audit, resources and due reminders from the console."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from typer.testing import CliRunner

from aggregates.employee import Role
from commands.counterparty_commands import RegisterCounterparty
from commands.planned_activity_commands import MissActivity, PlanActivity
from commands.reminder_commands import SetReminder
from commands.resource_commands import BookResource, RegisterResource
from commands.task_commands import AcceptTask, AssignTask, RecordHourlyRate, ReportTimeSpent
from letopis.cli import app
from letopis.settings import Settings
from letopis.wiring import build
from projections.employee_directory import find_employee


def crm(*arguments: str) -> str:
    result = CliRunner().invoke(app, list(arguments))
    assert result.exit_code == 0, result.output
    return result.output


def test_the_console_shows_control_time_resources_and_reminders(console_store: Settings) -> None:
    now = datetime.now(UTC)
    letopis = build(console_store)
    try:
        manager_id, _token = letopis.create_user("Иванов Иван", Role.MANAGER, "Москва-1", "Продажи")
        head_id, _token = letopis.create_user("Смирнов Олег", Role.HEAD_OF_SALES, None, "Продажи")
        letopis.runner.catch_up()
        with letopis.views.reading() as cursor:
            ivanov, head = find_employee(cursor, manager_id), find_employee(cursor, head_id)
        assert ivanov is not None
        assert head is not None
        run = letopis.service.run
        client = run(ivanov, RegisterCounterparty(name="ООО «Волга»")).id
        call = PlanActivity(
            kind="call",
            subject="Звонок",
            counterparty_id=client,
            starts_at=now - timedelta(hours=2),
            duration_minutes=15,
        )
        run(ivanov, MissActivity(reason="Не дозвонились"), run(ivanov, call).id)
        run(ivanov, call)
        run(
            head,
            RecordHourlyRate(
                employee_id=manager_id, effective_from=now.date() - timedelta(days=3), rate=Decimal(1500)
            ),
        )
        task = run(ivanov, AssignTask(title="Сверка", due_on=now.date(), counterparty_id=client)).id
        run(ivanov, AcceptTask(), task)
        run(ivanov, ReportTimeSpent(day=now.date(), minutes=90, work_done="Сверка"), task)
        room = run(head, RegisterResource(name="Переговорная «Нева»", kind="meeting_room")).id
        run(
            ivanov,
            BookResource(starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=1)),
            room,
        )
        run(ivanov, SetReminder(remind_at=now - timedelta(minutes=5), text="Позвонить в «Волгу»"))
    finally:
        letopis.close()

    control = crm("planning", "control")
    assert "Иванов Иван" in control
    assert "missed" in control
    audit = crm("planning", "time-audit", "--by", "client")
    assert "ООО «Волга»" in audit
    assert "2250.00 RUB" in audit
    assert "1500" in audit
    assert "Иванов Иван" in crm("planning", "resources")
    assert "Позвонить в «Волгу»" in crm("planning", "reminders", manager_id)
