"""/interactions: record what happened with a client; correct a record without erasing it."""

from fastapi import APIRouter

from commands.interaction_commands import CorrectInteraction, LogInteraction
from read_api.deps import RecordId, Write
from read_api.schemas import WRITE, WriteResult

router = APIRouter(prefix="/interactions", tags=["interactions"], responses=WRITE)


@router.post("", status_code=201)
def log_interaction(command: LogInteraction, write: Write) -> WriteResult:
    return write(command)


@router.post("/{interaction_id}/corrections", status_code=201)
def correct_interaction(interaction_id: RecordId, command: CorrectInteraction, write: Write) -> WriteResult:
    return write(command, interaction_id)
