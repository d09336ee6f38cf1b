"""Reports the API answers as JSON, CSV or XLSX: one registration per report.

A report route is registered with ``@spreadsheet_route(router, path, sheet, **route)`` in
place of ``@router.get(path, **route)``. Its function stays the JSON endpoint it was; the
sheet declares the columns (key, Russian title, kind) and how the answer's model becomes
rows. ``?format=csv|xlsx`` or an ``Accept`` header naming text/csv or the XLSX media type
turns the same answer into a file (written by letopis/spreadsheets.py and letopis/xlsx.py);
JSON stays the default. A paged list gives its file every matching row from ``offset`` on,
up to ``SPREADSHEET_ROWS``: ``limit`` pages JSON only.
"""

import functools
import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from letopis.spreadsheets import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, Column, Table, csv_bytes
from letopis.xlsx import xlsx_bytes
from read_api.deps import BackendDep
from read_api.schemas import Page
from read_api.time_travel import ViewsAt

M = TypeVar("M", bound=BaseModel)
SPREADSHEET_ROWS = 100_000


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


_MEDIA_TYPES = {"application/json": Format.JSON, CSV_MEDIA_TYPE: Format.CSV, XLSX_MEDIA_TYPE: Format.XLSX}


def _quality(parameters: list[str]) -> float:
    for parameter in parameters:
        name, _, value = parameter.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return max(0.0, min(float(value), 1.0))
            except ValueError:
                return 0.0
    return 1.0


def negotiated(asked: Format | None, accept: str | None) -> Format:
    """``?format=`` wins; otherwise the most preferred media type of ``Accept`` that a report
    has; anything else (none, ``*/*``, types no report has) answers JSON, as before."""
    if asked is not None:
        return asked
    best, best_quality = Format.JSON, 0.0
    for offer in (accept or "")[:1000].split(","):
        media_type, *parameters = offer.split(";")
        found = _MEDIA_TYPES.get(media_type.strip().lower())
        quality = _quality(parameters)
        if found is not None and quality > best_quality:
            best, best_quality = found, quality
    return best


@dataclass(frozen=True)
class Sheet(Generic[M]):
    """How one report's answer reads as a table."""

    title: str
    file_name: str
    columns: Sequence[Column]
    rows: Callable[[M], Iterable[Mapping[str, Any]]]
    summary: Callable[[M], Iterable[tuple[str, Any]]] = lambda _answer: ()
    """Figures of the answer that are not rows (totals, the scope counted): on «Параметры»."""


def page_rows(page: Page[Any]) -> Iterable[Mapping[str, Any]]:
    return (vars(item) for item in page.items)


def page_summary(page: Page[Any]) -> Iterable[tuple[str, Any]]:
    return [("Всего по отбору", page.total)]


def list_sheet(title: str, file_name: str, columns: Sequence[Column]) -> "Sheet[Any]":
    """The sheet of a paged list: one row per item."""
    return Sheet(title, file_name, columns, page_rows, page_summary)


SPREADSHEET_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report; as a file with ?format=csv|xlsx or Accept: text/csv or the XLSX type",
        "content": {
            CSV_MEDIA_TYPE: {"schema": {"type": "string"}},
            XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}

_FORMAT_QUERY = Query(
    alias="format", description="json (the default), csv or xlsx; the Accept header may ask the same"
)
_EXTRA_PARAMETERS = [
    inspect.Parameter(
        "spreadsheet_format",
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[Format | None, _FORMAT_QUERY],
    ),
    inspect.Parameter("spreadsheet_request", inspect.Parameter.KEYWORD_ONLY, annotation=Request),
    inspect.Parameter("spreadsheet_backend", inspect.Parameter.KEYWORD_ONLY, annotation=BackendDep),
]


def _parameters(request: Request, position: int, backend: Any) -> list[tuple[str, Any]]:
    asked = [(name, value) for name, value in request.path_params.items()]
    asked += [(name, value) for name, value in request.query_params.multi_items() if name != "format"]
    return [
        ("Адрес", request.url.path),
        *asked,
        ("Позиция журнала", position),
        ("Сформирован (UTC)", backend.service.clock()),
    ]


def _file(sheet: Sheet[Any], table: Table, chosen: Format, position: int) -> Response:
    content, media_type = (
        (xlsx_bytes(table), XLSX_MEDIA_TYPE) if chosen is Format.XLSX else (csv_bytes(table), CSV_MEDIA_TYPE)
    )
    name = f"{sheet.file_name}-{position}.{chosen.value}"
    localized = quote(f"{sheet.title}-{position}.{chosen.value}")
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{localized}",
            "Log-Position": str(position),
        },
    )


def _downloadable(endpoint: Callable[..., M], sheet: Sheet[M]) -> Callable[..., M | Response]:
    signature = inspect.signature(endpoint)
    paged = "limit" in signature.parameters

    @functools.wraps(endpoint)
    def answer(
        *args: Any,
        spreadsheet_format: Format | None,
        spreadsheet_request: Request,
        spreadsheet_backend: Any,
        **kwargs: Any,
    ) -> M | Response:
        chosen = negotiated(spreadsheet_format, spreadsheet_request.headers.get("accept"))
        if chosen is Format.JSON:
            return endpoint(*args, **kwargs)
        if paged:
            kwargs.update(limit=SPREADSHEET_ROWS)
        past = [v.position for v in kwargs.values() if isinstance(v, ViewsAt) and v.position is not None]
        position = past[0] if past else spreadsheet_backend.runner.reflected_position()
        report = endpoint(*args, **kwargs)
        rows = list(sheet.rows(report))
        parameters = _parameters(spreadsheet_request, position, spreadsheet_backend)
        parameters += [*sheet.summary(report), ("Строк", len(rows))]
        table = Table(sheet.title, sheet.columns, rows, parameters)
        return _file(sheet, table, chosen, position)

    answer.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*signature.parameters.values(), *_EXTRA_PARAMETERS]
    )
    return answer


def spreadsheet_route(
    router: APIRouter, path: str, sheet: Sheet[M], **route: Any
) -> Callable[[Callable[..., M]], Callable[..., M]]:
    """``router.get(path, **route)`` for a report that also downloads as CSV and XLSX."""

    def register(endpoint: Callable[..., M]) -> Callable[..., M]:
        options = {**route, "responses": {**route.get("responses", {}), **SPREADSHEET_CONTENT}}
        router.get(path, **options)(_downloadable(endpoint, sheet))
        return endpoint

    return register
