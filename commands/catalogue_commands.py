"""Commands on the catalogue of products and services (FEATURES C5)."""

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated

from pydantic import Field, StringConstraints

from aggregates.catalogue_item import CatalogueItem, ItemKind
from aggregates.employee import Role
from aggregates.errors import AccessDenied
from aggregates.money import Money
from aggregates.scope import Actor
from aggregates.stamp import Stamp
from commands.command import Change, Command, Line, Name, Reason
from commands.scope import parse_id
from commands.service import Outcome, WriteService

Amount = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=2, description="Greater than zero")]
Currency = Annotated[
    str, StringConstraints(pattern=r"^[A-Z]{3}$"), Field(description="ISO 4217 code", examples=["RUB"])
]


def check_may_configure_sales(actor: Actor) -> None:
    """The catalogue and the lists sales work with are the company's, not one team's."""
    if actor.role not in (Role.ADMIN, Role.HEAD_OF_SALES):
        raise AccessDenied("only an administrator or a head of sales configures sales")


class ListCatalogueItem(Command):
    kind: ItemKind = ItemKind.SERVICE
    name: Name
    unit: Name
    category: Line | None = None
    price: Amount
    currency: Currency = "RUB"


class ChangeCataloguePrice(Change):
    price: Amount
    currency: Currency = "RUB"


class RetireCatalogueItem(Change):
    reason: Reason


def list_catalogue_item(service: WriteService, actor: Actor, command: ListCatalogueItem) -> Outcome:
    check_may_configure_sales(actor)
    price = Money(command.price, command.currency)
    return service.run(
        actor,
        command,
        lambda stamp: [
            CatalogueItem.list_item(
                stamp,
                kind=command.kind,
                name=command.name,
                unit=command.unit,
                category=command.category or None,
                price=price,
            )
        ],
    )


def _change(
    service: WriteService,
    actor: Actor,
    item_id: str,
    command: Change,
    act: Callable[[CatalogueItem, Stamp], None],
) -> Outcome:
    check_may_configure_sales(actor)

    def decide(stamp: Stamp) -> list[CatalogueItem]:
        item = service.store.get_at_version(
            parse_id(item_id, "item_id"), CatalogueItem, command.expected_version
        )
        act(item, stamp)
        return [item]

    return service.run(actor, command, decide)


def change_catalogue_price(
    service: WriteService, actor: Actor, item_id: str, command: ChangeCataloguePrice
) -> Outcome:
    price = Money(command.price, command.currency)
    return _change(service, actor, item_id, command, lambda item, stamp: item.change_price(stamp, price))


def retire_catalogue_item(
    service: WriteService, actor: Actor, item_id: str, command: RetireCatalogueItem
) -> Outcome:
    return _change(service, actor, item_id, command, lambda item, stamp: item.retire(stamp, command.reason))
