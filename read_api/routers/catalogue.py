"""/catalogue: the products and services quotes are built from, and their prices."""

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from aggregates.errors import NotFound
from commands.catalogue_commands import (
    ChangeCataloguePrice,
    ListCatalogueItem,
    RetireCatalogueItem,
    change_catalogue_price,
    list_catalogue_item,
    retire_catalogue_item,
)
from projections.catalogue import get_catalogue_item, search_catalogue
from read_api.deps import (
    BackendDep,
    CurrentActor,
    IdempotencyKey,
    Limit,
    Offset,
    ReadAfter,
    fresh_lookup,
    keyed,
    written,
)
from read_api.schemas import Page, WriteResult, problems

router = APIRouter(prefix="/catalogue", tags=["catalogue"], responses=problems(400, 403, 404, 409, 503))


class CatalogueEntry(BaseModel):
    id: str
    kind: str
    name: str
    unit: str
    category: str | None
    price: Decimal
    currency: str
    active: bool
    version: int
    listed_at: str
    updated_at: str


@router.get("", response_model=Page[CatalogueEntry], dependencies=[ReadAfter])
def search(
    backend: BackendDep,
    _actor: CurrentActor,
    q: Annotated[str | None, Query(max_length=200, description="Part of the name, any case")] = None,
    category: Annotated[str | None, Query(max_length=300)] = None,
    include_retired: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[CatalogueEntry]:
    with backend.views.reading() as cursor:
        items, total = search_catalogue(
            cursor, text=q, category=category, include_retired=include_retired, limit=limit, offset=offset
        )
    return Page[CatalogueEntry](
        items=[CatalogueEntry(**item) for item in items], total=total, limit=limit, offset=offset
    )


@router.get("/{item_id}", response_model=CatalogueEntry, dependencies=[ReadAfter])
def entry(item_id: str, backend: BackendDep, _actor: CurrentActor) -> CatalogueEntry:
    found = fresh_lookup(backend, lambda cursor: get_catalogue_item(cursor, item_id))
    if found is None:
        raise NotFound(f"catalogue item {item_id} does not exist")
    return CatalogueEntry(**found)


@router.post("", status_code=201, response_model=WriteResult)
def list_item(
    command: ListCatalogueItem,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(list_catalogue_item(backend.service, actor, keyed(command, key)), response)


@router.put("/{item_id}/price", response_model=WriteResult)
def change_price(
    item_id: str,
    command: ChangeCataloguePrice,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(change_catalogue_price(backend.service, actor, item_id, keyed(command, key)), response)


@router.post("/{item_id}/retirement", response_model=WriteResult)
def retire(
    item_id: str,
    command: RetireCatalogueItem,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(retire_catalogue_item(backend.service, actor, item_id, keyed(command, key)), response)
