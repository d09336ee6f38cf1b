"""The flattened log: one row per event, the columns every event has, the payload as
JSON, and typed columns for the facts analysts use most (money, whose client, which
contract, order and day).

Each column is a DuckDB expression over ``fields``, the event as the store keeps it (JSON
in which dates, times and exact numbers are objects ``{"_type_": …, "_data_": "…"}``),
parsed once into a struct of the fields named here; ``state`` is the same event as JSON.
Events are flattened as stored: one recorded under an older schema shows its old payload.
"""

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    expression: str
    description: str


MONEY = "DECIMAL(38,2)"
QUANTITY = "DECIMAL(38,3)"

PLAIN_FIELDS = (
    "actor",
    "command_id",
    "correlation_id",
    "counterparty_id",
    "manager_id",
    "contract_id",
    "order_id",
    "inquiry_id",
    "currency",
    "kind",
    "status",
    "stage",
    "direction",
    "lead_source",
)
"""Fields stored as plain JSON strings."""
_BUSINESS_DAYS = (
    "received_on",
    "refunded_on",
    "signed_on",
    "expected_on",
    "on",
    "started_on",
    "completed_on",
    "terminated_on",
)
TYPED_FIELDS = ("occurred_at", "timestamp", "amount", "cost", "price", *_BUSINESS_DAYS)
"""Fields stored as ``{"_type_": …, "_data_": "…"}``."""

_TYPED = {"_data_": "VARCHAR"}
FIELDS_STRUCTURE = json.dumps(
    {
        **dict.fromkeys(PLAIN_FIELDS, "VARCHAR"),
        **dict.fromkeys(TYPED_FIELDS, _TYPED),
        "lines": [
            {"item_id": "VARCHAR", "name": "VARCHAR", "unit": "VARCHAR", "quantity": _TYPED, "amount": _TYPED}
        ],
    }
)
"""The fields above as DuckDB's ``json_transform`` reads them out of the stored JSON: keys
not named here are left aside."""

WITHHELD = (
    "aggregates.employee:Employee.TokenIssued",
    "aggregates.employee:Employee.TokenRevoked",
    "aggregates.employee:Employee.Deactivated",
)
"""Events about access tokens: their rows are kept, their payload is not exported."""


def _plain(field: str) -> str:
    return f'fields."{field}"'


def _typed(field: str, type_: str) -> str:
    return f'TRY_CAST(fields."{field}"._data_ AS {type_})'


COLUMNS = (
    Column("position", "BIGINT", "position", "Position in the log: the order in which events were recorded"),
    Column("event_type", "VARCHAR", "split_part(topic, ':', 2)", "What happened, e.g. Payment.Received"),
    Column(
        "aggregate_kind",
        "VARCHAR",
        "split_part(split_part(topic, ':', 2), '.', 1)",
        "The kind of record the event belongs to, e.g. Payment, Contract, Counterparty",
    ),
    Column("aggregate_id", "VARCHAR", "aggregate_id", "The id of that record"),
    Column("aggregate_version", "BIGINT", "aggregate_version", "The event's number within its record"),
    Column("actor", "VARCHAR", _plain("actor"), "Employee id of who did it ('console' for the operator)"),
    Column(
        "occurred_at", "TIMESTAMPTZ", _typed("occurred_at", "TIMESTAMPTZ"), "Business time: when it happened"
    ),
    Column(
        "recorded_at",
        "TIMESTAMPTZ",
        _typed("timestamp", "TIMESTAMPTZ"),
        "When the write side created the event (the event's own timestamp)",
    ),
    Column("command_id", "VARCHAR", _plain("command_id"), "The command that recorded it"),
    Column("correlation_id", "VARCHAR", _plain("correlation_id"), "The request or import it was part of"),
    Column(
        "counterparty_id",
        "VARCHAR",
        _plain("counterparty_id"),
        "The client concerned, when there is one; for a card merged into another, the survivor",
    ),
    Column("manager_id", "VARCHAR", _plain("manager_id"), "The responsible manager the event names"),
    Column("contract_id", "VARCHAR", _plain("contract_id"), "The contract concerned (payments, orders)"),
    Column("order_id", "VARCHAR", _plain("order_id"), "The order concerned (payments, bookings)"),
    Column("inquiry_id", "VARCHAR", _plain("inquiry_id"), "The inquiry an order or deal came from"),
    Column("amount", MONEY, _typed("amount", MONEY), "The money the event is about, in `currency`"),
    Column("currency", "VARCHAR", _plain("currency"), "ISO code of `amount`"),
    Column(
        "business_day",
        "DATE",
        "coalesce(" + ", ".join(_typed(day, "DATE") for day in _BUSINESS_DAYS) + ")",
        "The calendar day the fact is about: received, refunded, signed, expected, moved on…",
    ),
    Column(
        "kind", "VARCHAR", _plain("kind"), "Interaction kind (call, email, meeting…) or counterparty kind"
    ),
    Column("status", "VARCHAR", _plain("status"), "An order's status after the event"),
    Column("stage", "VARCHAR", _plain("stage"), "A deal's or contract's stage the event names"),
    Column("direction", "VARCHAR", _plain("direction"), "incoming or outgoing, for interactions"),
    Column("lead_source", "VARCHAR", _plain("lead_source"), "Where a deal's lead came from (a campaign)"),
    Column("cost", MONEY, _typed("cost", MONEY), "An inquiry's cost from its quote tasks' components"),
    Column("price", MONEY, _typed("price", MONEY), "A price: an inquiry's or a catalogue item's"),
    Column(
        "lines",
        f"STRUCT(item_id VARCHAR, item VARCHAR, unit VARCHAR, quantity {QUANTITY}, amount {MONEY})[]",
        "list_transform(fields.lines, lambda line: {'item_id': line.item_id, 'item': line.name, "
        f"'unit': line.unit, 'quantity': TRY_CAST(line.quantity._data_ AS {QUANTITY}), "
        f"'amount': TRY_CAST(line.amount._data_ AS {MONEY})}})",
        "Catalogue lines of an order, deal or proposal: item id, item name, unit, quantity, amount",
    ),
    Column(
        "payload",
        "JSON",
        f"CASE WHEN topic IN {WITHHELD!r} THEN NULL ELSE state END",
        "The whole event as recorded, as JSON (withheld for access tokens)",
    ),
)
