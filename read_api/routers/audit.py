"""/audit: the full history of any record, and everything one employee did (auditors and
administrators only)."""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from aggregates.errors import InvalidValue, NotFound
from aggregates.scope import check_may_audit
from commands.fields import Moment
from projections.actor_activity import actor_activity
from read_api.deps import BackendDep, CurrentActor, Limit, Offset, ReadAfter, RecordId
from read_api.schemas import READ_ONE, Page, Uuid
from replay.audit_trail import trail

router = APIRouter(tags=["audit"], responses=READ_ONE)


class FieldChange(BaseModel):
    field: str
    before: Any = Field(description="The value before the event; none: the field did not exist")
    after: Any


class AuditEntry(BaseModel):
    position: int = Field(description="The event's log position")
    version: int = Field(description="The record's version the event made")
    event: str = Field(examples=["Contract.Signed"])
    actor: str | None = Field(description="The employee id of the author ('console': the server's console)")
    occurred_at: datetime | None = Field(description="Business time: when it happened")
    recorded_at: datetime = Field(description="When it was recorded")
    command_id: str | None
    correlation_id: str | None
    changes: list[FieldChange] = Field(description="The record's fields the event changed, before → after")


class AuditTrail(BaseModel):
    record_id: Uuid
    entries: list[AuditEntry]


class ActorAction(BaseModel):
    position: int
    recorded_at: datetime
    occurred_at: datetime
    record_id: Uuid
    event: str


ActorId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=64,
        pattern=r"^[0-9A-Za-z_-]+$",
        description="An employee id, or 'console' for what was done at the server's console",
    ),
]


@router.get("/audit/actors/{employee_id}", response_model=Page[ActorAction], dependencies=[ReadAfter])
def get_actor_audit(
    employee_id: ActorId,
    backend: BackendDep,
    actor: CurrentActor,
    since: Annotated[Moment | None, Query(description="Recorded from this moment, inclusive")] = None,
    until: Annotated[Moment | None, Query(description="Recorded before this moment")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ActorAction]:
    check_may_audit(actor)
    if since is not None and until is not None and until < since:
        raise InvalidValue("until", f"the period ends ({until}) before it starts ({since})", location="query")
    with backend.views.reading() as cursor:
        actions, total = actor_activity(cursor, employee_id, since, until, limit, offset)
    return Page[ActorAction](
        items=[ActorAction(**action) for action in actions], total=total, limit=limit, offset=offset
    )


@router.get("/audit/{record_id}", response_model=AuditTrail)
def get_audit_trail(record_id: RecordId, backend: BackendDep, actor: CurrentActor) -> AuditTrail:
    check_may_audit(actor)
    aggregate_id = UUID(record_id)
    events = backend.store.events_of(aggregate_id)
    if not events:
        raise NotFound(f"record {record_id} is not in the log")
    entries = trail(events, backend.store.links_of(aggregate_id))
    return AuditTrail(
        record_id=record_id,
        entries=[
            AuditEntry(
                **{name: getattr(entry, name) for name in AuditEntry.model_fields if name != "changes"},
                changes=[FieldChange(field=c.field, before=c.before, after=c.after) for c in entry.changes],
            )
            for entry in entries
        ],
    )
