"""Imports over HTTP, and the card's requisites and ИНН rules as the API answers them."""

import pytest
from fastapi.testclient import TestClient

API = "/api/v1"
ONE_C = "Наименование;ИНН;Телефон;Регион\nООО «Ромашка»;7707083893;8 (495) 123-45-67;Москва\n"


def upload(client: TestClient, headers, text: str, **form) -> dict:
    answer = client.post(
        f"{API}/imports/counterparties",
        files={"counterparties": ("clients.csv", text.encode("cp1251"), "text/csv")},
        data=form,
        headers=headers,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_head_of_sales_imports_a_1c_file_and_gets_the_report(client: TestClient, auth, staff) -> None:
    text = ONE_C.replace("Регион\n", "Регион;Ответственный\n").replace("Москва\n", "Москва;Иванов Иван\n")

    dry = upload(client, auth("head"), text, dry_run="true")
    written = upload(client, auth("head"), text)
    again = upload(client, auth("head"), text)

    assert (dry["written"], dry["dry_run"], dry["imported"]) == (False, True, 1)
    assert (written["written"], written["imported"], written["read_as"]) == (
        True,
        1,
        ["counterparties: CSV in cp1251, separated by ';'"],
    )
    found = client.get(
        f"{API}/counterparties?tax_id=7707083893&after={written['position']}", headers=auth("head")
    )
    (card,) = found.json()["items"]
    assert card["manager_id"] == staff["ivanov"][0].employee_id
    assert (again["written"], again["imported"]) == (False, 0)
    assert f"already belongs to the card {card['id']}" in again["rejected"][0]["reason"]


@pytest.mark.parametrize("store_kind", ["memory"], indirect=True)
def test_a_manager_may_not_import(client: TestClient, auth, unchanged_log) -> None:
    answer = client.post(
        f"{API}/imports/counterparties",
        files={"counterparties": ("c.csv", ONE_C.encode())},
        headers=auth("ivanov"),
    )

    assert answer.status_code == 403
    assert answer.json()["code"] == "access_denied"


@pytest.mark.parametrize("store_kind", ["memory"], indirect=True)
def test_an_upload_with_no_file_is_refused(client: TestClient, auth, unchanged_log) -> None:
    answer = client.post(f"{API}/imports/counterparties", data={"dry_run": "true"}, headers=auth("admin"))

    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["body", "counterparties"]


@pytest.mark.parametrize("store_kind", ["memory"], indirect=True)
@pytest.mark.parametrize(
    ("card", "loc", "rule"),
    [
        ({"tax_id": "1234567890"}, ["body", "tax_id"], "ИНН 1234567890 fails its check digits"),
        (
            {"requisites": {"ОГРН": "1027700132194"}},
            ["body", "requisites", "ОГРН"],
            "fails its control digit",
        ),
        ({"requisites": {"КПП": "77360100"}}, ["body", "requisites", "КПП"], "must have 9 characters"),
        ({"requisites": {"БИК": "04452522"}}, ["body", "requisites", "БИК"], "must have 9 digits"),
        (
            {"requisites": {"БИК": "044525225", "Расчётный счёт": "40702810000000000001"}},
            ["body", "requisites", "Расчётный счёт"],
            "does not match БИК 044525225",
        ),
    ],
)
def test_a_broken_requisite_is_422_naming_the_field_and_rule(
    client: TestClient, auth, unchanged_log, card, loc, rule
) -> None:
    answer = client.post(f"{API}/counterparties", json={"name": "ООО «Тест»", **card}, headers=auth("ivanov"))

    assert answer.status_code == 422
    (error,) = answer.json()["errors"]
    assert error["loc"] == loc
    assert rule in error["msg"]


def test_a_second_card_for_one_inn_is_409_naming_the_first(client: TestClient, auth) -> None:
    first = client.post(
        f"{API}/counterparties",
        json={"name": "ООО «Ромашка»", "tax_id": "7707083893"},
        headers=auth("ivanov"),
    )
    second = client.post(
        f"{API}/counterparties", json={"name": "Ромашка", "tax_id": "7707083893"}, headers=auth("petrova")
    )

    assert second.status_code == 409
    assert second.json()["detail"].startswith(
        f"ИНН 7707083893 already belongs to the card {first.json()['id']} (ООО «Ромашка»)"
    )
