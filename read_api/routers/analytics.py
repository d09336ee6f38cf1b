"""SQL for analysts and the ready analyses, over the analytics store (DuckDB over Parquet).

Raw SQL is for the roles that read everything (analyst, auditor, admin); managers and heads
of sales get the ready analyses, computed over their own clients only."""

from typing import Any

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from aggregates.errors import AccessDenied
from aggregates.scope import reach_of
from analytics.analyses import ANALYSES
from analytics.analyses.registry import find
from analytics.catalogue import catalogue
from analytics.output import plain_rows
from analytics.spreadsheet import result_table
from analytics.sql import QueryResult
from letopis.spreadsheets import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, Table, csv_bytes
from letopis.xlsx import xlsx_bytes
from read_api.deps import BackendDep, CurrentActor
from read_api.schemas import Problem, problems
from read_api.spreadsheet_routes import SPREADSHEET_CONTENT, Format, negotiated

router = APIRouter(tags=["analytics"])

_REFUSED: dict[int | str, dict[str, Any]] = {
    400: {
        "model": Problem,
        "description": "The statement was refused (not one SELECT, or it reaches for files), failed, "
        "ran past the time limit or returned more rows than the limit",
    }
}


class QueryRequest(BaseModel):
    sql: str = Field(min_length=1, max_length=100_000, description="One SELECT over the analytics tables")


class ResultColumn(BaseModel):
    name: str
    type: str = Field(description="The DuckDB type, e.g. DECIMAL(38,2), DATE, VARCHAR")


class QueryAnswer(BaseModel):
    position: int = Field(description="The log position the analytics store reflects")
    columns: list[ResultColumn]
    rows: list[list[Any]] = Field(
        description="Money and quantities as decimal text, days and times in ISO 8601"
    )


class AnalysisAnswer(QueryAnswer):
    name: str
    title: str
    parameters: dict[str, Any] = Field(description="The parameters as applied, defaults included")


class TableColumn(BaseModel):
    name: str
    type: str
    description: str


class AnalyticsTable(BaseModel):
    name: str
    description: str
    columns: list[TableColumn]


class AnalysisInfo(BaseModel):
    name: str
    title: str
    description: str
    parameters: dict[str, Any] = Field(description="The parameters' JSON Schema")


def _download(name: str, table: Table, chosen: Format, position: int) -> Response:
    content, media_type = (
        (xlsx_bytes(table), XLSX_MEDIA_TYPE) if chosen is Format.XLSX else (csv_bytes(table), CSV_MEDIA_TYPE)
    )
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}-{position}.{chosen.value}"',
            "Log-Position": str(position),
        },
    )


def _answer(result: QueryResult) -> dict[str, Any]:
    return {
        "position": result.position,
        "columns": [ResultColumn(name=name, type=type_) for name, type_ in result.columns],
        "rows": plain_rows(result.rows),
    }


READ_ONLY = {"x-read-only": True}
"""Marks a POST that reads: its input (a statement) does not fit a query string."""


@router.post(
    "/analytics/query",
    response_model=QueryAnswer,
    responses={**_REFUSED, **problems(403)},
    openapi_extra=READ_ONLY,
)
async def query_analytics(body: QueryRequest, backend: BackendDep, actor: CurrentActor) -> QueryAnswer:
    """Run one SELECT over the analytics tables (`GET /api/v1/analytics/tables`): read-only, within
    the time and row limits. For analysts, auditors and administrators."""
    if not actor.reads_everything:
        raise AccessDenied("raw SQL is for analysts, auditors and administrators; use the ready analyses")
    result = await run_in_threadpool(backend.analytics.query, body.sql)
    return QueryAnswer(**_answer(result))


@router.get("/analytics/tables", response_model=list[AnalyticsTable])
async def list_analytics_tables(backend: BackendDep, actor: CurrentActor) -> list[AnalyticsTable]:
    """The tables SQL can query and each column, with a line on what it holds."""
    tables = await run_in_threadpool(catalogue, backend.analytics, backend.runner.projections)
    return [
        AnalyticsTable(
            name=table.name,
            description=table.description,
            columns=[TableColumn(name=c.name, type=c.type, description=c.description) for c in table.columns],
        )
        for table in tables
    ]


@router.get("/analytics/analyses", response_model=list[AnalysisInfo])
async def list_analyses(actor: CurrentActor) -> list[AnalysisInfo]:
    """The ready analyses and their parameters."""
    return [
        AnalysisInfo(
            name=a.name, title=a.title, description=a.description, parameters=a.parameters.model_json_schema()
        )
        for a in ANALYSES.values()
    ]


@router.get(
    "/analytics/analyses/{name}",
    response_model=AnalysisAnswer,
    responses={**_REFUSED, **problems(404), **SPREADSHEET_CONTENT},
)
async def run_analysis(
    request: Request,
    backend: BackendDep,
    actor: CurrentActor,
    name: str = Path(
        max_length=100, pattern=r"^[a-z-]+$", description="As `GET /api/v1/analytics/analyses` lists them"
    ),
    format_: Format | None = Query(
        None,
        alias="format",
        description="json (the default), csv or xlsx; the Accept header may ask the same",
    ),
) -> AnalysisAnswer | Response:
    """Run a ready analysis; its other parameters go in the query string. Managers and heads of
    sales get it over the clients within their scope."""
    analysis = find(ANALYSES, name)
    asked = {key: value for key, value in request.query_params.items() if key != "format"}
    parameters = analysis.validated(asked)
    result = await run_in_threadpool(analysis.run, backend.analytics, parameters, reach_of(actor))
    chosen = negotiated(format_, request.headers.get("accept"))
    if chosen is not Format.JSON:
        applied = [("Анализ", analysis.name), *parameters.model_dump().items()]
        return _download(
            analysis.name, result_table(analysis.title, result, applied), chosen, result.position
        )
    return AnalysisAnswer(
        name=analysis.name,
        title=analysis.title,
        parameters=parameters.model_dump(mode="json"),
        **_answer(result),
    )
