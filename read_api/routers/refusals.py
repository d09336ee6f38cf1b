"""Why clients refuse: the refusals report, and the list of reasons a refusal names."""

from collections.abc import Iterable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from aggregates.errors import InvalidValue
from commands.fields import Day
from commands.refusal_reason_commands import AddRefusalReason, ReasonCode, RetireRefusalReason
from letopis.spreadsheets import Column, Kind
from projections.refusals import RefusalGrouping, active_refusal_reasons, refusals_report
from read_api.deps import BackendDep, CurrentActor, ReadAfter, Write
from read_api.schemas import WRITE, WriteResult
from read_api.spreadsheet_routes import Sheet, spreadsheet_route

router = APIRouter(tags=["refusals"])


class RefusalReason(BaseModel):
    code: str
    label: str


class ReasonCount(BaseModel):
    code: str
    label: str
    count: int


class RefusalGroup(BaseModel):
    key: str | None = Field(description="Reason code, manager id or catalogue item id; none: no product")
    label: str | None = Field(description="The reason's label, the manager's name or the item's name")
    count: int
    reasons: list[ReasonCount] = Field(description="How the group's refusals split by reason")


class RefusalsReport(BaseModel):
    group_by: RefusalGrouping
    since: date | None
    until: date | None
    total: int = Field(description="Refusals in the period and scope")
    groups: list[RefusalGroup]


def _reason_rows(report: RefusalsReport) -> Iterable[dict[str, Any]]:
    for group in report.groups:
        for reason in group.reasons:
            yield {
                "key": group.key,
                "label": group.label,
                "group_count": group.count,
                "reason_code": reason.code,
                "reason_label": reason.label,
                "count": reason.count,
            }


REFUSALS_SHEET = Sheet(
    "Отказы",
    "refusals",
    [
        Column("key", "Группа"),
        Column("label", "Название группы"),
        Column("group_count", "Отказов в группе", Kind.INTEGER),
        Column("reason_code", "Код причины"),
        Column("reason_label", "Причина"),
        Column("count", "Отказов по причине", Kind.INTEGER),
    ],
    _reason_rows,
    lambda report: [("Группировка", report.group_by.value), ("Всего отказов", report.total)],
)


@spreadsheet_route(
    router, "/reports/refusals", REFUSALS_SHEET, response_model=RefusalsReport, dependencies=[ReadAfter]
)
def get_refusals_report(
    backend: BackendDep,
    actor: CurrentActor,
    group_by: RefusalGrouping = RefusalGrouping.REASON,
    since: Day | None = None,
    until: Day | None = None,
) -> RefusalsReport:
    if since is not None and until is not None and until < since:
        raise InvalidValue("until", f"the period ends ({until}) before it starts ({since})", location="query")
    with backend.views.reading() as cursor:
        refusals, groups = refusals_report(cursor, actor, group_by, since, until)
    return RefusalsReport(
        group_by=group_by,
        since=since,
        until=until,
        total=refusals,
        groups=[RefusalGroup(**group) for group in groups],
    )


@router.get("/refusal-reasons", response_model=list[RefusalReason], dependencies=[ReadAfter])
def list_refusal_reasons(backend: BackendDep, _actor: CurrentActor) -> list[RefusalReason]:
    with backend.views.reading() as cursor:
        return [RefusalReason(**reason) for reason in active_refusal_reasons(cursor)]


@router.post("/refusal-reasons", status_code=201, responses=WRITE)
def add_refusal_reason(command: AddRefusalReason, write: Write) -> WriteResult:
    return write(command)


@router.delete("/refusal-reasons/{code}", responses=WRITE)
def retire_refusal_reason(code: Annotated[ReasonCode, Path()], write: Write) -> WriteResult:
    return write(RetireRefusalReason(code=code))
