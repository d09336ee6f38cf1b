"""crm duplicates: the likely duplicate cards from the console, everyone's or one reader's."""

from typer.testing import CliRunner

from aggregates.employee import Role
from aggregates.scope import Actor
from commands.counterparty_commands import RegisterCounterparty
from letopis.cli import app
from letopis.settings import Settings
from letopis.wiring import build


def test_the_duplicates_report_from_the_console(console_store: Settings) -> None:
    letopis = build(console_store)
    try:
        employee_id, _token = letopis.create_user("Иванов Иван", Role.MANAGER, "Москва-1", "Продажи")
        ivanov = Actor(employee_id, "Иванов Иван", Role.MANAGER, "Москва-1", "Продажи")
        for name in ("ООО «Ёлка»", 'Общество с ограниченной ответственностью "ЕЛКА"', "АО «Сосна»"):
            letopis.service.run(ivanov, RegisterCounterparty(name=name, phones=["+7 495 100-00-00"]))
    finally:
        letopis.close()

    result = CliRunner().invoke(app, ["duplicates"])
    assert result.exit_code == 0, result.output
    assert "Likely duplicates: 3" in result.output
    assert "name елка" in result.output
    assert "phone +74951000000" in result.output

    own = CliRunner().invoke(app, ["duplicates", "--employee", employee_id, "--limit", "1"])
    assert own.exit_code == 0, own.output
    assert "Likely duplicates: 3" in own.output


def test_an_unknown_reader_is_refused_in_one_line(console_store: Settings) -> None:
    result = CliRunner().invoke(app, ["duplicates", "--employee", "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"])
    assert result.exit_code == 2
    assert result.output.splitlines() == ["employee 3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b does not exist"]
