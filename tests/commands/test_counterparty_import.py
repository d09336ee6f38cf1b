"""Importing counterparties from CSV: every row checked, and the file written whole or not at all."""

import gc
from itertools import islice
from uuid import RFC_4122

import pytest
from typer.testing import CliRunner

from aggregates.counterparty import Counterparty
from aggregates.employee import Role
from commands.counterparty_import import import_counterparties
from commands.import_checks import RejectedRow, random_ids
from letopis.cli import app
from letopis.settings import Settings
from letopis.wiring import build

HEADER = "name;kind;tax_id;region;phones;attr:Условия оплаты;class:Категория"
GOOD_ROWS = [
    "ООО «Ромашка»;customer;7707083893;Москва;+7 (495) 123-45-67|8 916 123 45 67;Отсрочка 30 дней;A",
    "АО «Вектор»;supplier;;Казань;;;B|C",
    "ИП Петров П. П.;customer;500100732259;Новосибирск;8-383-222-33-44;;",
]


def csv_text(*rows, header=HEADER):
    return "\n".join([header, *rows]) + "\n"


def registered(letopis):
    found = letopis.store.read(after=0, limit=100_000)
    return [r.event for r in found if isinstance(r.event, Counterparty.Registered)]


def test_a_good_file_registers_every_row_in_one_command(letopis, staff) -> None:
    ivanov = staff["ivanov"][0]

    report = import_counterparties(letopis.service, ivanov, "\ufeff" + csv_text(*GOOD_ROWS))

    assert (report.imported, report.rejected) == (3, [])
    assert report.position == letopis.store.head()
    cards = registered(letopis)
    assert [c.name for c in cards] == ["ООО «Ромашка»", "АО «Вектор»", "ИП Петров П. П."]
    assert {c.actor for c in cards} == {ivanov.employee_id}
    assert {c.manager_id for c in cards} == {ivanov.employee_id}
    assert len({c.command_id for c in cards}) == 1
    romashka, vector, petrov = cards
    assert romashka.phones == ["+74951234567", "+79161234567"]
    assert romashka.attributes == {"Условия оплаты": "Отсрочка 30 дней"}
    assert vector.classifiers == {"Категория": ["B", "C"]}
    assert vector.tax_id is None
    assert petrov.kind == "customer"


@pytest.mark.parametrize(
    "rows", [GOOD_ROWS, ["ООО «Без ИНН»;customer;123;Москва;;;"]], ids=["written", "refused"]
)
def test_the_garbage_collector_runs_again_once_an_import_ends(letopis, staff, rows) -> None:
    import_counterparties(letopis.service, staff["ivanov"][0], csv_text(*rows))

    assert gc.isenabled()


def test_a_comma_separated_file_with_quoted_cells_is_read(letopis, staff) -> None:
    text = 'name,phones,lead_source\n"ООО «Север, Юг»","+7 812 111-22-33; 8 (812) 444-55-66",Выставка\n'

    report = import_counterparties(letopis.service, staff["ivanov"][0], text)

    assert report.imported == 1
    (card,) = registered(letopis)
    assert card.name == "ООО «Север, Юг»"
    assert card.phones == ["+78121112233", "+78124445566"]
    assert card.lead_source == "Выставка"


def test_one_bad_row_rejects_the_whole_file(letopis, staff) -> None:
    head = letopis.store.head()
    rows = [GOOD_ROWS[0], "ООО «Ошибка»;customer;;;12345;;", GOOD_ROWS[1]]

    report = import_counterparties(letopis.service, staff["ivanov"][0], csv_text(*rows))

    assert (report.imported, report.position) == (0, 0)
    assert report.rejected == [
        RejectedRow(3, "phones: '12345' is not a phone number: give +country code or a Russian number")
    ]
    assert letopis.store.head() == head


def test_skip_invalid_writes_only_the_valid_rows(letopis, staff) -> None:
    rows = [GOOD_ROWS[0], "ООО «Ошибка»;wholesaler;;;;;", GOOD_ROWS[1]]

    report = import_counterparties(letopis.service, staff["ivanov"][0], csv_text(*rows), skip_invalid=True)

    assert report.imported == 2
    assert [r.line for r in report.rejected] == [3]
    assert [c.name for c in registered(letopis)] == ["ООО «Ромашка»", "АО «Вектор»"]


@pytest.mark.parametrize("store_kind", ["memory"], indirect=True)
@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("ООО «Ромашка»;customer;;;+7 (495) 12;;", "phones: '+7 (495) 12': a Russian number has 10 digits"),
        ("ООО «Ромашка»;wholesaler;;;;;", "kind: Input should be 'customer'"),
        ("Я" * 301 + ";customer;;;;;", "name: String should have at most 300 characters"),
        ("ООО «Ромашка»;customer;770708389;;;;", "tax_id: INN '770708389' must have 10 or 12 digits"),
        ("ООО «Двойник»;customer;7707083893;;;;", "tax_id: 7707083893 is already on line 2"),
        ("ООО «Ромашка»;customer;;;;", "the row has 6 cells where the header has 7"),
        (";customer;;;;;", "name: Field required"),
    ],
)
def test_each_kind_of_bad_row_is_explained(letopis, staff, row, reason) -> None:
    head = letopis.store.head()

    report = import_counterparties(letopis.service, staff["ivanov"][0], csv_text(GOOD_ROWS[0], row))

    assert report.imported == 0
    (rejection,) = report.rejected
    assert rejection.line == 3
    assert reason in rejection.reason
    assert letopis.store.head() == head


@pytest.mark.parametrize("store_kind", ["memory"], indirect=True)
@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("", 1, "the file is empty"),
        ("nmae;kind\nООО «Ромашка»;customer\n", 1, "unknown columns 'nmae'"),
        ("kind;region\ncustomer;Москва\n", 1, "no 'name' column"),
        ("name;name\nА;Б\n", 1, "columns appear twice: name"),
        ('name;kind\nООО «Ромашка»;customer\n"ООО «Вектор;customer\n', 3, "malformed CSV"),
    ],
)
def test_a_malformed_file_writes_nothing(letopis, staff, text, line, reason) -> None:
    head = letopis.store.head()

    report = import_counterparties(letopis.service, staff["ivanov"][0], text, skip_invalid=True)

    assert report.imported == 0
    (rejection,) = report.rejected
    assert rejection.line == line
    assert reason in rejection.reason
    assert letopis.store.head() == head


@pytest.mark.parametrize("store_kind", ["memory"], indirect=True)
def test_rows_are_held_to_the_importers_scope(letopis, staff) -> None:
    ivanov, kuznetsova = staff["ivanov"][0], staff["kuznetsova"][0]
    rows = [f"ООО «Ромашка»;{ivanov.employee_id}", f"ООО «Балтика»;{kuznetsova.employee_id}"]

    report = import_counterparties(letopis.service, ivanov, csv_text(*rows, header="name;manager_id"))

    assert [(r.line, r.reason) for r in report.rejected] == [
        (3, "this record belongs to another team's client")
    ]


@pytest.mark.parametrize("store_kind", ["memory"], indirect=True)
def test_an_importer_outside_sales_names_the_manager_of_each_row(letopis, staff) -> None:
    admin, sidorov = staff["admin"][0], staff["sidorov"][0]
    rows = [f"ООО «Ромашка»;{sidorov.employee_id}", "ООО «Без менеджера»;"]

    report = import_counterparties(
        letopis.service, admin, csv_text(*rows, header="name;manager_id"), skip_invalid=True
    )

    assert report.imported == 1
    assert [r.line for r in report.rejected] == [3]
    assert "needs a manager_id" in report.rejected[0].reason
    (card,) = registered(letopis)
    assert (card.manager_id, card.actor) == (sidorov.employee_id, admin.employee_id)


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("LETOPIS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("LETOPIS_DATABASE_URL", raising=False)
    return tmp_path


def test_the_command_line_imports_a_file_as_an_employee(data_dir) -> None:
    letopis = build(Settings())
    manager_id, _token = letopis.create_user("Иванов Иван", Role.MANAGER, "Москва-1", "Продажи")
    letopis.close()
    good, bad = data_dir / "good.csv", data_dir / "bad.csv"
    good.write_text(csv_text(*GOOD_ROWS), encoding="utf-8-sig")
    bad.write_text(csv_text(GOOD_ROWS[1], "ООО «Ошибка»;wholesaler;;;;;"), encoding="utf-8")

    imported = CliRunner().invoke(app, ["import", "counterparties", str(good), "--as", manager_id])
    refused = CliRunner().invoke(app, ["import", "counterparties", str(bad), "--as", manager_id])
    skipped = CliRunner().invoke(
        app, ["import", "counterparties", str(bad), "--as", manager_id, "--skip-invalid"]
    )

    assert imported.exit_code == 0, imported.output
    assert "Imported 3 counterparties" in imported.output
    assert refused.exit_code == 1
    assert "Rejected rows" in refused.output
    assert "Nothing imported; 1 rows rejected." in refused.output
    assert skipped.exit_code == 0
    assert "Imported 1 counterparties" in skipped.output


def test_the_command_line_console_import_needs_managers(data_dir) -> None:
    path = data_dir / "no_manager.csv"
    path.write_text(csv_text(GOOD_ROWS[0]), encoding="utf-8")

    result = CliRunner().invoke(app, ["import", "counterparties", str(path)])

    assert result.exit_code == 1
    table_text = " ".join(result.output.replace("│", " ").split())
    assert "2 manager_id: the importer is not a sales employee, so each row needs a manager_id" in table_text


def test_the_ids_an_import_gives_are_distinct_random_version_4_uuids() -> None:
    ids = list(islice(random_ids(block=100), 10_000))
    assert len(set(ids)) == 10_000
    assert {(found.version, found.variant) for found in ids} == {(4, RFC_4122)}
