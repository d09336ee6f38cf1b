"""Registering counterparties and their contact persons from files, all in one transaction.

The files are read by ``commands.import_tables`` (CSV in UTF-8 or Windows-1251, any usual
separator, or XLSX), their columns placed by ``commands.import_columns``, and every row checked
once, the way a single registration is, by ``commands.import_checks`` before anything is
written. By default one bad row rejects the whole import; either way what is written goes in
one append, so an import is never half done. A dry run stops after the checks and reports what
would be written.

The import's command records what the single commands would — ``Counterparty.Registered``,
the ИНН claims, ``Contact.Registered``, with the same fields and one stamp — but builds the
events from the checked rows directly (``aggregates.new_record``) rather than building each
record's aggregate and checking the row a second time: a hundred thousand rows are written in
the time a few thousand took.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from eventsourcing.domain import Aggregate
from pydantic import ConfigDict

from aggregates.contact import Contact
from aggregates.counterparty import Counterparty
from aggregates.errors import InvalidValue
from aggregates.new_record import NewRecord
from aggregates.scope import Actor
from aggregates.tax_id_claim import TaxIdClaim
from commands.command import Command
from commands.context import Context
from commands.handling import Handlers
from commands.import_checks import (
    CheckedCard,
    CheckedContact,
    ImportFile,
    OrganisationsNamed,
    Progress,
    RejectedRow,
    RowChecker,
)
from commands.import_tables import FileRefused
from commands.scope import check_assignable, counterparty_guard
from commands.service import WriteService
from commands.tax_id_claims import claims_of_new_cards
from letopis.garbage_collector import collector_paused

handlers = Handlers()


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


class CheckedRows:
    """The rows of an import as ``commands.import_checks`` has checked them. Only the checks
    make one: the command trusts what it carries and does not check it again."""

    def __init__(self, cards: list[CheckedCard], contacts: list[CheckedContact]) -> None:
        self.cards = cards
        self.contacts = contacts


class ImportCounterparties(Command):
    """Register the cards and contacts of one import at once: they share a stamp and one transaction."""

    # Not a field pydantic walks: the rows were validated, one by one, as they were checked.
    model_config = ConfigDict(arbitrary_types_allowed=True)

    rows: CheckedRows


def _may_import(ctx: Context, command: ImportCounterparties) -> None:
    for manager_id in sorted({card.manager_id for card in command.rows.cards}):
        check_assignable(ctx, manager_id)
    for counterparty_id in sorted({c.counterparty_id for c in command.rows.contacts if c.existing}):
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
def import_cards(ctx: Context, command: ImportCounterparties) -> list[Aggregate | NewRecord]:
    rows = command.rows
    if not rows.cards and not rows.contacts:
        raise InvalidValue("cards", "an import needs at least one card or contact")
    stamp = ctx.stamp
    cards = [Counterparty.registered(stamp, card.id, card.manager_id, card.profile) for card in rows.cards]
    claims = claims_of_new_cards(ctx, [(str(c.id), c.profile["name"], c.keys) for c in rows.cards])
    managers = {str(card.id): card.manager_id for card in rows.cards}
    for person in rows.contacts:
        if person.existing and person.counterparty_id not in managers:
            organisation = ctx.load(Counterparty, person.counterparty_id, "counterparty_id")
            managers[person.counterparty_id] = organisation.manager_id
    contacts = [
        Contact.registered(stamp, p.id, p.counterparty_id, managers[p.counterparty_id], p.details)
        for p in rows.contacts
    ]
    return [*cards, *claims, *contacts]


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
    with collector_paused():
        given = (
            counterparties
            if isinstance(counterparties, ImportFile) or counterparties is None
            else ImportFile(counterparties)
        )
        checker = RowChecker(
            service.store, actor, service.clock(), service.bounds, check_requisites, managers or {}, progress
        )
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
            linked_to_existing=sum(1 for c in checker.contacts if c.existing),
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
        command = ImportCounterparties(rows=CheckedRows(checker.cards, checker.contacts))
        report.position = service.run(actor, command).position
        return report
