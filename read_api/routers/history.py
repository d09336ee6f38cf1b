"""The relationship history of a counterparty or a contact, newest first."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from aggregates.errors import InvalidValue
from commands.fields import Moment, SearchText
from projections.database import ViewCursor
from projections.relationship_history import ENTRY_TYPES, HistoryQuery, history_page
from read_api.access import readable_contact, readable_counterparty
from read_api.deps import BackendDep, CurrentActor, Limit, Offset, ReadAfter, RecordId
from read_api.schemas import READ_ONE, HistoryEntry, Page

router = APIRouter(tags=["history"], responses=READ_ONE)

EntryTypes = Annotated[
    list[SearchText] | None,
    Query(alias="type", max_length=len(ENTRY_TYPES), description=f"One of {', '.join(ENTRY_TYPES)}"),
]
Since = Annotated[Moment | None, Query(description="From this moment, inclusive, with a time zone")]
Until = Annotated[Moment | None, Query(description="Before this moment, with a time zone")]


def _page(
    cursor: ViewCursor,
    subject_id: str,
    types: list[str] | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    offset: int,
) -> Page[HistoryEntry]:
    unknown = set(types or []) - set(ENTRY_TYPES)
    if unknown:
        raise InvalidValue("type", f"unknown entry type {sorted(unknown)[0]!r}", location="query")
    query = HistoryQuery(
        subject_id=subject_id,
        entry_types=tuple(types or ()),
        since=since,
        until=until,
    )
    entries, total = history_page(cursor, query, limit, offset)
    return Page[HistoryEntry](
        items=[HistoryEntry(**entry) for entry in entries], total=total, limit=limit, offset=offset
    )


@router.get(
    "/counterparties/{counterparty_id}/history",
    response_model=Page[HistoryEntry],
    dependencies=[ReadAfter],
)
def get_counterparty_history(
    counterparty_id: RecordId,
    backend: BackendDep,
    actor: CurrentActor,
    entry_types: EntryTypes = None,
    since: Since = None,
    until: Until = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[HistoryEntry]:
    readable_counterparty(backend, actor, counterparty_id)
    with backend.views.reading() as cursor:
        return _page(cursor, counterparty_id, entry_types, since, until, limit, offset)


@router.get("/contacts/{contact_id}/history", response_model=Page[HistoryEntry], dependencies=[ReadAfter])
def get_contact_history(
    contact_id: RecordId,
    backend: BackendDep,
    actor: CurrentActor,
    entry_types: EntryTypes = None,
    since: Since = None,
    until: Until = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[HistoryEntry]:
    readable_contact(backend, actor, contact_id)
    with backend.views.reading() as cursor:
        return _page(cursor, contact_id, entry_types, since, until, limit, offset)
