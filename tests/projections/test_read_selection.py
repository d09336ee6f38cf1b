"""One read of the log serves several views: it fetches the topics any of them handles, and
leaves an event undecoded only when every view reading its topic said which values it must
mention and it mentions none of them."""

from typing import Any

from eventsourcing.utils import get_topic

from aggregates.interaction import Interaction
from aggregates.planned_activity import PlannedActivity
from projections.projection import Projection, on
from projections.reading import Selection, selection_for
from projections.writes import Writes

LOGGED, CORRECTED, PLANNED = (
    get_topic(c) for c in (Interaction.Logged, Interaction.Corrected, PlannedActivity.Planned)
)


class _View(Projection[None]):
    tables = ()

    def open(self, writes: Writes) -> None:
        return None


class Meetings(_View):
    name = "meetings"

    @on(Interaction.Logged, Interaction.Corrected, mentioning={"meeting"})
    def _logged(self, view: None, event: Any, position: int) -> None: ...


class Negotiations(_View):
    name = "negotiations"

    @on(Interaction.Logged, mentioning={"negotiation"})
    def _logged(self, view: None, event: Any, position: int) -> None: ...

    @on(PlannedActivity.Planned)
    def _planned(self, view: None, event: Any, position: int) -> None: ...


class History(_View):
    name = "history"

    @on(Interaction.Logged)
    def _logged(self, view: None, event: Any, position: int) -> None: ...


def test_views_that_each_seek_some_values_share_a_read_that_seeks_them_all() -> None:
    assert selection_for([Meetings(), Negotiations()]) == Selection(
        tuple(sorted([LOGGED, CORRECTED, PLANNED])),
        {LOGGED: frozenset({"meeting", "negotiation"}), CORRECTED: frozenset({"meeting"})},
    )


def test_a_view_that_wants_every_event_of_a_topic_has_the_read_decode_them_all() -> None:
    for views in ([Meetings(), History()], [History(), Meetings()]):
        assert selection_for(views) == Selection(
            tuple(sorted([LOGGED, CORRECTED])), {CORRECTED: frozenset({"meeting"})}
        )
