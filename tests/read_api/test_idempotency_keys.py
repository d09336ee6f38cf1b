"""An Idempotency-Key belongs to the one who sent it: it never returns or swallows another
user's write, and a repeat is answered only to someone who may still send it."""

from tests.read_api.world import API


def card_of(client, auth, who: str, name: str, key: str | None = None):
    headers = {**auth(who), **({"Idempotency-Key": key} if key else {})}
    return client.post(f"{API}/counterparties", json={"name": name}, headers=headers)


def test_another_users_key_neither_returns_nor_swallows_their_write(client, auth, letopis) -> None:
    first = card_of(client, auth, "ivanov", "ООО «Первая»", key="order-42")
    head = letopis.store.head()
    second = card_of(client, auth, "sidorov", "ООО «Вторая»", key="order-42")
    assert first.status_code == second.status_code == 201
    assert "Idempotent-Replayed" not in second.headers
    assert second.json()["id"] != first.json()["id"]
    assert letopis.store.head() > head
    read = client.get(
        f"{API}/counterparties/{second.json()['id']}",
        params={"after": second.json()["position"]},
        headers=auth("sidorov"),
    )
    assert read.json()["name"] == "ООО «Вторая»"


def test_a_repeat_of_another_users_request_under_their_key_is_refused_not_answered(
    client, auth, letopis
) -> None:
    card = card_of(client, auth, "ivanov", "ООО «Ёлка»").json()["id"]
    path = f"{API}/counterparties/{card}"
    original = client.patch(
        path, json={"region": "Тула"}, headers={**auth("ivanov"), "Idempotency-Key": "edit-1"}
    )
    assert original.status_code == 200
    head = letopis.store.head()
    stolen = client.patch(
        path, json={"region": "Тула"}, headers={**auth("sidorov"), "Idempotency-Key": "edit-1"}
    )
    assert stolen.status_code == 403
    assert str(original.json()["position"]) not in stolen.text
    assert letopis.store.head() == head


def test_a_repeat_is_answered_only_while_its_sender_may_still_send_it(client, auth, staff, letopis) -> None:
    card = card_of(client, auth, "ivanov", "ООО «Ёлка»").json()["id"]
    path = f"{API}/counterparties/{card}/rating"
    headers = {**auth("ivanov"), "Idempotency-Key": "rate-7"}
    assert client.put(path, json={"rating": 4}, headers=headers).status_code == 200
    assert client.put(path, json={"rating": 4}, headers=headers).headers["Idempotent-Replayed"] == "true"
    demoted = client.put(
        f"{API}/employees/{staff['ivanov'][0].employee_id}/role",
        json={"role": "auditor"},
        headers=auth("admin"),
    )
    assert demoted.status_code == 200, demoted.text
    head = letopis.store.head()
    repeated = client.put(path, json={"rating": 4}, headers=headers)
    assert repeated.status_code == 403
    assert letopis.store.head() == head


def test_one_key_for_two_different_requests_is_refused(client, auth, letopis) -> None:
    card = card_of(client, auth, "ivanov", "ООО «Ёлка»").json()["id"]
    headers = {**auth("ivanov"), "Idempotency-Key": "rate-8"}
    assert (
        client.put(f"{API}/counterparties/{card}/rating", json={"rating": 4}, headers=headers).status_code
        == 200
    )
    head = letopis.store.head()
    other = client.put(f"{API}/counterparties/{card}/rating", json={"rating": 2}, headers=headers)
    assert other.status_code == 409
    assert "already used for another request" in other.json()["detail"]
    elsewhere = client.patch(f"{API}/counterparties/{card}", json={"region": "Тула"}, headers=headers)
    assert elsewhere.status_code == 409
    assert letopis.store.head() == head
