"""The duplicates report over HTTP: the pairs the exact ИНН rule misses, each with its score
and reasons, within the reader's scope; a merged card and a branch are no longer pairs."""

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from aggregates.counterparty import Counterparty
from aggregates.stamp import Stamp


def _card(client: TestClient, auth, who: str = "ivanov", **fields) -> str:
    response = client.post("/api/v1/counterparties", json=fields, headers=auth(who))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _report(client: TestClient, auth, who: str, **params) -> dict:
    response = client.get("/api/v1/counterparties/duplicates", params=params, headers=auth(who))
    assert response.status_code == 200, response.text
    return response.json()


def _pairs(report: dict) -> dict[frozenset[str], tuple[float, list[str]]]:
    return {
        frozenset((pair["first"]["id"], pair["second"]["id"])): (
            pair["score"],
            [reason["rule"] for reason in pair["reasons"]],
        )
        for pair in report["items"]
    }


def test_pairs_are_found_with_their_reasons_likeliest_first(client, auth) -> None:
    original = _card(client, auth, name="ООО «Вега-Транс»", phones=["+7 495 111-22-33"])
    spelled_out = _card(client, auth, name='Общество с ограниченной ответственностью "ВЕГА ТРАНС"')
    same_phone = _card(client, auth, name="ИП Петров П. П.", phones=["8 (495) 111-22-33"])
    _card(client, auth, name="ООО «Сосна»")
    for card, email in ((original, "a@vega-trans.ru"), (same_phone, "b@vega-trans.ru")):
        contact = client.post(
            "/api/v1/contacts",
            json={"counterparty_id": card, "full_name": "Петров Пётр", "emails": [email]},
            headers=auth("ivanov"),
        )
        assert contact.status_code == 201, contact.text

    report = _report(client, auth, "ivanov", after=contact.json()["position"])
    assert _pairs(report) == {
        frozenset((original, spelled_out)): (0.6, ["name"]),
        frozenset((original, same_phone)): (0.58, ["phone", "mail_domain"]),
    }
    assert [pair["score"] for pair in report["items"]] == sorted(
        (pair["score"] for pair in report["items"]), reverse=True
    )
    assert _report(client, auth, "ivanov", limit=1, offset=1)["items"] == report["items"][1:2]


def test_the_same_tax_id_is_a_reason_unless_the_kpp_says_branch(client, auth, letopis, staff) -> None:
    # Cards with one ИНН as a legacy import wrote them into the log, before a second card with
    # one ИНН was refused: the log keeps them, and the report must find them.
    ivanov = staff["ivanov"][0].employee_id
    stamp = Stamp(ivanov, datetime(2024, 1, 15, 9, tzinfo=UTC), "legacy-import", "legacy-import")
    head_office, legacy, branch = (
        Counterparty.register(
            stamp, manager_id=ivanov, name=name, tax_id="3528000597", requisites={"КПП": kpp}
        )
        for name, kpp in (
            ("ПАО «Северсталь»", "352801001"),
            ("Северсталь", "352801001"),
            ("Филиал в Москве", "770401001"),
        )
    )
    after = letopis.store.append(head_office, legacy, branch)
    pairs = _pairs(_report(client, auth, "ivanov", after=after))
    assert pairs == {frozenset((str(head_office.id), str(legacy.id))): (0.88, ["name", "tax_id"])}


def test_a_reader_sees_pairs_within_their_scope_only(client, auth) -> None:
    for who, name in (("ivanov", "ООО «Вега»"), ("kuznetsova", "ООО «Вега»"), ("kuznetsova", "АО «Вега»")):
        registered = client.post("/api/v1/counterparties", json={"name": name}, headers=auth(who))
    after = registered.json()["position"]
    assert _report(client, auth, "ivanov", after=after)["total"] == 0
    assert _report(client, auth, "kuznetsova", after=after)["total"] == 1
    assert _report(client, auth, "auditor", after=after)["total"] == 3


def test_a_merged_card_is_no_longer_a_pair(client, auth) -> None:
    survivor = _card(client, auth, name="ООО «Вега»")
    duplicate = _card(client, auth, name="Вега, ООО")
    merged = client.post(
        f"/api/v1/counterparties/{survivor}/merge",
        json={"merged_id": duplicate, "reason": "Одна компания"},
        headers=auth("ivanov"),
    )
    assert merged.status_code == 200, merged.text
    assert _report(client, auth, "ivanov", after=merged.json()["position"])["total"] == 0
    split = client.post(
        f"/api/v1/counterparties/{duplicate}/split", json={"reason": "Ошибка"}, headers=auth("ivanov")
    )
    assert _report(client, auth, "ivanov", after=split.json()["position"])["total"] == 1
