"""/contacts: the contact directory and changes to contact cards."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from aggregates.errors import NotFound
from aggregates.scope import check_may_read
from commands.contact_commands import (
    ChangeContact,
    RegisterContact,
    change_contact,
    register_contact,
)
from projections.contact_directory import get_contact, search_contacts
from projections.employee_directory import responsible
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
from read_api.schemas import ContactCard, Page, WriteResult

router = APIRouter(prefix="/contacts", tags=["contacts"])


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
    with backend.views.reading() as cursor:
        found = get_contact(cursor, contact_id)
        if found is None:
            raise NotFound(f"contact {contact_id} does not exist")
        check_may_read(actor, responsible(cursor, found["manager_id"]))
    return ContactCard(**found)


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
