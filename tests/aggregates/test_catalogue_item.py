from datetime import UTC, datetime
from decimal import Decimal

import pytest

from aggregates.catalogue_item import CatalogueItem, ItemKind
from aggregates.errors import RuleViolated
from aggregates.money import Money
from aggregates.stamp import Stamp

STAMP = Stamp("ivanov", datetime(2026, 4, 1, 9, tzinfo=UTC), "c-1", "c-1")


def listed() -> CatalogueItem:
    return CatalogueItem.list_item(
        STAMP,
        kind=ItemKind.SERVICE,
        name="Таможенное оформление",
        unit="декларация",
        category="Таможня",
        price=Money(Decimal("18000"), "RUB"),
    )


def test_a_quoted_line_keeps_the_price_the_item_had_when_quoted() -> None:
    item = listed()
    line = item.quote(Decimal(3))
    item.change_price(STAMP, Money(Decimal("21000"), "RUB"))
    assert line == {
        "item_id": str(item.id),
        "name": "Таможенное оформление",
        "unit": "декларация",
        "unit_price": Decimal("18000"),
        "currency": "RUB",
        "quantity": Decimal(3),
    }
    assert item.quote(Decimal(1))["unit_price"] == Decimal("21000")


def test_a_retired_item_is_quoted_no_more() -> None:
    item = listed()
    item.retire(STAMP, "Услуга больше не оказывается")
    with pytest.raises(RuleViolated, match="is retired"):
        item.quote(Decimal(1))
