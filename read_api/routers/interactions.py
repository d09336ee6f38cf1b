"""/interactions: record what happened with a client; correct a record without erasing it."""

from fastapi import APIRouter, Response

from commands.interaction_commands import (
    CorrectInteraction,
    LogInteraction,
    correct_interaction,
    log_interaction,
)
from read_api.deps import BackendDep, CurrentActor, IdempotencyKey, keyed, written
from read_api.schemas import WriteResult, problems

router = APIRouter(prefix="/interactions", tags=["interactions"], responses=problems(400, 403, 404, 409))


@router.post("", status_code=201, response_model=WriteResult)
def log(
    command: LogInteraction,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(log_interaction(backend.service, actor, keyed(command, key)), response)


@router.post("/{interaction_id}/corrections", status_code=201, response_model=WriteResult)
def correct(
    interaction_id: str,
    command: CorrectInteraction,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    outcome = correct_interaction(backend.service, actor, interaction_id, keyed(command, key))
    return written(outcome, response)
