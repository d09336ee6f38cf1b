"""/calendar: the calendar of an employee, a team or everyone within the reader's scope, by
period and layer; and the secret feed addresses a calendar client subscribes to."""

from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Request, Response
from pydantic import BaseModel, Field

from aggregates.employee import token_digest
from aggregates.errors import InvalidValue, NotFound
from aggregates.scope import Actor, check_is_admin, check_may_read
from commands.calendar_feed_commands import RevokeCalendarFeed, issue_new_feed
from commands.employee_commands import TokenName
from commands.fields import Day, EntityId, Line
from projections.calendar_entries import CALENDAR_ZONE, LAYERS, Layer
from projections.calendar_feeds import feed_owner, feeds_of
from projections.calendar_queries import CalendarQuery, calendar_json
from projections.employee_directory import find_employee, responsible
from read_api.deps import Backend, BackendDep, CurrentActor, ReadAfter, RecordId, Write
from read_api.ical import MEDIA_TYPE, employee_calendar
from read_api.schemas import READ_ONE, WRITE, Uuid, WriteResult

router = APIRouter(tags=["calendar"])

LONGEST_PERIOD = timedelta(days=366)


class SourceLink(BaseModel):
    kind: str = Field(description="interaction, contract, deal, contact, …")
    id: str
    path: str | None = Field(description="Where the API shows the source")


class CalendarEntry(BaseModel):
    entry_id: str = Field(description="Stable: the UID of the entry in a calendar feed")
    employee_id: str
    layer: Layer
    title: str
    status: str
    all_day: bool
    starts_at: datetime | None
    ends_at: datetime | None
    first_day: date
    last_day: date
    sequence: int = Field(description="Raised each time the entry moves")
    counterparty_id: Uuid | None
    source: SourceLink
    details: dict[str, Any]


def _today(backend: Backend) -> date:
    return backend.service.clock().astimezone(CALENDAR_ZONE).date()


def _check_period(first_day: date, last_day: date) -> None:
    if last_day < first_day:
        raise InvalidValue("to", "the period ends before it starts", location="query")
    if last_day - first_day >= LONGEST_PERIOD:
        raise InvalidValue("to", f"a period is at most {LONGEST_PERIOD.days} days", location="query")


def _check_employee(backend: Backend, actor: Actor, employee_id: str) -> None:
    with backend.views.reading() as cursor:
        if find_employee(cursor, employee_id) is None:
            raise NotFound(f"employee {employee_id} does not exist")
        check_may_read(actor, responsible(cursor, employee_id))


@router.get("/calendar", response_model=list[CalendarEntry], dependencies=[ReadAfter], responses=READ_ONE)
def get_calendar(
    backend: BackendDep,
    actor: CurrentActor,
    first_day: Annotated[Day, Query(alias="from", description="First day, in Europe/Moscow")],
    last_day: Annotated[Day, Query(alias="to", description="Last day, inclusive")],
    employee_id: Annotated[EntityId | None, Query(description="One employee's calendar")] = None,
    team: Annotated[Line | None, Query(description="One team's calendar")] = None,
    layers: Annotated[
        list[Layer] | None, Query(alias="layer", description="Layers to show; all when none is named")
    ] = None,
) -> Response:
    """Everyone's entries within the reader's scope, or one employee's, or one team's."""
    _check_period(first_day, last_day)
    if employee_id is not None:
        _check_employee(backend, actor, employee_id)
    query = CalendarQuery(first_day, last_day, frozenset(layers or LAYERS), employee_id, team)
    with backend.views.reading() as cursor:
        # Thousands of entries in a team's week: sent as the view rendered them, in the
        # shape of ``CalendarEntry``, rather than each validated and encoded again.
        return Response(calendar_json(cursor, actor, query), media_type="application/json")


class FeedRequest(BaseModel):
    name: TokenName = "calendar"


class IssuedFeed(BaseModel):
    feed_id: Uuid
    name: str
    url: str = Field(description="The secret address to give a calendar client; shown once")
    position: int


class FeedRecord(BaseModel):
    feed_id: Uuid
    owner_id: Uuid
    name: str
    issued_at: datetime
    issued_by: str
    revoked_at: datetime | None
    revoked_by: str | None


@router.post("/employees/{employee_id}/calendar-feeds", status_code=201, responses=WRITE)
def issue_calendar_feed(
    employee_id: RecordId,
    backend: BackendDep,
    actor: CurrentActor,
    request: Request,
    response: Response,
    wanted: Annotated[FeedRequest | None, Body()] = None,
) -> IssuedFeed:
    """A new secret address of one's own calendar; it works once the answer comes."""
    issued = issue_new_feed(backend.service, actor, employee_id, (wanted or FeedRequest()).name)
    backend.runner.wait_until(issued.position)
    response.headers["Cache-Control"] = "no-store"
    url = str(request.url_for("read_calendar_feed", token=issued.token))
    return IssuedFeed(feed_id=issued.feed_id, name=issued.name, url=url, position=issued.position)


@router.get(
    "/employees/{employee_id}/calendar-feeds",
    response_model=list[FeedRecord],
    dependencies=[ReadAfter],
    responses=READ_ONE,
)
def list_calendar_feeds(employee_id: RecordId, backend: BackendDep, actor: CurrentActor) -> list[FeedRecord]:
    """One's own feeds, or, as an administrator, anyone's; never their secrets."""
    if employee_id != actor.employee_id:
        check_is_admin(actor)
    with backend.views.reading() as cursor:
        return [FeedRecord(**feed) for feed in feeds_of(cursor, employee_id)]


@router.delete("/calendar-feeds/{feed_id}", responses=WRITE)
def revoke_calendar_feed(feed_id: RecordId, write: Write) -> WriteResult:
    """Revoke one's own feed address, or, as an administrator, anyone's: from the answer on
    it is not found."""
    return write.settled(RevokeCalendarFeed(), feed_id)


FeedToken = Annotated[str, Path(max_length=100, pattern=r"^[A-Za-z0-9_\-]+$", description="The secret")]


@router.get(
    "/calendar/feeds/{token}",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {"schema": {"type": "string"}}}}, **READ_ONE},
)
def read_calendar_feed(token: FeedToken, backend: BackendDep, request: Request) -> Response:
    """The owner's calendar from 30 days back to 90 ahead, for a calendar client: no bearer
    token, the address is the secret. An unknown or revoked address is not found."""
    with backend.views.reading() as cursor:
        owner_id = feed_owner(cursor, token_digest(token))
        owner = None if owner_id is None else find_employee(cursor, owner_id)
        if owner is None:
            raise NotFound("no such calendar feed")
        document = employee_calendar(cursor, owner, backend.service.clock(), str(request.base_url))
    return Response(document, media_type=MEDIA_TYPE, headers={"Cache-Control": "private, max-age=60"})
