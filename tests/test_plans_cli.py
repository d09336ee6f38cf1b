"""crm plans: set a plan from the console, list it, and read plan against actual and the forecast."""

from datetime import UTC, datetime

from typer.testing import CliRunner

from aggregates.period import Grain, period_of
from letopis.cli import app
from letopis.settings import Settings

MONTH = period_of(datetime.now(UTC).date(), Grain.MONTH).key


def crm(*arguments: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, list(arguments))
    assert result.exit_code == code, result.output
    return result.output


def test_a_plan_from_the_console_and_its_reports(console_store: Settings) -> None:
    crm("users", "create", "Иванов Иван", "--role", "manager", "--team", "Москва-1")
    set_ = crm(
        "plans",
        "set",
        "--period",
        MONTH,
        "--measure",
        "won_amount",
        "--amount",
        "1500000.00",
        "--currency",
        "RUB",
        "--reason",
        "План компании",
        "--target-kind",
        "company",
    )
    assert "version 1" in set_
    crm(
        "plans",
        "set",
        "--period",
        MONTH,
        "--measure",
        "won_amount",
        "--members",
        "--currency",
        "RUB",
        "--reason",
        "Сумма планов",
        "--target-kind",
        "team",
        "--target-id",
        "Москва-1",
    )
    listed = crm("plans", "list", "--period", MONTH)
    assert "1 500 000.00" in listed
    assert "team Москва-1" in listed
    report = crm("plans", "vs-actual", "--period", MONTH)
    assert "won_amount" in report
    assert "1500000.00" in report
    assert "Forecast" in crm("plans", "forecast", "--period", MONTH, "--by", "company")


def test_a_bad_plan_from_the_console_is_one_line(console_store: Settings) -> None:
    refused = crm(
        "plans",
        "set",
        "--period",
        "2026-13",
        "--measure",
        "won_deals",
        "--amount",
        "3",
        "--reason",
        "x",
        code=2,
    )
    assert "period" in refused
    assert "Traceback" not in refused
    twice = ("plans", "set", "--period", MONTH, "--measure", "won_deals", "--amount", "3", "--reason", "План")
    crm(*twice)
    assert "already set" in crm(*twice, code=2)
    assert "a month is 01 to 12" in crm("plans", "vs-actual", "--period", "2026-00", code=2)
