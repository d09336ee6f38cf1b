"""Reports for a past moment over HTTP: as it had happened by a business time (``as_of``), as
the log knew it at a recorded time (``known_at``), and reproduced exactly from the log position
an answer names (``at_position``); moments the log cannot answer for are refused."""

import gc
import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from aggregates.period import Grain, period_of
from letopis.wiring import Letopis
from read_api.time_travel import POSITION_HEADER
from tests.read_api.world import API, STAGES, TODAY, Api, contract_body, days, moment


def past(client: TestClient, auth: Any, path: str, **params: Any) -> tuple[Any, int]:
    response = client.get(f"{API}{path}", params=params, headers=auth("head"))
    assert response.status_code == 200, response.text
    return response.json(), int(response.headers[POSITION_HEADER])


def a_moment_between_writes() -> datetime:
    # Recorded times are microseconds: a write a moment later is recorded after this.
    between = datetime.now(UTC)
    time.sleep(0.002)
    return between


def test_a_relationship_history_as_it_had_happened(client: TestClient, auth, staff, letopis: Letopis) -> None:
    api = Api(client, auth)
    client_id = api.write(
        "ivanov", "post", "/counterparties", {"name": "ООО «Былое»", "occurred_at": moment(-240)}
    )["id"]
    for subject, hours in (("Первая встреча", -120), ("Вторая встреча", -24)):
        body = {
            "counterparty_id": client_id,
            "subject": subject,
            "details": {"kind": "meeting", "agenda": "Тарифы"},
            "occurred_at": moment(hours),
        }
        api.write("ivanov", "post", "/interactions", body)
    history = f"/counterparties/{client_id}/history"
    then, position = past(client, auth, history, as_of=moment(-72))
    assert position == letopis.store.head()
    summaries = " ".join(entry["summary"] for entry in then["items"])
    assert "Первая встреча" in summaries
    assert "Вторая встреча" not in summaries
    assert past(client, auth, history, as_of=moment(-72), at_position=position) == (then, position)
    now = api.read("head", history, after=letopis.store.head())
    assert "Вторая встреча" in " ".join(entry["summary"] for entry in now["items"])


def test_the_contract_register_as_known_then(client: TestClient, auth, staff, letopis: Letopis) -> None:
    api = Api(client, auth)
    client_id = api.write("ivanov", "post", "/counterparties", {"name": "ООО «Реестр»"})["id"]
    first = api.write("ivanov", "post", "/contracts", contract_body(client_id, "ТЛ-2026/101"))["id"]
    known = a_moment_between_writes()
    api.write("ivanov", "post", "/contracts", contract_body(client_id, "ТЛ-2026/102"))
    register, position = past(client, auth, "/contracts", known_at=known.isoformat())
    assert [row["id"] for row in register["items"]] == [first]
    assert past(client, auth, "/contracts", at_position=position) == (register, position)
    later, _ = past(client, auth, "/contracts", known_at=datetime.now(UTC).isoformat())
    assert later["total"] == 2


def test_the_funnel_as_known_then(client: TestClient, auth, staff, letopis: Letopis) -> None:
    api = Api(client, auth)
    pipeline = api.write("head", "post", "/pipelines", {"name": "Основная", "stages": STAGES})["id"]
    client_id = api.write("ivanov", "post", "/counterparties", {"name": "ООО «Воронка»"})["id"]
    known = a_moment_between_writes()
    deal = {
        "counterparty_id": client_id,
        "pipeline_id": pipeline,
        "amount": "500000.00",
        "expected_close_on": days(60),
    }
    api.write("ivanov", "post", "/deals", deal)

    def open_deals(report: dict[str, Any]) -> int:
        return sum(stage["open_deals"] for stage in report["stages"])

    then, position = past(client, auth, "/reports/funnel", pipeline_id=pipeline, known_at=known.isoformat())
    assert open_deals(then) == 0
    now, head = past(client, auth, "/reports/funnel", pipeline_id=pipeline, at_position=letopis.store.head())
    assert open_deals(now) == 1
    assert position < head
    assert past(client, auth, "/reports/funnel", pipeline_id=pipeline, at_position=position) == (
        then,
        position,
    )


def test_plan_against_actual_as_known_then(client: TestClient, auth, staff, letopis: Letopis) -> None:
    api = Api(client, auth)
    month = period_of(TODAY, Grain.MONTH)
    ivanov = staff["ivanov"][0].employee_id
    plan = {
        "period": month.key,
        "target_kind": "employee",
        "target_id": ivanov,
        "measure": "won_amount",
        "amount": "1000000.00",
        "currency": "RUB",
        "reason": "План продаж на месяц",
    }
    api.write("admin", "post", "/sales-plans", plan)
    pipeline = api.write("head", "post", "/pipelines", {"name": "Основная", "stages": STAGES})["id"]
    client_id = api.write("ivanov", "post", "/counterparties", {"name": "ООО «План»"})["id"]
    deal = {
        "counterparty_id": client_id,
        "pipeline_id": pipeline,
        "amount": "400000.00",
        "expected_close_on": month.last_day.isoformat(),
    }
    deal_id = api.write("ivanov", "post", "/deals", deal)["id"]
    known = a_moment_between_writes()
    api.write("ivanov", "post", f"/deals/{deal_id}/won", {})
    report = "/plan-vs-actual"
    whose = {"period": month.key, "target_kind": "employee", "target_id": ivanov}

    then, position = past(client, auth, report, known_at=known.isoformat(), **whose)
    [line] = then["plans"]
    assert (line["plan"], line["actual"]) == ("1000000.00", "0.00")
    assert Decimal(line["weighted_forecast"]) > 0
    now, head = past(client, auth, report, at_position=letopis.store.head(), **whose)
    assert (now["plans"][0]["actual"], head) == ("400000.00", letopis.store.head())
    assert position < head
    assert past(client, auth, report, at_position=position, **whose) == (then, position)


PAST_REPORTS = {
    "/contracts": {},
    "/plan-vs-actual": {"period": "2026-10"},
    "/bonuses": {"period": "2026-10"},
}


@pytest.mark.parametrize("path", sorted(PAST_REPORTS))
@pytest.mark.parametrize(
    ("params", "field", "says"),
    [
        ({"as_of": "1990-01-01T00:00:00+03:00"}, "as_of", "before the first event"),
        ({"known_at": "1990-01-01T00:00:00+03:00"}, "known_at", "nothing had been recorded"),
        ({"at_position": 10**9}, "at_position", "beyond the head of the log"),
        ({"at_position": 0}, "at_position", ""),
        ({"known_at": "2026-10-01T00:00:00+03:00", "at_position": 1}, "known_at", "not both"),
        ({"as_of": "2026-10-01"}, "as_of", ""),
        ({"as_of": "2026-10-01T00:00:00\x00+03:00"}, "as_of", ""),
    ],
)
def test_moments_the_log_cannot_answer_for_are_refused(
    client: TestClient, auth, staff, unchanged_log, path: str, params: dict[str, Any], field: str, says: str
) -> None:
    response = client.get(f"{API}{path}", params={**PAST_REPORTS[path], **params}, headers=auth("head"))
    assert response.status_code == 422, response.text
    body = response.json()
    assert field in [error["loc"][-1] for error in body["errors"]]
    assert says in body["detail"] + " ".join(error["msg"] for error in body["errors"])
    assert POSITION_HEADER not in response.headers


@pytest.mark.parametrize("path", sorted(PAST_REPORTS))
def test_the_garbage_collector_runs_again_once_a_past_report_is_replayed(
    client: TestClient, auth, path
) -> None:
    for asked in ({"at_position": 1}, {"as_of": "1990-01-01T00:00:00+03:00"}):
        client.get(f"{API}{path}", params={**PAST_REPORTS[path], **asked}, headers=auth("head"))
        assert gc.isenabled(), asked
