"""Any view-backed report answered for a past moment: ``as_of`` (business time), ``known_at``
(recorded time) and ``at_position`` (a log position named by an earlier answer).

A report takes one dependency, ``views_at(ITS_VIEWS)`` (``replay.past_reports``), and reads
from what it gives as it reads the live views; an answer for a past moment names the log
position it reflects in the ``Log-Position`` header, and the same request with
``at_position=`` that position reproduces it exactly (``replay.past_views``)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Query, Response
from starlette.concurrency import run_in_threadpool

from commands.fields import Moment
from projections.database import ViewCursor, ViewDatabase
from read_api.deps import BackendDep
from replay.past_reports import PastReport

POSITION_HEADER = "Log-Position"

AsOf = Annotated[
    Moment | None,
    Query(description="Business time: the report as it had happened by this moment (with a time zone)"),
]
KnownAt = Annotated[
    Moment | None,
    Query(description="Recorded time: the report as the log knew it at this moment (with a time zone)"),
]
AtPosition = Annotated[
    int | None,
    Query(ge=1, le=2**62, description="The log position a past answer named (its Log-Position header)"),
]


@dataclass(frozen=True)
class ViewsAt:
    """The views a report reads: the live ones, or replayed ones for a past moment."""

    database: ViewDatabase
    position: int | None
    """The log position a past report reflects; None for the live views."""
    as_of: datetime | None

    @contextmanager
    def reading(self) -> Iterator[ViewCursor]:
        with self.database.reading() as cursor:
            yield cursor

    def today(self, live_today: date) -> date:
        """The day a report counts from: the business moment asked for, else today."""
        return self.as_of.date() if self.as_of is not None else live_today


def views_at(report: PastReport) -> Callable[..., Any]:
    """The dependency that gives a report its views, live or at the moment asked for."""

    async def chosen(
        backend: BackendDep,
        response: Response,
        as_of: AsOf = None,
        known_at: KnownAt = None,
        at_position: AtPosition = None,
    ) -> ViewsAt:
        moment = await run_in_threadpool(backend.past.moment, as_of, known_at, at_position)
        if moment is None:
            return ViewsAt(backend.views, None, None)
        database = await run_in_threadpool(backend.past.views, moment, report)
        response.headers[POSITION_HEADER] = str(moment.position)
        return ViewsAt(database, moment.position, as_of)

    return chosen
