"""Pipelines, deals and the funnel over HTTP: the happy path, scope, and every bad input
refused with its status, a clear message and nothing written."""

import pytest
from fastapi.testclient import TestClient

from tests.commands.test_deals import STAGES
from tests.read_api.problems import field_errors

UNKNOWN = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def pipeline(client: TestClient, auth) -> dict:
    response = client.post(
        "/api/v1/pipelines", json={"name": "Основная воронка", "stages": STAGES}, headers=auth("head")
    )
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def client_card(client: TestClient, auth) -> dict:
    response = client.post(
        "/api/v1/counterparties", json={"name": "ООО «Волга-Транзит»"}, headers=auth("ivanov")
    )
    assert response.status_code == 201
    return response.json()


def deal_body(pipeline: dict, client_card: dict, **fields) -> dict:
    return {
        "counterparty_id": client_card["id"],
        "pipeline_id": pipeline["id"],
        "amount": "250000.00",
        "currency": "RUB",
        "expected_close_on": "2026-12-20",
        "lines": [{"name": "Автоперевозка Самара — Москва", "quantity": "5", "unit_price": "50000.00"}],
        **fields,
    }


@pytest.fixture
def deal(client: TestClient, auth, pipeline, client_card) -> dict:
    response = client.post("/api/v1/deals", json=deal_body(pipeline, client_card), headers=auth("ivanov"))
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def won_deal(client: TestClient, auth, deal) -> dict:
    response = client.post(f"/api/v1/deals/{deal['id']}/won", json={}, headers=auth("ivanov"))
    assert response.status_code == 200, response.text
    return response.json()


def test_a_deal_from_opening_to_the_funnel(client, auth, pipeline, deal) -> None:
    listed = client.get(
        "/api/v1/pipelines", params={"after": deal["position"]}, headers=auth("ivanov")
    ).json()
    assert [(s["name"], s["order"], s["probability"]) for s in listed[0]["stages"]] == [
        ("Квалификация", 1, "10"),
        ("Коммерческое предложение", 2, "40"),
        ("Переговоры", 3, "70"),
    ]
    moved = client.put(
        f"/api/v1/deals/{deal['id']}/stage",
        json={"stage": "Переговоры", "expected_version": 1},
        headers=auth("ivanov"),
    )
    assert moved.status_code == 200, moved.text
    card = client.get(f"/api/v1/deals/{deal['id']}?after={moved.json()['position']}", headers=auth("petrova"))
    assert card.status_code == 200
    body = card.json()
    assert (body["stage"], body["probability"], body["amount"], body["status"], body["version"]) == (
        "Переговоры",
        "70",
        "250000.00",
        "open",
        2,
    )
    assert body["lines"][0]["unit_price"] == "50000.00"
    funnel = client.get(
        "/api/v1/reports/funnel", params={"pipeline_id": pipeline["id"]}, headers=auth("ivanov")
    ).json()
    assert (funnel["requested_scope"], funnel["scope"]) == ("company", "team:Москва-1")
    negotiation = funnel["stages"][2]
    assert (negotiation["open_deals"], negotiation["weighted_amount"]) == (1, {"RUB": "175000.00"})


def test_the_deal_list_filters_within_scope(client, auth, deal, won_deal) -> None:
    after = won_deal["position"]
    mine = client.get(
        "/api/v1/deals", params={"status": "won", "after": after}, headers=auth("petrova")
    ).json()
    assert (mine["total"], mine["items"][0]["id"]) == (1, deal["id"])
    assert client.get("/api/v1/deals", params={"status": "open"}, headers=auth("ivanov")).json()["total"] == 0
    assert client.get("/api/v1/deals", headers=auth("sidorov")).json()["total"] == 0
    assert client.get("/api/v1/deals", headers=auth("auditor")).json()["total"] == 1


def test_a_stage_named_at_opening_and_a_redefined_pipeline(client, auth, pipeline, client_card) -> None:
    opened = client.post(
        "/api/v1/deals",
        json=deal_body(pipeline, client_card, stage="Коммерческое предложение"),
        headers=auth("ivanov"),
    )
    assert opened.status_code == 201
    stages = [{**s, "probability": 35} if s["name"] == "Коммерческое предложение" else s for s in STAGES]
    redefined = client.put(
        f"/api/v1/pipelines/{pipeline['id']}/stages",
        json={"stages": stages, "expected_version": 1},
        headers=auth("admin"),
    )
    assert redefined.status_code == 200, redefined.text
    card = client.get(
        f"/api/v1/pipelines/{pipeline['id']}?after={redefined.json()['position']}", headers=auth("ivanov")
    )
    assert card.json()["stages"][1]["probability"] == "35"
    kept = client.get(f"/api/v1/deals/{opened.json()['id']}", headers=auth("ivanov")).json()
    assert kept["probability"] == "40"


# Validation does not depend on the store: one store is enough for these.
ONE_STORE = pytest.mark.parametrize("store_kind", ["memory"])


@ONE_STORE
@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"amount": "0"}, "amount", "greater than 0"),
        ({"amount": "-100"}, "amount", "greater than 0"),
        ({"currency": "ZZZ"}, "currency", "'ZZZ' is not a known ISO 4217 currency code"),
        ({"stage": "Подписание"}, "stage", "has no stage 'Подписание'"),
        ({"expected_close_on": "когда-нибудь"}, "expected_close_on", "valid date"),
        (
            {"lines": [{"name": "Фрахт", "quantity": "0", "unit_price": "1"}]},
            "lines.0.quantity",
            "greater than 0",
        ),
    ],
)
def test_a_deal_with_a_bad_value_is_422(
    client, auth, pipeline, client_card, unchanged_log, fields, field, message
) -> None:
    response = client.post(
        "/api/v1/deals", json=deal_body(pipeline, client_card, **fields), headers=auth("ivanov")
    )
    assert response.status_code == 422, response.text
    assert message in field_errors(response)[field]


@ONE_STORE
@pytest.mark.parametrize(
    ("stages", "field", "message"),
    [
        ([*STAGES, {"name": "Квалификация", "probability": 5}], "stages", "stage names must be unique"),
        ([{"name": "Квалификация", "probability": 101}], "stages.0.probability", "less than or equal to 100"),
        ([], "stages", "at least 1"),
    ],
)
def test_a_bad_pipeline_is_422(client, auth, unchanged_log, stages, field, message) -> None:
    response = client.post(
        "/api/v1/pipelines", json={"name": "Новая", "stages": stages}, headers=auth("head")
    )
    assert response.status_code == 422, response.text
    assert message in field_errors(response)[field]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("put", "stage", {"stage": "Переговоры"}),
        ("put", "amount", {"amount": "1000", "currency": "RUB"}),
        ("post", "won", {}),
        ("put", "expected-close-date", {"expected_close_on": "2027-01-31"}),
    ],
)
def test_a_closed_deal_refuses_changes_with_409(
    client, auth, deal, won_deal, unchanged_log, method, path, body
) -> None:
    response = getattr(client, method)(
        f"/api/v1/deals/{deal['id']}/{path}", json=body, headers=auth("ivanov")
    )
    assert response.status_code == 409
    assert response.json() == {
        "detail": "the deal is won: it can no longer change",
        "code": "rule_violated",
        "errors": [],
    }


def test_a_forbidden_counterparty_gets_no_deal(letopis, client, auth, pipeline, client_card) -> None:
    decided = client.post(
        f"/api/v1/counterparties/{client_card['id']}/admission",
        json={"admission": "forbidden", "reason": "Неоплаченные счета"},
        headers=auth("head"),
    )
    assert decided.status_code == 200
    before = letopis.store.head()
    response = client.post("/api/v1/deals", json=deal_body(pipeline, client_card), headers=auth("ivanov"))
    assert response.status_code == 409
    assert "forbidden" in response.json()["detail"]
    assert letopis.store.head() == before


def test_a_stale_expected_version_is_409(client, auth, deal, unchanged_log) -> None:
    response = client.put(
        f"/api/v1/deals/{deal['id']}/amount",
        json={"amount": "1000", "currency": "RUB", "expected_version": 7},
        headers=auth("ivanov"),
    )
    assert response.status_code == 409
    assert response.json()["code"] == "concurrent_change"
    assert "at version 1, not 7" in response.json()["detail"]


def test_outside_the_scope_is_403(client, auth, pipeline, client_card, deal, unchanged_log) -> None:
    for response in (
        client.get(f"/api/v1/deals/{deal['id']}", headers=auth("sidorov")),
        client.put(
            f"/api/v1/deals/{deal['id']}/stage", json={"stage": "Переговоры"}, headers=auth("sidorov")
        ),
        client.post(f"/api/v1/deals/{deal['id']}/won", json={}, headers=auth("analyst")),
        client.post("/api/v1/deals", json=deal_body(pipeline, client_card), headers=auth("kuznetsova")),
        client.post("/api/v1/pipelines", json={"name": "Своя", "stages": STAGES}, headers=auth("ivanov")),
        client.get(
            "/api/v1/reports/funnel",
            params={"pipeline_id": pipeline["id"], "scope": "team:Москва-2"},
            headers=auth("ivanov"),
        ),
    ):
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "access_denied"


def test_unknown_ids_are_404(client, auth, pipeline, client_card, unchanged_log) -> None:
    for response in (
        client.get(f"/api/v1/deals/{UNKNOWN}", headers=auth("ivanov")),
        client.get(f"/api/v1/pipelines/{UNKNOWN}", headers=auth("ivanov")),
        client.put(f"/api/v1/deals/{UNKNOWN}/stage", json={"stage": "Переговоры"}, headers=auth("ivanov")),
        client.post("/api/v1/deals", json=deal_body({"id": UNKNOWN}, client_card), headers=auth("ivanov")),
        client.post("/api/v1/deals", json=deal_body(pipeline, {"id": UNKNOWN}), headers=auth("ivanov")),
        client.get("/api/v1/reports/funnel", params={"pipeline_id": UNKNOWN}, headers=auth("ivanov")),
    ):
        assert response.status_code == 404, response.text
        assert "does not exist" in response.json()["detail"]


def test_a_lost_deal_needs_a_known_reason(client, auth, deal) -> None:
    head = client.post(
        "/api/v1/refusal-reasons", json={"code": "price", "label": "Дорого"}, headers=auth("head")
    )
    assert head.status_code == 201, head.text
    unknown = client.post(
        f"/api/v1/deals/{deal['id']}/lost", json={"reason_code": "weather"}, headers=auth("ivanov")
    )
    assert unknown.status_code == 422
    assert "'weather' is not a refusal reason" in field_errors(unknown)["reason_code"]
    lost = client.post(
        f"/api/v1/deals/{deal['id']}/lost",
        json={"reason_code": "price", "reason_text": "Выбрали железную дорогу"},
        headers=auth("ivanov"),
    )
    assert lost.status_code == 200
    card = client.get(
        f"/api/v1/deals/{deal['id']}?after={lost.json()['position']}", headers=auth("ivanov")
    ).json()
    assert (card["status"], card["lost_reason"]) == (
        "lost",
        {"code": "price", "text": "Выбрали железную дорогу"},
    )
