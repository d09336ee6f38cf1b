"""/bonuses and /bonus-rules: statements recomputed from the log, what-ifs under a candidate
rule set, approvals, and the rule versions (FEATURES F2, K3).

Managers see their own statements, heads of sales their department's, auditors, analysts and
administrators everyone's."""

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from aggregates.bonus_approval import BonusApproval, approval_id
from aggregates.bonus_rule_book import RULE_BOOK_ID, BonusRuleBook
from aggregates.bonus_rule_set import rule_set
from aggregates.errors import InvalidValue, NotFound, RuleViolated
from aggregates.period import Period, parse_period
from aggregates.role import Role
from aggregates.scope import Actor, Responsible, covers
from commands.bonus_commands import AdoptBonusRules, ApproveBonusStatements, BonusRuleSet, NameBonusRole
from commands.fields import EntityId, Line
from projections.employee_directory import find_employee
from read_api.deps import Backend, BackendDep, CurrentActor, Write
from read_api.schemas import READ_ONE, WRITE, DecimalText, WriteResult, problems
from read_api.time_travel import POSITION_HEADER, AsOf, AtPosition, KnownAt
from replay.bonus_statement import (
    Replayed,
    replay_bonus_facts,
    rules_in_force,
    statements,
    what_if,
)

router = APIRouter(tags=["bonuses"])

WHAT_IF = problems(400, 403, 404, 409)
"""A what-if may find no rule version in force, or no rate for a cap in another currency."""

PeriodText = Annotated[Line, Query(description="A month (2026-10) or a year (2026)")]


class BonusLine(BaseModel):
    kind: str = Field(description="payment, team share, cap or clawback")
    rule: str = Field(description="The rule applied, in words")
    percent: DecimalText | None
    base: DecimalText = Field(description="The money the rule applied to")
    currency: str
    amount: DecimalText
    on: date
    payment_id: str | None
    contract_id: str | None
    contract_number: str | None


class CurrencyAmount(BaseModel):
    currency: str
    amount: DecimalText


class RateUsed(BaseModel):
    currency: str
    rub_per_unit: DecimalText
    on: date = Field(description="The day the rate was recorded for")
    source: str


class BonusStatement(BaseModel):
    employee_id: str
    full_name: str | None
    period: str
    rules_version: int | None
    lines: list[BonusLine]
    totals: list[CurrencyAmount]
    total_rub: DecimalText | None = Field(
        description="Converted at the rates named; None when one is missing"
    )
    rates: list[RateUsed]
    missing_rates: list[str]


class BonusStatements(BaseModel):
    period: str
    position: int = Field(description="The log position computed at: pass it back to reproduce this")
    events_read: int
    statements: list[BonusStatement]


class WhatIfRequest(BaseModel):
    period: Line = Field(description="A month (2026-10) or a year (2026)")
    rules: BonusRuleSet
    position: Annotated[int, Field(ge=1, le=2**62)] | None = None


class WhatIfRow(BaseModel):
    employee_id: str
    full_name: str | None
    currency: str
    in_force: DecimalText
    candidate: DecimalText
    difference: DecimalText


class WhatIf(BaseModel):
    period: str
    position: int
    rows: list[WhatIfRow]


class RuleVersionEntry(BaseModel):
    number: int
    effective_from: date
    effective_until: date | None
    rules: dict[str, Any]
    reason: str


class RuleBook(BaseModel):
    managing_role: str | None = Field(description="Besides administrators, who adopts rules and approves")
    versions: list[RuleVersionEntry]


class Approval(BaseModel):
    period: str
    rules_version: int
    position: int
    approved_by: str
    approved_at: datetime
    note: str


class _Readers:
    """Who of the statements' employees the actor may see, with their names."""

    def __init__(self, backend: Backend, actor: Actor, employee_ids: set[str]) -> None:
        with backend.views.reading() as cursor:
            self.employees = {employee_id: find_employee(cursor, employee_id) for employee_id in employee_ids}
        self.actor = actor

    def name(self, employee_id: str) -> str | None:
        employee = self.employees.get(employee_id)
        return None if employee is None else employee.full_name

    def sees(self, employee_id: str) -> bool:
        if self.actor.role == Role.MANAGER:
            return employee_id == self.actor.employee_id
        employee = self.employees.get(employee_id)
        if employee is None:
            return self.actor.reads_everything
        return covers(self.actor, Responsible(employee_id, employee.team, employee.department))


def _replayed(backend: Backend, position: int | None, as_of: datetime | None = None) -> Replayed:
    return replay_bonus_facts(backend.runner.source, position, as_of=as_of)


def _period(text: str, location: str) -> Period:
    return parse_period(text, "period", location)


@router.get("/bonuses", response_model=BonusStatements, responses=READ_ONE)
def get_bonus_statements(
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    period: PeriodText,
    rules: Annotated[
        int | None, Query(ge=1, le=100_000, description="A rule version; by default each month's in force")
    ] = None,
    manager_id: Annotated[EntityId | None, Query(description="Only this employee's statement")] = None,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    at_position: AtPosition = None,
) -> BonusStatements:
    """As the log stands, or at a past moment (``read_api.time_travel``): the answer names the
    log position it was computed at, in its body and its ``Log-Position`` header."""
    asked = _period(period, "query")
    moment = backend.past.moment(as_of, known_at, at_position)
    if moment is None:
        replayed = _replayed(backend, None)
    else:
        replayed = _replayed(backend, moment.position, moment.as_of)
    response.headers[POSITION_HEADER] = str(replayed.position)
    try:
        computed = statements(replayed.facts, asked, rules_in_force(replayed.facts, rules, "query"))
    except RuleViolated as cannot:
        # A read does not conflict: the period asked for is one the rules cannot compute.
        raise InvalidValue("period", cannot.message, "query") from None
    found = [s for s in computed if manager_id is None or s.employee_id == manager_id]
    readers = _Readers(backend, actor, {s.employee_id for s in found})
    return BonusStatements(
        period=asked.key,
        position=replayed.position,
        events_read=replayed.events,
        statements=[
            BonusStatement(
                employee_id=s.employee_id,
                full_name=readers.name(s.employee_id),
                period=s.period,
                rules_version=s.rules_version,
                lines=[BonusLine(**vars(line)) for line in s.lines],
                totals=[CurrencyAmount(currency=c, amount=a) for c, a in sorted(s.totals.items())],
                total_rub=s.converted,
                rates=[RateUsed(**vars(rate)) for rate in s.rates],
                missing_rates=s.missing_rates,
            )
            for s in found
            if readers.sees(s.employee_id)
        ],
    )


@router.post(
    "/bonuses/what-if",
    response_model=WhatIf,
    responses=WHAT_IF,
    openapi_extra={"x-writes": False},
)
def bonus_what_if(request: WhatIfRequest, backend: BackendDep, actor: CurrentActor) -> WhatIf:
    """The period under the rules in force and under a candidate rule set, per employee.
    Nothing is written: the candidate is not adopted."""
    asked = _period(request.period, "body")
    candidate = rule_set(request.rules.model_dump(mode="json"))
    replayed = _replayed(backend, request.position)
    rows = what_if(replayed.facts, asked, candidate)
    readers = _Readers(backend, actor, {row.employee_id for row in rows})
    return WhatIf(
        period=asked.key,
        position=replayed.position,
        rows=[
            WhatIfRow(
                employee_id=row.employee_id,
                full_name=readers.name(row.employee_id),
                currency=row.currency,
                in_force=row.in_force,
                candidate=row.candidate,
                difference=row.difference,
            )
            for row in rows
            if readers.sees(row.employee_id)
        ],
    )


@router.post("/bonuses/approvals", status_code=201, responses=WRITE)
def approve_bonus_statements(command: ApproveBonusStatements, write: Write) -> WriteResult:
    return write(command)


@router.get("/bonuses/approvals/{period}", response_model=Approval, responses=READ_ONE)
def get_bonus_approval(
    period: Annotated[Line, Path(description="The month, e.g. 2026-10")],
    backend: BackendDep,
    _actor: CurrentActor,
) -> Approval:
    asked = _period(period, "path")
    try:
        approval = backend.service.store.get(approval_id(asked), BonusApproval)
    except NotFound:
        raise NotFound(f"the statements of {asked.key} are not approved") from None
    [approved] = backend.service.store.events_of(approval.id)
    return Approval(
        period=approved.period,
        rules_version=approved.rules_version,
        position=approved.position,
        approved_by=approved.actor,
        approved_at=approved.occurred_at,
        note=approved.note,
    )


@router.get("/bonus-rules", response_model=RuleBook)
def get_bonus_rules(backend: BackendDep, _actor: CurrentActor) -> RuleBook:
    try:
        book = backend.service.store.get(RULE_BOOK_ID, BonusRuleBook)
    except NotFound:
        return RuleBook(managing_role=None, versions=[])
    return RuleBook(
        managing_role=None if book.managing_role is None else book.managing_role.value,
        versions=[
            RuleVersionEntry(
                number=v.number,
                effective_from=v.effective_from,
                effective_until=v.effective_until,
                rules=v.rules,
                reason=v.reason,
            )
            for v in book.versions
        ],
    )


@router.post("/bonus-rules", status_code=201, responses=WRITE)
def adopt_bonus_rules(command: AdoptBonusRules, write: Write) -> WriteResult:
    return write(command)


@router.put("/bonus-rules/managing-role", responses=WRITE)
def name_bonus_role(command: NameBonusRole, write: Write) -> WriteResult:
    return write(command)
