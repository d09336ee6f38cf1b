"""Bonus statements over HTTP on every store: rule versions, statements with their lines,
scope, what-if, approval and its reproduction, and every bad input refused with nothing written."""

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from aggregates.period import Grain, period_of
from read_api.time_travel import POSITION_HEADER
from tests.read_api.world import API, TODAY, Api, contract_body

LAST_MONTH = period_of(TODAY.replace(day=1) - timedelta(days=1), Grain.MONTH)
THIS_MONTH = period_of(TODAY, Grain.MONTH)
SINCE = LAST_MONTH.shift(-1).first_day.isoformat()
FLAT = {"percent": "3"}


def adopt(api: Api, rules: dict[str, Any], effective_from: str = SINCE, who: str = "admin") -> dict[str, Any]:
    body = {"effective_from": effective_from, "rules": rules, "reason": "Политика премирования"}
    return api.write(who, "post", "/bonus-rules", body)


def sale(api: Api, who: str, amount: str, currency: str = "RUB", number: str | None = None) -> str:
    """A contract of the employee's paid ``amount`` in the middle of last month."""
    counterparty = api.write(who, "post", "/counterparties", {"name": f"ООО «Клиент {who}»"})["id"]
    body = {
        **contract_body(counterparty, number or f"ТЛ-{who}-{currency}"),
        "signed_on": SINCE,
        "valid_from": SINCE,
        "currency": currency,
        "amount": "1000000.00",
    }
    contract = api.write(who, "post", "/contracts", body)["id"]
    pay(api, who, contract, amount, currency)
    return str(contract)


def pay(api: Api, who: str, contract: str, amount: str, currency: str = "RUB") -> str:
    received_on = LAST_MONTH.first_day + timedelta(days=14)
    body = {
        "contract_id": contract,
        "amount": amount,
        "currency": currency,
        "received_on": received_on.isoformat(),
    }
    return str(api.write(who, "post", "/payments", body)["id"])


def statements(api: Api, who: str, **params: Any) -> dict[str, Any]:
    answer: dict[str, Any] = api.read(who, "/bonuses", period=LAST_MONTH.key, **params)
    return answer


def by_name(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {statement["full_name"]: statement for statement in answer["statements"]}


@pytest.fixture
def api(client, auth) -> Api:
    return Api(client, auth)


@pytest.fixture
def sales(api: Api) -> Api:
    adopt(api, FLAT)
    for who, amount in (("ivanov", "100000.00"), ("petrova", "50000.00"), ("kuznetsova", "20000.00")):
        sale(api, who, amount)
    return api


def test_a_statement_shows_each_payment_with_its_contract_rule_and_bonus(sales: Api) -> None:
    [statement] = statements(sales, "ivanov")["statements"]
    [line] = statement["lines"]
    assert (line["kind"], line["rule"], line["percent"], line["base"], line["amount"]) == (
        "payment",
        "flat",
        "3",
        "100000.00",
        "3000.00",
    )
    assert line["contract_number"] == "ТЛ-ivanov-RUB"
    assert statement["rules_version"] == 1
    assert statement["totals"] == [{"currency": "RUB", "amount": "3000.00"}]
    assert statement["total_rub"] == "3000.00"


def test_managers_see_their_own_heads_their_department_auditors_and_analysts_everyone(sales: Api) -> None:
    seen = {who: sorted(by_name(statements(sales, who))) for who in ("petrova", "head", "auditor", "analyst")}
    assert seen["petrova"] == ["Петрова Анна"]
    assert seen["head"] == ["Иванов Иван", "Петрова Анна"]
    assert seen["auditor"] == seen["analyst"] == ["Иванов Иван", "Кузнецова Ольга", "Петрова Анна"]


def test_a_rule_version_is_named_and_a_later_one_supersedes_from_its_month(sales: Api) -> None:
    adopt(sales, {"percent": "5"}, LAST_MONTH.first_day.isoformat())
    ivanov = by_name(statements(sales, "auditor"))["Иванов Иван"]
    assert (ivanov["rules_version"], ivanov["total_rub"]) == (2, "5000.00")
    under_first = by_name(statements(sales, "auditor", rules=1))["Иванов Иван"]
    assert (under_first["rules_version"], under_first["total_rub"]) == (1, "3000.00")
    versions = sales.read("auditor", "/bonus-rules")["versions"]
    assert [(v["number"], v["rules"]["percent"]) for v in versions] == [(1, "3"), (2, "5")]


def test_a_missing_exchange_rate_is_named_in_the_statement(api: Api) -> None:
    adopt(api, FLAT)
    sale(api, "ivanov", "1000.00", currency="USD")
    [statement] = statements(api, "ivanov")["statements"]
    assert statement["totals"] == [{"currency": "USD", "amount": "30.00"}]
    assert statement["total_rub"] is None
    assert statement["missing_rates"] == [
        f"no exchange rate of USD is recorded on or before {LAST_MONTH.last_day}"
    ]
    api.write("admin", "post", "/exchange-rates", {"currency": "USD", "rub_per_unit": "80", "on": SINCE})
    [statement] = statements(api, "ivanov")["statements"]
    assert statement["total_rub"] == "2400.00"
    assert statement["rates"] == [{"currency": "USD", "rub_per_unit": "80", "on": SINCE, "source": ""}]


def test_an_approved_statement_is_reproduced_at_its_position_however_many_events_came_later(
    sales: Api, letopis
) -> None:
    seen = statements(sales, "auditor")
    approved = sales.write(
        "admin", "post", "/bonuses/approvals", {"period": LAST_MONTH.key, "position": seen["position"]}
    )
    approval = sales.read("auditor", f"/bonuses/approvals/{LAST_MONTH.key}")
    assert (approval["rules_version"], approval["position"]) == (1, seen["position"])
    assert approved["position"] > seen["position"]
    contract = sale(sales, "ivanov", "70000.00", number="ТЛ-позже")
    pay(sales, "ivanov", contract, "5.00")
    adopt(sales, {"percent": "9"}, THIS_MONTH.shift(1).first_day.isoformat())
    assert statements(sales, "auditor")["statements"] != seen["statements"]
    again = statements(sales, "auditor", at_position=approval["position"], rules=approval["rules_version"])
    assert again["statements"] == seen["statements"]


def past_statements(api: Api, **params: Any) -> tuple[dict[str, str | None], int]:
    """Every manager's total for last month at a past moment, and the log position named."""
    response = api.client.get(
        f"{API}/bonuses", params={"period": LAST_MONTH.key, **params}, headers=api.auth("auditor")
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert int(response.headers[POSITION_HEADER]) == answer["position"]
    return {s["full_name"]: s["total_rub"] for s in answer["statements"]}, answer["position"]


def test_statements_as_they_had_happened_and_as_known_then_are_reproduced_at_their_position(
    sales: Api, letopis
) -> None:
    between = datetime.now(UTC)
    time.sleep(0.002)  # recorded times are microseconds: what follows is recorded after this
    contract = sale(sales, "petrova", "70000.00", number="ТЛ-позже")
    pay(sales, "petrova", contract, "30000.00")
    before = {"Иванов Иван": "3000.00", "Петрова Анна": "1500.00", "Кузнецова Ольга": "600.00"}
    assert past_statements(sales)[0] == {**before, "Петрова Анна": "4500.00"}

    known, position = past_statements(sales, known_at=between.isoformat())
    assert known == before
    assert position < letopis.store.head()
    assert past_statements(sales, at_position=position) == (known, position)

    happened, head = past_statements(sales, as_of=between.isoformat())
    assert (happened, head) == (before, letopis.store.head())
    assert past_statements(sales, as_of=between.isoformat(), at_position=head) == (happened, head)


def test_a_what_if_shows_old_new_and_difference_per_manager_and_writes_nothing(sales: Api, letopis) -> None:
    head = letopis.store.head()
    body = {"period": LAST_MONTH.key, "rules": {"percent": "4"}}
    rows = sales.client.post(f"{API}/bonuses/what-if", json=body, headers=sales.auth("head")).json()["rows"]
    assert {r["full_name"]: (r["in_force"], r["candidate"], r["difference"]) for r in rows} == {
        "Иванов Иван": ("3000.00", "4000.00", "1000.00"),
        "Петрова Анна": ("1500.00", "2000.00", "500.00"),
    }
    assert letopis.store.head() == head
    assert len(sales.read("auditor", "/bonus-rules")["versions"]) == 1


def refused(api: Api, method: str, path: str, body: Any, status: int, who: str = "admin") -> dict[str, Any]:
    response = api.client.request(method, f"{API}{path}", json=body, headers=api.auth(who))
    assert response.status_code == status, response.text
    problem: dict[str, Any] = response.json()
    return problem


TIERS_DOWN = {
    "tiers": {"tiers": [{"from_attainment": "0", "percent": "2"}, {"from_attainment": "0", "percent": "4"}]}
}
HALF_TEAM = {"team_shares": [{"name": "Москва-1", "percent": "1", "members": {}}]}


def test_bad_rule_versions_are_refused_with_a_clear_message(sales: Api, unchanged_log, staff) -> None:
    overlapping = {"effective_from": SINCE, "rules": FLAT, "reason": "Повтор"}
    problem = refused(sales, "post", "/bonus-rules", overlapping, 409)
    assert "would overlap" in problem["detail"]
    problem = refused(
        sales,
        "post",
        "/bonus-rules",
        {**overlapping, "rules": TIERS_DOWN, "effective_from": "2199-01-01"},
        422,
    )
    assert problem["errors"][0]["loc"] == ["body", "rules", "tiers", "tiers", "1", "from_attainment"]
    assert "tiers must increase" in problem["detail"]
    members = {staff["ivanov"][0].employee_id: "60", staff["petrova"][0].employee_id: "30"}
    split = {"team_shares": [{"name": "Москва-1", "percent": "1", "members": members}]}
    problem = refused(
        sales, "post", "/bonus-rules", {**overlapping, "rules": split, "effective_from": "2199-01-01"}, 422
    )
    assert "add up to 90 %, not 100 %" in problem["detail"]


def test_bad_approvals_and_positions_are_refused(sales: Api, unchanged_log) -> None:
    head = statements(sales, "auditor")["position"]
    problem = refused(sales, "post", "/bonuses/approvals", {"period": THIS_MONTH.key, "position": head}, 422)
    assert "only a month that is over can be approved" in problem["detail"]
    problem = refused(
        sales, "post", "/bonuses/approvals", {"period": THIS_MONTH.shift(3).key, "position": head}, 422
    )
    assert "only a month that is over can be approved" in problem["detail"]
    problem = refused(
        sales, "post", "/bonuses/approvals", {"period": LAST_MONTH.key, "position": head + 5}, 422
    )
    assert "beyond the log's head" in problem["detail"]
    problem = refused(
        sales, "get", f"/bonuses?period={LAST_MONTH.key}&at_position={head + 1}", None, 422, "auditor"
    )
    assert problem["errors"][0]["loc"] == ["query", "at_position"]
    refused(sales, "get", "/bonuses?period=2026-13", None, 422, "auditor")


def test_only_administrators_or_the_named_role_adopt_rules_and_approve(sales: Api, unchanged_log) -> None:
    body = {"effective_from": "2199-01-01", "rules": FLAT, "reason": "Новая"}
    for who in ("ivanov", "head", "auditor", "analyst"):
        refused(sales, "post", "/bonus-rules", body, 403, who)
    refused(
        sales,
        "put",
        "/bonus-rules/managing-role",
        {"role": "head_of_sales", "reason": "Доверяем"},
        403,
        "head",
    )


def test_a_role_the_company_names_may_adopt_rules(sales: Api) -> None:
    sales.write("admin", "put", "/bonus-rules/managing-role", {"role": "head_of_sales", "reason": "Доверяем"})
    adopt(sales, {"percent": "4"}, "2199-01-01", who="head")
    assert sales.read("auditor", "/bonus-rules")["managing_role"] == "head_of_sales"


def test_a_refund_claws_back_in_its_own_month(api: Api) -> None:
    adopt(api, FLAT)
    contract = sale(api, "ivanov", "100000.00")
    payment = pay(api, "ivanov", contract, "50000.00")
    refund = {"amount": "20000.00", "refunded_on": TODAY.isoformat(), "reason": "Возврат"}
    api.write("ivanov", "post", f"/payments/{payment}/refunds", refund)
    this_month = api.read("ivanov", "/bonuses", period=THIS_MONTH.key)["statements"]
    [line] = this_month[0]["lines"]
    assert (line["kind"], line["amount"], line["payment_id"]) == ("clawback", "-600.00", payment)
    assert statements(api, "ivanov")["statements"][0]["totals"][0]["amount"] == str(Decimal("4500.00"))


def test_a_category_rate_counts_the_part_of_a_payment_its_order_lines_name(api: Api) -> None:
    adopt(api, {"percent": "3", "category_percents": {"Морские перевозки": "5"}})
    item = {"name": "Фрахт 40HC", "unit": "контейнер", "price": "250000.00", "category": "Морские перевозки"}
    item_id = api.write("admin", "post", "/catalogue", item)["id"]
    counterparty = api.write("ivanov", "post", "/counterparties", {"name": "ООО «Морское»"})["id"]
    body = {**contract_body(counterparty, "ТЛ-море"), "signed_on": SINCE, "valid_from": SINCE}
    contract = api.write("ivanov", "post", "/contracts", body)["id"]
    lines = [
        {"name": "Фрахт 40HC", "item_id": item_id, "amount": "6000.00"},
        {"name": "Оформление", "amount": "4000.00"},
    ]
    order = {
        "counterparty_id": counterparty,
        "contract_id": contract,
        "amount": "10000.00",
        "expected_on": SINCE,
    }
    too_much = api.client.post(
        f"{API}/orders",
        json={**order, "lines": [*lines, {"name": "Лишнее", "amount": "1.00"}]},
        headers=api.auth("ivanov"),
    )
    assert too_much.status_code == 422
    assert "more than the order's 10000.00" in too_much.json()["detail"]
    order_id = api.write("ivanov", "post", "/orders", {**order, "lines": lines})["id"]
    received_on = (LAST_MONTH.first_day + timedelta(days=3)).isoformat()
    payment = {"contract_id": contract, "order_id": order_id, "amount": "5000.00", "received_on": received_on}
    api.write("ivanov", "post", "/payments", payment)
    [statement] = statements(api, "ivanov")["statements"]
    assert [(line["rule"], line["base"], line["amount"]) for line in statement["lines"]] == [
        ("category «Морские перевозки»", "3000.00", "150.00"),
        ("flat", "2000.00", "60.00"),
    ]


def test_a_month_no_rule_version_covers_is_an_invalid_period(api: Api) -> None:
    adopt(api, FLAT)
    problem = refused(api, "get", f"/bonuses?period={LAST_MONTH.shift(-3).key}", None, 422, "auditor")
    assert problem["errors"][0]["loc"] == ["query", "period"]
    assert "no bonus rule version is in force" in problem["detail"]
