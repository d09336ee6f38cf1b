"""The calendar over HTTP: its layers, each entry's source, yearly dates, and scope."""

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from commands.fields import FIRST_DAY, LAST_DAY
from read_api.routers.calendar import CalendarEntry
from tests.read_api.calendar_client import CalendarApi
from tests.read_api.world import API, TODAY, contract_body, days, ivanov_world


def _by_kind(entries: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        found.setdefault(entry["source"]["kind"], []).append(entry)
    return found


def test_each_layer_shows_with_a_link_to_its_source(
    client: TestClient, auth: Any, calendar_api: CalendarApi
) -> None:
    api = calendar_api
    ids = ivanov_world(client, auth)
    entries = _by_kind(api.calendar("ivanov"))

    (meeting,) = [e for e in entries["interaction"] if e["source"]["id"] == ids["interaction"]]
    assert (meeting["layer"], meeting["status"], meeting["all_day"]) == ("meetings", "held", False)
    assert meeting["source"]["path"] == f"{API}/counterparties/{ids['counterparty']}/history"
    (stage,) = entries["contract"]
    assert (stage["layer"], stage["status"]) == ("contract_stages", "planned")
    assert (stage["first_day"], stage["last_day"]) == (days(-5), days(30))
    assert stage["source"]["path"] == f"{API}/contracts/{ids['contract']}"
    (close,) = entries["deal"]
    assert (close["layer"], close["first_day"]) == ("deal_closes", days(60))
    assert client.get(close["source"]["path"], headers=auth("ivanov")).status_code == 200

    without_closes = api.calendar("ivanov", layer=["meetings", "contract_stages"])
    assert {e["layer"] for e in without_closes} == {"meetings", "contract_stages"}


def test_the_calendar_is_sent_exactly_as_its_documented_model_renders_it_in_the_order_entries_fall(
    client: TestClient, auth: Any, calendar_api: CalendarApi
) -> None:
    api = calendar_api
    ids = ivanov_world(client, auth)
    api.write(
        "ivanov", "post", "/contacts", {"full_name": "Ёлкина «Ая»\u2028", "birthday": "1992-" + days(3)[5:]}
    )
    api.write(
        "ivanov",
        "post",
        f"/activities/{ids['activity']}/reschedules",
        {"starts_at": f"{days(1)}T09:30:00.250000+03:00", "duration_minutes": 45, "reason": "Клиент просил"},
    )
    api.settle()
    response = client.get(f"{API}/calendar", params={"from": days(-30), "to": days(90)}, headers=auth("head"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"

    model = TypeAdapter(list[CalendarEntry])
    entries = model.validate_json(response.content)
    assert response.content == model.dump_json(entries)
    assert {e.layer for e in entries} == {
        "meetings",
        "tasks",
        "contract_stages",
        "deal_closes",
        "dates",
        "bookings",
    }
    (moved,) = [e for e in entries if e.source.id == ids["activity"]]
    assert moved.starts_at is not None
    assert moved.starts_at.isoformat() == f"{days(1)}T06:30:00.250000+00:00"
    assert moved.sequence == 1
    # By day; on a day the yearly dates, the other all-day entries, then the timed ones by time.
    order = [
        (
            e.first_day.isoformat(),
            0 if e.layer == "dates" else 2 if e.starts_at else 1,
            e.starts_at.isoformat() if e.starts_at else "",
            e.entry_id,
            e.employee_id,
        )
        for e in entries
    ]
    assert order == sorted(order)
    birthday_and_task = [e.layer for e in entries if e.first_day.isoformat() == days(3) and e.all_day]
    assert birthday_and_task[0] == "dates"
    assert "tasks" in birthday_and_task


def test_a_stage_shows_what_really_happened_next_to_its_plan(
    client: TestClient, auth: Any, calendar_api: CalendarApi
) -> None:
    api = calendar_api
    ids = ivanov_world(client, auth)
    api.write(
        "ivanov",
        "post",
        f"/contracts/{ids['contract']}/stage-starts",
        {"stage": "Перевозка", "started_on": days(-3)},
    )
    stages = api.calendar("ivanov", layer=["contract_stages"])
    assert [(e["status"], e["first_day"], e["last_day"]) for e in stages] == [
        ("started", days(-5), days(30)),
        ("started", days(-3), days(-3)),
    ]


_LENGTHS = (0, 1, 2, 3, 7, 8, 63, 64, 100, 4095, 4096, 5000)
"""Days a stage lasts: each side of the lengths an entry is sought by, and far beyond."""


def test_an_entry_of_any_length_shows_on_the_days_it_covers_and_no_others(
    client: TestClient, auth: Any, calendar_api: CalendarApi
) -> None:
    api = calendar_api
    counterparty = api.write("ivanov", "post", "/counterparties", {"name": "ООО «Долгий проект»"})["id"]
    planned: dict[str, tuple[date, date]] = {"Вечный": (FIRST_DAY, LAST_DAY)}
    for length in _LENGTHS:
        # Ending on the week's first day or the day before it; starting on its last or after.
        for start in (-length, -length - 1, 6, 7):
            first = TODAY + timedelta(days=start)
            planned[f"Этап {length}/{start}"] = (first, first + timedelta(days=length))
    stages = [
        {"name": name, "planned_start": first.isoformat(), "planned_end": last.isoformat()}
        for name, (first, last) in planned.items()
    ]
    api.write("ivanov", "post", "/contracts", contract_body(counterparty) | {"stages": stages})
    for first_offset, last_offset in ((0, 6), (-4100, -4094), (-1, 0), (7, 366)):
        first, last = TODAY + timedelta(days=first_offset), TODAY + timedelta(days=last_offset)
        shown = api.calendar("ivanov", first_offset, last_offset, layer=["contract_stages"])
        expected = {name for name, (starts, ends) in planned.items() if starts <= last and ends >= first}
        assert sorted(entry["title"].split(": ")[-1] for entry in shown) == sorted(expected)


def test_birthdays_recur_yearly_and_29_february_falls_on_the_28th_in_common_years(
    client: TestClient, auth: Any, calendar_api: CalendarApi
) -> None:
    api = calendar_api
    contact = api.write(
        "ivanov",
        "post",
        "/contacts",
        {
            "full_name": "Високосова Анна",
            "birthday": "1996-02-29",
            "notable_dates": [{"date": "2010-06-01", "label": "День компании"}],
        },
    )["id"]
    common = api.read("ivanov", "/calendar", **{"from": "2027-02-01", "to": "2027-03-31", "layer": "dates"})
    assert [(e["first_day"], e["title"]) for e in common] == [("2027-02-28", "Birthday: Високосова Анна")]
    assert common[0]["all_day"]
    assert common[0]["details"]["years"] == 31
    assert common[0]["source"] == {"kind": "contact", "id": contact, "path": f"{API}/contacts/{contact}"}
    leap = api.read("ivanov", "/calendar", **{"from": "2028-02-28", "to": "2028-03-01", "layer": "dates"})
    assert [e["first_day"] for e in leap] == ["2028-02-29"]
    across_years = api.read(
        "ivanov", "/calendar", **{"from": "2026-05-15", "to": "2027-05-14", "layer": "dates"}
    )
    assert [e["first_day"] for e in across_years] == ["2026-06-01", "2027-02-28"]
    before_birth = api.read(
        "ivanov", "/calendar", **{"from": "1990-01-01", "to": "1990-12-31", "layer": "dates"}
    )
    assert before_birth == []


def test_another_teams_entries_never_appear(client: TestClient, auth: Any, calendar_api: CalendarApi) -> None:
    api = calendar_api
    ivanov_world(client, auth)
    api.write("ivanov", "post", "/contacts", {"full_name": "Именинник", "birthday": TODAY.isoformat()})
    assert api.calendar("ivanov")
    assert api.calendar("petrova") == api.calendar("ivanov")
    assert api.calendar("sidorov") == []
    assert api.calendar("kuznetsova") == []
    assert api.calendar("head") == api.calendar("ivanov")
    assert api.calendar("sidorov", team="Москва-1") == []


def test_one_employees_calendar_within_scope_or_refused(
    client: TestClient, auth: Any, calendar_api: CalendarApi, staff: dict[str, Any]
) -> None:
    api = calendar_api
    ivanov_world(client, auth)
    ivanov_id = staff["ivanov"][0].employee_id
    assert api.calendar("petrova", employee_id=ivanov_id)
    assert api.calendar("petrova", employee_id=staff["petrova"][0].employee_id) == []
    refused = client.get(
        f"{API}/calendar",
        params={"from": days(0), "to": days(1), "employee_id": ivanov_id},
        headers=auth("sidorov"),
    )
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": days(5), "to": days(4)}, "to"),
        ({"from": days(0), "to": days(366)}, "to"),
        ({"from": "2199-12-31", "to": "2200-01-01"}, "to"),
        ({"from": days(0), "to": days(1), "layer": "holidays"}, "layer"),
        ({"from": days(0), "to": days(1), "employee_id": "not-an-id"}, "employee_id"),
        ({"from": days(0), "to": days(1), "team": "Москва\x00-1"}, "team"),
    ],
)
def test_a_bad_period_or_layer_is_refused(
    client: TestClient,
    auth: Any,
    calendar_api: CalendarApi,
    staff: dict[str, Any],
    params: dict[str, str],
    field: str,
) -> None:
    refused = client.get(f"{API}/calendar", params=params, headers=auth("ivanov"))
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"][:2] == ["query", field]


def test_planned_work_shows_and_a_held_activity_takes_its_meetings_place(
    client: TestClient, auth: Any, calendar_api: CalendarApi
) -> None:
    api = calendar_api
    ids = ivanov_world(client, auth)
    entries = _by_kind(api.calendar("ivanov"))
    (activity,) = entries["activity"]
    assert (activity["layer"], activity["status"], activity["all_day"]) == ("meetings", "planned", False)
    assert activity["source"]["path"] == f"{API}/activities/{ids['activity']}"
    (task,) = entries["task"]
    assert (task["layer"], task["first_day"], task["status"]) == ("tasks", days(3), "assigned")
    (booking,) = entries["resource"]
    assert (booking["layer"], booking["title"]) == ("bookings", "Переговорная «Нева»: ")
    (internal,) = entries["internal_meeting"]
    assert (internal["layer"], internal["title"]) == ("meetings", "internal meeting: Планёрка команды")
    assert internal["source"]["path"] == f"{API}/internal-meetings/{ids['meeting']}"

    held = api.write(
        "ivanov",
        "post",
        "/interactions",
        {
            "counterparty_id": ids["counterparty"],
            "subject": "Встреча о тарифах",
            "details": {"kind": "meeting"},
            "planned_activity_id": ids["activity"],
        },
    )
    after = _by_kind(api.calendar("ivanov"))
    (activity,) = after["activity"]
    assert activity["status"] == "held"
    assert activity["details"]["interaction_id"] == held["id"]
    assert held["id"] not in {e["source"]["id"] for e in after["interaction"]}
