"""Every index a view's table declares exists, however long its name would be: PostgreSQL cuts
names at 63 characters, and two indexes agreeing that far were one name, the second skipped."""

from letopis.wiring import Letopis
from projections.tables import INDEX_NAME_LIMIT, Kind, Table

LONG = "a_column_whose_name_alone_fills_most_of_what_an_identifier_may_hold"


def _index_names(letopis: Letopis, table: str) -> set[str]:
    with letopis.views.reading() as cursor:
        if cursor.dialect.name == "postgres":
            rows = cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1",
                (table,),
            )
        else:
            rows = cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = $1", (table,)
            )
    return {name for (name,) in rows if not name.startswith(("sqlite_autoindex", f"{table}_pkey"))}


def test_indexes_whose_names_agree_past_the_limit_are_each_created(letopis: Letopis) -> None:
    table = Table(
        "long_indexed",
        {"id": Kind.TEXT, LONG: Kind.TEXT, "first": Kind.DAY, "second": Kind.DAY},
        key=("id",),
        indexes=((LONG, "first"), (LONG, "second"), ("first",)),
    )
    with letopis.views.writing() as cursor:
        table.create(cursor, table.name)

    names = _index_names(letopis, table.name)

    assert len(names) == 3
    assert all(len(name) <= INDEX_NAME_LIMIT for name in names)
    assert "long_indexed_first" in names
