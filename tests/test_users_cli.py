"""crm users: the identity lifecycle from the console, and crm commands."""

import re
from datetime import UTC, datetime

from typer.testing import CliRunner

from aggregates.employee import Role, token_digest
from letopis.cli import app
from letopis.settings import Settings
from letopis.wiring import build
from projections.employee_directory import actor_for_token, employee_records


def crm(*arguments: str) -> str:
    result = CliRunner().invoke(app, list(arguments))
    assert result.exit_code == 0, result.output
    return result.output


def signs_in(settings: Settings, token: str) -> Role | None:
    letopis = build(settings)
    try:
        letopis.runner.catch_up()
        with letopis.views.reading() as cursor:
            actor = actor_for_token(cursor, token_digest(token), datetime.now(UTC))
    finally:
        letopis.close()
    return actor.role if actor else None


def test_tokens_roles_and_deactivation_from_the_console(console_store: Settings) -> None:
    created = crm("users", "create", "Иванов Иван", "--role", "manager", "--team", "Москва-1")
    employee_id = re.search(r"employee id: (\S+)", created)[1]  # type: ignore[index]
    first = re.search(r"token: (\S+)", created)[1]  # type: ignore[index]
    issued = crm("users", "token", employee_id, "--name", "ноутбук")
    laptop_id, laptop = re.search(r"token id: (\S+)\ntoken: (\S+)", issued).groups()  # type: ignore[union-attr]
    listed = crm("users", "tokens", employee_id)
    assert "ноутбук" in listed
    assert laptop_id in listed
    assert signs_in(console_store, laptop) == Role.MANAGER

    crm("users", "revoke", employee_id, laptop_id)
    assert signs_in(console_store, laptop) is None
    crm("users", "role", employee_id, "--role", "head_of_sales", "--department", "Продажи")
    assert signs_in(console_store, first) == Role.HEAD_OF_SALES
    crm("users", "deactivate", employee_id)
    assert signs_in(console_store, first) is None
    letopis = build(console_store)
    try:
        letopis.runner.catch_up()
        with letopis.views.reading() as cursor:
            (record,) = employee_records(cursor)
    finally:
        letopis.close()
    assert (record["full_name"], record["active"]) == ("Иванов Иван", False)


def test_a_refused_change_is_one_line(console_store: Settings) -> None:
    result = CliRunner().invoke(
        app, ["users", "role", "00000000-0000-4000-8000-000000000000", "--role", "admin"]
    )
    assert result.exit_code == 2
    assert "employee 00000000-0000-4000-8000-000000000000 does not exist" in result.output
    assert "Traceback" not in result.output


def test_crm_commands_lists_every_command_with_its_events(console_store: Settings) -> None:
    listed = crm("commands")
    for name, event in (
        ("interaction.log", "Interaction.Logged"),
        ("employee.deactivate", "Employee.Deactivated"),
    ):
        assert name in listed
        assert event in listed
