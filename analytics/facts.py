"""Typed tables of the main facts, drawn from the flattened log: what analysts and the ready
analyses query instead of unpicking payloads.

Each part of the log is accompanied by each fact's rows from that part (``rows``, a query
over the part's ``events``), written once beside it as ``facts/<name>/part-….parquet``; the
fact table is a view over them (``select``, reading ``<name>_rows``), which joins what one
part cannot know alone (a refund's order, a deal's outcome). So a query for payments reads a
few thousand narrow rows, not the log. A reader whose scope is limited sees each fact table
cut down to their clients, as they see ``events``."""

from dataclasses import dataclass


@dataclass(frozen=True)
class FactTable:
    name: str
    description: str
    rows: str
    """The fact's rows in one part of the log, from ``events``."""
    select: str
    """The table over every part's rows, ``<name>_rows``."""
    columns: dict[str, str]
    """Column → a line on what it holds."""

    @property
    def stored(self) -> str:
        return f"{self.name}_rows"


def _every(name: str) -> str:
    return f"SELECT * FROM {name}_rows"


FACTS = (
    FactTable(
        "payments",
        "Money received (positive) and refunded (negative), one row per receipt or refund",
        "SELECT position, aggregate_id, event_type, counterparty_id, contract_id, order_id, manager_id, "
        "business_day, amount, currency, actor, occurred_at FROM events "
        "WHERE event_type IN ('Payment.Received', 'Payment.Refunded')",
        "SELECT e.position, e.aggregate_id AS payment_id, e.counterparty_id, e.contract_id, "
        "r.order_id, r.manager_id, e.business_day AS day, "
        "CASE WHEN e.event_type = 'Payment.Refunded' THEN -e.amount ELSE e.amount END AS amount, "
        "e.currency, e.event_type = 'Payment.Refunded' AS is_refund, e.actor, e.occurred_at "
        "FROM payments_rows e LEFT JOIN (SELECT aggregate_id, order_id, manager_id FROM payments_rows "
        "WHERE event_type = 'Payment.Received') r USING (aggregate_id)",
        {
            "position": "Log position of the receipt or refund",
            "payment_id": "The payment",
            "counterparty_id": "The paying client",
            "contract_id": "The contract paid under",
            "order_id": "The order paid for, when named",
            "manager_id": "The contract's manager when the money was received",
            "day": "The day the money was received or refunded",
            "amount": "Received (positive) or refunded (negative), in `currency`",
            "currency": "ISO code",
            "is_refund": "True for a refund",
            "actor": "Who recorded it",
            "occurred_at": "When it was recorded as happening",
        },
    ),
    FactTable(
        "orders",
        "Orders as placed (later status changes are in events of type Order.Advanced)",
        "SELECT position, aggregate_id AS order_id, counterparty_id, contract_id, manager_id, "
        "occurred_at AS placed_at, business_day AS expected_on, status, amount, currency, "
        "inquiry_id FROM events WHERE event_type = 'Order.Placed'",
        _every("orders"),
        {
            "position": "Log position of the placing",
            "order_id": "The order",
            "counterparty_id": "The client",
            "contract_id": "The contract it is booked under, if any",
            "manager_id": "The responsible manager",
            "placed_at": "When it was placed",
            "expected_on": "When it is expected",
            "status": "Status when placed: forecast or received",
            "amount": "Order amount in `currency`",
            "currency": "ISO code",
            "inquiry_id": "The inquiry it came from, if any",
        },
    ),
    FactTable(
        "order_lines",
        "What each order is for: one row per line (catalogue item by name)",
        "SELECT o.position, o.aggregate_id AS order_id, o.counterparty_id, o.manager_id, "
        "o.occurred_at AS placed_at, line.item, line.unit, line.quantity "
        "FROM events o, unnest(o.lines) AS t(line) WHERE o.event_type = 'Order.Placed'",
        _every("order_lines"),
        {
            "position": "Log position of the order's placing",
            "order_id": "The order",
            "counterparty_id": "The client",
            "manager_id": "The responsible manager",
            "placed_at": "When the order was placed",
            "item": "Catalogue item name",
            "unit": "Unit of the quantity",
            "quantity": "Quantity ordered",
        },
    ),
    FactTable(
        "contracts",
        "Contracts as signed",
        "SELECT position, aggregate_id AS contract_id, payload->>'$.number' AS number, counterparty_id, "
        "manager_id, business_day AS signed_on, amount, currency FROM events "
        "WHERE event_type = 'Contract.Signed'",
        _every("contracts"),
        {
            "position": "Log position of the signing",
            "contract_id": "The contract",
            "number": "Its number",
            "counterparty_id": "The client",
            "manager_id": "The responsible manager",
            "signed_on": "The day it was signed",
            "amount": "Contract amount in `currency`",
            "currency": "ISO code",
        },
    ),
    FactTable(
        "deals",
        "Deals as opened, with their outcome (won or lost) when there is one",
        "SELECT position, aggregate_id, event_type, counterparty_id, manager_id, lead_source, occurred_at, "
        "amount, currency FROM events WHERE event_type IN ('Deal.Opened', 'Deal.Won', 'Deal.Lost')",
        "SELECT o.position, o.aggregate_id AS deal_id, o.counterparty_id, o.manager_id, "
        "o.lead_source, o.occurred_at AS opened_at, o.amount, o.currency, "
        "CASE c.event_type WHEN 'Deal.Won' THEN 'won' WHEN 'Deal.Lost' THEN 'lost' END AS outcome, "
        "c.occurred_at AS closed_at, c.amount AS won_amount FROM deals_rows o LEFT JOIN (SELECT * FROM "
        "deals_rows WHERE event_type IN ('Deal.Won', 'Deal.Lost')) c USING (aggregate_id) "
        "WHERE o.event_type = 'Deal.Opened'",
        {
            "position": "Log position of the opening",
            "deal_id": "The deal",
            "counterparty_id": "The client",
            "manager_id": "The responsible manager",
            "lead_source": "Where the lead came from (the campaign or channel), if recorded",
            "opened_at": "When it was opened",
            "amount": "Amount when opened, in `currency`",
            "currency": "ISO code",
            "outcome": "won, lost, or NULL while open",
            "closed_at": "When it was won or lost",
            "won_amount": "The amount won",
        },
    ),
    FactTable(
        "interactions",
        "Calls, e-mails, meetings and the rest, as logged",
        "SELECT position, aggregate_id AS interaction_id, counterparty_id, actor, occurred_at, kind, "
        "direction, payload->>'$.subject' AS subject FROM events "
        "WHERE event_type = 'Interaction.Logged'",
        _every("interactions"),
        {
            "position": "Log position",
            "interaction_id": "The interaction",
            "counterparty_id": "The client, if any",
            "actor": "The employee who logged it",
            "occurred_at": "When it happened",
            "kind": "call, email, meeting, …",
            "direction": "incoming or outgoing, for calls, e-mails and messages",
            "subject": "Its subject",
        },
    ),
    FactTable(
        "quotes",
        "Inquiries priced: the cost from the quote tasks, the margin and the price",
        "SELECT position, aggregate_id, event_type, counterparty_id, actor, occurred_at, cost, price, "
        "currency FROM events WHERE event_type IN ('Inquiry.Priced', 'Inquiry.Accepted')",
        "SELECT p.position, p.aggregate_id AS inquiry_id, p.counterparty_id, p.actor, "
        "p.occurred_at AS priced_at, p.cost, p.price, p.currency, "
        "a.aggregate_id IS NOT NULL AS accepted FROM quotes_rows p LEFT JOIN (SELECT DISTINCT aggregate_id "
        "FROM quotes_rows WHERE event_type = 'Inquiry.Accepted') a USING (aggregate_id) "
        "WHERE p.event_type = 'Inquiry.Priced'",
        {
            "position": "Log position of the pricing",
            "inquiry_id": "The inquiry",
            "counterparty_id": "The client",
            "actor": "Who priced it",
            "priced_at": "When",
            "cost": "The cost components' total",
            "price": "The price quoted",
            "currency": "ISO code",
            "accepted": "Whether the client accepted the inquiry",
        },
    ),
)
