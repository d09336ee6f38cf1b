"""The relationship history of a counterparty or a contact, newest first."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from aggregates.errors import InvalidValue, NotFound
from aggregates.scope import check_may_read
from projections.contact_directory import get_contact
from projections.counterparty_register import get_counterparty
from projections.database import ViewCursor
from projections.employee_directory import responsible
from projections.relationship_history import ENTRY_TYPES, HistoryQuery, history_page
from projections.values import utc_text
from read_api.deps import BackendDep, CurrentActor, Limit, Offset, ReadAfter
from read_api.schemas import HistoryEntry, Page

router = APIRouter(tags=["history"])

EntryTypes = Annotated[
    list[str] | None,
    Query(alias="type", max_length=len(ENTRY_TYPES), description=f"One of {', '.join(ENTRY_TYPES)}"),
]
Since = Annotated[datetime | None, Query(description="From this moment, inclusive")]
Until = Annotated[datetime | None, Query(description="Before this moment")]


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
        raise InvalidValue("type", f"unknown entry type {sorted(unknown)[0]!r}")
    for name, moment in (("since", since), ("until", until)):
        if moment is not None and moment.tzinfo is None:
            raise InvalidValue(name, f"{name} must carry a time zone")
    query = HistoryQuery(
        subject_id=subject_id,
        entry_types=tuple(types or ()),
        since=utc_text(since) if since else None,
        until=utc_text(until) if until else None,
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
def counterparty_history(
    counterparty_id: str,
    backend: BackendDep,
    actor: CurrentActor,
    entry_types: EntryTypes = None,
    since: Since = None,
    until: Until = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[HistoryEntry]:
    with backend.views.reading() as cursor:
        found = get_counterparty(cursor, counterparty_id)
        if found is None:
            raise NotFound(f"counterparty {counterparty_id} does not exist")
        check_may_read(actor, responsible(cursor, found["manager_id"]))
        return _page(cursor, counterparty_id, entry_types, since, until, limit, offset)


@router.get("/contacts/{contact_id}/history", response_model=Page[HistoryEntry], dependencies=[ReadAfter])
def contact_history(
    contact_id: str,
    backend: BackendDep,
    actor: CurrentActor,
    entry_types: EntryTypes = None,
    since: Since = None,
    until: Until = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[HistoryEntry]:
    with backend.views.reading() as cursor:
        found = get_contact(cursor, contact_id)
        if found is None:
            raise NotFound(f"contact {contact_id} does not exist")
        check_may_read(actor, responsible(cursor, found["manager_id"]))
        return _page(cursor, contact_id, entry_types, since, until, limit, offset)
