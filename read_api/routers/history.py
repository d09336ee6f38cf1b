"""The relationship history of a counterparty or a contact, newest first."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from aggregates.errors import InvalidValue
from aggregates.scope import Actor
from commands.fields import Moment, SearchText
from projections.relationship_history import ENTRY_TYPES, HistoryQuery, history_page
from read_api.access import readable_contact, readable_counterparty
from read_api.deps import Backend, BackendDep, CurrentActor, Limit, Offset, ReadAfter, RecordId
from read_api.schemas import READ_ONE, HistoryEntry, Page
from read_api.time_travel import ViewsAt, views_at
from replay.past_reports import HISTORY_VIEWS

router = APIRouter(tags=["history"], responses=READ_ONE)

EntryTypes = Annotated[
    list[SearchText] | None,
    Query(alias="type", max_length=len(ENTRY_TYPES), description=f"One of {', '.join(ENTRY_TYPES)}"),
]
Since = Annotated[Moment | None, Query(description="From this moment, inclusive, with a time zone")]
Until = Annotated[Moment | None, Query(description="Before this moment, with a time zone")]


@dataclass(frozen=True)
class HistoryPage:
    """Which entries of a history a request asks for, and which page of them."""

    types: list[str] | None
    since: datetime | None
    until: datetime | None
    limit: int
    offset: int

    def read(
        self,
        backend: Backend,
        actor: Actor,
        subject_id: str,
        readable: Callable[[Backend, Actor, str], dict[str, Any]],
        views: ViewsAt,
    ) -> Page[HistoryEntry]:
        unknown = set(self.types or []) - set(ENTRY_TYPES)
        if unknown:
            raise InvalidValue("type", f"unknown entry type {sorted(unknown)[0]!r}", location="query")
        readable(backend, actor, subject_id)
        query = HistoryQuery(
            subject_id=subject_id, entry_types=tuple(self.types or ()), since=self.since, until=self.until
        )
        with views.reading() as cursor:
            entries, total = history_page(cursor, query, self.limit, self.offset)
        return Page[HistoryEntry](
            items=[HistoryEntry(**entry) for entry in entries],
            total=total,
            limit=self.limit,
            offset=self.offset,
        )


async def history_page_asked(
    entry_types: EntryTypes = None,
    since: Since = None,
    until: Until = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> HistoryPage:
    return HistoryPage(entry_types, since, until, limit, offset)


Asked = Annotated[HistoryPage, Depends(history_page_asked)]
Views = Annotated[ViewsAt, Depends(views_at(HISTORY_VIEWS))]


@router.get(
    "/counterparties/{counterparty_id}/history",
    response_model=Page[HistoryEntry],
    dependencies=[ReadAfter],
)
def get_counterparty_history(
    counterparty_id: RecordId, backend: BackendDep, actor: CurrentActor, asked: Asked, views: Views
) -> Page[HistoryEntry]:
    return asked.read(backend, actor, counterparty_id, readable_counterparty, views)


@router.get("/contacts/{contact_id}/history", response_model=Page[HistoryEntry], dependencies=[ReadAfter])
def get_contact_history(
    contact_id: RecordId, backend: BackendDep, actor: CurrentActor, asked: Asked, views: Views
) -> Page[HistoryEntry]:
    return asked.read(backend, actor, contact_id, readable_contact, views)
