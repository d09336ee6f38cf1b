"""Dependencies every router shares, as ``Annotated`` aliases."""

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Protocol, TypeVar

from fastapi import Depends, Header, HTTPException, Path, Query, Request, Response, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from aggregates.employee import token_digest
from aggregates.errors import InvalidValue
from aggregates.scope import Actor
from analytics.sql import AnalyticsDatabase
from commands.command import Command
from commands.fields import EntityId, Key
from commands.service import WriteService
from event_store.store import EventStore
from letopis.settings import Settings
from projections.database import ViewCursor, ViewDatabase
from projections.employee_directory import actor_for_token
from projections.runner import ProjectionRunner
from projections.worker import BackgroundJob
from read_api.schemas import WriteResult
from read_api.sign_ins import SignInLimit
from replay.past_views import PastViews


class Backend(Protocol):
    """What the composition root hands the web API."""

    service: WriteService
    runner: ProjectionRunner
    views: ViewDatabase
    store: EventStore
    past: PastViews
    settings: Settings

    @property
    def analytics(self) -> AnalyticsDatabase: ...

    @property
    def background_jobs(self) -> tuple[BackgroundJob, ...]:
        """Told the position the views reached after each catch-up of the projection worker."""

    @property
    def token_lifetime(self) -> timedelta: ...


# Dependencies that do no I/O are coroutines: FastAPI runs a plain function in its thread
# pool, and each such hop costs more than the work itself.
async def get_backend(request: Request) -> Backend:
    backend: Backend = request.app.state.backend
    return backend


BackendDep = Annotated[Backend, Depends(get_backend)]
_bearer = HTTPBearer(auto_error=False, description="A token printed by `crm users create`")


def _refused(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"})


def get_actor(
    request: Request,
    backend: BackendDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """The employee a bearer token belongs to."""
    if credentials is None:
        raise _refused("a bearer token is required")
    return actor_for(request, backend, credentials.credentials)


def actor_for(request: Request, backend: Backend, token: str) -> Actor:
    """The employee a token belongs to, however it came (a bearer header, the dashboard's
    cookie). A wrong token is counted against its client address and never runs projection
    work; a token issued a moment ago is found once the views reflect it (the projection
    worker polls every fraction of a second)."""
    limit: SignInLimit = request.app.state.sign_ins
    address = request.client.host if request.client else "unknown"
    wait = limit.retry_after(address)
    if wait:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"too many failed sign-ins from {address}; try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    digest = token_digest(token)
    with backend.views.reading() as cursor:
        actor = actor_for_token(cursor, digest, backend.service.clock())
    if actor is None:
        limit.failed(address)
        raise _refused("the bearer token is not valid")
    return actor


CurrentActor = Annotated[Actor, Depends(get_actor)]


async def read_after(
    backend: BackendDep,
    after: Annotated[
        int | None,
        Query(ge=0, le=2**62, description="Wait until the views reflect this log position (read your write)"),
    ] = None,
) -> None:
    if after:
        await run_in_threadpool(backend.runner.wait_until, after)


ReadAfter = Depends(read_after)

Limit = Annotated[int, Query(ge=1, le=200, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Entries to skip")]
RecordId = Annotated[EntityId, Path(description="The record's id (a UUID)")]
IdempotencyKey = Annotated[
    Key | None,
    Header(
        alias="Idempotency-Key",
        description="Repeat a command safely: the first result is returned, nothing is written again",
    ),
]

C = TypeVar("C", bound=Command)


def keyed(command: C, key: str | None) -> C:
    """The header and the body may both name the command; they must agree."""
    if key is None:
        return command
    if command.command_id is not None and command.command_id != key:
        raise InvalidValue("command_id", "Idempotency-Key and command_id name different commands")
    return command.model_copy(update={"command_id": key})


class Writer:
    """Runs one command as the authenticated employee: every write route is one call to it."""

    def __init__(self, backend: Backend, actor: Actor, response: Response, key: str | None) -> None:
        self.backend = backend
        self.actor = actor
        self.response = response
        self.key = key

    def __call__(self, command: Command, target_id: str | None = None) -> WriteResult:
        outcome = self.backend.service.run(self.actor, keyed(command, self.key), target_id)
        if outcome.replayed:
            self.response.headers["Idempotent-Replayed"] = "true"
        return WriteResult(id=outcome.id, version=outcome.version, position=outcome.position)

    def settled(self, command: Command, target_id: str | None = None) -> WriteResult:
        """Write, then answer once the views reflect it: for who may act and how, which every
        next request reads from the views (a revoked token, a changed role)."""
        result = self(command, target_id)
        self.backend.runner.wait_until(result.position)
        return result


async def get_writer(
    backend: BackendDep, actor: CurrentActor, response: Response, key: IdempotencyKey = None
) -> Writer:
    return Writer(backend, actor, response, key)


Write = Annotated[Writer, Depends(get_writer)]

R = TypeVar("R")


def fresh_lookup(backend: Backend, lookup: Callable[[ViewCursor], R | None]) -> R | None:
    """Look a record up; on a miss, wait until the views reflect the log as it stood when the
    request came before saying it does not exist, so a card created a moment ago is found even
    without ``?after=``. The request applies no events itself: the worker does."""
    with backend.views.reading() as cursor:
        found = lookup(cursor)
    if found is None and backend.runner.reflected_position() < (head := backend.runner.source.head()):
        backend.runner.wait_until(head)
        with backend.views.reading() as cursor:
            found = lookup(cursor)
    return found
