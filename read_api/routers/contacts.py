"""/contacts: the contact directory and changes to contact cards."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from commands.contact_commands import (
    ChangeContact,
    RegisterContact,
    change_contact,
    register_contact,
)
from projections.contact_directory import search_contacts
from read_api.access import readable_contact
from read_api.deps import (
    BackendDep,
    CurrentActor,
    IdempotencyKey,
    Limit,
    Offset,
    ReadAfter,
    keyed,
    written,
)
from read_api.schemas import ContactCard, Page, WriteResult, problems

router = APIRouter(prefix="/contacts", tags=["contacts"], responses=problems(400, 403, 404, 409, 503))


@router.get("", response_model=Page[ContactCard], dependencies=[ReadAfter])
def search(
    backend: BackendDep,
    actor: CurrentActor,
    q: Annotated[str | None, Query(max_length=200, description="Part of the name, any case")] = None,
    counterparty_id: Annotated[str | None, Query(max_length=36)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ContactCard]:
    with backend.views.reading() as cursor:
        items, total = search_contacts(cursor, actor, q, counterparty_id, limit, offset)
    return Page[ContactCard](
        items=[ContactCard(**item) for item in items], total=total, limit=limit, offset=offset
    )


@router.get("/{contact_id}", response_model=ContactCard, dependencies=[ReadAfter])
def card(contact_id: str, backend: BackendDep, actor: CurrentActor) -> ContactCard:
    return ContactCard(**readable_contact(backend, actor, contact_id))


@router.post("", status_code=201, response_model=WriteResult)
def register(
    command: RegisterContact,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(register_contact(backend.service, actor, keyed(command, key)), response)


@router.patch("/{contact_id}", response_model=WriteResult)
def change(
    contact_id: str,
    command: ChangeContact,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(change_contact(backend.service, actor, contact_id, keyed(command, key)), response)
