"""The register and the directory exported for the office and read back by the import: the
same cards and contacts, and no cell a spreadsheet would run as a formula."""

import csv
import io

import openpyxl
import pytest
from typer.testing import CliRunner

from aggregates.contact import Contact
from aggregates.counterparty import Counterparty
from aggregates.employee import Role
from commands.contact_commands import RegisterContact
from commands.counterparty_commands import RegisterCounterparty
from letopis.cli import app
from letopis.settings import Settings
from letopis.wiring import CONSOLE, build

CARD = {
    "name": '=HYPERLINK("http://evil")',
    "legal_form": "organisation",
    "kind": "supplier",
    "tax_id": "7707083893",
    "requisites": {
        "КПП": "773601001",
        "БИК": "044525225",
        "Корр. счёт": "30101810400000000225",
        "Директор": "-Иванов",
    },
    "phones": ["+7 (495) 123-45-67", "8 916 123 45 67"],
    "region": "Москва",
    "attributes": {"Условия оплаты": "@отсрочка", "Адрес": "Москва, ул. Вавилова, 19"},
    "classifiers": {"Категория": ["A", "B"]},
    "interests": ["+авиа"],
}


def profiles(letopis):
    found = letopis.store.read(after=0, limit=10_000)
    cards = [r.event for r in found if isinstance(r.event, Counterparty.Registered)]
    people = [r.event for r in found if isinstance(r.event, Contact.Registered)]
    keys = (
        "name",
        "legal_form",
        "kind",
        "tax_id",
        "requisites",
        "phones",
        "region",
        "attributes",
        "classifiers",
        "interests",
        "manager_id",
    )
    return [{k: getattr(c, k) for k in keys} for c in cards], [
        (p.full_name, p.position, p.phones, p.emails) for p in people
    ]


@pytest.fixture
def two_stores(tmp_path, monkeypatch):
    def store(name):
        folder = tmp_path / name
        folder.mkdir()
        return Settings(data_dir=folder, database_url="")

    return store("source"), store("target")


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_imports_back_to_the_same_cards(two_stores, tmp_path, monkeypatch, file_format) -> None:
    source, target = two_stores
    ids = {}
    for settings in (source, target):
        letopis = build(settings)
        ids[settings.data_dir.name] = letopis.create_user("Иванов Иван", Role.MANAGER, "Москва-1", "Продажи")[
            0
        ]
        letopis.close()
    letopis = build(source)
    card = letopis.service.run(CONSOLE, RegisterCounterparty(**CARD, manager_id=ids["source"]))
    letopis.service.run(
        CONSOLE,
        RegisterContact(
            counterparty_id=card.id,
            full_name="Петров Пётр",
            position="=1+2",
            phones=["+7 495 765-43-21"],
            emails=["petrov@romashka.ru"],
        ),
    )
    letopis.close()
    cards_file, people_file = tmp_path / f"cards.{file_format}", tmp_path / f"people.{file_format}"

    monkeypatch.setenv("LETOPIS_DATA_DIR", str(source.data_dir))
    for what, out in (("counterparties", cards_file), ("contacts", people_file)):
        written = CliRunner().invoke(app, ["export", what, "--out", str(out), "--format", file_format])
        assert written.exit_code == 0, written.output
    monkeypatch.setenv("LETOPIS_DATA_DIR", str(target.data_dir))
    imported = CliRunner().invoke(
        app,
        ["import", "counterparties", str(cards_file), "--contacts", str(people_file), "--as", ids["target"]],
    )

    assert imported.exit_code == 0, imported.output
    before, after = build(source), build(target)
    (exported_cards, exported_people), (imported_cards, imported_people) = profiles(before), profiles(after)
    before.close()
    after.close()
    assert [dict(c, manager_id=None) for c in imported_cards] == [
        dict(c, manager_id=None) for c in exported_cards
    ]
    assert imported_cards[0]["manager_id"] == ids["target"]
    assert imported_people == exported_people
    if file_format == "csv":
        rows = list(csv.reader(io.StringIO(cards_file.read_text(encoding="utf-8-sig"))))
        cells = [cell for row in rows[1:] for cell in row]
    else:
        sheet = openpyxl.load_workbook(cards_file).worksheets[0]
        cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.data_type == "f"]
        assert cells == []
        cells = [
            str(c.value)
            for row in sheet.iter_rows(min_row=2)
            for c in row
            if c.value is not None and not c.quotePrefix
        ]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]
