"""Sales plans over HTTP: who sets them, who reads them, plan against actual as deals move,
and every bad input refused with a clear message and nothing written."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from aggregates.period import Grain, period_of
from tests.read_api.world import API, ITEM, STAGES, TODAY, Api

MONTH = period_of(TODAY, Grain.MONTH)
UNKNOWN = "00000000-0000-4000-8000-000000000000"


def plan_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "period": MONTH.key,
        "target_kind": "employee",
        "measure": "won_amount",
        "amount": "1000000.00",
        "currency": "RUB",
        "reason": "План продаж на месяц",
    }
    return {**body, **overrides}


class Tracking(Api):
    """Reads what was last written: each read waits for the views to reach it (``?after=``)."""

    position = 0

    def write(self, who: str, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        answer = super().write(who, method, path, body)
        self.position = answer["position"]
        return answer

    def read(self, who: str, path: str, **params: Any) -> Any:
        return super().read(who, path, after=self.position, **params)

    def get(self, who: str, path: str, **params: Any) -> Any:
        return self.client.get(
            f"{API}{path}", params={"after": self.position, **params}, headers=self.auth(who)
        )


@pytest.fixture
def api(client: TestClient, auth: Any) -> Tracking:
    return Tracking(client, auth)


@pytest.fixture
def people(api: Tracking) -> dict[str, str]:
    return {who: api.read(who, "/employees/me")["id"] for who in ("ivanov", "petrova", "sidorov", "head")}


def a_deal(
    api: Tracking, who: str, amount: str, stage: str = "Переговоры", item_id: str | None = None
) -> str:
    pipeline = api.write("head", "post", "/pipelines", {"name": f"Воронка {who} {amount}", "stages": STAGES})
    counterparty = api.write(who, "post", "/counterparties", {"name": f"ООО «Клиент {who} {amount}»"})
    lines = (
        []
        if item_id is None
        else [{"item_id": item_id, "name": ITEM["name"], "quantity": "2", "unit_price": "250000.00"}]
    )
    return str(
        api.write(
            who,
            "post",
            "/deals",
            {
                "counterparty_id": counterparty["id"],
                "pipeline_id": pipeline["id"],
                "stage": stage,
                "amount": amount,
                "expected_close_on": MONTH.last_day.isoformat(),
                "lines": lines,
            },
        )["id"]
    )


def test_plan_against_actual_moves_as_deals_are_won(api: Tracking, people: dict[str, str]) -> None:
    plan = api.write("admin", "post", "/sales-plans", plan_body(target_id=people["ivanov"]))
    won = a_deal(api, "ivanov", "400000.00")
    a_deal(api, "ivanov", "500000.00")  # open at 60 %: 300 000 weighted
    api.write("ivanov", "post", f"/deals/{won}/won", {})
    report = api.read(
        "ivanov", "/plan-vs-actual", period=MONTH.key, target_kind="employee", target_id=people["ivanov"]
    )
    (line,) = report["plans"]
    assert line["plan_id"] == plan["id"]
    assert (line["plan"], line["actual"], line["actual_source"]) == ("1000000.00", "400000.00", "won")
    assert (line["attainment_percent"], line["gap"]) == ("40.00", "600000.00")
    assert (line["weighted_forecast"], line["expected_at_period_end"]) == ("300000.00", "700000.00")
    assert {"source": "won", "currency": "RUB", "amount": "400000.00", "count": 1} in report["actuals"]


def test_a_team_plan_that_sums_its_members_and_the_deals_won_measure(
    api: Tracking, people: dict[str, str]
) -> None:
    for who, amount in (("ivanov", "100000.00"), ("petrova", "250000.00")):
        api.write("admin", "post", "/sales-plans", plan_body(target_id=people[who], amount=amount))
    api.write(
        "admin",
        "post",
        "/sales-plans",
        plan_body(target_kind="team", target_id="Москва-1", basis="members", amount=None),
    )
    api.write(
        "admin",
        "post",
        "/sales-plans",
        plan_body(target_kind="team", target_id="Москва-1", measure="won_deals", amount="4", currency=None),
    )
    api.write("petrova", "post", f"/deals/{a_deal(api, 'petrova', '50000.00')}/won", {})
    report = api.read("head", "/plan-vs-actual", period=MONTH.key, target_kind="team", target_id="Москва-1")
    lines = {line["measure"]: line for line in report["plans"]}
    assert (lines["won_amount"]["plan"], lines["won_amount"]["actual"]) == ("350000.00", "50000.00")
    assert (lines["won_deals"]["plan"], lines["won_deals"]["actual"], lines["won_deals"]["currency"]) == (
        "4",
        "1",
        None,
    )


def test_only_admins_or_a_named_role_set_plans(
    client: TestClient, auth: Any, api: Tracking, people: dict[str, str], letopis: Any
) -> None:
    head = letopis.store.head()
    for who in ("ivanov", "head", "auditor"):
        response = client.post(
            f"{API}/sales-plans", json=plan_body(target_id=people["ivanov"]), headers=auth(who)
        )
        assert response.status_code == 403, response.text
    assert letopis.store.head() == head
    refused = client.post(
        f"{API}/planning-policy",
        json={"roles": ["head_of_sales"], "reason": "Планы ставят руководители"},
        headers=auth("head"),
    )
    assert refused.status_code == 403
    api.write(
        "admin",
        "post",
        "/planning-policy",
        {"roles": ["head_of_sales"], "reason": "Планы ставят руководители"},
    )
    plan = api.write("head", "post", "/sales-plans", plan_body(target_id=people["ivanov"]))
    api.write(
        "head",
        "post",
        f"/sales-plans/{plan['id']}/changes",
        {"amount": "1200000.00", "currency": "RUB", "reason": "Рост"},
    )
    api.write("head", "post", f"/sales-plans/{plan['id']}/withdrawal", {"reason": "Переведён"})
    again = api.write(
        "head", "post", "/sales-plans", plan_body(target_id=people["ivanov"], amount="900000.00")
    )
    assert again["id"] == plan["id"]
    assert again["version"] == 4
    shown = api.read("ivanov", f"/sales-plans/{plan['id']}")
    assert (shown["amount"], shown["withdrawn"], shown["reason"]) == (
        "900000.00",
        False,
        "План продаж на месяц",
    )


def test_managers_read_their_own_plans_heads_their_department_auditors_all(
    client: TestClient, auth: Any, api: Tracking, people: dict[str, str]
) -> None:
    own = api.write("admin", "post", "/sales-plans", plan_body(target_id=people["ivanov"]))["id"]
    other = api.write("admin", "post", "/sales-plans", plan_body(target_id=people["sidorov"]))["id"]
    team = api.write("admin", "post", "/sales-plans", plan_body(target_kind="team", target_id="Москва-1"))[
        "id"
    ]
    north = api.write(
        "admin", "post", "/sales-plans", plan_body(target_kind="department", target_id="Северо-Запад")
    )["id"]
    company = api.write("admin", "post", "/sales-plans", plan_body(target_kind="company"))["id"]

    def visible(who: str) -> set[str]:
        return {plan["id"] for plan in api.read(who, "/sales-plans", period=MONTH.key)["items"]}

    assert visible("ivanov") == {own, team}
    assert visible("sidorov") == {other}
    assert visible("head") == {own, other, team}
    assert visible("auditor") == visible("analyst") == {own, other, team, north, company}
    assert api.get("ivanov", f"/sales-plans/{other}").status_code == 404
    for who, kind, target in (
        ("ivanov", "employee", people["sidorov"]),
        ("kuznetsova", "team", "Москва-1"),
        ("head", "company", None),
        ("ivanov", "department", "Продажи"),
    ):
        params = {"period": MONTH.key, "target_kind": kind, **({"target_id": target} if target else {})}
        response = api.get(who, "/plan-vs-actual", **params)
        assert response.status_code == 403, (who, kind)
        assert response.json()["code"] == "access_denied"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"period": "2026-13"}, "period"),
        ({"period": "2026-Q5"}, "period"),
        ({"period": "0001"}, "period"),
        ({"period": "2026-10\n"}, "period"),
        ({"amount": "-5"}, "amount"),
        ({"amount": 1.5}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"currency": "XXX"}, "currency"),
        ({"reason": "План\x00"}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"target_id": UNKNOWN}, "target_id"),
        ({"target_id": None}, "target_id"),
        ({"measure": "won_deals", "amount": "2.50", "currency": None}, "amount"),
        ({"measure": "won_deals"}, "currency"),
        ({"basis": "members", "amount": None}, "basis"),
        ({"item_id": UNKNOWN}, "item_id"),
        ({"category": "Авиа", "item_id": UNKNOWN}, "item_id"),
        ({"target_kind": "galaxy"}, "target_kind"),
    ],
)
def test_a_bad_plan_is_refused_and_nothing_is_written(
    client: TestClient,
    auth: Any,
    people: dict[str, str],
    unchanged_log: None,
    overrides: dict[str, Any],
    field: str,
) -> None:
    body = plan_body(target_id=people["ivanov"])
    body.update(overrides)
    response = client.post(f"{API}/sales-plans", json=body, headers=auth("admin"))
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] in ("invalid_value", "validation_error"), problem
    assert any(error["loc"][-1] == field or field in error["loc"] for error in problem["errors"]), problem


def test_a_plan_set_twice_or_changed_after_withdrawal_is_a_conflict(
    client: TestClient, auth: Any, api: Tracking, people: dict[str, str], letopis: Any
) -> None:
    plan = api.write("admin", "post", "/sales-plans", plan_body(target_id=people["ivanov"]))["id"]
    head = letopis.store.head()
    twice = client.post(
        f"{API}/sales-plans", json=plan_body(target_id=people["ivanov"]), headers=auth("admin")
    )
    assert twice.status_code == 409
    assert "already set" in twice.json()["detail"]
    assert letopis.store.head() == head
    api.write("admin", "post", f"/sales-plans/{plan}/withdrawal", {"reason": "Отменён"})
    head = letopis.store.head()
    changed = client.post(
        f"{API}/sales-plans/{plan}/changes",
        json={"amount": "1.00", "currency": "RUB", "reason": "x"},
        headers=auth("admin"),
    )
    assert changed.status_code == 409
    assert letopis.store.head() == head


def test_a_plan_in_a_currency_without_a_rate_names_the_missing_rate(
    client: TestClient, auth: Any, api: Tracking, people: dict[str, str]
) -> None:
    api.write(
        "admin",
        "post",
        "/sales-plans",
        plan_body(target_id=people["ivanov"], currency="USD", amount="10000.00"),
    )
    api.write("ivanov", "post", f"/deals/{a_deal(api, 'ivanov', '90000.00')}/won", {})
    params = {"period": MONTH.key, "target_kind": "employee", "target_id": people["ivanov"]}
    response = api.get("ivanov", "/plan-vs-actual", **params)
    assert response.status_code == 422
    problem = response.json()
    assert "no USD rate is recorded" in problem["detail"]
    assert problem["errors"][0]["loc"] == ["query", "in"]
    api.write(
        "admin",
        "post",
        "/exchange-rates",
        {"currency": "USD", "rub_per_unit": "90.000000", "on": MONTH.first_day.isoformat()},
    )
    (line,) = api.read("ivanov", "/plan-vs-actual", **params)["plans"]
    assert (line["currency"], line["actual"], line["attainment_percent"]) == ("USD", "1000.00", "10.00")
    in_roubles = api.read("ivanov", "/plan-vs-actual", **params, **{"in": "RUB"})
    assert in_roubles["plans"][0]["plan"] == "900000.00"
    assert in_roubles["rates"][0]["currency"] == "USD"


@pytest.mark.parametrize("period", ["2026-13", "2026-W01", "", "2026-1", "99999"])
def test_a_bad_period_in_a_report_is_refused(client: TestClient, auth: Any, period: str) -> None:
    response = client.get(f"{API}/plan-vs-actual", params={"period": period}, headers=auth("auditor"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "period"]


def test_a_replayed_key_sets_a_plan_once_and_a_stale_version_changes_nothing(
    client: TestClient, auth: Any, people: dict[str, str], letopis: Any
) -> None:
    headers = {**auth("admin"), "Idempotency-Key": "plan-2026-10-ivanov"}
    first = client.post(f"{API}/sales-plans", json=plan_body(target_id=people["ivanov"]), headers=headers)
    head = letopis.store.head()
    again = client.post(f"{API}/sales-plans", json=plan_body(target_id=people["ivanov"]), headers=headers)
    assert again.status_code == first.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    other = client.post(f"{API}/sales-plans", json=plan_body(target_id=people["petrova"]), headers=headers)
    assert other.status_code == 409
    stale = client.post(
        f"{API}/sales-plans/{first.json()['id']}/changes",
        json={"amount": "5.00", "currency": "RUB", "reason": "Правка", "expected_version": 7},
        headers=auth("admin"),
    )
    assert stale.status_code == 409
    assert letopis.store.head() == head
