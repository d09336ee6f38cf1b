"""What an analyst can query: every table of the analytics store and each of its columns,
with a line on what it holds; the types are DuckDB's, read from the store itself."""

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from analytics.events import COLUMNS
from analytics.export import exported_tables
from analytics.facts import FACTS
from analytics.sql import AnalyticsDatabase
from projections.projection import Projection


@dataclass(frozen=True)
class CatalogueColumn:
    name: str
    type: str
    description: str


@dataclass(frozen=True)
class CatalogueTable:
    name: str
    description: str
    columns: list[CatalogueColumn]


_COMMON = {
    "id": "The record's id",
    "counterparty_id": "The client (counterparty) id",
    "contact_id": "The contact person's id",
    "contract_id": "The contract's id",
    "order_id": "The order's id",
    "deal_id": "The deal's id",
    "inquiry_id": "The inquiry's id",
    "employee_id": "The employee's id",
    "manager_id": "The responsible manager's employee id",
    "name": "The name as shown",
    "full_name": "The person's full name",
    "amount": "An amount of money in `currency`",
    "currency": "ISO 4217 code of the money beside it",
    "team": "The sales team",
    "department": "The department",
    "status": "Where the record stands",
    "position": "The log position it reflects",
}


def _view_of(projection: Projection[Any]) -> str:
    documented = sys.modules[type(projection).__module__].__doc__ or projection.name
    return documented.strip().split("\n\n")[0].replace("\n", " ")


def catalogue(database: AnalyticsDatabase, projections: Sequence[Projection[Any]]) -> list[CatalogueTable]:
    """The log, the fact tables over it, and the view snapshots present in the store."""
    described: list[tuple[str, str, dict[str, str]]] = [
        (
            "events",
            "The log flattened: one row per event ever recorded",
            {c.name: c.description for c in COLUMNS},
        ),
        *((fact.name, fact.description, fact.columns) for fact in FACTS),
    ]
    exported = {table.name for table in exported_tables(projections)}
    for projection in projections:
        about = _view_of(projection)
        for table in projection.tables:
            if table.name in exported:
                columns = {
                    name: _COMMON.get(name, f"{name.replace('_', ' ')}, as the view keeps it")
                    for name in table.columns
                }
                described.append(
                    (f"views.{table.name}", f"Snapshot of the {projection.name} view: {about}", columns)
                )
    tables = []
    with database.connect() as connection:
        present = {
            f"{schema}.{name}" if schema != "main" else name
            for schema, name in connection.execute(
                "SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal"
            ).fetchall()
        }
        for name, description, columns in described:
            if name not in present:
                continue
            types = dict(
                connection.execute(f"SELECT column_name, column_type FROM (DESCRIBE {name})").fetchall()
            )
            tables.append(
                CatalogueTable(
                    name,
                    description,
                    [
                        CatalogueColumn(column, str(types.get(column, "?")), text)
                        for column, text in columns.items()
                    ],
                )
            )
    return tables
