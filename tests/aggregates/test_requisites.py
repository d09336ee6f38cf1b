"""Russian requisites: each rule, with the field and the rule named when it is broken."""

from datetime import UTC, datetime

import pytest

from aggregates.counterparty import Counterparty
from aggregates.errors import InvalidValue
from aggregates.requisites import (
    account_control_key,
    broken_requisites,
    check_email,
    check_inn,
    check_kpp,
    check_ogrn,
    check_ogrnip,
)
from aggregates.stamp import Stamp

STAMP = Stamp("ivanov", datetime(2026, 2, 1, 9, tzinfo=UTC), "c-1", "c-1")
SBERBANK = {
    "КПП": "773601001",
    "ОГРН": "1027700132195",
    "БИК": "044525225",
    "Корр. счёт": "30101810400000000225",
}


@pytest.mark.parametrize("inn", ["7707083893", "500100732259"])
def test_a_real_inn_passes(inn) -> None:
    assert check_inn(inn) is None


@pytest.mark.parametrize(
    ("inn", "rule"),
    [
        ("1234567890", "ИНН 1234567890 fails its check digits"),
        ("500100732250", "ИНН 500100732250 fails its check digits"),
        ("77070838", "must have 10 digits (organisation) or 12 (person)"),
        ("77070838AB", "must have 10 digits"),
    ],
)
def test_a_broken_inn_names_its_rule(inn, rule) -> None:
    broken = check_inn(inn)
    assert broken is not None
    assert broken.field == "tax_id"
    assert rule in broken.rule


def test_kpp_ogrn_and_ogrnip_rules() -> None:
    assert check_kpp("7736AB001") is None
    assert check_kpp("77360100") is not None
    assert check_ogrn("1027700132195") is None
    assert check_ogrn("1027700132194") is not None
    assert check_ogrnip("304500116000157") is None
    assert check_ogrnip("304500116000158") is not None
    assert check_ogrnip("30450011600015") is not None


def test_a_settlement_account_is_checked_against_its_bik() -> None:
    account = "40702810" + "0" + "38000060473"
    good = account[:8] + account_control_key(account, "044525225") + account[9:]
    bad = good[:8] + str((int(good[8]) + 1) % 10) + good[9:]

    assert broken_requisites(None, {"БИК": "044525225", "Расчётный счёт": good}) == []
    (broken,) = broken_requisites(None, {"БИК": "044525225", "Расчётный счёт": bad})
    assert (broken.field, broken.rule) == (
        "requisites.Расчётный счёт",
        f"account {bad} does not match БИК 044525225 (control key)",
    )
    (alone,) = broken_requisites(None, {"Расчетный счет": good})
    assert "give a valid БИК" in alone.rule


def test_real_requisites_pass_and_foreign_tax_ids_are_free_text() -> None:
    assert broken_requisites("7707083893", SBERBANK) == []
    assert broken_requisites("DE123456789", {"Банк": "Deutsche Bank"}) == []


@pytest.mark.parametrize("email", ["a@b", "a b@c.ru", "@c.ru", "a@@c.ru", "a@c..ru"])
def test_a_malformed_email_is_refused(email) -> None:
    assert check_email(email) is not None
    assert check_email("i.ivanov@romashka.ru") is None


def test_the_card_refuses_a_broken_requisite_with_its_field() -> None:
    with pytest.raises(InvalidValue) as refused:
        Counterparty.register(STAMP, manager_id="m", name="ООО «Ромашка»", tax_id="1234567890")
    assert refused.value.field == "tax_id"
    with pytest.raises(InvalidValue) as refused:
        Counterparty.register(
            STAMP, manager_id="m", name="ООО «Ромашка»", requisites={"ОГРН": "1027700132194"}
        )
    assert refused.value.field == "requisites.ОГРН"


def test_a_legacy_import_may_keep_broken_requisites() -> None:
    card = Counterparty.register(
        STAMP, manager_id="m", name="ООО «Ромашка»", tax_id="1234567890", check_requisites=False
    )
    assert card.profile["tax_id"] == "1234567890"
