"""Every bad input gets the right status and a clear message, and the log is unchanged."""

import pytest
from fastapi.testclient import TestClient

from tests.read_api.problems import field_errors

UNKNOWN = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def client_card(client: TestClient, auth) -> dict:
    created = client.post(
        "/api/v1/counterparties",
        json={"name": "ООО «Волга-Экспресс»", "region": "Самара", "phones": ["8 846 200 00 00"]},
        headers=auth("ivanov"),
    )
    assert created.status_code == 201
    return created.json()


def test_malformed_json_is_422_with_the_parse_error(client, auth, client_card, unchanged_log) -> None:
    response = client.post(
        "/api/v1/interactions",
        content='{"subject": "Звонок",'.encode(),
        headers={**auth("ivanov"), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["type"] == "json_invalid"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"name": 42}, "name", "string"),
        ({"name": "ООО Тест", "kind": "wholesaler"}, "kind", "customer"),
        ({"name": "Я" * 301}, "name", "at most 300"),
        ({"name": "ООО Тест", "phones": ["позвоните мне"]}, "phones", "not a phone number"),
        ({"name": "ООО Тест", "tax_id": "123"}, "tax_id", "10 or 12 digits"),
        ({"name": "ООО Тест", "actor": "someone-else"}, "actor", "Extra inputs"),
        ({"name": "   "}, "name", "at least 1"),
    ],
)
def test_invalid_counterparty_fields_are_422_naming_the_field(
    client, auth, unchanged_log, body, field, message
) -> None:
    response = client.post("/api/v1/counterparties", json=body, headers=auth("ivanov"))
    assert response.status_code == 422, response.text
    errors = field_errors(response)
    matching = [msg for loc, msg in errors.items() if loc.split(".")[0] == field]
    assert matching, errors
    assert message in matching[0], errors


@pytest.mark.parametrize(
    ("details", "field"),
    [
        ({"kind": "telepathy"}, "details"),
        ({"kind": "call"}, "details.call.direction"),
        ({"kind": "call", "direction": "sideways"}, "details.call.direction"),
        ({"kind": "call", "direction": "incoming", "duration_seconds": -5}, "details.call.duration_seconds"),
        (
            {"kind": "call", "direction": "incoming", "duration_seconds": "long"},
            "details.call.duration_seconds",
        ),
        ({"kind": "call", "direction": "incoming", "phone": "12"}, "phone"),
        ({"kind": "call", "direction": "incoming", "recording_url": "ftp:x"}, "details.call.recording_url"),
    ],
)
def test_invalid_interactions_are_422(client, auth, client_card, unchanged_log, details, field) -> None:
    response = client.post(
        "/api/v1/interactions",
        json={"counterparty_id": client_card["id"], "subject": "Звонок", "details": details},
        headers=auth("ivanov"),
    )
    assert response.status_code == 422, response.text
    assert field in field_errors(response), field_errors(response)


@pytest.mark.parametrize(
    "moments",
    [
        ("2026-01-01T10:00:00", "2199-01-01T10:00:00+03:00"),
        # The ends of the calendar: these once froze every view for good.
        ("0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59-14:00"),
        ("1899-12-31T23:00:00Z",),
    ],
    ids=["without zone or in the future", "at the ends of the calendar", "before 1900"],
)
def test_a_business_time_without_zone_in_the_future_or_out_of_the_calendar_is_422(
    client, auth, client_card, unchanged_log, moments
) -> None:
    for moment in moments:
        response = client.post(
            "/api/v1/interactions",
            json={
                "counterparty_id": client_card["id"],
                "subject": "Встреча",
                "occurred_at": moment,
                "details": {"kind": "meeting"},
            },
            headers=auth("ivanov"),
        )
        assert response.status_code == 422
        assert "occurred_at" in field_errors(response)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", f"/api/v1/counterparties/{UNKNOWN}", None),
        ("get", f"/api/v1/counterparties/{UNKNOWN}/history", None),
        ("get", f"/api/v1/contacts/{UNKNOWN}", None),
        ("patch", f"/api/v1/counterparties/{UNKNOWN}", {"region": "Тула"}),
        (
            "post",
            "/api/v1/interactions",
            {"counterparty_id": UNKNOWN, "subject": "x", "details": {"kind": "meeting"}},
        ),
        ("post", f"/api/v1/interactions/{UNKNOWN}/corrections", {"reason": "x", "subject": "y"}),
    ],
)
def test_unknown_ids_are_404(client, auth, unchanged_log, method, path, body) -> None:
    response = client.request(method, path, json=body, headers=auth("ivanov"))
    assert response.status_code == 404, response.text
    assert "does not exist" in response.json()["detail"]


def test_a_malformed_id_is_422(client, auth, unchanged_log) -> None:
    response = client.patch(
        "/api/v1/counterparties/not-an-id", json={"region": "Тула"}, headers=auth("ivanov")
    )
    assert response.status_code == 422
    assert "not an id" in str(response.json())


def test_a_duplicate_command_id_returns_the_first_result(client, auth, client_card, letopis) -> None:
    body = {"counterparty_id": client_card["id"], "subject": "Звонок", "details": {"kind": "meeting"}}
    headers = {**auth("ivanov"), "Idempotency-Key": "meeting-42"}
    first = client.post("/api/v1/interactions", json=body, headers=headers)
    head = letopis.store.head()
    second = client.post("/api/v1/interactions", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert letopis.store.head() == head
    in_body = client.post(
        "/api/v1/interactions", json={**body, "command_id": "meeting-42"}, headers=auth("ivanov")
    )
    assert in_body.json() == first.json()


def test_header_and_body_naming_different_commands_is_422(client, auth, client_card, unchanged_log) -> None:
    response = client.post(
        "/api/v1/interactions",
        json={
            "counterparty_id": client_card["id"],
            "subject": "x",
            "details": {"kind": "meeting"},
            "command_id": "a",
        },
        headers={**auth("ivanov"), "Idempotency-Key": "b"},
    )
    assert response.status_code == 422


def test_a_stale_version_is_409_and_the_card_keeps_its_value(client, auth, client_card, letopis) -> None:
    path = f"/api/v1/counterparties/{client_card['id']}"
    changed = client.patch(path, json={"region": "Тольятти", "expected_version": 1}, headers=auth("ivanov"))
    assert changed.status_code == 200
    head = letopis.store.head()
    stale = client.patch(path, json={"region": "Сызрань", "expected_version": 1}, headers=auth("ivanov"))
    assert stale.status_code == 409
    assert stale.json()["code"] == "concurrent_change"
    assert "version 2, not 1" in stale.json()["detail"]
    assert letopis.store.head() == head
    card = client.get(path, params={"after": changed.json()["position"]}, headers=auth("ivanov"))
    assert card.json()["region"] == "Тольятти"


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer lt_forged"}, {"Authorization": "Basic abc"}]
)
def test_missing_or_invalid_tokens_are_401(client, client_card, unchanged_log, headers) -> None:
    for response in (
        client.get("/api/v1/counterparties", headers=headers),
        client.post("/api/v1/counterparties", json={"name": "ООО Взлом"}, headers=headers),
    ):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_outside_scope_is_403_for_reads_and_writes(client, auth, client_card, unchanged_log) -> None:
    path = f"/api/v1/counterparties/{client_card['id']}"
    # Read once the views hold the card: before, it is not found by anyone.
    after = {"after": client_card["position"]}
    assert client.get(path, params=after, headers=auth("sidorov")).status_code == 403
    assert client.get(f"{path}/history", params=after, headers=auth("kuznetsova")).status_code == 403
    refused = client.patch(path, json={"region": "Уфа"}, headers=auth("sidorov"))
    assert refused.status_code == 403
    assert refused.json()["code"] == "access_denied"
    assert client.patch(path, json={"region": "Уфа"}, headers=auth("auditor")).status_code == 403
    assert (
        client.post(
            "/api/v1/employees", json={"full_name": "Новый", "role": "admin"}, headers=auth("ivanov")
        ).status_code
        == 403
    )


def test_a_rule_violation_is_409_with_the_rule(client, auth, client_card, letopis) -> None:
    decided = client.post(
        f"/api/v1/counterparties/{client_card['id']}/admission",
        json={"admission": "forbidden", "reason": "Неоплата"},
        headers=auth("head"),
    )
    assert decided.status_code == 200
    head = letopis.store.head()
    response = client.post(
        "/api/v1/interactions",
        json={"counterparty_id": client_card["id"], "subject": "Визит", "details": {"kind": "service_visit"}},
        headers=auth("ivanov"),
    )
    assert response.status_code == 409
    assert "forbidden" in response.json()["detail"]
    assert letopis.store.head() == head


def test_unknown_history_filters_and_bad_pagination_are_422(client, auth, client_card) -> None:
    path = f"/api/v1/counterparties/{client_card['id']}/history"
    assert client.get(path, params={"type": "telepathy"}, headers=auth("ivanov")).status_code == 422
    assert client.get(path, params={"limit": 0}, headers=auth("ivanov")).status_code == 422
    assert client.get(path, params={"since": "yesterday"}, headers=auth("ivanov")).status_code == 422
    assert client.get("/api/v1/phones", params={"number": "abc"}, headers=auth("ivanov")).status_code == 422
