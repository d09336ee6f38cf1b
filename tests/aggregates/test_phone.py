import pytest

from aggregates.errors import InvalidValue
from aggregates.phone import normalize_phone


@pytest.mark.parametrize(
    "written",
    [
        "+7 (495) 123-45-67",
        "84951234567",
        "8 495 123 45 67",
        "74951234567",
        "(495) 123-45-67",
        "+7.495.123.45.67",
        " 4951234567 ",
    ],
)
def test_every_common_spelling_of_a_moscow_number_is_the_same_number(written: str) -> None:
    assert normalize_phone(written) == "+74951234567"


def test_a_foreign_number_keeps_its_country_code() -> None:
    assert normalize_phone("+49 30 1234567") == "+49301234567"


@pytest.mark.parametrize("written", ["", "abc", "123", "+7 495 123", "8 495 123 45 67 89", "495-12a"])
def test_what_is_not_a_phone_number_is_refused_with_the_reason(written: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        normalize_phone(written)
    assert refused.value.field == "phone"
    assert refused.value.message
