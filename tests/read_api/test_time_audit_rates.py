"""Which rate costs time in the time audit: the latest in effect on the day, of two for one
day the one recorded later; time before any rate stays uncosted."""

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

API = "/api/v1"
TODAY = datetime.now(UTC).date()


def _done(response: Any) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


def test_time_is_costed_at_the_rate_recorded_last_for_its_day(
    client: TestClient, auth: Any, staff: Any
) -> None:
    ivanov, head = auth("ivanov"), auth("head")
    ivanov_id = staff["ivanov"][0].employee_id
    for days_ago, rate in ((20, "1000.00"), (10, "1100.00"), (10, "1300.00")):
        effective_from = (TODAY - timedelta(days=days_ago)).isoformat()
        body = {"employee_id": ivanov_id, "effective_from": effective_from, "rate": rate}
        _done(client.post(f"{API}/hourly-rates", json=body, headers=head))
    task = _done(
        client.post(
            f"{API}/tasks",
            json={"assignee_id": ivanov_id, "title": "Расчёт", "due_on": TODAY.isoformat()},
            headers=head,
        )
    )["id"]
    _done(client.post(f"{API}/tasks/{task}/acceptance", json={}, headers=ivanov))
    last: dict[str, Any] = {}
    for days_ago in (30, 15, 10, 0):
        body = {"day": (TODAY - timedelta(days=days_ago)).isoformat(), "minutes": 60, "work_done": "Расчёт"}
        last = _done(client.post(f"{API}/tasks/{task}/time-entries", json=body, headers=ivanov))
    since = (TODAY - timedelta(days=40)).isoformat()
    response = client.get(
        f"{API}/time-audit",
        params={"by": "employee", "since": since, "after": last["position"]},
        headers=head,
    )
    assert response.status_code == 200, response.text
    (mine,) = response.json()
    assert (mine["minutes"], mine["uncosted_minutes"]) == (240, 60)
    assert mine["cost"] == [{"amount": "3600.00", "currency": "RUB"}]
    rates = sorted((part["rate"], part["minutes"]) for part in mine["parts"] if part["rate"] is not None)
    assert rates == [("1000.00", 60), ("1300.00", 120)]
