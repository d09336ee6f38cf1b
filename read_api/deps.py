"""Dependencies every router shares, as ``Annotated`` aliases."""

from collections.abc import Callable
from typing import Annotated, Protocol, TypeVar

from fastapi import Depends, Header, HTTPException, Query, Request, Response, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from aggregates.employee import token_digest
from aggregates.errors import InvalidValue
from aggregates.scope import Actor
from commands.command import Command
from commands.service import Outcome, WriteService
from projections.database import ViewCursor, ViewDatabase
from projections.employee_directory import actor_for_token
from projections.runner import ProjectionRunner
from read_api.schemas import WriteResult


class Backend(Protocol):
    """What the composition root hands the web API."""

    service: WriteService
    runner: ProjectionRunner
    views: ViewDatabase

    def issue_token(self, employee_id: str) -> str: ...


def get_backend(request: Request) -> Backend:
    backend: Backend = request.app.state.backend
    return backend


BackendDep = Annotated[Backend, Depends(get_backend)]
_bearer = HTTPBearer(auto_error=False, description="A token printed by `crm users create`")


def get_actor(
    backend: BackendDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "a bearer token is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    digest = token_digest(credentials.credentials)
    actor = fresh_lookup(backend, lambda cursor: actor_for_token(cursor, digest))
    if actor is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "the bearer token is not valid",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return actor


CurrentActor = Annotated[Actor, Depends(get_actor)]


def read_after(
    backend: BackendDep,
    after: Annotated[
        int | None,
        Query(ge=0, description="Wait until the views reflect this log position (read your write)"),
    ] = None,
) -> None:
    if after:
        backend.runner.wait_until(after)


ReadAfter = Depends(read_after)

Limit = Annotated[int, Query(ge=1, le=200, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Entries to skip")]

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=100,
        description="Repeat a command safely: the first result is returned, nothing is written again",
    ),
]

C = TypeVar("C", bound=Command)


def keyed(command: C, key: str | None) -> C:
    """The header and the body may both name the command; they must agree."""
    if key is None:
        return command
    if command.command_id is not None and command.command_id != key:
        # A field error, shaped like every other 422, not a bare message.
        raise InvalidValue("command_id", "Idempotency-Key and command_id name different commands")
    return command.model_copy(update={"command_id": key})


def written(outcome: Outcome, response: Response) -> WriteResult:
    if outcome.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return WriteResult(id=outcome.id, version=outcome.version, position=outcome.position)


R = TypeVar("R")


def fresh_lookup(backend: Backend, lookup: Callable[[ViewCursor], R | None]) -> R | None:
    """Look a record up; on a miss, catch the views up once before saying it does not exist,
    so a card created a moment ago is found even without ``?after=``."""
    with backend.views.reading() as cursor:
        found = lookup(cursor)
    if found is None:
        backend.runner.catch_up()
        with backend.views.reading() as cursor:
            found = lookup(cursor)
    return found
