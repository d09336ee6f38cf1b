"""The bonus replay over a real log, on every store: tiers read the sales plans recorded in the
same log, a plan changed or withdrawn counts as it stood at the position, and a position
beyond the head is refused."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from aggregates.errors import InvalidValue
from aggregates.period import parse_period
from aggregates.sales_plan import PlanBasis, PlanMeasure, PlanTarget, SalesPlan
from aggregates.stamp import Stamp
from commands.bonus_commands import AdoptBonusRules, BonusRuleSet, TierRow, TierTable
from commands.contract_commands import SignContract
from commands.counterparty_commands import RegisterCounterparty
from commands.payment_commands import ReceivePayment
from letopis.wiring import CONSOLE
from replay.bonus_statement import replay_bonus_facts, rules_in_force, statements

OCTOBER = parse_period("2025-10")
STAMP = Stamp("console", datetime(2025, 9, 20, 9, tzinfo=UTC), "plan", "plan")


def paid_with_tiers(letopis, staff, method: str) -> str:
    manager = staff["ivanov"][0].employee_id
    run = letopis.service.run
    client = run(CONSOLE, RegisterCounterparty(name="ООО «Ступени»", manager_id=manager)).id
    contract = run(
        CONSOLE,
        SignContract(
            number="ТЛ-ступени",
            counterparty_id=client,
            signed_on=date(2025, 9, 1),
            valid_from=date(2025, 9, 1),
            valid_until=date(2026, 8, 31),
            amount=Decimal("900000.00"),
        ),
    ).id
    for amount, day in (("60000.00", 6), ("50000.00", 20)):
        run(
            CONSOLE,
            ReceivePayment(contract_id=contract, amount=Decimal(amount), received_on=date(2025, 10, day)),
        )
    tiers = TierTable(
        method=method,
        tiers=[
            TierRow(from_attainment=Decimal(0), percent=Decimal(2)),
            TierRow(from_attainment=Decimal(100), percent=Decimal(4)),
        ],
    )
    rules = AdoptBonusRules(
        effective_from=date(2025, 1, 1), rules=BonusRuleSet(tiers=tiers), reason="По плану"
    )
    run(CONSOLE, rules)
    return manager


def plan(letopis, manager: str, amount: str) -> SalesPlan:
    planned = SalesPlan.set(
        STAMP,
        period=OCTOBER,
        target_kind=PlanTarget.EMPLOYEE,
        target_id=manager,
        measure=PlanMeasure.RECEIVED_AMOUNT,
        basis=PlanBasis.DIRECT,
        amount=Decimal(amount),
        currency="RUB",
        reason="План на октябрь",
    )
    letopis.store.append(planned)
    return planned


def october_total(letopis, position: int | None = None) -> Decimal:
    replayed = replay_bonus_facts(letopis.store, position)
    [statement] = statements(replayed.facts, OCTOBER, rules_in_force(replayed.facts, None))
    return statement.totals["RUB"]


@pytest.mark.parametrize(
    ("method", "reached", "short"), [("whole", "4400.00", "2200.00"), ("marginal", "2400.00", "2200.00")]
)
def test_tiers_read_the_plan_as_the_log_had_it_at_the_position(
    letopis, staff, method, reached, short
) -> None:
    manager = paid_with_tiers(letopis, staff, method)
    assert october_total(letopis) == Decimal("2200.00")
    planned = plan(letopis, manager, "100000.00")
    at_plan = letopis.store.head()
    assert october_total(letopis) == Decimal(reached)
    planned.change(STAMP, basis=PlanBasis.DIRECT, amount=Decimal("500000.00"), currency="RUB", reason="Выше")
    letopis.store.append(planned)
    assert october_total(letopis) == Decimal(short)
    assert october_total(letopis, at_plan) == Decimal(reached)
    planned.withdraw(STAMP, "Отменён")
    letopis.store.append(planned)
    assert october_total(letopis) == Decimal("2200.00")


def test_a_position_beyond_the_head_is_refused(letopis, staff) -> None:
    head = letopis.store.head()
    with pytest.raises(InvalidValue, match=f"beyond the log's head \\({head}\\)"):
        replay_bonus_facts(letopis.store, head + 1)
