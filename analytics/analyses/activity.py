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
FROM (  -- two filters, each applied by the Parquet reader as it scans (an OR of them is not)
    SELECT * FROM events WHERE counterparty_id = $counterparty_id
    UNION ALL
    SELECT * FROM events WHERE aggregate_kind = 'Counterparty' AND aggregate_id = $counterparty_id
        AND counterparty_id IS DISTINCT FROM $counterparty_id
) e LEFT JOIN views.employees s ON s.id = e.actor
GROUP BY ALL ORDER BY month, e.event_type, employee""",
    ),
)
