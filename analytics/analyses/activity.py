"""Everything ever done with one client, by kind of event, employee and month (FEATURES I3)."""

from typing import Annotated

from pydantic import Field

from analytics.analyses.registry import Analysis, Parameters
from commands.fields import EntityId


class OneClient(Parameters):
    counterparty_id: Annotated[EntityId, Field(description="The client (a UUID)")]


ANALYSES = (
    Analysis(
        "client-activity",
        "Все взаимодействия с клиентом",
        "Every event about one client (its card, contacts, interactions, inquiries, deals, contracts, "
        "orders, payments) counted by month, event type and the employee who recorded it, with "
        "the interaction kinds among them.",
        OneClient,
        """SELECT date_trunc('month', e.occurred_at)::DATE AS month, e.event_type, e.kind,
       e.actor, coalesce(s.full_name, e.actor) AS employee, count(*) AS events,
       min(e.occurred_at) AS first_at, max(e.occurred_at) AS last_at
FROM events e LEFT JOIN views.employees s ON s.id = e.actor
WHERE e.counterparty_id = $counterparty_id
   OR (e.aggregate_kind = 'Counterparty' AND e.aggregate_id = $counterparty_id)
GROUP BY ALL ORDER BY month, e.event_type, employee""",
    ),
)
