"""The catalogue: who may change it, price changes as events, retirement, and finding items."""

from decimal import Decimal

import pytest

from aggregates.errors import AccessDenied, InvalidValue, RuleViolated
from commands.catalogue_commands import (
    ChangeCataloguePrice,
    ListCatalogueItem,
    RetireCatalogueItem,
)
from projections.catalogue import get_catalogue_item, search_catalogue


def list_item(letopis, actor, name: str, price: str, category: str = "Морские перевозки") -> str:
    command = ListCatalogueItem(name=name, unit="контейнер", category=category, price=Decimal(price))
    return letopis.service.run(actor, command).id


def found(letopis, **criteria) -> list[str]:
    letopis.runner.catch_up()
    options = {"text": None, "category": None, "include_retired": False, **criteria}
    with letopis.views.reading() as cursor:
        items, _total = search_catalogue(cursor, limit=50, offset=0, **options)
    return [item["name"] for item in items]


def test_a_price_change_is_an_event_and_the_view_shows_the_new_price(letopis, staff) -> None:
    head = staff["head"][0]
    item_id = list_item(letopis, head, "Фрахт 40HC Шанхай — Владивосток", "250000")
    changed = letopis.service.run(
        head, ChangeCataloguePrice(price=Decimal("275000.50"), expected_version=1), item_id
    )
    assert changed.version == 2
    letopis.runner.catch_up()
    with letopis.views.reading() as cursor:
        item = get_catalogue_item(cursor, item_id)
    assert item is not None
    assert (Decimal(item["price"]), item["currency"], item["version"]) == (Decimal("275000.50"), "RUB", 2)


def test_only_an_administrator_or_a_head_of_sales_changes_the_catalogue(letopis, staff) -> None:
    admin, manager = staff["admin"][0], staff["ivanov"][0]
    item_id = list_item(letopis, admin, "Таможенное оформление", "15000")
    head = letopis.store.head()
    with pytest.raises(AccessDenied, match="administrator or a head of sales"):
        list_item(letopis, manager, "Страхование груза", "5000")
    with pytest.raises(AccessDenied):
        letopis.service.run(manager, ChangeCataloguePrice(price=Decimal(1)), item_id)
    assert letopis.store.head() == head


def test_bad_prices_are_refused_and_nothing_is_written(letopis, staff) -> None:
    head = staff["head"][0]
    item_id = list_item(letopis, head, "Автодоставка по Москве", "30000")
    position = letopis.store.head()
    with pytest.raises(InvalidValue, match="not a known ISO 4217"):
        letopis.service.run(head, ChangeCataloguePrice(price=1, currency="RUR"), item_id)
    with pytest.raises(RuleViolated, match="already that"):
        letopis.service.run(head, ChangeCataloguePrice(price=Decimal("30000")), item_id)
    assert letopis.store.head() == position


def test_a_retired_item_leaves_the_active_catalogue_and_cannot_change(letopis, staff) -> None:
    head = staff["head"][0]
    item_id = list_item(letopis, head, "ЖД перевозка Москва — Новосибирск", "180000", "ЖД перевозки")
    list_item(letopis, head, "Доставка КОНТЕЙНЕРА до склада", "40000", "Автоперевозки")
    letopis.service.run(head, RetireCatalogueItem(reason="Маршрут закрыт"), item_id)
    with pytest.raises(RuleViolated, match="is retired"):
        letopis.service.run(head, ChangeCataloguePrice(price=Decimal(1)), item_id)

    assert found(letopis) == ["Доставка КОНТЕЙНЕРА до склада"]
    assert found(letopis, include_retired=True, category="ЖД перевозки") == [
        "ЖД перевозка Москва — Новосибирск"
    ]
    assert found(letopis, text="контейнера") == ["Доставка КОНТЕЙНЕРА до склада"]
    assert found(letopis, text="контейнера", category="ЖД перевозки") == []
