"""A view's own copy of the counterparties' names, kept from their events (as the staff is
kept in ``projections.staff``), so that the view names clients without reading another's
tables."""

from typing import Protocol

from aggregates.counterparty import Counterparty
from projections.projection import on
from projections.tables import Kind, Table
from projections.writes import Rows


def parties_table(name: str) -> Table:
    return Table(name, {"id": Kind.TEXT, "name": Kind.TEXT}, key=("id",))


class WithParties(Protocol):
    parties: Rows


class KeepsParties:
    """Mixed into a projection whose batch writes have a ``parties`` part."""

    @on(Counterparty.Registered)
    def _party_registered(self, view: WithParties, event: Counterparty.Registered, _position: int) -> None:
        view.parties.put({"id": str(event.originator_id), "name": event.name})

    @on(Counterparty.ProfileChanged)
    def _party_renamed(self, view: WithParties, event: Counterparty.ProfileChanged, _position: int) -> None:
        if event.changes.get("name") is not None:
            view.parties.put({"id": str(event.originator_id), "name": event.changes["name"]})
