"""crm bonuses compute: a month's statements from the console, and its refusals in one line."""

from datetime import date
from decimal import Decimal

from typer.testing import CliRunner

from aggregates.employee import Role
from commands.bonus_commands import AdoptBonusRules, BonusRuleSet
from commands.contract_commands import SignContract
from commands.counterparty_commands import RegisterCounterparty
from commands.payment_commands import ReceivePayment
from letopis.cli import app
from letopis.settings import Settings
from letopis.wiring import CONSOLE, build


def seed_a_paid_contract(settings: Settings) -> None:
    letopis = build(settings)
    try:
        manager_id, _ = letopis.create_user("Иванов Иван", Role.MANAGER, "Москва-1", "Продажи")
        run = letopis.service.run
        client = run(CONSOLE, RegisterCounterparty(name="ООО «Вектор»", manager_id=manager_id)).id
        signed = SignContract(
            number="ТЛ-2025/00042",
            counterparty_id=client,
            signed_on=date(2025, 9, 1),
            valid_from=date(2025, 9, 1),
            valid_until=date(2026, 8, 31),
            amount=Decimal("500000.00"),
        )
        contract = run(CONSOLE, signed).id
        run(
            CONSOLE,
            ReceivePayment(contract_id=contract, amount=Decimal("120000.00"), received_on=date(2025, 10, 7)),
        )
        rules = BonusRuleSet(percent=Decimal("2.5"))
        run(CONSOLE, AdoptBonusRules(effective_from=date(2025, 1, 1), rules=rules, reason="Политика 2025"))
        letopis.runner.catch_up()
    finally:
        letopis.close()


def test_a_months_statements_from_the_console(console_store: Settings) -> None:
    seed_a_paid_contract(console_store)
    result = CliRunner().invoke(app, ["bonuses", "compute", "--period", "2025-10"])
    assert result.exit_code == 0, result.output
    assert "Иванов Иван — 2025-10, rule version 1" in result.output
    assert "ТЛ-2025/00042" in result.output
    assert "3000.00 RUB" in result.output
    assert "1 statement(s) at log position" in result.output


def test_a_rule_version_that_does_not_exist_is_refused_in_one_line(console_store: Settings) -> None:
    seed_a_paid_contract(console_store)
    result = CliRunner().invoke(app, ["bonuses", "compute", "--period", "2025-10", "--rules", "7"])
    assert result.exit_code == 2
    assert result.output.strip().endswith("rules_version: there is no bonus rule version 7")
