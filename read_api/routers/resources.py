"""/resources: meeting rooms, cars and projectors, and their bookings."""

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from aggregates.errors import InvalidValue, NotFound
from aggregates.resource import ResourceKind
from commands.fields import EntityId, Moment
from commands.resource_commands import BookResource, CancelBooking, RegisterResource, RetireResource
from projections.resource_bookings import BookingQuery, bookings, get_resource, list_resources
from read_api.deps import BackendDep, CurrentActor, ReadAfter, RecordId, Write
from read_api.schemas import READ_ONE, WRITE, Uuid, WriteResult

router = APIRouter(prefix="/resources", tags=["planning"])


class ResourceEntry(BaseModel):
    id: Uuid
    name: str
    kind: ResourceKind
    location: str
    retired_at: datetime | None
    version: int


class BookingEntry(BaseModel):
    booking_id: Uuid
    resource_id: Uuid
    resource_name: str
    starts_at: datetime
    ends_at: datetime
    booked_by: Uuid
    booked_by_name: str | None
    purpose: str
    activity_id: Uuid | None
    cancelled_at: datetime | None


@router.get("", response_model=list[ResourceEntry], dependencies=[ReadAfter])
def list_shared_resources(
    backend: BackendDep, _actor: CurrentActor, include_retired: bool = False
) -> list[ResourceEntry]:
    with backend.views.reading() as cursor:
        return [ResourceEntry(**resource) for resource in list_resources(cursor, include_retired)]


@router.get("/bookings", response_model=list[BookingEntry], dependencies=[ReadAfter])
def list_bookings(
    backend: BackendDep,
    _actor: CurrentActor,
    since: Annotated[Moment | None, Query(description="Bookings ending after; now by default")] = None,
    until: Annotated[
        Moment | None, Query(description="Bookings starting before; 7 days on by default")
    ] = None,
    resource_id: EntityId | None = None,
    include_cancelled: bool = False,
) -> list[BookingEntry]:
    since = since or backend.service.clock()
    until = until or since + timedelta(days=7)
    if until <= since:
        raise InvalidValue("until", "until must come after since", "query")
    query = BookingQuery(since, until, resource_id=resource_id, include_cancelled=include_cancelled)
    with backend.views.reading() as cursor:
        return [BookingEntry(**booking) for booking in bookings(cursor, query)]


@router.get("/{resource_id}", response_model=ResourceEntry, dependencies=[ReadAfter], responses=READ_ONE)
def get_shared_resource(resource_id: RecordId, backend: BackendDep, _actor: CurrentActor) -> ResourceEntry:
    with backend.views.reading() as cursor:
        found = get_resource(cursor, resource_id)
    if found is None:
        raise NotFound(f"resource {resource_id} does not exist")
    return ResourceEntry(**found)


@router.post("", status_code=201, responses=WRITE)
def register_resource(command: RegisterResource, write: Write) -> WriteResult:
    return write(command)


@router.post("/{resource_id}/retirement", responses=WRITE)
def retire_resource(resource_id: RecordId, command: RetireResource, write: Write) -> WriteResult:
    return write(command, resource_id)


@router.post("/{resource_id}/bookings", status_code=201, responses=WRITE)
def book_resource(resource_id: RecordId, command: BookResource, write: Write) -> WriteResult:
    return write(command, resource_id)


@router.post("/{resource_id}/booking-cancellations", responses=WRITE)
def cancel_booking(resource_id: RecordId, command: CancelBooking, write: Write) -> WriteResult:
    return write(command, resource_id)
