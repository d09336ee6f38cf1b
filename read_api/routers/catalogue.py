"""/catalogue: the products and services quotes are built from, and their prices."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from aggregates.catalogue_item import ItemKind
from aggregates.errors import NotFound
from commands.catalogue_commands import ChangeCataloguePrice, ListCatalogueItem, RetireCatalogueItem
from commands.fields import SearchText
from letopis.spreadsheets import Column, Kind
from letopis.vocabulary import ITEM_KIND
from projections.catalogue import get_catalogue_item, search_catalogue
from read_api.deps import BackendDep, CurrentActor, Limit, Offset, ReadAfter, RecordId, Write, fresh_lookup
from read_api.schemas import READ_ONE, WRITE, DecimalText, Page, Uuid, WriteResult
from read_api.spreadsheet_routes import list_sheet, spreadsheet_route

router = APIRouter(prefix="/catalogue", tags=["catalogue"])


class CatalogueEntry(BaseModel):
    id: Uuid
    kind: ItemKind
    name: str
    unit: str
    category: str | None
    price: DecimalText
    currency: str
    active: bool
    version: int
    listed_at: datetime
    updated_at: datetime


CATALOGUE_SHEET = list_sheet(
    "Каталог",
    "catalogue",
    [
        Column("name", "Наименование"),
        Column("kind", "Вид", labels=ITEM_KIND),
        Column("unit", "Единица"),
        Column("category", "Категория"),
        Column("price", "Цена", Kind.MONEY),
        Column("currency", "Валюта"),
        Column("active", "В продаже", Kind.BOOLEAN),
        Column("id", "Идентификатор"),
    ],
)


@spreadsheet_route(router, "", CATALOGUE_SHEET, response_model=Page[CatalogueEntry], dependencies=[ReadAfter])
def list_catalogue(
    backend: BackendDep,
    _actor: CurrentActor,
    q: Annotated[SearchText | None, Query(max_length=200, description="Part of the name, any case")] = None,
    category: SearchText | None = None,
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


@router.get("/{item_id}", response_model=CatalogueEntry, dependencies=[ReadAfter], responses=READ_ONE)
def get_catalogue_entry(item_id: RecordId, backend: BackendDep, _actor: CurrentActor) -> CatalogueEntry:
    found = fresh_lookup(backend, lambda cursor: get_catalogue_item(cursor, item_id))
    if found is None:
        raise NotFound(f"catalogue item {item_id} does not exist")
    return CatalogueEntry(**found)


@router.post("", status_code=201, responses=WRITE)
def list_catalogue_item(command: ListCatalogueItem, write: Write) -> WriteResult:
    return write(command)


@router.put("/{item_id}/price", responses=WRITE)
def change_catalogue_price(item_id: RecordId, command: ChangeCataloguePrice, write: Write) -> WriteResult:
    return write(command, item_id)


@router.post("/{item_id}/retirement", responses=WRITE)
def retire_catalogue_item(item_id: RecordId, command: RetireCatalogueItem, write: Write) -> WriteResult:
    return write(command, item_id)
