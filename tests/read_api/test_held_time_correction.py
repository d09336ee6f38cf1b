"""An activity held by logging its meeting was held when the meeting happened: correcting
that time moves the activity's held time, and with it held on time or late."""

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

API = "/api/v1"
NOW = datetime.now(UTC).replace(microsecond=0)


def _created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_correcting_when_the_meeting_happened_moves_the_activitys_held_time(
    client: TestClient, auth: Any
) -> None:
    ivanov = auth("ivanov")
    volga = _created(client.post(f"{API}/counterparties", json={"name": "ООО «Волга»"}, headers=ivanov))["id"]
    starts_at = NOW - timedelta(days=2)
    activity = _created(
        client.post(
            f"{API}/activities",
            json={
                "kind": "meeting",
                "subject": "Встреча",
                "counterparty_id": volga,
                "starts_at": starts_at.isoformat(),
                "duration_minutes": 60,
            },
            headers=ivanov,
        )
    )["id"]
    logged = _created(
        client.post(
            f"{API}/interactions",
            json={
                "counterparty_id": volga,
                "subject": "Встретились",
                "details": {"kind": "meeting"},
                "occurred_at": starts_at.isoformat(),
                "planned_activity_id": activity,
            },
            headers=ivanov,
        )
    )

    def card(after: int) -> dict[str, Any]:
        response = client.get(f"{API}/activities/{activity}", params={"after": after}, headers=ivanov)
        assert response.status_code == 200, response.text
        return dict(response.json())

    held = card(logged["position"])
    assert (held["status"], held["held_late"]) == ("held", False)

    renamed = _created(
        client.post(
            f"{API}/interactions/{logged['id']}/corrections",
            json={"subject": "Встретились в офисе", "reason": "Уточнение"},
            headers=ivanov,
        )
    )
    assert card(renamed["position"])["held_at"] == held["held_at"]

    late = starts_at + timedelta(days=1)
    corrected = _created(
        client.post(
            f"{API}/interactions/{logged['id']}/corrections",
            json={"happened_at": late.isoformat(), "reason": "Встреча была позже"},
            headers=ivanov,
        )
    )
    moved = card(corrected["position"])
    assert datetime.fromisoformat(moved["held_at"]) == late
    assert (moved["status"], moved["held_late"]) == ("held", True)
