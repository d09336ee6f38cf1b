"""/internal-meetings: meetings of employees, their decisions, and decisions handed on as tasks."""

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from aggregates.errors import NotFound
from commands.internal_meeting_commands import RecordDecision, RecordInternalMeeting, TurnDecisionIntoTask
from projections.internal_meetings import get_meeting, search_meetings
from read_api.deps import BackendDep, CurrentActor, Limit, Offset, ReadAfter, RecordId, Write, fresh_lookup
from read_api.schemas import READ_ONE, WRITE, Page, Uuid, WriteResult

router = APIRouter(prefix="/internal-meetings", tags=["planning"])


class Decision(BaseModel):
    decision_id: Uuid
    text: str
    task_id: Uuid | None


class MeetingEntry(BaseModel):
    id: Uuid
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    agenda: str
    attendee_ids: list[Uuid]
    recorded_by: Uuid
    version: int


class MeetingCard(MeetingEntry):
    decisions: list[Decision]


@router.get("", response_model=Page[MeetingEntry], dependencies=[ReadAfter])
def list_internal_meetings(
    backend: BackendDep, actor: CurrentActor, limit: Limit = 50, offset: Offset = 0
) -> Page[MeetingEntry]:
    """The meetings you attended or recorded, latest first (every meeting for those who read everything)."""
    with backend.views.reading() as cursor:
        items, total = search_meetings(cursor, actor, limit, offset)
    return Page[MeetingEntry](
        items=[MeetingEntry(**i) for i in items], total=total, limit=limit, offset=offset
    )


@router.get("/{meeting_id}", response_model=MeetingCard, dependencies=[ReadAfter], responses=READ_ONE)
def get_internal_meeting(meeting_id: RecordId, backend: BackendDep, actor: CurrentActor) -> MeetingCard:
    found = fresh_lookup(backend, lambda cursor: get_meeting(cursor, actor, meeting_id))
    if found is None:
        raise NotFound(f"meeting {meeting_id} does not exist or you did not attend it")
    return MeetingCard(**found)


@router.post("", status_code=201, responses=WRITE)
def record_internal_meeting(command: RecordInternalMeeting, write: Write) -> WriteResult:
    return write(command)


@router.post("/{meeting_id}/decisions", responses=WRITE)
def record_decision(meeting_id: RecordId, command: RecordDecision, write: Write) -> WriteResult:
    return write(command, meeting_id)


@router.post("/{meeting_id}/decision-tasks", responses=WRITE)
def turn_decision_into_task(meeting_id: RecordId, command: TurnDecisionIntoTask, write: Write) -> WriteResult:
    return write(command, meeting_id)
