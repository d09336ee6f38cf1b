"""Signing and changing contracts on every store: unique numbers, scope, dates, versions."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from aggregates.contract import Contract, ContractStatus
from aggregates.counterparty import Admission
from aggregates.errors import AccessDenied, ConcurrentChange, InvalidValue, NotFound, RuleViolated
from commands.contract_commands import (
    AmendContract,
    CompleteStage,
    ProlongContract,
    ReceiveOriginals,
    SignContract,
    StartStage,
    TerminateContract,
)
from commands.counterparty_commands import (
    DecideAdmission,
    RegisterCounterparty,
)

TODAY = datetime.now(UTC).date()


def register_client(letopis, actor, name: str = "ООО «Сибирский транзит»") -> str:
    return letopis.service.run(actor, RegisterCounterparty(name=name)).id


def contract_terms(counterparty_id: str, **overrides) -> SignContract:
    """A year-long contract around today, so that orders placed now fall inside it."""
    terms = {
        "number": "ТЛ-2026/014",
        "counterparty_id": counterparty_id,
        "signed_on": TODAY - timedelta(days=40),
        "valid_from": TODAY - timedelta(days=30),
        "valid_until": TODAY + timedelta(days=335),
        "amount": Decimal("1000000.00"),
        "currency": "RUB",
        "stages": [
            {
                "name": "Перевозка",
                "planned_start": TODAY - timedelta(days=30),
                "planned_end": TODAY + timedelta(days=60),
            },
            {
                "name": "Таможенное оформление",
                "planned_start": TODAY + timedelta(days=60),
                "planned_end": TODAY + timedelta(days=90),
            },
        ],
    }
    return SignContract(**{**terms, **overrides})


def sign(letopis, actor, counterparty_id: str, **overrides) -> str:
    return letopis.service.run(actor, contract_terms(counterparty_id, **overrides)).id


def contract(letopis, contract_id: str) -> Contract:
    return letopis.store.get(UUID(contract_id), Contract)


@pytest.fixture
def client_of_ivanov(letopis, staff) -> str:
    return register_client(letopis, staff["ivanov"][0])


def test_a_signed_contract_is_managed_by_the_clients_manager_by_default(letopis, staff, client_of_ivanov):
    petrova, ivanov = staff["petrova"][0], staff["ivanov"][0]
    signed = contract(letopis, sign(letopis, petrova, client_of_ivanov))
    assert signed.manager_id == ivanov.employee_id
    assert signed.amount.amount == Decimal("1000000.00")
    assert list(signed.stages) == ["Перевозка", "Таможенное оформление"]


def test_a_contract_number_is_used_once_whatever_its_case(letopis, staff, client_of_ivanov):
    ivanov = staff["ivanov"][0]
    sign(letopis, ivanov, client_of_ivanov, number="ТЛ-2026/014")
    head = letopis.store.head()
    with pytest.raises(RuleViolated, match=r"contract number тл-2026/014 is already used"):
        sign(letopis, ivanov, client_of_ivanov, number="тл-2026/014")
    assert letopis.store.head() == head


def test_two_contracts_racing_for_one_number_leave_exactly_one(letopis, staff, client_of_ivanov):
    ivanov = staff["ivanov"][0]

    def attempt(amount: int) -> str | Exception:
        try:
            return sign(letopis, ivanov, client_of_ivanov, number="ТЛ-ГОНКА", amount=Decimal(amount))
        except RuleViolated as refused:
            return refused

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(attempt, [100, 200, 300, 400]))
    signed = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(signed) == 1
    assert len(refused) == 3
    assert all("already used" in str(r) for r in refused)


def test_a_contract_cannot_end_before_it_starts_and_nothing_is_written(letopis, staff, client_of_ivanov):
    head = letopis.store.head()
    with pytest.raises(InvalidValue, match="before it starts") as refused:
        sign(
            letopis,
            staff["ivanov"][0],
            client_of_ivanov,
            valid_from=date(2026, 6, 1),
            valid_until=date(2026, 5, 31),
        )
    assert refused.value.field == "valid_until"
    assert letopis.store.head() == head


def test_an_unknown_currency_is_refused(letopis, staff, client_of_ivanov):
    head = letopis.store.head()
    with pytest.raises(InvalidValue, match="'XXX' is not a known ISO 4217 currency code"):
        sign(letopis, staff["ivanov"][0], client_of_ivanov, currency="XXX")
    assert letopis.store.head() == head


def test_no_contract_with_a_forbidden_client(letopis, staff, client_of_ivanov):
    ivanov = staff["ivanov"][0]
    letopis.service.run(
        ivanov,
        DecideAdmission(admission=Admission.FORBIDDEN, reason="Долги за прошлый год"),
        client_of_ivanov,
    )
    head = letopis.store.head()
    with pytest.raises(RuleViolated, match="forbidden: no contract may be signed"):
        sign(letopis, ivanov, client_of_ivanov)
    assert letopis.store.head() == head


def test_contracts_are_signed_and_changed_only_within_scope(letopis, staff, client_of_ivanov):
    contract_id = sign(letopis, staff["ivanov"][0], client_of_ivanov)
    head = letopis.store.head()
    with pytest.raises(AccessDenied):
        sign(letopis, staff["sidorov"][0], client_of_ivanov, number="ТЛ-2026/015")
    with pytest.raises(AccessDenied):
        letopis.service.run(
            staff["kuznetsova"][0], ProlongContract(valid_until=date(2040, 1, 1)), contract_id
        )
    with pytest.raises(AccessDenied, match="reads but does not change"):
        letopis.service.run(staff["auditor"][0], ReceiveOriginals(received_on=TODAY), contract_id)
    assert letopis.store.head() == head


def test_unknown_counterparty_or_contract_is_not_found(letopis, staff):
    unknown = "00000000-0000-4000-8000-000000000000"
    with pytest.raises(NotFound, match="does not exist"):
        sign(letopis, staff["ivanov"][0], unknown)
    with pytest.raises(NotFound, match="does not exist"):
        letopis.service.run(staff["ivanov"][0], ReceiveOriginals(received_on=TODAY), unknown)


def test_a_contract_lives_through_originals_amendment_prolongation_stages_and_termination(
    letopis, staff, client_of_ivanov
):
    ivanov = staff["ivanov"][0]
    service = letopis.service
    contract_id = sign(letopis, ivanov, client_of_ivanov)
    service.run(ivanov, ReceiveOriginals(received_on=TODAY, expected_version=1), contract_id)
    service.run(
        ivanov,
        AmendContract(reason="Доп. соглашение №1", amount=Decimal("1500000"), expected_version=2),
        contract_id,
    )
    service.run(
        ivanov, ProlongContract(valid_until=TODAY + timedelta(days=700), expected_version=3), contract_id
    )
    service.run(ivanov, StartStage(stage="Перевозка", started_on=TODAY, expected_version=4), contract_id)
    service.run(ivanov, CompleteStage(stage="Перевозка", completed_on=TODAY, expected_version=5), contract_id)
    service.run(
        ivanov,
        TerminateContract(terminated_on=TODAY, reason="Клиент закрыл направление", expected_version=6),
        contract_id,
    )
    final = contract(letopis, contract_id)
    assert final.version == 7
    assert final.originals_received
    assert final.amount.amount == Decimal("1500000")
    assert final.valid_until == TODAY + timedelta(days=700)
    assert final.stages["Перевозка"] == {"started_on": TODAY, "completed_on": TODAY}
    assert final.status == ContractStatus.TERMINATED


def test_a_stale_expected_version_is_refused_and_nothing_is_written(letopis, staff, client_of_ivanov):
    ivanov = staff["ivanov"][0]
    contract_id = sign(letopis, ivanov, client_of_ivanov)
    letopis.service.run(ivanov, ReceiveOriginals(received_on=TODAY), contract_id)
    head = letopis.store.head()
    with pytest.raises(ConcurrentChange, match="at version 2, not 1"):
        letopis.service.run(
            ivanov, ProlongContract(valid_until=TODAY + timedelta(days=900), expected_version=1), contract_id
        )
    assert letopis.store.head() == head


def test_racing_changes_to_one_contract_with_one_expected_version_let_one_through(
    letopis, staff, client_of_ivanov
):
    ivanov = staff["ivanov"][0]
    contract_id = sign(letopis, ivanov, client_of_ivanov)

    def prolong(days: int) -> bool:
        try:
            letopis.service.run(
                ivanov,
                ProlongContract(valid_until=TODAY + timedelta(days=days), expected_version=1),
                contract_id,
            )
        except ConcurrentChange:
            return False
        return True

    with ThreadPoolExecutor(max_workers=3) as pool:
        outcomes = list(pool.map(prolong, [400, 500, 600]))
    assert outcomes.count(True) == 1
    assert contract(letopis, contract_id).version == 2
