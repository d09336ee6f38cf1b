"""Every row of an import checked once, the way a single registration is checked, before
anything is written.

A card's row is read into its fields (``commands.import_rows``), validated by the model the
``RegisterCounterparty`` command uses, bounded in time as the write service bounds every
command, and checked by the aggregate's own rules (``new_profile``: requisites with their
control digits, phones); its ИНН claims are checked against the other rows and against the
log. A contact's row is validated by its model and by ``new_details`` and linked to its
organisation. What passes is kept as checked values with the id the record will have, so the
import's command only turns them into events; what fails is kept with the reason.

Contacts are linked to their organisation by its ИНН or, failing that, its name: among the
cards of the same import first, then among the cards already registered.
"""

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, Field, ValidationError

from aggregates.contact import new_details
from aggregates.counterparty import Counterparty
from aggregates.counterparty_profile import new_profile
from aggregates.employee import Role
from aggregates.errors import DomainError, InvalidValue
from aggregates.requisites import broken_requisites
from aggregates.scope import Actor
from aggregates.stamp import Stamp
from aggregates.tax_id_claim import TaxIdClaim, tax_id_claim_id
from commands.context import Context
from commands.counterparty_commands import PROFILE_KEYS, CounterpartyCard
from commands.fields import Line, Name, Phones
from commands.import_columns import name_key
from commands.import_rows import ContactRow, contact_fields, counterparty_fields, plan_for
from commands.import_tables import read_table
from commands.scope import check_assignable, counterparty_guard
from commands.tax_id_claims import profile_claim_keys
from commands.time_bounds import TimeBounds
from event_store.store import EventStore

Progress = Callable[[int], None]
"""Told how many rows have been checked so far."""
OrganisationsNamed = Callable[[str], list[str]]
"""Ids of the registered cards with this name (any case), for contacts linked by name."""


def random_ids(block: int = 4096) -> Iterator[UUID]:
    """Version 4 UUIDs as ``uuid4`` makes them, from the system's random source, drawn a block
    at a time: a call to the source for each id cost an import of 300,000 rows seconds."""
    while True:
        data = os.urandom(16 * block)
        for start in range(0, len(data), 16):
            yield UUID(bytes=data[start : start + 16], version=4)


@dataclass
class ImportFile:
    data: bytes | str
    encoding: str | None = None
    sheet: str | None = None
    mapping: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RejectedRow:
    line: int
    """The line of the file where the row starts; 1 is the header."""
    reason: str
    file: str = "counterparties"


class ImportedContact(BaseModel):
    full_name: Name
    position: Line | None = None
    role: Line | None = None
    phones: Phones = Field(default_factory=list)
    emails: Annotated[list[Line], Field(max_length=20)] = Field(default_factory=list)


@dataclass(frozen=True)
class CheckedCard:
    line: int
    id: UUID
    manager_id: str
    profile: dict[str, Any]
    """The whole profile, as ``new_profile`` checked it."""
    branch: bool
    keys: list[str]
    """The ИНН claims it takes."""


@dataclass(frozen=True)
class CheckedContact:
    id: UUID
    counterparty_id: str
    existing: bool
    """Whether the organisation is a card already registered rather than one of the import."""
    details: dict[str, Any]
    """As ``new_details`` checked them."""


class RowChecker:
    """Checks rows one by one, keeping the good ones and why the others were refused."""

    def __init__(
        self,
        store: EventStore,
        actor: Actor,
        now: datetime,
        bounds: TimeBounds,
        check_requisites: bool,
        managers: Mapping[str, list[str]],
        progress: Progress | None,
    ) -> None:
        # Loads the employees, claims and cards the rows name; the records themselves are
        # registered under the import command's own stamp.
        self.trial = Context(store, actor, Stamp(actor.employee_id, now, "import-check", "import-check"))
        self.now = now
        self.bounds = bounds
        self.check_requisites = check_requisites
        self.managers = managers
        self.progress = progress
        self.checked_rows = 0
        self.cards: list[CheckedCard] = []
        self.contacts: list[CheckedContact] = []
        self.rejected: list[RejectedRow] = []
        self.warnings: list[RejectedRow] = []
        self.read_as: list[str] = []
        self.file = "counterparties"
        self._claimed_on: dict[str, int] = {}
        self._by_tax_id: dict[str, str] = {}
        self._by_name: dict[str, list[str]] = {}
        self._manager_problems: dict[str | None, str | None] = {}
        self._guarded: dict[str, str | None] = {}
        self._ids = random_ids()

    def _refuse(self, line: int, reason: str) -> None:
        self.rejected.append(RejectedRow(line, reason, self.file))

    def _tick(self) -> None:
        self.checked_rows += 1
        if self.progress and self.checked_rows % 500 == 0:
            self.progress(self.checked_rows)

    def check_counterparties(self, given: ImportFile) -> None:
        self.file = "counterparties"
        table = read_table(given.data, encoding=given.encoding, sheet=given.sheet)
        self.read_as.append(f"counterparties: {table.described}")
        plan = plan_for(table.header, given.mapping, contacts=False)
        checked: list[CheckedCard] = []
        for line, cells in table.rows:
            self._tick()
            fields, problem = counterparty_fields(plan, cells, self.managers)
            found = None if problem else self._check_card(line, fields)
            if problem:
                self._refuse(line, problem)
            elif found:
                checked.append(found)
        self._keep_unclaimed(checked)

    def _check_card(self, line: int, fields: dict[str, Any]) -> CheckedCard | None:
        try:
            card = CounterpartyCard.model_validate(fields)
        except ValidationError as invalid:
            self._refuse(line, validation_reason(invalid))
            return None
        if card.manager_id not in self._manager_problems:
            self._manager_problems[card.manager_id] = _manager_problem(self.trial, card.manager_id)
        if problem := self._manager_problems[card.manager_id]:
            self._refuse(line, problem)
            return None
        try:
            self.bounds.check(card, self.now)
            profile = new_profile(card.model_dump(include=PROFILE_KEYS), self.check_requisites)
            keys = profile_claim_keys(profile, branch=card.branch)
            for key in keys:
                if key in self._claimed_on:
                    raise InvalidValue("tax_id", f"{key} is already on line {self._claimed_on[key]}")
        except DomainError as refused:
            self._refuse(line, domain_reason(refused))
            return None
        if not self.check_requisites:
            for broken in broken_requisites(profile["tax_id"], profile["requisites"]):
                self.warnings.append(RejectedRow(line, f"{broken.field}: {broken.rule}", self.file))
        self._claimed_on.update(dict.fromkeys(keys, line))
        manager_id = card.manager_id or self.trial.actor.employee_id
        return CheckedCard(line, next(self._ids), manager_id, profile, card.branch, keys)

    def _keep_unclaimed(self, checked: list[CheckedCard]) -> None:
        """Refuses the cards whose ИНН another card already holds (the claims of all asked at
        once), and keeps the others."""
        made = self.trial.existing([tax_id_claim_id(key) for found in checked for key in found.keys])
        held = {}
        for claim_id in made:
            claim = self.trial.load(TaxIdClaim, claim_id, "tax_id")
            if claim.held:
                held[claim.key] = claim
        for found in checked:
            try:
                for key in found.keys:
                    if key in held:
                        held[key].check_free_for("")
            except DomainError as refused:
                self._refuse(found.line, domain_reason(refused))
                continue
            card_id, profile = str(found.id), found.profile
            if profile["tax_id"] and not found.branch:
                self._by_tax_id.setdefault(profile["tax_id"], card_id)
            self._by_name.setdefault(name_key(profile["name"]), []).append(card_id)
            self.cards.append(found)
        self.rejected.sort(key=lambda row: (row.file != "counterparties", row.line))

    def check_contacts(self, given: ImportFile, organisations_named: OrganisationsNamed | None) -> None:
        self.file = "contacts"
        table = read_table(given.data, encoding=given.encoding, sheet=given.sheet)
        self.read_as.append(f"contacts: {table.described}")
        plan = plan_for(table.header, given.mapping, contacts=True)
        for line, cells in table.rows:
            self._tick()
            row, problem = contact_fields(plan, cells)
            if problem or row is None:
                self._refuse(line, problem or "the row is empty")
                continue
            place, problem = self._organisation(row, organisations_named)
            if problem or place is None:
                self._refuse(line, problem or "organisation: unknown")
                continue
            try:
                person = ImportedContact.model_validate(row.details)
                details = new_details(person.model_dump())
            except ValidationError as invalid:
                self._refuse(line, validation_reason(invalid))
                continue
            except DomainError as refused:
                self._refuse(line, domain_reason(refused))
                continue
            self.contacts.append(CheckedContact(next(self._ids), place[0], place[1], details))

    def _organisation(
        self, row: ContactRow, organisations_named: OrganisationsNamed | None
    ) -> tuple[tuple[str, bool] | None, str | None]:
        """Where the person works — a card of this import, or one registered (``True``) — by
        ИНН, then name."""
        if row.tax_id:
            if row.tax_id in self._by_tax_id:
                return (self._by_tax_id[row.tax_id], False), None
            claim_id = tax_id_claim_id(row.tax_id)
            if self.trial.exists(claim_id):
                claim = self.trial.load(TaxIdClaim, claim_id, "tax_id")
                if claim.held:
                    return self._existing(claim.counterparty_id)
            return None, f"organisation: no card with ИНН {row.tax_id}"
        if not row.organisation:
            return None, "organisation: give the organisation's ИНН or name"
        named = self._by_name.get(name_key(row.organisation), [])
        if len(named) == 1:
            return (named[0], False), None
        found = organisations_named(row.organisation) if organisations_named and not named else []
        if len(named) > 1 or len(found) > 1:
            return None, f"organisation: several cards are named {row.organisation!r}; give the ИНН"
        if found:
            return self._existing(found[0])
        return None, f"organisation: no card named {row.organisation!r}"

    def _existing(self, counterparty_id: str) -> tuple[tuple[str, bool] | None, str | None]:
        if counterparty_id not in self._guarded:
            try:
                counterparty_guard(
                    self.trial, self.trial.load(Counterparty, counterparty_id, "counterparty_id")
                )
                self._guarded[counterparty_id] = None
            except DomainError as refused:
                self._guarded[counterparty_id] = domain_reason(refused)
        problem = self._guarded[counterparty_id]
        return (None, problem) if problem else ((counterparty_id, True), None)


def _manager_problem(ctx: Context, manager_id: str | None) -> str | None:
    if manager_id is None and ctx.actor.role not in (Role.MANAGER, Role.HEAD_OF_SALES):
        return "manager_id: the importer is not a sales employee, so each row needs a manager_id"
    try:
        check_assignable(ctx, manager_id or ctx.actor.employee_id)
    except DomainError as refused:
        return domain_reason(refused)
    return None


def domain_reason(error: DomainError) -> str:
    if isinstance(error, InvalidValue):
        return f"{error.field}: {error.message}"
    return error.message


def validation_reason(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}" for problem in error.errors()
    )
