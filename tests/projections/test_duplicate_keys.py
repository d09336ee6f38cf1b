"""The keys two cards of one counterparty meet under, however differently they were typed."""

import pytest

from projections.duplicate_keys import mail_domain, name_key


@pytest.mark.parametrize(
    "spelling",
    [
        "ООО «Вега-Транс»",
        'Общество с ограниченной ответственностью "ВЕГА ТРАНС"',
        "OOO “Bега Tрaнс”",  # Latin O, B, T, a typed on an English layout
        "ооо ‚вега   транс‘",
        "ООО „Вега Транс“",
        "Вега-Транс, ООО",
        "ＯＯＯ «Вега Транс»",  # full-width letters, folded by NFKC
    ],
)
def test_every_spelling_of_one_name_has_one_key(spelling: str) -> None:
    assert name_key(spelling) == "вега транс"


def test_e_and_yo_and_composed_letters_are_one() -> None:
    assert name_key("ИП Ёлкин Й. И.") == name_key("Индивидуальный предприниматель Елкин Й.И.")
    assert name_key("АО «Майский»") == name_key("Акционерное общество «Маи\u0306ский»")


def test_different_names_keep_different_keys() -> None:
    assert name_key("ООО «Вега»") != name_key("ООО «Вега Транс»")
    assert name_key("Vega LLC") == name_key("Vega")
    assert name_key("ООО «Аорта»") == "аорта", "a form inside a word is part of the word"


def test_a_public_mail_service_is_no_company_domain() -> None:
    assert mail_domain("Petrov@Vega-Trans.RU") == "vega-trans.ru"
    assert mail_domain("petrov@mail.ru") is None
    assert mail_domain("petrov@gmail.com") is None
    assert mail_domain("not an address") is None
