"""Registering counterparties from a CSV file, all of them in one transaction.

The header names the fields of ``RegisterCounterparty``; ``attr:<name>``, ``class:<name>``
and ``req:<name>`` columns fill the attributes, classifiers and requisites. A cell holding
several values (phones, tags, classifier values) separates them with ``;`` or ``|``.

Every row is checked the way a single registration is, by the command model and by the
aggregate itself, before anything is written. By default one bad row rejects the file;
either way, what is written goes in one append, so an import is never half done.
"""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field, ValidationError

from aggregates.counterparty import Counterparty
from aggregates.employee import Role
from aggregates.errors import DomainError, InvalidValue
from aggregates.scope import Actor
from aggregates.stamp import Stamp
from commands.command import Command
from commands.context import Context
from commands.counterparty_commands import PROFILE_KEYS, CounterpartyCard
from commands.handling import Handlers
from commands.scope import check_assignable
from commands.service import WriteService

handlers = Handlers()

PLAIN_COLUMNS = (
    "name",
    "legal_form",
    "kind",
    "tax_id",
    "industry",
    "region",
    "activity",
    "lead_source",
    "manager_id",
)
LIST_COLUMNS = ("phones", "loyalty_reasons", "interests", "competitor_products")
PREFIXED_COLUMNS = {"attr": "attributes", "class": "classifiers", "req": "requisites"}
_VALUE_SEPARATOR = re.compile(r"[;|]")


@dataclass(frozen=True)
class RejectedRow:
    line: int
    """The line of the file where the row starts; 1 is the header."""
    reason: str


@dataclass(frozen=True)
class ImportReport:
    imported: int
    rejected: list[RejectedRow]
    position: int
    """The log position a reader can wait for; 0 when nothing was written."""


class ImportCounterparties(Command):
    """Register the cards of one file at once: they share a stamp and one transaction."""

    cards: Annotated[list[CounterpartyCard], Field(min_length=1)]


def _manager_of(ctx: Context, card: CounterpartyCard) -> str:
    return card.manager_id or ctx.actor.employee_id


def _may_import(ctx: Context, command: ImportCounterparties) -> None:
    for manager_id in sorted({_manager_of(ctx, card) for card in command.cards}):
        check_assignable(ctx, manager_id)


@handlers.handles(ImportCounterparties, "counterparty.import", Counterparty.Registered, authorize=_may_import)
def import_cards(ctx: Context, command: ImportCounterparties) -> list[Counterparty]:
    return [_register(ctx.stamp, _manager_of(ctx, card), card) for card in command.cards]


def _register(stamp: Stamp, manager_id: str, card: CounterpartyCard) -> Counterparty:
    return Counterparty.register(stamp, manager_id=manager_id, **card.model_dump(include=PROFILE_KEYS))


class _FileRejected(Exception):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.rejection = RejectedRow(line, reason)


@dataclass(frozen=True)
class _Record:
    """A row as read from the file: command fields, or why they could not be read."""

    line: int
    fields: dict[str, Any]
    problem: str | None = None


def import_counterparties(
    service: WriteService, actor: Actor, text: str, *, skip_invalid: bool = False
) -> ImportReport:
    try:
        checked, rejected = _check_rows(service, actor, _read_rows(text))
    except _FileRejected as refused:
        return ImportReport(imported=0, rejected=[refused.rejection], position=0)
    if not checked or (rejected and not skip_invalid):
        return ImportReport(imported=0, rejected=rejected, position=0)
    outcome = service.run(actor, ImportCounterparties(cards=checked))
    return ImportReport(imported=len(checked), rejected=rejected, position=outcome.position)


def _check_rows(
    service: WriteService, actor: Actor, records: Iterator[_Record]
) -> tuple[list[CounterpartyCard], list[RejectedRow]]:
    checked: list[CounterpartyCard] = []
    rejected: list[RejectedRow] = []
    tax_id_lines: dict[str, int] = {}
    manager_problems: dict[str | None, str | None] = {}
    # The aggregate checks what the command model cannot (phone numbers, INN lengths); this
    # stamp only lets it run, the cards themselves are registered under the import's stamp.
    trial = Context(
        service.store, actor, Stamp(actor.employee_id, service.clock(), "import-check", "import-check")
    )
    for record in records:
        line = record.line
        if record.problem:
            rejected.append(RejectedRow(line, record.problem))
            continue
        try:
            card = CounterpartyCard.model_validate(record.fields)
        except ValidationError as invalid:
            rejected.append(RejectedRow(line, _validation_reason(invalid)))
            continue
        if card.manager_id not in manager_problems:
            manager_problems[card.manager_id] = _manager_problem(trial, card.manager_id)
        problem = manager_problems[card.manager_id]
        if problem:
            rejected.append(RejectedRow(line, problem))
            continue
        try:
            tax_id = _register(trial.stamp, _manager_of(trial, card), card).profile["tax_id"]
        except DomainError as refused:
            rejected.append(RejectedRow(line, _domain_reason(refused)))
            continue
        if tax_id and tax_id in tax_id_lines:
            rejected.append(RejectedRow(line, f"tax_id: {tax_id} is already on line {tax_id_lines[tax_id]}"))
            continue
        if tax_id:
            tax_id_lines[tax_id] = line
        checked.append(card)
    return checked, rejected


def _manager_problem(ctx: Context, manager_id: str | None) -> str | None:
    if manager_id is None and ctx.actor.role not in (Role.MANAGER, Role.HEAD_OF_SALES):
        return "manager_id: the importer is not a sales employee, so each row needs a manager_id"
    try:
        check_assignable(ctx, manager_id or ctx.actor.employee_id)
    except DomainError as refused:
        return _domain_reason(refused)
    return None


def _domain_reason(error: DomainError) -> str:
    if isinstance(error, InvalidValue):
        return f"{error.field}: {error.message}"
    return error.message


def _validation_reason(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}" for problem in error.errors()
    )


def _read_rows(text: str) -> Iterator[_Record]:
    """Each non-blank row, with the line it starts on."""
    text = text.removeprefix("\ufeff")
    header_line = text.partition("\n")[0]
    # The header holds only column names, so whichever separator it uses more is the one.
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header = _header(_next_record(reader))
    while True:
        line = reader.line_num + 1
        cells = _next_record(reader)
        if cells is None:
            return
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            yield _Record(line, {}, f"the row has {len(cells)} cells where the header has {len(header)}")
        else:
            yield _Record(line, _fields(header, cells))


def _next_record(reader: Any) -> list[str] | None:
    try:
        return next(reader, None)
    except csv.Error as malformed:
        raise _FileRejected(reader.line_num, f"malformed CSV: {malformed}") from None


def _header(record: list[str] | None) -> list[str]:
    if record is None:
        raise _FileRejected(1, "the file is empty: a header row is needed")
    header = [cell.strip() for cell in record]
    unknown = [column for column in header if not _known_column(column)]
    if unknown:
        expected = ", ".join((*PLAIN_COLUMNS, *LIST_COLUMNS, *(f"{p}:<name>" for p in PREFIXED_COLUMNS)))
        raise _FileRejected(1, f"unknown columns {', '.join(map(repr, unknown))}; the columns are {expected}")
    repeated = sorted({column for column in header if header.count(column) > 1})
    if repeated:
        raise _FileRejected(1, f"columns appear twice: {', '.join(repeated)}")
    if "name" not in header:
        raise _FileRejected(1, "the header has no 'name' column")
    return header


def _known_column(column: str) -> bool:
    prefix, colon, key = column.partition(":")
    if colon:
        return prefix in PREFIXED_COLUMNS and bool(key.strip())
    return column in PLAIN_COLUMNS or column in LIST_COLUMNS


def _fields(header: list[str], record: list[str]) -> dict[str, Any]:
    """Blank cells are left out, so the command's defaults apply."""
    fields: dict[str, Any] = {}
    for column, cell in zip(header, record, strict=True):
        value = cell.strip()
        if not value:
            continue
        prefix, colon, key = column.partition(":")
        if colon:
            entry = _values(value) if prefix == "class" else value
            fields.setdefault(PREFIXED_COLUMNS[prefix], {})[key.strip()] = entry
        elif column in LIST_COLUMNS:
            fields[column] = _values(value)
        else:
            fields[column] = value
    return fields


def _values(cell: str) -> list[str]:
    return [value.strip() for value in _VALUE_SEPARATOR.split(cell) if value.strip()]
