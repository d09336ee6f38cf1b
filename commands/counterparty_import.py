"""Registering counterparties and their contact persons from files, all in one transaction.

The files are read by ``commands.import_tables`` (CSV in UTF-8 or Windows-1251, any usual
separator, or XLSX) and their columns placed by ``commands.import_columns``. Every row is
checked the way a single registration is — by the command model, by the aggregate (requisites
with their control digits, phones, e-mails) and against the log (an ИНН another card holds) —
before anything is written. By default one bad row rejects the whole import; either way what
is written goes in one append, so an import is never half done. A dry run stops after the
checks and reports what would be written.

Contacts are linked to their organisation by its ИНН or, failing that, its name: among the
cards of the same import first, then among the cards already registered.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel, Field, ValidationError

from aggregates.contact import Contact
from aggregates.counterparty import Counterparty
from aggregates.employee import Role
from aggregates.errors import DomainError, InvalidValue
from aggregates.requisites import broken_requisites
from aggregates.scope import Actor
from aggregates.stamp import Stamp
from aggregates.tax_id_claim import TaxIdClaim, tax_id_claim_id
from commands.command import Command
from commands.context import Context
from commands.counterparty_commands import PROFILE_KEYS, CounterpartyCard
from commands.fields import EntityId, Line, Name, Phones
from commands.handling import Handlers
from commands.import_columns import name_key
from commands.import_rows import ContactRow, contact_fields, counterparty_fields, plan_for
from commands.import_tables import FileRefused, read_table
from commands.scope import check_assignable, counterparty_guard
from commands.service import WriteService
from commands.tax_id_claims import claim_keys, claims_of_new_cards

handlers = Handlers()

Progress = Callable[[int], None]
"""Told how many rows have been checked so far."""
OrganisationsNamed = Callable[[str], list[str]]
"""Ids of the registered cards with this name (any case), for contacts linked by name."""


@dataclass(frozen=True)
class RejectedRow:
    line: int
    """The line of the file where the row starts; 1 is the header."""
    reason: str
    file: str = "counterparties"


@dataclass
class ImportReport:
    imported: int
    rejected: list[RejectedRow]
    position: int
    """The log position a reader can wait for; 0 when nothing was written."""
    contacts: int = 0
    linked_to_existing: int = 0
    """Contacts added to cards already registered: the import merges them into those cards."""
    warnings: list[RejectedRow] = field(default_factory=list)
    """Requisites that break their rules, kept as they are by a legacy import."""
    read_as: list[str] = field(default_factory=list)
    dry_run: bool = False


class ImportedContact(BaseModel):
    full_name: Name
    position: Line | None = None
    role: Line | None = None
    phones: Phones = Field(default_factory=list)
    emails: Annotated[list[Line], Field(max_length=20)] = Field(default_factory=list)
    card: int | None = Field(None, ge=0, description="The index of the import's card the person works for")
    counterparty_id: EntityId | None = Field(None, description="A card already registered")


class ImportCounterparties(Command):
    """Register the cards and contacts of one import at once: they share a stamp and one transaction."""

    cards: list[CounterpartyCard] = Field(default_factory=list)
    contacts: list[ImportedContact] = Field(default_factory=list)
    check_requisites: bool = True


def _manager_of(ctx: Context, card: CounterpartyCard) -> str:
    return card.manager_id or ctx.actor.employee_id


def _may_import(ctx: Context, command: ImportCounterparties) -> None:
    for manager_id in sorted({_manager_of(ctx, card) for card in command.cards}):
        check_assignable(ctx, manager_id)
    for counterparty_id in sorted({c.counterparty_id for c in command.contacts if c.counterparty_id}):
        counterparty_guard(ctx, ctx.load(Counterparty, counterparty_id, "counterparty_id"))


@handlers.handles(
    ImportCounterparties,
    "counterparty.import",
    Counterparty.Registered,
    TaxIdClaim.Claimed,
    TaxIdClaim.Reclaimed,
    Contact.Registered,
    authorize=_may_import,
)
def import_cards(ctx: Context, command: ImportCounterparties) -> list[Counterparty | TaxIdClaim | Contact]:
    if not command.cards and not command.contacts:
        raise InvalidValue("cards", "an import needs at least one card or contact")
    cards = [
        _register(ctx.stamp, _manager_of(ctx, card), card, command.check_requisites) for card in command.cards
    ]
    claims = claims_of_new_cards(
        ctx, [(card, given.branch) for card, given in zip(cards, command.cards, strict=True)]
    )
    contacts = []
    for person in command.contacts:
        organisation = (
            cards[person.card]
            if person.card is not None
            else ctx.load(Counterparty, person.counterparty_id or "", "counterparty_id")
        )
        details = person.model_dump(exclude={"card", "counterparty_id"})
        contacts.append(
            Contact.register(
                ctx.stamp, counterparty_id=str(organisation.id), manager_id=organisation.manager_id, **details
            )
        )
    return [*cards, *claims, *contacts]


def _register(stamp: Stamp, manager_id: str, card: CounterpartyCard, check_requisites: bool) -> Counterparty:
    return Counterparty.register(
        stamp,
        manager_id=manager_id,
        check_requisites=check_requisites,
        **card.model_dump(include=PROFILE_KEYS),
    )


@dataclass
class ImportFile:
    data: bytes | str
    encoding: str | None = None
    sheet: str | None = None
    mapping: Mapping[str, str] = field(default_factory=dict)


def import_counterparties(
    service: WriteService,
    actor: Actor,
    counterparties: bytes | str | ImportFile | None,
    *,
    contacts: ImportFile | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    check_requisites: bool = True,
    managers: Mapping[str, list[str]] | None = None,
    organisations_named: OrganisationsNamed | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """``managers``: employee ids by ``import_columns.name_key`` of their names, for a
    responsible manager given by name."""
    given = (
        counterparties
        if isinstance(counterparties, ImportFile) or counterparties is None
        else ImportFile(counterparties)
    )
    checker = _Checker(service, actor, check_requisites, managers or {}, progress)
    try:
        if given is not None:
            checker.check_counterparties(given)
        if contacts is not None:
            checker.check_contacts(contacts, organisations_named)
    except FileRefused as refused:
        return ImportReport(
            0, [RejectedRow(refused.line, refused.reason, checker.file)], 0, read_as=checker.read_as
        )
    report = ImportReport(
        imported=len(checker.cards),
        rejected=checker.rejected,
        position=0,
        contacts=len(checker.contacts),
        linked_to_existing=sum(1 for c in checker.contacts if c.counterparty_id),
        warnings=checker.warnings,
        read_as=checker.read_as,
        dry_run=dry_run,
    )
    nothing = not checker.cards and not checker.contacts
    if nothing or (checker.rejected and not skip_invalid):
        report.imported = report.contacts = report.linked_to_existing = 0
        return report
    if dry_run:
        return report
    command = ImportCounterparties(
        cards=checker.cards, contacts=checker.contacts, check_requisites=check_requisites
    )
    report.position = service.run(actor, command).position
    return report


@dataclass(frozen=True)
class _CheckedCard:
    line: int
    card: CounterpartyCard
    registered: Counterparty
    keys: list[str]


class _Checker:
    """Checks rows one by one, keeping the good ones and why the others were refused."""

    def __init__(
        self,
        service: WriteService,
        actor: Actor,
        check_requisites: bool,
        managers: Mapping[str, list[str]],
        progress: Progress | None,
    ) -> None:
        # The aggregate checks what the command model cannot; this stamp only lets it run,
        # the cards themselves are registered under the import's stamp.
        stamp = Stamp(actor.employee_id, service.clock(), "import-check", "import-check")
        self.trial = Context(service.store, actor, stamp)
        self.check_requisites = check_requisites
        self.managers = managers
        self.progress = progress
        self.checked_rows = 0
        self.cards: list[CounterpartyCard] = []
        self.contacts: list[ImportedContact] = []
        self.rejected: list[RejectedRow] = []
        self.warnings: list[RejectedRow] = []
        self.read_as: list[str] = []
        self.file = "counterparties"
        self._claimed_on: dict[str, int] = {}
        self._by_tax_id: dict[str, int] = {}
        self._by_name: dict[str, list[int]] = {}
        self._manager_problems: dict[str | None, str | None] = {}
        self._guarded: dict[str, str | None] = {}

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
        checked: list[_CheckedCard] = []
        for line, cells in table.rows:
            self._tick()
            fields, problem = counterparty_fields(plan, cells, self.managers)
            found = None if problem else self._check_card(line, fields)
            if problem:
                self._refuse(line, problem)
            elif found:
                checked.append(found)
        self._keep_unclaimed(checked)

    def _check_card(self, line: int, fields: dict[str, Any]) -> "_CheckedCard | None":
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
            registered = _register(
                self.trial.stamp, _manager_of(self.trial, card), card, self.check_requisites
            )
            keys = claim_keys(registered, branch=card.branch)
            for key in keys:
                if key in self._claimed_on:
                    raise InvalidValue("tax_id", f"{key} is already on line {self._claimed_on[key]}")
        except DomainError as refused:
            self._refuse(line, domain_reason(refused))
            return None
        if not self.check_requisites:
            profile = registered.profile
            for broken in broken_requisites(profile["tax_id"], profile["requisites"]):
                self.warnings.append(RejectedRow(line, f"{broken.field}: {broken.rule}", self.file))
        self._claimed_on.update(dict.fromkeys(keys, line))
        return _CheckedCard(line, card, registered, keys)

    def _keep_unclaimed(self, checked: "list[_CheckedCard]") -> None:
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
            index = len(self.cards)
            if found.card.tax_id and not found.card.branch:
                self._by_tax_id.setdefault(found.registered.profile["tax_id"], index)
            self._by_name.setdefault(name_key(found.registered.name), []).append(index)
            self.cards.append(found.card)
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
            if problem:
                self._refuse(line, problem)
                continue
            try:
                person = ImportedContact.model_validate({**row.details, **place})
                Contact.register(
                    self.trial.stamp,
                    counterparty_id="-",
                    manager_id="-",
                    **person.model_dump(exclude={"card", "counterparty_id"}),
                )
            except ValidationError as invalid:
                self._refuse(line, validation_reason(invalid))
                continue
            except DomainError as refused:
                self._refuse(line, domain_reason(refused))
                continue
            self.contacts.append(person)

    def _organisation(
        self, row: ContactRow, organisations_named: OrganisationsNamed | None
    ) -> tuple[dict[str, Any], str | None]:
        """Where the person works: a card of this import or one registered, by ИНН, then name."""
        if row.tax_id:
            if row.tax_id in self._by_tax_id:
                return {"card": self._by_tax_id[row.tax_id]}, None
            claim_id = tax_id_claim_id(row.tax_id)
            if self.trial.exists(claim_id):
                claim = self.trial.load(TaxIdClaim, claim_id, "tax_id")
                if claim.held:
                    return self._existing(claim.counterparty_id)
            return {}, f"organisation: no card with ИНН {row.tax_id}"
        if not row.organisation:
            return {}, "organisation: give the organisation's ИНН or name"
        named = self._by_name.get(name_key(row.organisation), [])
        if len(named) == 1:
            return {"card": named[0]}, None
        found = organisations_named(row.organisation) if organisations_named and not named else []
        if len(named) > 1 or len(found) > 1:
            return {}, f"organisation: several cards are named {row.organisation!r}; give the ИНН"
        if found:
            return self._existing(found[0])
        return {}, f"organisation: no card named {row.organisation!r}"

    def _existing(self, counterparty_id: str) -> tuple[dict[str, Any], str | None]:
        if counterparty_id not in self._guarded:
            try:
                counterparty_guard(
                    self.trial, self.trial.load(Counterparty, counterparty_id, "counterparty_id")
                )
                self._guarded[counterparty_id] = None
            except DomainError as refused:
                self._guarded[counterparty_id] = domain_reason(refused)
        problem = self._guarded[counterparty_id]
        return ({}, problem) if problem else ({"counterparty_id": counterparty_id}, None)


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
