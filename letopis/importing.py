"""An import as the command line and the web API run it: the employees and cards it may name
looked up in the views, the requisite rules as the settings say."""

from collections.abc import Callable
from typing import Protocol

from aggregates.scope import Actor
from commands.counterparty_import import ImportReport, import_counterparties
from commands.import_checks import ImportFile, Progress
from commands.import_columns import name_key
from commands.service import WriteService
from letopis.settings import Settings
from projections.database import ViewDatabase


class Importer(Protocol):
    service: WriteService
    views: ViewDatabase
    settings: Settings


def run_import(
    letopis: Importer,
    actor: Actor,
    counterparties: ImportFile | None,
    contacts: ImportFile | None = None,
    *,
    skip_invalid: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    return import_counterparties(
        letopis.service,
        actor,
        counterparties,
        contacts=contacts,
        skip_invalid=skip_invalid,
        dry_run=dry_run,
        check_requisites=not letopis.settings.import_requisites_as_warnings,
        managers=_managers_by_name(letopis.views),
        organisations_named=_organisations_named(letopis.views),
        progress=progress,
    )


def _managers_by_name(views: ViewDatabase) -> dict[str, list[str]]:
    with views.reading() as cursor:
        rows = cursor.execute("SELECT id, full_name FROM employees ORDER BY id")
    found: dict[str, list[str]] = {}
    for employee_id, full_name in rows:
        found.setdefault(name_key(full_name), []).append(employee_id)
    return found


def _organisations_named(views: ViewDatabase) -> Callable[[str], list[str]]:
    def named(name: str) -> list[str]:
        with views.reading() as cursor:
            rows = cursor.execute(
                "SELECT id FROM counterparties WHERE search_name = $1 LIMIT 2", (name_key(name),)
            )
        return [row[0] for row in rows]

    return named
