"""The audit trail over HTTP: every event of a record with its provenance and the fields it
changed; everything one employee did; auditors and administrators only."""

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from letopis.wiring import Letopis
from tests.read_api.world import API, Api, a_contract, days

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def test_the_full_trail_of_a_contract(client: TestClient, auth, staff, letopis: Letopis) -> None:
    api = Api(client, auth)
    contract_id = a_contract(client, auth)
    api.write("ivanov", "post", f"/contracts/{contract_id}/prolongations", {"valid_until": days(700)})
    api.write(
        "ivanov",
        "post",
        f"/contracts/{contract_id}/amendments",
        {"reason": "Доп. соглашение №1", "amount": "150000.00"},
    )
    trail = api.read("auditor", f"/audit/{contract_id}")
    entries = trail["entries"]
    assert trail["record_id"] == contract_id
    assert [entry["version"] for entry in entries] == [1, 2, 3]
    assert entries[0]["event"].startswith("Contract.")
    ivanov = staff["ivanov"][0].employee_id
    assert {entry["actor"] for entry in entries} == {ivanov}
    assert all(entry["command_id"] and entry["correlation_id"] for entry in entries)
    positions = [entry["position"] for entry in entries]
    assert positions == sorted(positions)
    prolonged = {change["field"]: change for change in entries[1]["changes"]}
    assert prolonged["valid_until"]["before"] == days(350)
    assert prolonged["valid_until"]["after"] == days(700)
    amended = {change["field"]: change for change in entries[2]["changes"]}
    assert "valid_until" not in amended
    assert any("150000" in str(change["after"]) for change in amended.values())
    assert api.read("admin", f"/audit/{contract_id}") == trail


def test_everything_one_employee_did(client: TestClient, auth, staff, letopis: Letopis) -> None:
    api = Api(client, auth)
    began = datetime.now(UTC) - timedelta(seconds=1)
    contract_id = a_contract(client, auth, "petrova")
    petrova = staff["petrova"][0].employee_id
    position = letopis.store.head()
    page = api.read("auditor", f"/audit/actors/{petrova}", since=began.isoformat(), after=position)
    events = [(item["event"], item["record_id"]) for item in page["items"]]
    assert page["total"] == len(events)
    assert events[0][0] == "Counterparty.Registered"
    assert ("Contract.Signed", contract_id) in events
    later = api.read("auditor", f"/audit/actors/{petrova}", since=(began + timedelta(hours=1)).isoformat())
    assert later["total"] == 0
    before = api.read("auditor", f"/audit/actors/{petrova}", until=began.isoformat())
    assert before["total"] == 0
    console = api.read("admin", "/audit/actors/console")
    assert console["total"] >= len(staff)


def test_only_auditors_and_administrators_read_the_audit(client: TestClient, auth, staff) -> None:
    contract_id = a_contract(client, auth)
    ivanov = staff["ivanov"][0].employee_id
    for who in ("ivanov", "head", "analyst"):
        for path in (f"/audit/{contract_id}", f"/audit/actors/{ivanov}"):
            response = client.get(f"{API}{path}", headers=auth(who))
            assert response.status_code == 403, (who, path, response.text)
            assert "auditor" in response.json()["detail"]


def test_bad_audit_requests(client: TestClient, auth, staff, unchanged_log) -> None:
    unknown = client.get(f"{API}/audit/{UNKNOWN}", headers=auth("auditor"))
    assert unknown.status_code == 404
    assert UNKNOWN in unknown.json()["detail"]
    for path, params in (
        (f"/audit/{UNKNOWN}%00", {}),
        ("/audit/actors/ivanov%00", {}),
        ("/audit/not-a-record", {}),
        (
            "/audit/actors/console",
            {"since": "2026-10-01T00:00:00+03:00", "until": "2026-09-01T00:00:00+03:00"},
        ),
        ("/audit/actors/console", {"since": "2026-10-01"}),
    ):
        response = client.get(f"{API}{path}", params=params, headers=auth("auditor"))
        assert response.status_code in (404, 422), (path, response.text)
        assert response.json()["detail"]
