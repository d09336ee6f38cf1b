"""What tests compare views by: every row of every table, and views built in a database of
their own."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from event_store.postgres import split_schema
from letopis.wiring import Letopis
from projections.database import ViewDatabase
from projections.postgres import PostgresViews
from projections.projection import Projection
from projections.sqlite import SqliteViews
from tests.conftest import fresh_schema


def table_rows(database: ViewDatabase, projections: Sequence[Projection[Any]]) -> dict[str, list[tuple]]:
    """Every row of the projections' tables, in a stable order."""
    tables = [table.name for projection in projections for table in projection.tables]
    with database.reading() as cursor:
        return {t: sorted(map(tuple, cursor.execute(f"SELECT * FROM {t}")), key=repr) for t in tables}


def dump_views(letopis: Letopis) -> dict[str, list[tuple]]:
    """Every row of every view, in a stable order."""
    return table_rows(letopis.views, letopis.runner.projections)


@contextmanager
def separate_views(letopis: Letopis) -> Iterator[ViewDatabase]:
    """An empty views database of the same engine as the application's."""
    url = letopis.settings.event_store_url()
    if not url.startswith("postgres"):
        database: ViewDatabase = SqliteViews(":memory:")
        try:
            yield database
        finally:
            database.close()
        return
    server, _ = split_schema(url)
    with fresh_schema(server) as separate:
        conninfo, schema = split_schema(separate)
        database = PostgresViews(conninfo, schema=schema)
        try:
            yield database
        finally:
            database.close()
