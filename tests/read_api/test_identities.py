"""Identities with a lifecycle: tokens are named, expire and can be revoked; roles change at
the next request; a deactivated employee keeps their history and loses every token; failed
sign-ins are limited per address and cost no projection work."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from aggregates.counterparty import Counterparty
from aggregates.employee import Role
from aggregates.stamp import Stamp
from letopis.settings import Settings
from letopis.wiring import build
from read_api.app import create_app
from read_api.deps import get_actor
from read_api.sign_ins import SignInLimit
from tests.conftest import database_url
from tests.read_api.world import API


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def issue(client, auth, who: str, employee_id: str, **body) -> dict:
    response = client.post(f"{API}/employees/{employee_id}/tokens", json=body, headers=auth(who))
    assert response.status_code == 201, response.text
    return response.json()


def test_an_employee_names_lists_and_revokes_their_own_tokens(client, auth, staff) -> None:
    ivanov_id = staff["ivanov"][0].employee_id
    laptop = issue(client, auth, "ivanov", ivanov_id, name="ноутбук")
    assert client.get(f"{API}/employees/me", headers=bearer(laptop["token"])).status_code == 200
    tokens = client.get(f"{API}/employees/me/tokens", headers=auth("ivanov")).json()
    assert {token["name"] for token in tokens} == {"default", "ноутбук"}
    assert all("digest" not in token and "token" not in token for token in tokens)
    revoked = client.delete(f"{API}/tokens/{laptop['token_id']}", headers=bearer(laptop["token"]))
    assert revoked.status_code == 200
    assert client.get(f"{API}/employees/me", headers=bearer(laptop["token"])).status_code == 401
    assert client.get(f"{API}/employees/me", headers=auth("ivanov")).status_code == 200


def test_a_new_token_under_the_same_name_retires_the_old_one(client, auth, staff) -> None:
    ivanov_id = staff["ivanov"][0].employee_id
    old = issue(client, auth, "ivanov", ivanov_id, name="скрипт")
    new = issue(client, auth, "ivanov", ivanov_id, name="скрипт")
    assert client.get(f"{API}/employees/me", headers=bearer(old["token"])).status_code == 401
    assert client.get(f"{API}/employees/me", headers=bearer(new["token"])).status_code == 200


def test_an_administrator_issues_and_revokes_anyones_tokens_under_their_own_name(client, auth, staff) -> None:
    ivanov_id, admin_id = staff["ivanov"][0].employee_id, staff["admin"][0].employee_id
    issued = issue(client, auth, "admin", ivanov_id, name="выдан администратором")
    (record,) = [
        token
        for token in client.get(f"{API}/employees/{ivanov_id}/tokens", headers=auth("admin")).json()
        if token["token_id"] == issued["token_id"]
    ]
    assert record["issued_by"] == admin_id
    assert client.delete(f"{API}/tokens/{issued['token_id']}", headers=auth("sidorov")).status_code == 403
    assert client.get(f"{API}/employees/{ivanov_id}/tokens", headers=auth("sidorov")).status_code == 403
    assert client.delete(f"{API}/tokens/{issued['token_id']}", headers=auth("admin")).status_code == 200
    assert client.get(f"{API}/employees/me", headers=bearer(issued["token"])).status_code == 401
    (record,) = [
        token
        for token in client.get(f"{API}/employees/{ivanov_id}/tokens", headers=auth("admin")).json()
        if token["token_id"] == issued["token_id"]
    ]
    assert record["revoked_by"] == admin_id


def test_a_token_expires(store_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    now = [datetime(2026, 3, 2, 9, 0, tzinfo=UTC)]
    letopis = build(
        Settings(database_url=database_url(store_kind, tmp_path, request), token_lifetime_days=30),
        clock=lambda: now[0],
    )
    try:
        _, token = letopis.create_user("Иванов Иван", Role.MANAGER, "Москва-1", "Продажи")
        letopis.runner.catch_up()
        with TestClient(create_app(letopis)) as client:
            assert client.get(f"{API}/employees/me", headers=bearer(token)).status_code == 200
            now[0] += timedelta(days=29, hours=23)
            assert client.get(f"{API}/employees/me", headers=bearer(token)).status_code == 200
            now[0] += timedelta(hours=2)
            assert client.get(f"{API}/employees/me", headers=bearer(token)).status_code == 401
    finally:
        letopis.close()


def test_a_role_or_team_change_applies_from_the_next_request(client, auth, staff) -> None:
    sidorovs = client.post(
        f"{API}/counterparties", json={"name": "ООО «Сидоровское»"}, headers=auth("sidorov")
    )
    card = f"{API}/counterparties/{sidorovs.json()['id']}"
    assert (
        client.get(card, params={"after": sidorovs.json()["position"]}, headers=auth("ivanov")).status_code
        == 403
    )
    ivanov_id = staff["ivanov"][0].employee_id
    moved = client.put(
        f"{API}/employees/{ivanov_id}/role",
        json={"role": "manager", "team": "Москва-2"},
        headers=auth("admin"),
    )
    assert moved.status_code == 200, moved.text
    assert client.get(card, headers=auth("ivanov")).status_code == 200
    assert client.get(f"{API}/employees/me", headers=auth("ivanov")).json()["team"] == "Москва-2"
    admin_id = staff["admin"][0].employee_id
    client.post(
        f"{API}/employees", json={"full_name": "Второй Админ", "role": "admin"}, headers=auth("admin")
    )
    demoted = client.put(f"{API}/employees/{admin_id}/role", json={"role": "analyst"}, headers=auth("admin"))
    assert demoted.status_code == 200
    hire = client.post(
        f"{API}/employees", json={"full_name": "Ещё Один", "role": "auditor"}, headers=auth("admin")
    )
    assert hire.status_code == 403


def test_a_deactivated_employee_loses_every_token_and_keeps_their_history(
    client, auth, staff, letopis
) -> None:
    ivanov_id = staff["ivanov"][0].employee_id
    spare = issue(client, auth, "ivanov", ivanov_id, name="запасной")
    card = client.post(f"{API}/counterparties", json={"name": "ООО «Ёлка»"}, headers=auth("ivanov")).json()
    client.post(
        f"{API}/interactions",
        json={"counterparty_id": card["id"], "subject": "Прощальный звонок", "details": {"kind": "meeting"}},
        headers=auth("ivanov"),
    )
    assert (
        client.post(
            f"{API}/employees/{ivanov_id}/deactivation", json={"reason": "Уволился"}, headers=auth("ivanov")
        ).status_code
        == 403
    )
    gone = client.post(
        f"{API}/employees/{ivanov_id}/deactivation", json={"reason": "Уволился"}, headers=auth("admin")
    )
    assert gone.status_code == 200, gone.text
    for token in (staff["ivanov"][1], spare["token"]):
        assert client.get(f"{API}/employees/me", headers=bearer(token)).status_code == 401
    history = client.get(f"{API}/counterparties/{card['id']}/history", headers=auth("petrova")).json()[
        "items"
    ]
    assert {"Прощальный звонок", "registered"} <= {entry["summary"] for entry in history}
    assert {entry["actor_name"] for entry in history} == {"Иванов Иван"}
    refused = client.put(
        f"{API}/counterparties/{card['id']}/manager", json={"manager_id": ivanov_id}, headers=auth("petrova")
    )
    assert refused.status_code == 422
    assert "deactivated" in refused.text
    directory = {e["id"]: e for e in client.get(f"{API}/employees", headers=auth("petrova")).json()}
    assert directory[ivanov_id]["active"] is False
    back = client.post(
        f"{API}/employees/{ivanov_id}/reactivation", json={"reason": "Вернулся"}, headers=auth("admin")
    )
    assert back.status_code == 200
    assert client.get(f"{API}/employees/me", headers=bearer(spare["token"])).status_code == 401
    fresh = issue(client, auth, "admin", ivanov_id)
    assert client.get(f"{API}/employees/me", headers=bearer(fresh["token"])).status_code == 200


def test_failed_sign_ins_are_limited_per_address_with_retry_after(letopis, staff) -> None:
    app = create_app(letopis, SignInLimit(failures=3, window_seconds=60))
    with TestClient(app) as client:
        for _ in range(3):
            assert client.get(f"{API}/employees/me", headers=bearer("lt_guess")).status_code == 401
        limited = client.get(f"{API}/employees/me", headers=bearer("lt_guess"))
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        assert limited.json()["code"] == "too_many_requests"
        assert client.get(f"{API}/employees/me", headers=bearer(staff["ivanov"][1])).status_code == 429


def test_a_sign_in_never_runs_projection_work(auth, staff, letopis) -> None:
    """A write the views have not yet seen stays unseen by every kind of sign-in: only the
    projection worker moves the views, and here it does not run."""
    stamp = Stamp(staff["ivanov"][0].employee_id, datetime.now(UTC), "direct", "direct")
    letopis.store.append(
        Counterparty.register(stamp, manager_id=staff["ivanov"][0].employee_id, name="ООО «Тихое»")
    )
    before = letopis.runner.positions()
    with TestClient(create_app(letopis, projection_interval=None)) as client:
        assert client.get(f"{API}/employees/me", headers=bearer("lt_wrong")).status_code == 401
        assert client.get(f"{API}/employees/me", headers=auth("ivanov")).status_code == 200
    assert letopis.runner.positions() == before


def test_an_app_given_dependency_overrides_follows_them_and_no_other_app_does(letopis, staff) -> None:
    """Every app shares its routes, which follow no app's overrides: an app given some builds
    routes of its own (a benchmark serves every request as one employee this way)."""
    sidorov = staff["sidorov"][0]
    served_as_sidorov = create_app(letopis, dependency_overrides={get_actor: lambda: sidorov})
    with TestClient(served_as_sidorov) as client:
        me = client.get(f"{API}/employees/me")
        assert me.status_code == 200, me.text
        assert me.json()["id"] == sidorov.employee_id
    with TestClient(create_app(letopis)) as client:
        assert client.get(f"{API}/employees/me").status_code == 401
        assert client.get(f"{API}/employees/me", headers=bearer(staff["ivanov"][1])).json()["id"] == (
            staff["ivanov"][0].employee_id
        )
