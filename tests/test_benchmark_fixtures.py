"""What the benchmarks build their data from still passes the domain's rules: a benchmark
whose fixtures a new rule refuses fails only when someone runs it, long after the change."""

from pathlib import Path

from aggregates.employee import Role
from aggregates.scope import Actor
from benchmarks.imports import CARD_TITLES, CONTACT_TITLES, client_base_rows, csv_file
from benchmarks.rebuild import EVENTS_PER_UNIT, TEMPLATE_UNITS, template_units
from commands.counterparty_import import import_counterparties
from commands.import_checks import ImportFile
from event_store.store import EventStore
from letopis.settings import Settings
from letopis.wiring import build


def test_the_history_rebuilds_template_units_are_made_by_the_domain() -> None:
    store = EventStore("memory://")
    try:
        units = template_units(store)
    finally:
        store.close()
    assert len(units) == TEMPLATE_UNITS
    assert all(len(events) == EVENTS_PER_UNIT for _ids, events in units)


def test_the_import_benchmarks_files_import_without_a_refused_row(tmp_path: Path) -> None:
    organisations, people = client_base_rows(30)
    letopis = build(Settings(database_url="memory://", data_dir=tmp_path))
    try:
        head_id, _token = letopis.create_user("Иванов Иван", Role.HEAD_OF_SALES, None, "Продажи")
        head = Actor(head_id, "Иванов Иван", Role.HEAD_OF_SALES, None, "Продажи")
        report = import_counterparties(
            letopis.service,
            head,
            ImportFile(csv_file(CARD_TITLES, organisations)),
            contacts=ImportFile(csv_file(CONTACT_TITLES, people)),
        )
    finally:
        letopis.close()
    assert report.rejected == []
    assert (report.imported, report.contacts) == (30, 60)
