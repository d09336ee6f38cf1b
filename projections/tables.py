"""A view's tables, declared once and created in either engine's own types.

A table built beside the live one (a rebuild, a new version) gets another physical name;
its indexes are named after the physical table, so the two never collide, and the renamed
table keeps them when it goes live."""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from projections.database import Dialect, ViewCursor


class Kind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    BIGINT = "bigint"
    MONEY = "money"
    MOMENT = "moment"
    DAY = "day"
    JSON = "json"


def column_type(kind: Kind, dialect: Dialect) -> str:
    return {
        Kind.TEXT: "TEXT",
        Kind.INTEGER: "INTEGER",
        Kind.BIGINT: "BIGINT",
        Kind.MONEY: dialect.money,
        Kind.MOMENT: dialect.moment,
        Kind.DAY: dialect.day,
        Kind.JSON: "TEXT",
    }[kind]


@dataclass(frozen=True)
class Table:
    name: str
    columns: Mapping[str, Kind]
    key: tuple[str, ...]
    nullable: frozenset[str] = frozenset()
    indexes: tuple[tuple[str, ...], ...] = ()
    written_in: tuple[str, ...] = ()
    """The order a batch writes its rows in: rows read together are then stored together, on
    far fewer pages than a batch's own order (a hash's) would spread them over. Columns that
    always hold a value, so that rows compare without a key built for each."""
    money: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "money", frozenset(name for name, kind in self.columns.items() if kind == Kind.MONEY)
        )
        named = {*self.key, *self.nullable, *self.written_in, *(c for index in self.indexes for c in index)}
        unknown = named - set(self.columns)
        assert not unknown, f"{self.name}: no columns {sorted(unknown)}"
        assert not self.nullable & set(self.written_in), f"{self.name}: rows are written in nullable columns"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(self.columns)

    def create(self, cursor: ViewCursor, physical: str) -> None:
        definitions = [
            f"{name} {column_type(kind, cursor.dialect)}{'' if name in self.nullable else ' NOT NULL'}"
            for name, kind in self.columns.items()
        ]
        if self.key:
            definitions.append(f"PRIMARY KEY ({', '.join(self.key)})")
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {physical} ({', '.join(definitions)})")
        for index in self.indexes:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {index_name(physical, index)} ON {physical} ({', '.join(index)})"
            )


INDEX_NAME_LIMIT = 63
"""PostgreSQL's longest identifier: a longer one is cut short, and two indexes whose names
agree that far would be one name, the second then skipped by ``IF NOT EXISTS``."""


def index_name(physical: str, columns: tuple[str, ...]) -> str:
    """The table's name and the columns', or, when that is too long, its beginning and a
    digest of the whole, so that every index of a table has a name of its own."""
    name = f"{physical}_{'_'.join(columns)}"
    if len(name) <= INDEX_NAME_LIMIT:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:12]
    return f"{name[: INDEX_NAME_LIMIT - len(digest) - 1]}_{digest}"
