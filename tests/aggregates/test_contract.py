from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from aggregates.contract import Contract, ContractNumber, number_claim_id, sign_with_number_claim
from aggregates.counterparty import BARRED, Admission
from aggregates.errors import InvalidValue, RuleViolated
from aggregates.money import Money
from aggregates.stamp import Stamp

STAMP = Stamp("ivanov", datetime(2026, 2, 1, 9, tzinfo=UTC), "c-1", "c-1")


def signed(amount: str = "1000000", **overrides) -> Contract:
    terms = {
        "number": "ТЛ-2026/014",
        "counterparty_id": "cp-1",
        "manager_id": "ivanov",
        "signed_on": date(2026, 2, 1),
        "valid_from": date(2026, 2, 1),
        "valid_until": date(2026, 12, 31),
        "amount": Money(Decimal(amount), "RUB"),
        "stages": [
            {"name": "Перевозка", "planned_start": date(2026, 2, 1), "planned_end": date(2026, 6, 30)}
        ],
    }
    return Contract.sign(STAMP, **{**terms, **overrides})


def test_a_contract_cannot_end_before_it_starts() -> None:
    with pytest.raises(InvalidValue, match=r"ends .* before it starts"):
        signed(valid_until=date(2026, 1, 1))


def test_orders_are_booked_until_the_amount_is_used_up() -> None:
    contract = signed("1000")
    contract.book_order(STAMP, "o-1", Money(Decimal("600"), "RUB"), date(2026, 3, 1))
    assert contract.remaining == Money(Decimal("400"), "RUB")
    with pytest.raises(RuleViolated, match="has 400 RUB left"):
        contract.book_order(STAMP, "o-2", Money(Decimal("400.01"), "RUB"), date(2026, 3, 1))


def test_an_order_outside_the_validity_is_refused() -> None:
    with pytest.raises(RuleViolated, match="valid from 2026-02-01 to 2026-12-31"):
        signed().book_order(STAMP, "o-1", Money(Decimal(1), "RUB"), date(2027, 1, 10))


def test_a_terminated_contract_takes_no_orders_and_no_amendments() -> None:
    contract = signed()
    contract.terminate(STAMP, date(2026, 5, 1), "Клиент ушёл к конкуренту")
    with pytest.raises(RuleViolated, match="terminated"):
        contract.book_order(STAMP, "o-1", Money(Decimal(1), "RUB"), date(2026, 5, 2))
    with pytest.raises(RuleViolated, match="terminated"):
        contract.prolong(STAMP, date(2027, 12, 31))


def test_an_amendment_cannot_cut_the_amount_below_what_is_booked() -> None:
    contract = signed("1000")
    contract.book_order(STAMP, "o-1", Money(Decimal("800"), "RUB"), date(2026, 3, 1))
    with pytest.raises(RuleViolated, match="already booked 800"):
        contract.amend(STAMP, "Снижение объёма", amount=Decimal("500"))


def test_a_stage_completes_only_after_it_started() -> None:
    contract = signed()
    with pytest.raises(RuleViolated, match="must start before it completes"):
        contract.complete_stage(STAMP, "Перевозка", date(2026, 3, 1))
    contract.start_stage(STAMP, "Перевозка", date(2026, 2, 10))
    contract.complete_stage(STAMP, "Перевозка", date(2026, 7, 15))
    with pytest.raises(InvalidValue, match="no stage"):
        contract.start_stage(STAMP, "Таможня", date(2026, 2, 10))


def signing(**overrides) -> tuple[Contract, ContractNumber]:
    terms = {
        "admission": Admission.ACTIVE,
        "number_taken": False,
        "number": " ТЛ-2026/015 ",
        "counterparty_id": "cp-1",
        "manager_id": "ivanov",
        "signed_on": date(2026, 2, 1),
        "valid_from": date(2026, 2, 1),
        "valid_until": date(2026, 12, 31),
        "amount": Money(Decimal("500000"), "RUB"),
        "stages": [],
    }
    return sign_with_number_claim(STAMP, **{**terms, **overrides})


def test_signing_claims_the_number_under_an_id_any_spelling_of_it_shares() -> None:
    contract, claim = signing()
    assert contract.number == "ТЛ-2026/015"
    assert claim.id == number_claim_id("тл-2026/015")
    claimed = claim.collect_events()[0]
    assert isinstance(claimed, ContractNumber.Claimed)
    assert (claimed.number, claimed.contract_id) == ("ТЛ-2026/015", str(contract.id))
    assert claimed.occurred_at == STAMP.occurred_at


@pytest.mark.parametrize("admission", sorted(BARRED))
def test_a_barred_counterparty_signs_no_contract(admission: Admission) -> None:
    with pytest.raises(RuleViolated, match=f"is {admission.value}: no contract may be signed"):
        signing(admission=admission)


def test_a_number_already_claimed_is_refused_before_the_append() -> None:
    with pytest.raises(RuleViolated, match="ТЛ-2026/015 is already used"):
        signing(number_taken=True)
