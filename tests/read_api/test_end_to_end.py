"""A manager's day through HTTP: register a client, log a call, read the history."""

from fastapi.testclient import TestClient


def test_a_logged_call_appears_in_the_clients_history(client: TestClient, auth) -> None:
    as_ivanov = auth("ivanov")
    created = client.post(
        "/api/v1/counterparties",
        json={"name": "ООО «Ромашка»", "tax_id": "7701234560", "phones": ["+7 (495) 123-45-67"]},
        headers=as_ivanov,
    )
    assert created.status_code == 201, created.text
    counterparty_id = created.json()["id"]

    call = client.post(
        "/api/v1/interactions",
        json={
            "counterparty_id": counterparty_id,
            "subject": "Запрос ставки Москва — Новосибирск",
            "occurred_at": "2026-03-02T10:15:00+03:00",
            "details": {
                "kind": "call",
                "direction": "incoming",
                "phone": "84951234567",
                "duration_seconds": 240,
            },
        },
        headers=as_ivanov,
    )
    assert call.status_code == 201, call.text

    history = client.get(
        f"/api/v1/counterparties/{counterparty_id}/history",
        params={"after": call.json()["position"]},
        headers=as_ivanov,
    )
    assert history.status_code == 200
    entries = history.json()["items"]
    # Newest first by business time: the card was registered after the call it records.
    assert [e["entry_type"] for e in entries] == ["card", "call"]
    logged = next(e for e in entries if e["entry_type"] == "call")
    assert logged["summary"] == "Запрос ставки Москва — Новосибирск"
    assert logged["occurred_at"] == "2026-03-02T07:15:00Z"
    assert logged["actor_name"] == "Иванов Иван"
    assert logged["details"]["phone"] == "+74951234567"
