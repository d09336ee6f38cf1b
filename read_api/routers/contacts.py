"""/contacts: the contact directory and changes to contact cards."""

from typing import Annotated

from fastapi import APIRouter, Query

from commands.contact_commands import ChangeContact, RegisterContact
from commands.fields import EntityId, SearchText
from projections.contact_directory import search_contacts
from read_api.access import readable_contact
from read_api.deps import BackendDep, CurrentActor, Limit, Offset, ReadAfter, RecordId, Write
from read_api.schemas import READ_ONE, WRITE, ContactCard, Page, WriteResult

router = APIRouter(prefix="/contacts", tags=["contacts"])


@router.get("", response_model=Page[ContactCard], dependencies=[ReadAfter])
def list_contacts(
    backend: BackendDep,
    actor: CurrentActor,
    q: Annotated[SearchText | None, Query(max_length=200, description="Part of the name, any case")] = None,
    counterparty_id: EntityId | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ContactCard]:
    with backend.views.reading() as cursor:
        items, total = search_contacts(cursor, actor, q, counterparty_id, limit, offset)
    return Page[ContactCard](
        items=[ContactCard(**item) for item in items], total=total, limit=limit, offset=offset
    )


@router.get("/{contact_id}", response_model=ContactCard, dependencies=[ReadAfter], responses=READ_ONE)
def get_contact(contact_id: RecordId, backend: BackendDep, actor: CurrentActor) -> ContactCard:
    return ContactCard(**readable_contact(backend, actor, contact_id))


@router.post("", status_code=201, responses=WRITE)
def register_contact(command: RegisterContact, write: Write) -> WriteResult:
    return write(command)


@router.patch("/{contact_id}", responses=WRITE)
def change_contact(contact_id: RecordId, command: ChangeContact, write: Write) -> WriteResult:
    return write(command, contact_id)
