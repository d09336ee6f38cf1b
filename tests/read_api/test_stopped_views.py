"""An event that a view's handler cannot apply stops that view alone: the others, token
checks and ``?after=`` reads go on, /health says which view stopped where and why, and a
release that copes with the event resumes the view where it stopped. Events that earlier
releases let into the log and that the views now read as they were meant go through."""

import dataclasses

from fastapi.testclient import TestClient

from aggregates.employee import Role
from letopis.wiring import Letopis
from read_api.app import create_app
from tests.projections.poison import (
    OUT_OF_RANGE,
    append_call,
    append_counterparty,
    append_profile_change,
    restarted_with_correction,
)
from tests.projections.views import dump_views

CALL = {"kind": "call", "direction": "outgoing"}


def test_a_view_that_cannot_apply_an_event_stops_alone_and_resumes_once_corrected(
    letopis: Letopis, client: TestClient, staff, auth
) -> None:
    as_ivanov = auth("ivanov")
    ivanov = staff["ivanov"][0].employee_id
    card = client.post("/api/v1/counterparties", json={"name": "ООО «Ромашка»"}, headers=as_ivanov).json()
    append_call(letopis, ivanov, card["id"], "До сбоя")
    poison = append_call(letopis, ivanov, card["id"], "Звонок из прошлого", OUT_OF_RANGE)
    later_call = client.post(
        "/api/v1/interactions",
        json={"counterparty_id": card["id"], "subject": "После сбоя", "details": CALL},
        headers=as_ivanov,
    )
    assert later_call.status_code == 201, later_call.text
    newcomer_id, newcomer_token = letopis.create_user("Новикова Вера", Role.MANAGER, "Москва-1", "Продажи")
    renamed = client.patch(
        f"/api/v1/counterparties/{card['id']}", json={"name": "ООО «Ромашка и сыновья»"}, headers=as_ivanov
    )
    assert renamed.status_code == 200, renamed.text
    head = letopis.store.head()
    letopis.runner.catch_up()  # as the projection worker does, every fraction of a second

    me = client.get("/api/v1/employees/me", headers={"Authorization": f"Bearer {newcomer_token}"})
    read = client.get(
        f"/api/v1/counterparties/{card['id']}",
        params={"after": renamed.json()["position"]},
        headers=as_ivanov,
    )
    history = client.get(
        f"/api/v1/counterparties/{card['id']}/history", params={"type": "call"}, headers=as_ivanov
    )
    health = client.get("/health")

    assert me.status_code == 200
    assert me.json()["id"] == newcomer_id
    assert read.status_code == 200
    assert read.json()["name"] == "ООО «Ромашка и сыновья»"
    # The stopped view keeps everything before the event it could not apply.
    assert [entry["summary"] for entry in history.json()["items"]] == ["До сбоя"]
    assert health.status_code == 200
    report = health.json()
    assert report["status"] == "degraded"
    assert report["log_head"] == head
    stopped = [view for view in report["views"] if view["state"] == "stopped"]
    assert len(stopped) == 1
    failure = stopped[0].pop("failure")
    assert {key: stopped[0][key] for key in ("name", "position", "state", "behind", "rebuild")} == {
        "name": "relationship_history",
        "position": poison - 1,
        "state": "stopped",
        "behind": head - poison + 1,
        "rebuild": None,
    }
    assert failure["position"] == poison
    assert failure["topic"] == "aggregates.interaction:Interaction.Logged"
    assert failure["error_type"] == "OverflowError"
    assert "out of range" in failure["message"]
    assert failure["attempts"] >= 1
    running = [view for view in report["views"] if view["state"] == "running"]
    assert {(view["position"], view["failure"]) for view in running} == {(head, None)}
    assert len(running) == len(letopis.runner.projections) - 1

    corrected = restarted_with_correction(letopis)
    corrected.catch_up()
    with TestClient(create_app(dataclasses.replace(letopis, runner=corrected))) as after_correction:
        resumed = after_correction.get("/health").json()
        calls = after_correction.get(
            f"/api/v1/counterparties/{card['id']}/history", params={"type": "call"}, headers=as_ivanov
        )
    live = dump_views(letopis)
    corrected.rebuild()

    assert resumed["status"] == "ok"
    assert {(view["state"], view["position"], view["failure"]) for view in resumed["views"]} == {
        ("running", head, None)
    }
    assert [entry["summary"] for entry in calls.json()["items"]] == [
        "После сбоя",
        "До сбоя",
        "Звонок из прошлого",
    ]
    assert dump_views(letopis) == live


def test_text_with_nul_is_shown_and_kept_moving_past(
    letopis: Letopis, client: TestClient, staff, auth, store_kind
) -> None:
    as_ivanov = auth("ivanov")
    ivanov = staff["ivanov"][0].employee_id
    counterparty_id, _ = append_counterparty(letopis, ivanov, "ООО «Нуль\x00Трест»", region="Мо\x00сква")
    append_call(letopis, ivanov, counterparty_id, "Звонок\x00")
    later = client.post(
        "/api/v1/interactions",
        json={"counterparty_id": counterparty_id, "subject": "Обычный звонок", "details": CALL},
        headers=as_ivanov,
    ).json()

    card = client.get(
        f"/api/v1/counterparties/{counterparty_id}", params={"after": later["position"]}, headers=as_ivanov
    )
    calls = client.get(
        f"/api/v1/counterparties/{counterparty_id}/history", params={"type": "call"}, headers=as_ivanov
    )
    found = client.get("/api/v1/counterparties", params={"q": "нуль"}, headers=as_ivanov)
    health = client.get("/health").json()

    # PostgreSQL text cannot hold NUL: its views show the replacement character instead.
    nul = "\ufffd" if store_kind == "postgres" else "\x00"
    assert card.json()["name"] == f"ООО «Нуль{nul}Трест»"
    assert card.json()["region"] == f"Мо{nul}сква"
    assert [entry["summary"] for entry in calls.json()["items"]] == ["Обычный звонок", f"Звонок{nul}"]
    assert [item["id"] for item in found.json()["items"]] == [counterparty_id]
    assert health["status"] == "ok"
    assert {view["position"] for view in health["views"]} == {letopis.store.head()}


def test_collections_stored_as_none_read_as_empty(letopis: Letopis, client: TestClient, staff, auth) -> None:
    as_ivanov = auth("ivanov")
    ivanov = staff["ivanov"][0].employee_id
    card = client.post(
        "/api/v1/counterparties",
        json={"name": "АО Сибирь", "classifiers": {"Категория": ["A"]}, "requisites": {"КПП": "770101001"}},
        headers=as_ivanov,
    ).json()
    append_profile_change(letopis, ivanov, card["id"], classifiers=None, requisites=None, interests=None)
    rated = client.put(f"/api/v1/counterparties/{card['id']}/rating", json={"rating": 4}, headers=as_ivanov)
    assert rated.status_code == 200, rated.text

    read = client.get(
        f"/api/v1/counterparties/{card['id']}", params={"after": rated.json()["position"]}, headers=as_ivanov
    )
    by_classifier = client.get(
        "/api/v1/counterparties", params={"classifier": "Категория=A"}, headers=as_ivanov
    )
    health = client.get("/health").json()

    assert read.status_code == 200, read.text
    shown = read.json()
    assert (shown["classifiers"], shown["requisites"], shown["interests"], shown["rating"]) == ({}, {}, [], 4)
    assert by_classifier.json()["items"] == []
    assert health["status"] == "ok"
    assert {view["position"] for view in health["views"]} == {letopis.store.head()}
