"""A query's result as a file an analyst opens elsewhere: CSV, JSON, Parquet or XLSX (the
project's spreadsheet writer); and its values as JSON, exact (money as decimal text, days
and times in ISO 8601)."""

import csv
import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from analytics.database_file import literal
from analytics.export import copy_parquet, scratch
from analytics.spreadsheet import result_table
from analytics.sql import QueryResult
from letopis.xlsx import xlsx_bytes

FORMATS = ("csv", "json", "parquet", "xlsx")


def plain(value: Any) -> Any:
    """A value as JSON carries it without loss."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    return value


def plain_rows(rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
    return [[plain(value) for value in row] for row in rows]


def write(
    result: QueryResult, format_: str, target: Path, title: str, parameters: Sequence[tuple[str, Any]] = ()
) -> None:
    """``title`` and ``parameters`` head a spreadsheet: its sheet's name, and the second sheet."""
    names = [name for name, _ in result.columns]
    if format_ == "csv":
        with target.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(names)
            writer.writerows(plain_rows(result.rows))
    elif format_ == "json":
        records = [dict(zip(names, row, strict=True)) for row in plain_rows(result.rows)]
        target.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    elif format_ == "parquet":
        _write_parquet(result, target)
    elif format_ == "xlsx":
        target.write_bytes(xlsx_bytes(result_table(title, result, parameters)))
    else:
        raise ValueError(f"unknown format {format_!r}")


def _write_parquet(result: QueryResult, target: Path) -> None:
    """Through JSON lines read back with the result's own column types."""
    names = [name for name, _ in result.columns]
    with scratch(target.resolve().parent, ".jsonl") as lines:
        with lines.open("w", encoding="utf-8") as out:
            for row in plain_rows(result.rows):
                out.write(json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False) + "\n")
        columns = ", ".join(f"{literal(name)}: {literal(type_)}" for name, type_ in result.columns)
        with duckdb.connect() as connection:
            copy_parquet(
                connection,
                f"SELECT * FROM read_json({literal(lines)}, format='newline_delimited', "
                f"columns={{{columns}}})",
                target,
            )
