"""Imports as people have the data: 1C and Excel files, Russian titles, requisites checked,
contacts linked to their organisation, and one card per ИНН."""

import io
from concurrent.futures import ThreadPoolExecutor

import openpyxl
import pytest
from typer.testing import CliRunner

from aggregates.contact import Contact
from aggregates.counterparty import Counterparty
from aggregates.employee import Role
from aggregates.errors import InvalidValue, RuleViolated
from commands.counterparty_commands import ChangeCounterpartyProfile, RegisterCounterparty
from commands.counterparty_import import import_counterparties
from commands.import_checks import ImportFile
from letopis.cli import app
from letopis.importing import run_import
from letopis.settings import Settings
from letopis.wiring import build
from tests.commands.test_counterparty_import import data_dir  # noqa: F401  (a fixture)

ONE_C = (
    "Наименование;ИНН;КПП;Телефон;Регион\n" + "ООО «Ромашка»;7707083893;773601001;8 (495) 123-45-67;Москва\n"
)
CONTACTS = "ФИО;Должность;Телефон;E-mail;ИНН организации;Организация\n"


def events(letopis, kind):
    return [r.event for r in letopis.store.read(after=0, limit=100_000) if isinstance(r.event, kind)]


def xlsx(*sheets: tuple[str, list[list[object]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_windows_1251_file_from_1c_with_russian_titles_is_imported(letopis, staff) -> None:
    report = import_counterparties(letopis.service, staff["ivanov"][0], ONE_C.encode("cp1251"))

    assert (report.imported, report.rejected) == (1, [])
    assert report.read_as == ["counterparties: CSV in cp1251, separated by ';'"]
    (card,) = events(letopis, Counterparty.Registered)
    assert (card.name, card.tax_id, card.requisites, card.phones, card.region) == (
        "ООО «Ромашка»",
        "7707083893",
        {"КПП": "773601001"},
        ["+74951234567"],
        "Москва",
    )


@pytest.mark.parametrize("store_kind", ["memory"], indirect=True)
@pytest.mark.parametrize(
    ("text", "read_as"),
    [
        ("\ufeffНазвание,ИНН\nООО «Ромашка»,7707083893\n", "CSV in utf-8, separated by ','"),
        ("Компания\tИНН\nООО «Ромашка»\t7707083893\n", "CSV in utf-8, separated by tab"),
    ],
)
def test_utf8_with_or_without_bom_and_any_usual_separator(letopis, staff, text, read_as) -> None:
    report = import_counterparties(letopis.service, staff["ivanov"][0], text.encode())

    assert (report.imported, report.read_as) == (1, [f"counterparties: {read_as}"])


@pytest.mark.parametrize("store_kind", ["memory"], indirect=True)
def test_the_encoding_may_be_named_and_other_titles_mapped(letopis, staff) -> None:
    text = "Клиент;Номер налогоплательщика\nООО «Ромашка»;7707083893\n".encode("cp1251")
    given = ImportFile(
        text, encoding="cp1251", mapping={"Номер налогоплательщика": "tax_id", "Клиент": "name"}
    )

    report = import_counterparties(letopis.service, staff["ivanov"][0], given)

    assert report.imported == 1
    assert events(letopis, Counterparty.Registered)[0].tax_id == "7707083893"


def test_a_row_whose_inn_belongs_to_a_card_is_refused_naming_it(letopis, staff) -> None:
    ivanov = staff["ivanov"][0]
    first = letopis.service.run(ivanov, RegisterCounterparty(name="ООО «Ромашка»", tax_id="7707083893"))
    head = letopis.store.head()

    report = import_counterparties(letopis.service, ivanov, "Наименование;ИНН\nРомашка ООО;7707083893\n")

    assert report.imported == 0
    (rejected,) = report.rejected
    assert f"ИНН 7707083893 already belongs to the card {first.id} (ООО «Ромашка»)" in rejected.reason
    assert letopis.store.head() == head


@pytest.mark.parametrize("store_kind", ["memory"], indirect=True)
def test_an_inn_failing_its_check_digit_is_refused_with_the_rule(letopis, staff) -> None:
    report = import_counterparties(
        letopis.service, staff["ivanov"][0], "Наименование;ИНН\nООО «Тест»;1234567890\n"
    )

    assert [r.reason for r in report.rejected] == [
        "tax_id: ИНН 1234567890 fails its check digits (expected …4)"
    ]


@pytest.mark.parametrize("store_kind", ["memory"], indirect=True)
def test_a_legacy_import_keeps_broken_requisites_as_warnings(letopis, staff) -> None:
    letopis.settings = Settings(database_url="memory://", import_requisites_as_warnings=True)
    text = ImportFile("Наименование;ИНН;ОГРН\nООО «Тест»;1234567890;1027700132194\n")

    report = run_import(letopis, staff["ivanov"][0], text)

    assert (report.imported, report.rejected) == (1, [])
    assert [w.reason.split(" fails")[0] for w in report.warnings] == [
        "tax_id: ИНН 1234567890",
        "requisites.ОГРН: ОГРН 1027700132194",
    ]


def test_contacts_are_linked_by_inn_or_by_name_in_one_append(letopis, staff) -> None:
    ivanov = staff["ivanov"][0]
    existing = letopis.service.run(ivanov, RegisterCounterparty(name="АО «Вектор»", tax_id="500100732259"))
    letopis.runner.catch_up()
    cards = "Наименование;ИНН\nООО «Ромашка»;7707083893\nООО «Север»;\n"
    people = CONTACTS + (
        "Петров Пётр;Директор;+7 495 111-22-33;petrov@romashka.ru;7707083893;\n"
        "Сидорова Анна;Бухгалтер;;anna@sever.ru;;ооо «север»\n"
        "Козлов Илья;Логист;;;500100732259;\n"
    )

    report = run_import(letopis, ivanov, ImportFile(cards), ImportFile(people))

    assert (report.imported, report.contacts, report.linked_to_existing, report.rejected) == (2, 3, 1, [])
    romashka, sever = events(letopis, Counterparty.Registered)[1:]
    assert {(c.full_name, c.counterparty_id) for c in events(letopis, Contact.Registered)} == {
        ("Петров Пётр", str(romashka.originator_id)),
        ("Сидорова Анна", str(sever.originator_id)),
        ("Козлов Илья", existing.id),
    }
    assert len({c.command_id for c in events(letopis, Contact.Registered)}) == 1


@pytest.mark.parametrize("store_kind", ["memory"], indirect=True)
def test_a_contact_whose_organisation_is_unknown_rejects_the_import(letopis, staff) -> None:
    head = letopis.store.head()
    people = CONTACTS + "Петров Пётр;Директор;;;7707083893;\nИванова Ольга;;;not-an-email;;ООО «Нигде»\n"

    report = run_import(letopis, staff["ivanov"][0], ImportFile(ONE_C), ImportFile(people))

    assert [(r.file, r.line, r.reason) for r in report.rejected] == [
        ("contacts", 3, "organisation: no card named 'ООО «Нигде»'")
    ]
    assert letopis.store.head() == head


@pytest.mark.parametrize("store_kind", ["memory"], indirect=True)
def test_the_responsible_manager_is_given_by_name(letopis, staff) -> None:
    head = staff["head"][0]
    text = "Наименование;Ответственный\nООО «Ромашка»;петрова анна\nООО «Север»;Никто Никтович\n"

    report = run_import(letopis, head, ImportFile(text), skip_invalid=True)

    assert report.imported == 1
    assert [r.reason for r in report.rejected] == ["manager: no employee is called 'Никто Никтович'"]
    assert events(letopis, Counterparty.Registered)[0].manager_id == staff["petrova"][0].employee_id


@pytest.mark.parametrize("store_kind", ["memory"], indirect=True)
def test_a_dry_run_reports_and_writes_nothing(letopis, staff) -> None:
    head = letopis.store.head()
    text = ONE_C + "ООО «Тест»;1234567890;;;\n"

    report = run_import(letopis, staff["ivanov"][0], ImportFile(text), dry_run=True, skip_invalid=True)

    assert (report.dry_run, report.imported, len(report.rejected)) == (True, 1, 1)
    assert letopis.store.head() == head


def test_two_cards_racing_for_one_inn_leave_exactly_one(letopis, staff) -> None:
    ivanov = staff["ivanov"][0]

    def attempt(name: str) -> str | Exception:
        try:
            return letopis.service.run(ivanov, RegisterCounterparty(name=name, tax_id="7707083893")).id
        except RuleViolated as refused:
            return refused

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(attempt, ["ООО «Первая»", "ООО «Вторая»"]))

    assert sum(isinstance(r, str) for r in results) == 1
    assert sum(isinstance(r, RuleViolated) for r in results) == 1
    assert len(events(letopis, Counterparty.Registered)) == 1


@pytest.mark.parametrize("store_kind", ["memory"], indirect=True)
def test_a_branch_shares_the_inn_with_its_own_kpp(letopis, staff) -> None:
    ivanov = staff["ivanov"][0]
    head_office = RegisterCounterparty(
        name="ПАО «Сбербанк»", tax_id="7707083893", requisites={"КПП": "773601001"}
    )
    letopis.service.run(ivanov, head_office)
    branch = {"name": "Сбербанк, Северо-Западный банк", "tax_id": "7707083893", "branch": True}

    letopis.service.run(ivanov, RegisterCounterparty(**branch, requisites={"КПП": "784243001"}))
    with pytest.raises(RuleViolated, match="ИНН/КПП 7707083893/784243001 already belongs"):
        letopis.service.run(ivanov, RegisterCounterparty(**branch, requisites={"КПП": "784243001"}))
    with pytest.raises(RuleViolated, match="ИНН/КПП 7707083893/773601001 already belongs"):
        letopis.service.run(ivanov, RegisterCounterparty(**branch, requisites={"КПП": "773601001"}))
    with pytest.raises(InvalidValue, match="give the КПП"):
        letopis.service.run(ivanov, RegisterCounterparty(**branch))


@pytest.mark.parametrize("store_kind", ["memory"], indirect=True)
def test_changing_a_cards_inn_moves_its_claim(letopis, staff) -> None:
    ivanov = staff["ivanov"][0]
    first = letopis.service.run(ivanov, RegisterCounterparty(name="ООО «Ромашка»", tax_id="7707083893"))
    second = letopis.service.run(ivanov, RegisterCounterparty(name="АО «Вектор»", tax_id="500100732259"))

    with pytest.raises(RuleViolated, match=f"already belongs to the card {first.id}"):
        letopis.service.run(ivanov, ChangeCounterpartyProfile(tax_id="7707083893"), second.id)
    letopis.service.run(ivanov, ChangeCounterpartyProfile(tax_id="7701234560"), first.id)
    letopis.service.run(ivanov, ChangeCounterpartyProfile(tax_id="7707083893"), second.id)

    with pytest.raises(RuleViolated, match=f"already belongs to the card {first.id}"):
        letopis.service.run(ivanov, RegisterCounterparty(name="ООО «Новая»", tax_id="7701234560"))


@pytest.mark.parametrize("store_kind", ["memory"], indirect=True)
def test_an_xlsx_workbook_is_read_from_its_one_sheet(letopis, staff) -> None:
    data = xlsx(
        ("Контрагенты", [["Наименование", "ИНН", "Телефон"], ["ООО «Ромашка»", 7707083893, "+7 495 1234567"]])
    )

    report = import_counterparties(letopis.service, staff["ivanov"][0], data)

    assert (report.imported, report.read_as) == (1, ["counterparties: XLSX, sheet 'Контрагенты'"])
    assert events(letopis, Counterparty.Registered)[0].tax_id == "7707083893"


@pytest.mark.parametrize("store_kind", ["memory"], indirect=True)
@pytest.mark.parametrize(
    ("data", "line", "reason"),
    [
        (b"", 1, "the file is empty: a header row is needed"),
        (b"\n\n", 1, "the file is empty"),
        ("ООО «Ромашка»;7707083893\n".encode(), 1, "unknown columns 'ООО «Ромашка»', '7707083893'"),
        ("Наименование;Название\nА;Б\n".encode(), 1, "columns appear twice: name"),
        ("Наименование;ИНН;ИНН\nА;1;2\n".encode(), 1, "columns appear twice: ИНН"),
        (
            "Наименование;ИНН\nООО «Ромашка»;\n".encode() + "ООО «Вектор»;\n".encode("cp1251"),
            3,
            "mixed encodings",
        ),
        ("Наименование;ИНН\n".encode() + b"\xff\xfe;1\n", 2, "the file is not utf-8"),
        ("Наименование\n".encode() + b"A" * 10_000_000 + b"\n", 2, "longer than 100000 characters"),
        (
            xlsx(("Лист1", [["Наименование", "ИНН"], ["ООО «Ромашка»", "=1+1"]])),
            2,
            "cell B2 of sheet 'Лист1' holds a formula",
        ),
        (
            xlsx(("Лист1", [["Наименование"]]), ("Лист2", [["Наименование"]])),
            1,
            "the workbook has 2 sheets ('Лист1', 'Лист2'): name the one to read with --sheet",
        ),
        (b"PK\x03\x04broken", 1, "not a readable XLSX workbook"),
    ],
    ids=[
        "empty",
        "blank lines",
        "no header",
        "one field twice",
        "one title twice",
        "mixed encodings",
        "not the named encoding",
        "10 MB cell",
        "formula",
        "several sheets",
        "broken xlsx",
    ],
)
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_written(
    letopis, staff, data, line, reason
) -> None:
    head = letopis.store.head()
    encoding = "utf-8" if data.startswith("Наименование;ИНН\n".encode()) and b"\xff" in data else None

    report = import_counterparties(
        letopis.service, staff["ivanov"][0], ImportFile(data, encoding=encoding), skip_invalid=True
    )

    assert report.imported == 0
    (rejection,) = report.rejected
    assert rejection.line == line
    assert reason in rejection.reason
    assert letopis.store.head() == head


@pytest.mark.parametrize("store_kind", ["memory"], indirect=True)
def test_a_row_with_more_cells_than_the_header_is_refused(letopis, staff) -> None:
    text = "Наименование;ИНН\nООО «Ромашка»;7707083893;лишнее\nООО «Вектор»;;\n"

    report = import_counterparties(letopis.service, staff["ivanov"][0], text)

    assert [(r.line, r.reason) for r in report.rejected] == [
        (2, "the row has 3 cells where the header has 2")
    ]
    assert report.imported == 0


@pytest.mark.parametrize("store_kind", ["memory"], indirect=True)
def test_the_sheet_to_read_may_be_named(letopis, staff) -> None:
    data = xlsx(("Справка", [["Просто текст"]]), ("Клиенты", [["Наименование"], ["ООО «Ромашка»"]]))

    report = import_counterparties(letopis.service, staff["ivanov"][0], ImportFile(data, sheet="Клиенты"))

    assert report.imported == 1


@pytest.mark.usefixtures("data_dir")
def test_the_command_line_imports_a_1c_file_with_contacts_and_a_dry_run(tmp_path) -> None:
    letopis = build(Settings())
    manager_id, _token = letopis.create_user("Иванов Иван", Role.MANAGER, "Москва-1", "Продажи")
    letopis.close()
    cards, people = tmp_path / "cards.csv", tmp_path / "people.csv"
    cards.write_bytes((ONE_C + "ООО «Тест»;1234567890;;;\n").encode("cp1251"))
    people.write_text(CONTACTS + "Петров Пётр;Директор;;;7707083893;\n", encoding="utf-8")
    arguments = ["import", "counterparties", str(cards), "--contacts", str(people), "--as", manager_id]

    dry = CliRunner().invoke(app, [*arguments, "--dry-run", "--skip-invalid"])
    refused = CliRunner().invoke(app, arguments)
    imported = CliRunner().invoke(app, [*arguments, "--skip-invalid"])

    assert dry.exit_code == 0, dry.output
    assert "Dry run: would import 1 counterparties and 1 contacts" in dry.output
    assert "fails its check digits" in " ".join(dry.output.replace("│", " ").split())
    assert refused.exit_code == 1
    assert "Nothing imported; 1 rows rejected." in refused.output
    assert imported.exit_code == 0, imported.output
    assert "Imported 1 counterparties and 1 contacts" in imported.output
