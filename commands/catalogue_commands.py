"""Commands on the catalogue of products and services (FEATURES C5)."""

from typing import Annotated

from pydantic import Field, StringConstraints

from aggregates.catalogue_item import CatalogueItem, ItemKind
from aggregates.money import Money
from commands.command import Change, Command
from commands.context import Context
from commands.fields import Amount, Line, Name, Reason
from commands.handling import Handlers
from commands.scope import sales_configuration_guard

Currency = Annotated[
    str, StringConstraints(pattern=r"^[A-Z]{3}$"), Field(description="ISO 4217 code", examples=["RUB"])
]

handlers = Handlers()


class ListCatalogueItem(Command):
    """List a product or service with its price."""

    kind: ItemKind = ItemKind.SERVICE
    name: Name
    unit: Name
    category: Line | None = None
    price: Amount
    currency: Currency = "RUB"


class ChangeCataloguePrice(Change):
    """Change an item's price."""

    price: Amount
    currency: Currency = "RUB"


class RetireCatalogueItem(Change):
    """Take an item out of new proposals; what was sold stays on record."""

    reason: Reason


@handlers.handles(
    ListCatalogueItem, "catalogue.list_item", CatalogueItem.Listed, authorize=sales_configuration_guard
)
def list_catalogue_item(ctx: Context, command: ListCatalogueItem) -> list[CatalogueItem]:
    return [
        CatalogueItem.list_item(
            ctx.stamp,
            kind=command.kind,
            name=command.name,
            unit=command.unit,
            category=command.category or None,
            price=Money(command.price, command.currency),
        )
    ]


@handlers.changes(CatalogueItem, ChangeCataloguePrice, "catalogue.change_price", CatalogueItem.PriceChanged)
def change_catalogue_price(ctx: Context, item: CatalogueItem, command: ChangeCataloguePrice) -> None:
    item.change_price(ctx.stamp, Money(command.price, command.currency))


@handlers.changes(CatalogueItem, RetireCatalogueItem, "catalogue.retire_item", CatalogueItem.Retired)
def retire_catalogue_item(ctx: Context, item: CatalogueItem, command: RetireCatalogueItem) -> None:
    item.retire(ctx.stamp, command.reason)
