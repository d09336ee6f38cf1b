"""Counterparties' anniversaries: the founding date on the card, recurring yearly on the
manager's calendar (29 February on the 28th in common years) and in the daily report."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from projections.calendar_entries import CALENDAR_ZONE
from tests.read_api.calendar_client import CalendarApi
from tests.read_api.world import API


def _dates(api: CalendarApi, who: str, first: str, last: str) -> list[tuple[str, str]]:
    entries = api.read(who, "/calendar", **{"from": first, "to": last, "layer": "dates"})
    return [(e["first_day"], e["title"]) for e in entries]


def test_a_founding_date_recurs_yearly_and_29_february_falls_on_the_28th_in_common_years(
    client: TestClient, auth: Any, calendar_api: CalendarApi
) -> None:
    api = calendar_api
    plant = api.write(
        "ivanov", "post", "/counterparties", {"name": "Високосный завод", "founding_date": "2000-02-29"}
    )
    plant_id = plant["id"]
    assert api.read("ivanov", f"/counterparties/{plant_id}")["founding_date"] == "2000-02-29"

    common = api.read("ivanov", "/calendar", **{"from": "2027-02-01", "to": "2027-03-31", "layer": "dates"})
    assert [(e["first_day"], e["title"]) for e in common] == [("2027-02-28", "Anniversary: Високосный завод")]
    assert common[0]["details"] == {"kind": "anniversary", "original": "2000-02-29", "years": 27}
    path = f"{API}/counterparties/{plant_id}"
    assert common[0]["source"] == {"kind": "counterparty", "id": plant_id, "path": path}
    assert client.get(path, headers=auth("ivanov")).status_code == 200
    assert _dates(api, "ivanov", "2028-02-28", "2028-03-01") == [
        ("2028-02-29", "Anniversary: Високосный завод")
    ]
    assert _dates(api, "ivanov", "1999-01-01", "1999-12-31") == []
    assert _dates(api, "sidorov", "2027-02-01", "2027-03-31") == []


def test_renaming_moving_and_clearing_a_founding_date_follow_on_the_calendar(
    client: TestClient, auth: Any, calendar_api: CalendarApi
) -> None:
    api = calendar_api
    plant_id = api.write("ivanov", "post", "/counterparties", {"name": "Завод"})["id"]
    assert _dates(api, "ivanov", "2027-01-01", "2027-12-31") == []

    api.write("ivanov", "patch", f"/counterparties/{plant_id}", {"founding_date": "1991-12-31"})
    assert _dates(api, "ivanov", "2027-01-01", "2027-12-31") == [("2027-12-31", "Anniversary: Завод")]
    api.write("ivanov", "patch", f"/counterparties/{plant_id}", {"name": "Завод «Заря»"})
    assert _dates(api, "ivanov", "2027-01-01", "2027-12-31") == [("2027-12-31", "Anniversary: Завод «Заря»")]
    api.write("ivanov", "patch", f"/counterparties/{plant_id}", {"founding_date": "1991-06-01"})
    assert _dates(api, "ivanov", "2027-01-01", "2027-12-31") == [("2027-06-01", "Anniversary: Завод «Заря»")]
    api.write("ivanov", "patch", f"/counterparties/{plant_id}", {"founding_date": None})
    assert _dates(api, "ivanov", "2027-01-01", "2027-12-31") == []
    assert api.read("ivanov", f"/counterparties/{plant_id}")["founding_date"] is None


def test_an_anniversary_within_the_week_is_in_the_daily_report(
    client: TestClient, auth: Any, calendar_api: CalendarApi
) -> None:
    api = calendar_api
    soon = (datetime.now(CALENDAR_ZONE) + timedelta(days=3)).date()
    plant_id = api.write(
        "ivanov",
        "post",
        "/counterparties",
        {"name": "Юбилейный", "founding_date": soon.replace(year=2001).isoformat()},
    )["id"]
    (anniversary,) = api.read("ivanov", "/me/today")["dates"]
    assert (anniversary["kind"], anniversary["id"], anniversary["day"]) == (
        "counterparty",
        plant_id,
        soon.isoformat(),
    )
    assert anniversary["path"] == f"{API}/counterparties/{plant_id}"
    assert api.read("sidorov", "/me/today")["dates"] == []


@pytest.mark.parametrize(
    ("founding_date", "problem"),
    [
        ("2021-02-29", "not a day"),
        ("2021-13-01", "not a day"),
        ("0000-01-01", "not a day"),
        ("1991-06-01\x00", "control character"),
        ("1991-06-01T10:00:00", "a time, not a day"),
        (19910601, "a number"),
    ],
)
def test_a_founding_date_that_is_not_a_calendar_day_is_refused_and_nothing_written(
    client: TestClient, auth: Any, calendar_api: CalendarApi, founding_date: Any, problem: str
) -> None:
    api = calendar_api
    before = api.read("ivanov", "/counterparties")
    response = client.post(
        f"{API}/counterparties",
        json={"name": "Плохая дата", "founding_date": founding_date},
        headers=auth("ivanov"),
    )
    assert response.status_code == 422, problem
    assert "founding_date" in response.text
    assert api.read("ivanov", "/counterparties") == before

    plant_id = api.write("ivanov", "post", "/counterparties", {"name": "Завод"})["id"]
    changed = client.patch(
        f"{API}/counterparties/{plant_id}", json={"founding_date": founding_date}, headers=auth("ivanov")
    )
    assert changed.status_code == 422, problem
    assert api.read("ivanov", f"/counterparties/{plant_id}")["version"] == 1
