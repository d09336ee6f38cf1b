"""Merging a duplicate card into the survivor over HTTP, and splitting it back: the history,
contacts, money and phone of the duplicate count for the survivor, and only while merged;
every bad merge is refused with its status and nothing is written."""

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from tests.read_api.problems import field_errors
from tests.read_api.world import contract_body

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def _card(client: TestClient, auth, who: str = "ivanov", **fields) -> dict:
    response = client.post("/api/v1/counterparties", json=fields, headers=auth(who))
    assert response.status_code == 201, response.text
    return response.json()


BEFORE_THE_MERGE = {
    "phones": ["+78462001010"],
    "attributes": {"Условия оплаты": "Отсрочка 30 дней"},
    "classifiers": {"Категория": ["A"]},
    "region": None,
    "tax_id": "6312345675",
}


@pytest.fixture
def survivor(client, auth) -> dict:
    return _card(
        client,
        auth,
        name="ООО «Волга-Транзит»",
        tax_id="6312345675",
        phones=["+7 846 200-10-10"],
        attributes={"Условия оплаты": "Отсрочка 30 дней"},
        classifiers={"Категория": ["A"]},
    )


@pytest.fixture
def duplicate(client, auth) -> dict:
    card = _card(
        client,
        auth,
        name='Общество с ограниченной ответственностью "ВОЛГА ТРАНЗИТ"',
        region="Самара",
        phones=["+7 846 300-20-20"],
        attributes={"Условия оплаты": "Предоплата", "Основной маршрут": "Самара — Москва"},
        classifiers={"Категория": ["B"], "Вид перевозок": ["Авто"]},
    )
    contact = client.post(
        "/api/v1/contacts",
        json={"counterparty_id": card["id"], "full_name": "Петров Пётр", "emails": ["petrov@volga-tr.ru"]},
        headers=auth("ivanov"),
    )
    assert contact.status_code == 201, contact.text
    call = client.post(
        "/api/v1/interactions",
        json={"counterparty_id": card["id"], "subject": "Звонок о тарифах", "details": {"kind": "meeting"}},
        headers=auth("ivanov"),
    )
    assert call.status_code == 201, call.text
    return {**card, "contact_id": contact.json()["id"], "position": call.json()["position"]}


def _merge(client, auth, survivor: dict, duplicate: dict, who: str = "ivanov", **fields):
    body = {"merged_id": duplicate["id"], "reason": "Одна и та же компания", **fields}
    return client.post(f"/api/v1/counterparties/{survivor['id']}/merge", json=body, headers=auth(who))


def _get(client, auth, path: str, after: int, **params) -> dict:
    response = client.get(f"/api/v1{path}", params={"after": after, **params}, headers=auth("ivanov"))
    assert response.status_code == 200, response.text
    return response.json()


def test_a_merged_card_counts_for_the_survivor_until_split(client, auth, survivor, duplicate) -> None:
    merged = _merge(client, auth, survivor, duplicate, prefer_duplicate=["region"])
    assert merged.status_code == 200, merged.text
    after = merged.json()["position"]

    card = _get(client, auth, f"/counterparties/{survivor['id']}", after)
    assert card["phones"] == ["+78462001010", "+78463002020"]
    assert card["attributes"] == {"Условия оплаты": "Отсрочка 30 дней", "Основной маршрут": "Самара — Москва"}
    assert card["classifiers"] == {"Категория": ["A", "B"], "Вид перевозок": ["Авто"]}
    assert card["region"] == "Самара"
    assert card["tax_id"] == "6312345675"
    assert card["merged_ids"] == [duplicate["id"]]

    gone = _get(client, auth, f"/counterparties/{duplicate['id']}", after)
    assert gone["merged_into"]["survivor_id"] == survivor["id"]
    assert gone["merged_into"]["href"] == f"/counterparties/{survivor['id']}"
    assert gone["merged_into"]["reason"] == "Одна и та же компания"

    history = _get(client, auth, f"/counterparties/{survivor['id']}/history", after)["items"]
    from_duplicate = [e for e in history if e["merged_from"] == duplicate["id"]]
    assert {"interaction.logged", "counterparty.registered"} <= {e["event"] for e in from_duplicate}
    assert "counterparty.duplicate_absorbed" in {e["event"] for e in history if e["merged_from"] is None}

    contacts = _get(client, auth, "/contacts", after, counterparty_id=survivor["id"])["items"]
    assert [c["id"] for c in contacts] == [duplicate["contact_id"]]
    register = _get(client, auth, "/counterparties", after)["items"]
    assert [c["id"] for c in register] == [survivor["id"]]
    phone = _get(client, auth, "/phones", after, number="+78463002020")
    assert {m["counterparty_id"] for m in phone} == {survivor["id"]}

    split = client.post(
        f"/api/v1/counterparties/{duplicate['id']}/split",
        json={"reason": "Разные филиалы"},
        headers=auth("ivanov"),
    )
    assert split.status_code == 200, split.text
    after = split.json()["position"]
    restored = _get(client, auth, f"/counterparties/{survivor['id']}", after)
    for field in ("phones", "attributes", "classifiers", "region", "tax_id"):
        assert restored[field] == BEFORE_THE_MERGE[field], field
    assert restored["merged_ids"] == []
    assert _get(client, auth, f"/counterparties/{duplicate['id']}", after)["merged_into"] is None
    history = _get(client, auth, f"/counterparties/{survivor['id']}/history", after)["items"]
    assert all(e["merged_from"] is None for e in history)
    assert _get(client, auth, "/contacts", after, counterparty_id=survivor["id"])["items"] == []
    assert len(_get(client, auth, "/counterparties", after)["items"]) == 2


def test_an_edit_after_the_merge_is_kept_by_the_split(client, auth, survivor, duplicate) -> None:
    assert _merge(client, auth, survivor, duplicate).status_code == 200
    edit = client.patch(
        f"/api/v1/counterparties/{survivor['id']}", json={"region": "Тольятти"}, headers=auth("ivanov")
    )
    assert edit.status_code == 200, edit.text
    split = client.post(
        f"/api/v1/counterparties/{duplicate['id']}/split", json={"reason": "Ошибка"}, headers=auth("ivanov")
    )
    card = _get(client, auth, f"/counterparties/{survivor['id']}", split.json()["position"])
    assert card["region"] == "Тольятти"
    assert card["phones"] == ["+78462001010"]


def test_the_duplicates_money_counts_in_the_survivors_financial_position(
    client, auth, survivor, duplicate
) -> None:
    contract = client.post(
        "/api/v1/contracts",
        json={**contract_body(duplicate["id"]), "amount": "1000.00"},
        headers=auth("ivanov"),
    )
    assert contract.status_code == 201, contract.text
    after = _merge(client, auth, survivor, duplicate).json()["position"]
    position = _get(client, auth, f"/counterparties/{survivor['id']}/financial-position", after)
    assert [(c["currency"], Decimal(c["contracted"])) for c in position["currencies"]] == [
        ("RUB", Decimal("1000.00"))
    ]
    contracts = _get(client, auth, "/contracts", after, counterparty_id=survivor["id"])["items"]
    assert [c["id"] for c in contracts] == [contract.json()["id"]]


def test_merging_a_card_into_itself_is_422(client, auth, survivor, unchanged_log) -> None:
    response = _merge(client, auth, survivor, survivor)
    assert response.status_code == 422, response.text
    assert "into itself" in field_errors(response)["merged_id"]


@pytest.mark.parametrize(
    ("survivor_is", "merged_is", "detail"),
    [
        ("duplicate", "third", "merged into"),
        ("third", "duplicate", "already merged"),
        ("third", "survivor", ""),
    ],
    ids=["into a merged card", "a merged card again", "a card that took others in"],
)
def test_a_merge_that_would_chain_merges_is_409(
    client, auth, survivor, duplicate, letopis, survivor_is, merged_is, detail
) -> None:
    assert _merge(client, auth, survivor, duplicate).status_code == 200
    cards = {
        "survivor": survivor,
        "duplicate": duplicate,
        "third": _card(client, auth, name="ООО «Волга Транзит»"),
    }
    head = letopis.store.head()
    response = _merge(client, auth, cards[survivor_is], cards[merged_is])
    assert response.status_code == 409, response.text
    assert detail in response.json()["detail"]
    assert letopis.store.head() == head


def test_a_merged_card_takes_no_more_changes(client, auth, survivor, duplicate, letopis) -> None:
    assert _merge(client, auth, survivor, duplicate).status_code == 200
    head = letopis.store.head()
    response = client.patch(
        f"/api/v1/counterparties/{duplicate['id']}", json={"region": "Уфа"}, headers=auth("ivanov")
    )
    assert response.status_code == 409, response.text
    assert letopis.store.head() == head


@pytest.mark.parametrize("whose", ["survivor", "duplicate"])
def test_a_merge_across_scopes_is_403_and_writes_nothing(client, auth, survivor, letopis, whose) -> None:
    foreign = _card(client, auth, "kuznetsova", name="ООО «Волга-Транзит СПб»")
    head = letopis.store.head()
    first, second = (foreign, survivor) if whose == "survivor" else (survivor, foreign)
    response = _merge(client, auth, first, second)
    assert response.status_code == 403, response.text
    assert letopis.store.head() == head


def test_merging_an_unknown_card_is_404(client, auth, survivor, unchanged_log) -> None:
    response = _merge(client, auth, survivor, {"id": UNKNOWN})
    assert response.status_code == 404, response.text


def test_a_merge_without_a_reason_is_422(client, auth, survivor, duplicate, letopis) -> None:
    head = letopis.store.head()
    response = _merge(client, auth, survivor, duplicate, reason="  ")
    assert response.status_code == 422
    assert "reason" in field_errors(response)
    response = _merge(client, auth, survivor, duplicate, prefer_duplicate=["manager_id"])
    assert response.status_code == 422
    assert letopis.store.head() == head


def test_splitting_a_card_that_is_not_merged_is_409(client, auth, survivor, unchanged_log) -> None:
    response = client.post(
        f"/api/v1/counterparties/{survivor['id']}/split", json={"reason": "Ошибка"}, headers=auth("ivanov")
    )
    assert response.status_code == 409, response.text
    assert "not merged" in response.json()["detail"]


def test_splitting_another_teams_merge_is_403(client, auth, survivor, duplicate, letopis) -> None:
    assert _merge(client, auth, survivor, duplicate).status_code == 200
    head = letopis.store.head()
    response = client.post(
        f"/api/v1/counterparties/{duplicate['id']}/split",
        json={"reason": "Чужое"},
        headers=auth("kuznetsova"),
    )
    assert response.status_code == 403, response.text
    assert letopis.store.head() == head
