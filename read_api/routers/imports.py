"""/imports: counterparties and their contacts brought in from files, as ``crm import`` does."""

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from aggregates.employee import Role
from aggregates.errors import AccessDenied, InvalidValue
from commands.counterparty_import import ImportReport
from commands.import_checks import ImportFile
from commands.import_columns import parse_mapping
from letopis.importing import run_import
from read_api.deps import BackendDep, CurrentActor
from read_api.schemas import WRITE

router = APIRouter(prefix="/imports", tags=["imports"])

MAX_UPLOAD = 200 * 1024 * 1024
"""Bytes a file may have: 100,000 cards with their requisites fit in a tenth of it."""
_IMPORTERS = (Role.ADMIN, Role.HEAD_OF_SALES)


class RejectedRowAnswer(BaseModel):
    file: str
    line: int
    reason: str


class ImportAnswer(BaseModel):
    written: bool
    """Whether anything was written: false for a dry run and for an import one bad row refused."""
    dry_run: bool
    imported: int
    contacts: int
    linked_to_existing: int
    rejected: list[RejectedRowAnswer]
    warnings: list[RejectedRowAnswer]
    read_as: list[str]
    position: int


async def _given(
    upload: UploadFile | None, field: str, *, encoding: str | None, sheet: str | None, mapping: dict[str, str]
) -> ImportFile | None:
    if upload is None:
        return None
    data = await upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise InvalidValue(field, f"the file is larger than {MAX_UPLOAD // 1024 // 1024} MB")
    return ImportFile(data, encoding, sheet, mapping)


@router.post("/counterparties", response_model=ImportAnswer, responses=WRITE)
async def import_counterparties(
    backend: BackendDep,
    actor: CurrentActor,
    counterparties: Annotated[UploadFile | None, File(description="CSV or XLSX of counterparties")] = None,
    contacts: Annotated[UploadFile | None, File(description="CSV or XLSX of their contact persons")] = None,
    encoding: Annotated[str | None, Form(description="utf-8 or cp1251; default: detected")] = None,
    sheet: Annotated[str | None, Form(max_length=31, description="The XLSX sheet to read")] = None,
    map: Annotated[list[str] | None, Form(description='"Title=field" for titles not known')] = None,
    skip_invalid: Annotated[bool, Form()] = False,
    dry_run: Annotated[bool, Form()] = False,
) -> ImportAnswer:
    """Register counterparties and contacts from files in one transaction, as `crm import
    counterparties` does; answers with the report. For administrators and heads of sales."""
    if actor.role not in _IMPORTERS:
        raise AccessDenied("imports are for administrators and heads of sales")
    if counterparties is None and contacts is None:
        raise InvalidValue("counterparties", "send a file of counterparties, of contacts, or both")
    try:
        mapping = parse_mapping(map or [])
    except ValueError as refused:
        raise InvalidValue("map", str(refused)) from None
    cards = await _given(counterparties, "counterparties", encoding=encoding, sheet=sheet, mapping=mapping)
    people = await _given(contacts, "contacts", encoding=encoding, sheet=sheet, mapping=mapping)
    report: ImportReport = await run_in_threadpool(
        run_import, backend, actor, cards, people, skip_invalid=skip_invalid, dry_run=dry_run
    )
    return ImportAnswer(
        written=report.position > 0,
        dry_run=report.dry_run,
        imported=report.imported,
        contacts=report.contacts,
        linked_to_existing=report.linked_to_existing,
        rejected=[RejectedRowAnswer(file=r.file, line=r.line, reason=r.reason) for r in report.rejected],
        warnings=[RejectedRowAnswer(file=r.file, line=r.line, reason=r.reason) for r in report.warnings],
        read_as=report.read_as,
        position=report.position,
    )
