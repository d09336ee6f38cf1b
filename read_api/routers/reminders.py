"""/reminders: set a reminder for yourself or a colleague, see those due, dismiss them."""

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from aggregates.reminder import ReminderSubject
from commands.reminder_commands import DismissReminder, SetReminder
from projections.reminders import due_reminders
from read_api.deps import BackendDep, CurrentActor, ReadAfter, RecordId, Write
from read_api.schemas import WRITE, Uuid, WriteResult

router = APIRouter(prefix="/reminders", tags=["planning"])


class ReminderEntry(BaseModel):
    id: Uuid
    recipient_id: Uuid
    set_by: Uuid
    remind_at: datetime
    text: str
    subject: ReminderSubject
    subject_id: Uuid | None = Field(description="The activity, task or contract it is about")
    stage: str | None
    counterparty_id: Uuid | None
    dismissed_at: datetime | None


@router.get("/due", response_model=list[ReminderEntry], dependencies=[ReadAfter])
def list_due_reminders(backend: BackendDep, actor: CurrentActor) -> list[ReminderEntry]:
    """Your reminders whose time has come, not dismissed, by the server's clock."""
    with backend.views.reading() as cursor:
        found = due_reminders(cursor, actor.employee_id, backend.service.clock())
    return [ReminderEntry(**reminder) for reminder in found]


@router.post("", status_code=201, responses=WRITE)
def set_reminder(command: SetReminder, write: Write) -> WriteResult:
    return write(command)


@router.post("/{reminder_id}/dismissal", responses=WRITE)
def dismiss_reminder(reminder_id: RecordId, command: DismissReminder, write: Write) -> WriteResult:
    return write(command, reminder_id)
