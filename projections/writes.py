"""A view's writes for one batch, gathered in memory and sent in a few statements.

A batch of thousands of events would otherwise cost a round trip per row it touches. Here
each handler works on Python objects: ``Rows`` (a keyed table, each row read at most once a
batch and written back once), ``Totals`` (running totals, summed per key in memory and
added by the database in one statement) and ``Appends`` (rows only ever added, sent by the
engine's bulk path). ``Writes.flush`` sends everything at the end of the batch, in the
order the parts were opened.
"""

from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from operator import itemgetter
from typing import Any, TypeVar

from projections.database import Params, ViewCursor, key_match
from projections.tables import Table, column_type

Key = tuple[Any, ...]
Row = dict[str, Any]
Part = TypeVar("Part", "Rows", "Totals", "Appends")


class Writes:
    """The batch's parts of one view, over the physical tables it writes to now (the live
    ones, or those of a version being built beside them)."""

    def __init__(self, cursor: ViewCursor, physical: Mapping[str, str]) -> None:
        self.cursor = cursor
        self._physical = physical
        self._parts: list[Rows | Totals | Appends] = []

    def physical(self, table: Table) -> str:
        return self._physical.get(table.name, table.name)

    def rows(self, table: Table, kind: "type[Rows] | None" = None) -> "Rows":
        """The table's rows for this batch; ``kind``, a view's own kind of ``Rows``, adds to
        what each row holds as it is written."""
        return self._opened((kind or Rows)(self, table))

    def totals(self, table: Table) -> "Totals":
        return self._opened(Totals(self, table))

    def appends(self, table: Table) -> "Appends":
        return self._opened(Appends(self, table))

    def _opened(self, part: Part) -> Part:
        self._parts.append(part)
        return part

    def flush(self) -> None:
        for part in self._parts:
            part.flush()


class Rows:
    """A keyed table as the batch sees it."""

    def __init__(self, writes: Writes, table: Table) -> None:
        self._cursor = writes.cursor
        self._table = table
        self._name = writes.physical(table)
        self._known: dict[Key, Row | None] = {}
        self._dirty: set[Key] = set()
        names = table.column_names
        self._select = f"SELECT {', '.join(names)} FROM {self._name} WHERE {key_match(table.key)}"
        dialect = writes.cursor.dialect
        self._key_types = tuple(column_type(table.columns[column], dialect) for column in table.key)
        order = [names.index(column) for column in table.written_in]
        self._placing = itemgetter(*order) if order else None

    def get(self, *key: Any) -> Row | None:
        if key not in self._known:
            found = self._cursor.execute(self._select, key)
            self._known[key] = dict(zip(self._table.column_names, found[0], strict=True)) if found else None
        row = self._known[key]
        return None if row is None else dict(row)

    def load(self, column: str, values: Iterable[Any]) -> None:
        """Read, in one statement, every row whose text ``column`` is one of ``values`` that the
        batch does not hold yet, so that the handlers' ``get`` finds them without a round trip
        each. A view calls it from ``Projection.preload`` with what its batch will look up."""
        wanted = sorted(set(values))
        if not wanted:
            return
        names = self._table.column_names
        dialect = self._cursor.dialect
        found = self._cursor.execute(
            f"SELECT {', '.join(names)} FROM {self._name} WHERE {dialect.any_of(column, '$1')}",
            (dialect.listed(wanted),),
        )
        for values_found in found:
            row = dict(zip(names, values_found, strict=True))
            self._known.setdefault(tuple(row[c] for c in self._table.key), row)
        if self._table.key == (column,):
            # What was not found is known absent: a handler that asks gets None at once.
            for value in wanted:
                self._known.setdefault((value,), None)

    def __getitem__(self, key: Key) -> Row:
        row = self.get(*key)
        if row is None:
            raise KeyError(f"{self._table.name} has no row {key}")
        return row

    def put(self, row: Row) -> None:
        key = tuple(row[column] for column in self._table.key)
        self._known[key] = dict(row)
        self._dirty.add(key)

    def update(self, key: Key, **values: Any) -> Row:
        """Change some columns of a row that must exist."""
        row = {**self[key], **values}
        self.put(row)
        return row

    def delete(self, *key: Any) -> None:
        self._known[key] = None
        self._dirty.add(key)

    def update_where(self, values: Mapping[str, Any], where: Mapping[str, Any]) -> None:
        """A change to every row matching ``where``, left to the database: what the batch
        holds is sent first and forgotten after, so the two never disagree."""
        self.flush()
        p = Params()
        assignments = ", ".join(f"{column} = {p(value)}" for column, value in values.items())
        condition = " AND ".join(f"{column} = {p(value)}" for column, value in where.items())
        self._cursor.execute(f"UPDATE {self._name} SET {assignments} WHERE {condition}", p.values)
        self._known.clear()

    def rows_where(self, column: str, value: Any) -> list[Row]:
        """Every row with ``column`` equal to ``value``, the batch's own changes included."""
        self.flush()
        names = self._table.column_names
        found = self._cursor.execute(
            f"SELECT {', '.join(names)} FROM {self._name} WHERE {column} = $1", (value,)
        )
        rows = [dict(zip(names, row, strict=True)) for row in found]
        for row in rows:
            self._known[tuple(row[c] for c in self._table.key)] = dict(row)
        return rows

    def written(self, row: Row) -> Row:
        """The row as it is sent: a view's own kind of ``Rows`` adds what it derives from the
        rest here, once a batch for each row however often its handlers put it."""
        return row

    def flush(self) -> None:
        if not self._dirty:
            return
        names = self._table.column_names
        upserts = []
        deletes = []
        for key in self._dirty:
            row = self._known[key]
            if row is None:
                deletes.append(key)
            else:
                written = self.written(row)
                upserts.append([written[column] for column in names])
        if deletes:
            self._cursor.delete_rows(self._name, self._table.key, self._key_types, deletes)
        if upserts:
            if self._placing is not None:
                # The order only decides where rows lie: values of two types in one column (one
                # put by a handler, one read back from the engine) leave the rows as they came.
                with suppress(TypeError):
                    upserts.sort(key=self._placing)
            self._cursor.upsert_rows(self._name, names, self._table.key, upserts)
        self._dirty.clear()


class Totals:
    """Running totals: what the batch adds to each key, summed here and added there."""

    def __init__(self, writes: Writes, table: Table) -> None:
        self._cursor = writes.cursor
        self._table = table
        self._deltas: dict[Key, dict[str, Any]] = {}
        self._name = writes.physical(table)
        self._amounts = tuple(c for c in table.column_names if c not in table.key)
        self._additions = ", ".join(
            writes.cursor.dialect.add(self._name, column, money=column in table.money)
            for column in self._amounts
        )

    def add(self, key: Key, **deltas: Any) -> None:
        current = self._deltas.setdefault(key, dict.fromkeys(self._amounts, 0))
        for column, delta in deltas.items():
            current[column] += delta

    def flush(self) -> None:
        if self._deltas:
            rows = [[*key, *(deltas[c] for c in self._amounts)] for key, deltas in self._deltas.items()]
            columns = (*self._table.key, *self._amounts)
            self._cursor.upsert_rows(self._name, columns, self._table.key, rows, self._additions)
            self._deltas.clear()


class Appends:
    """Rows that are only ever added."""

    def __init__(self, writes: Writes, table: Table) -> None:
        self._cursor = writes.cursor
        self._table = table
        self._name = writes.physical(table)
        self._rows: list[Sequence[Any]] = []

    def add(self, row: Sequence[Any]) -> None:
        self._rows.append(row)

    def extend(self, rows: Iterable[Sequence[Any]]) -> None:
        self._rows.extend(rows)

    def flush(self) -> None:
        if self._rows:
            self._cursor.copy_rows(self._name, self._table.column_names, self._rows)
            self._rows.clear()
