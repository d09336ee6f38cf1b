"""JSON as views store it: every value an event can carry is written, and read back as it was."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

from projections.values import from_json, to_json


@dataclass(frozen=True)
class _Money:
    amount: Decimal
    currency: str


def test_what_json_has_no_type_for_is_stored_as_its_text() -> None:
    value = {
        "paid": Decimal("1500.50"),
        "at": datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
        "day": date(2026, 2, 28),
        "id": UUID(int=7),
        "price": _Money(Decimal("10"), "RUB"),
    }

    assert from_json(to_json(value)) == {
        "at": "2026-03-01 09:30:00+00:00",
        "day": "2026-02-28",
        "id": "00000000-0000-0000-0000-000000000007",
        "paid": "1500.50",
        "price": "_Money(amount=Decimal('10'), currency='RUB')",
    }


def test_keys_are_sorted_and_cyrillic_and_nul_are_kept() -> None:
    stored = to_json({"я": "Ёлкин\x00", "а": [1, None]})

    assert stored.index('"а"') < stored.index('"я"')
    assert "Ёлкин" in stored
    assert from_json(stored) == {"а": [1, None], "я": "Ёлкин\x00"}


def test_an_integer_beyond_64_bits_is_kept_exactly() -> None:
    huge = 2**80 + 1

    assert from_json(to_json({"quantity": huge})) == {"quantity": huge}


def test_a_lone_surrogate_is_stored_rather_than_refused() -> None:
    assert from_json(to_json({"note": "\ud800"})) == {"note": "\ud800"}
