"""Which cards are merged into which: the redirect every client-grouped query resolves through.

A merge writes one row here and nothing else, whatever the length of the merged card's
history: the views that group by client keep their rows under the id the events named, and
their queries read a client as the survivor's id together with the ids merged into it
(``same_client``), or group by the survivor (``client_of``). A split deletes the row, and
the history is the merged card's own again. Queries read this table at query time, as the
financial position reads the contract register; the runner feeds every view in one
transaction, so the redirect and the rows it redirects are always of one moment."""

from dataclasses import dataclass
from typing import Any

from aggregates.counterparty import Counterparty
from projections.database import Params, ViewCursor
from projections.projection import Projection, on
from projections.tables import Kind, Table
from projections.writes import Rows, Writes

MERGES = Table(
    "counterparty_merges",
    {
        "merged_id": Kind.TEXT,
        "survivor_id": Kind.TEXT,
        "actor": Kind.TEXT,
        "reason": Kind.TEXT,
        "merged_at": Kind.MOMENT,
    },
    key=("merged_id",),
    indexes=(("survivor_id",),),
)


@dataclass
class _Batch:
    merges: Rows


class CounterpartyMerges(Projection[_Batch]):
    name = "counterparty_merges"
    tables = (MERGES,)

    def open(self, writes: Writes) -> _Batch:
        return _Batch(writes.rows(MERGES))

    @on(Counterparty.MergedInto)
    def _merged(self, view: _Batch, event: Counterparty.MergedInto, _position: int) -> None:
        view.merges.put(
            {
                "merged_id": str(event.originator_id),
                "survivor_id": event.survivor_id,
                "actor": event.actor,
                "reason": event.reason,
                "merged_at": event.occurred_at,
            }
        )

    @on(Counterparty.SplitOff)
    def _split(self, view: _Batch, event: Counterparty.SplitOff, _position: int) -> None:
        view.merges.delete(str(event.originator_id))


def same_client(cursor: ViewCursor, column: str, counterparty_id: str, p: Params) -> str:
    """A condition: ``column`` names the client or a card merged into it. The merged cards are
    looked up first, so that a client nothing was merged into (nearly every one) is a plain
    equality the view's index serves in order, as before merges existed."""
    ids = [counterparty_id, *merged_cards(cursor, counterparty_id)]
    if len(ids) == 1:
        return f"{column} = {p(counterparty_id)}"
    return f"{column} IN ({', '.join(p(card) for card in ids)})"


def client_of(column: str) -> str:
    """An expression: the client ``column`` counts for, the survivor for a merged card."""
    return f"COALESCE((SELECT survivor_id FROM {MERGES.name} WHERE merged_id = {column}), {column})"


def merged_into(cursor: ViewCursor, counterparty_id: str) -> dict[str, Any] | None:
    """The merge a card went through, if it is merged."""
    rows = cursor.execute(
        f"SELECT survivor_id, actor, reason, merged_at FROM {MERGES.name} WHERE merged_id = $1",
        (counterparty_id,),
    )
    if not rows:
        return None
    survivor_id, actor, reason, merged_at = rows[0]
    return {"survivor_id": survivor_id, "actor": actor, "reason": reason, "merged_at": merged_at}


def merged_cards(cursor: ViewCursor, counterparty_id: str) -> list[str]:
    rows = cursor.execute(
        f"SELECT merged_id FROM {MERGES.name} WHERE survivor_id = $1 ORDER BY merged_id", (counterparty_id,)
    )
    return [row[0] for row in rows]
