"""A product or service in the catalogue that quotes and orders are built from (FEATURES C5)."""

from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from aggregates.counterparty_profile import check_name
from aggregates.errors import RuleViolated
from aggregates.money import Money
from aggregates.stamp import Fact, Stamp


class ItemKind(StrEnum):
    PRODUCT = "product"
    SERVICE = "service"


class CatalogueItem(Aggregate):
    class Listed(Aggregate.Created, Fact):
        kind: str
        name: str
        unit: str
        category: str | None
        price: Decimal
        currency: str

        def apply(self, aggregate: "CatalogueItem") -> None:
            aggregate.name = self.name
            aggregate.unit = self.unit
            aggregate.price = Money(self.price, self.currency)

    class PriceChanged(Fact):
        price: Decimal
        currency: str
        previous_price: Decimal
        previous_currency: str

        def apply(self, aggregate: "CatalogueItem") -> None:
            aggregate.price = Money(self.price, self.currency)

    class Retired(Fact):
        reason: str

        def apply(self, aggregate: "CatalogueItem") -> None:
            aggregate.retired = True

    def __init__(self) -> None:
        self.name = ""
        self.unit = ""
        self.price = Money(Decimal(0), "RUB")
        self.retired = False

    @classmethod
    def list_item(
        cls,
        stamp: Stamp,
        *,
        kind: ItemKind,
        name: str,
        unit: str,
        category: str | None,
        price: Money,
        id: UUID | None = None,
    ) -> "CatalogueItem":
        price.positive("price")
        return cls._create(
            cls.Listed,
            id=id,
            kind=kind.value,
            name=check_name(name),
            unit=check_name(unit),
            category=category,
            price=price.amount,
            currency=price.currency,
            **stamp.fields(),
        )

    def change_price(self, stamp: Stamp, price: Money) -> None:
        self.check_active()
        price.positive("price")
        if price == self.price:
            raise RuleViolated("the price is already that")
        self.trigger_event(
            self.PriceChanged,
            price=price.amount,
            currency=price.currency,
            previous_price=self.price.amount,
            previous_currency=self.price.currency,
            **stamp.fields(),
        )

    def retire(self, stamp: Stamp, reason: str) -> None:
        self.check_active()
        self.trigger_event(self.Retired, reason=reason.strip(), **stamp.fields())

    def quote(self, quantity: Decimal) -> dict[str, Any]:
        """A line of a proposal or a deal at the item's price now: the line keeps that price
        whatever the catalogue says later. A retired item is quoted no more."""
        self.check_active()
        return {
            "item_id": str(self.id),
            "name": self.name,
            "unit": self.unit,
            "unit_price": self.price.amount,
            "currency": self.price.currency,
            "quantity": quantity,
        }

    def check_active(self) -> None:
        if self.retired:
            raise RuleViolated(f"catalogue item {self.name!r} is retired")
