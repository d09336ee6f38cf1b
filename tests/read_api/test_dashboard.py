"""The dashboard over HTTP on every store: signing in and out, what the cookie may and may not
do, the reader's scope, and hostile input (wrong tokens, bad choices, markup in names)."""

import subprocess
import sys
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.read_api.world import API, Api, contract_body, dashboard_world

HOSTILE = "<script>alert(1)</script> ООО «Тест»"


@pytest.fixture
def world(client: TestClient, auth: Any) -> dict[str, str]:
    return dashboard_world(Api(client, auth))


def signed_in(client: TestClient, token: str) -> TestClient:
    answer = client.post("/dashboard/sign-in", data={"token": token}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/dashboard"
    return client


def test_a_page_without_a_cookie_sends_the_reader_to_sign_in(client) -> None:
    answer = client.get("/dashboard", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/dashboard/sign-in")
    form = client.get("/dashboard/sign-in")
    assert form.status_code == 200
    assert 'name="token"' in form.text
    assert "<script" not in form.text
    assert "script-src" not in form.headers["content-security-policy"]
    assert "default-src 'none'" in form.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"token": "lt_not-a-token"}, 401, "Токен не подходит"),
        ({"token": "   "}, 422, "Введите токен"),
        ({}, 422, "Введите токен"),
        ({"token": "x" * 5000}, 422, "Введите токен"),
        ({"token": "\x00"}, 401, "Токен не подходит"),
    ],
)
def test_a_wrong_sign_in_is_refused_and_sets_no_cookie(client, staff, body, status, message) -> None:
    answer = client.post("/dashboard/sign-in", data=body, follow_redirects=False)
    assert answer.status_code == status
    assert message in answer.text
    assert "set-cookie" not in answer.headers


def test_the_cookie_is_http_only_strict_and_for_the_dashboard_alone(client, staff) -> None:
    answer = client.post("/dashboard/sign-in", data={"token": staff["ivanov"][1]}, follow_redirects=False)
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert "path=/dashboard" in cookie
    assert client.get(f"{API}/contracts").status_code == 401, "the API reads the bearer header only"


def test_the_dashboard_shows_the_readers_charts_and_signs_out(client, staff, world) -> None:
    page = signed_in(client, staff["ivanov"][1]).get("/dashboard", params={"after": world["position"]})
    assert page.status_code == 200
    assert "Иванов Иван" in page.text
    for chart in (
        "funnel-0",
        "refusals-0",
        "money-RUB-0",
        "gantt-planned-0",
        "gantt-actual-0",
        "plan-planned-0",
        "plan-actual-0",
    ):
        assert f'id="{chart}"' in page.text
    assert "<script" not in page.text
    out = client.post("/dashboard/sign-out", follow_redirects=False)
    assert out.headers["location"] == "/dashboard/sign-in"
    assert client.get("/dashboard", follow_redirects=False).status_code == 303


def test_a_revoked_token_no_longer_opens_the_dashboard(client, auth, staff, world) -> None:
    signed_in(client, staff["ivanov"][1])
    Api(client, auth).write("ivanov", "delete", f"/tokens/{world['token']}")
    assert client.get("/dashboard", follow_redirects=False).status_code == 303


def test_another_teams_manager_sees_none_of_ivanovs_figures(client, staff, world) -> None:
    signed_in(client, staff["sidorov"][1])
    page = client.get("/dashboard", params={"contract_id": world["contract"]})
    assert page.status_code == 200
    assert "Оплат ещё не было" in page.text
    assert "Отказов нет" in page.text
    assert "Этот договор не найден в ваших" in page.text
    assert "ТЛ-2026/001" not in page.text
    assert "Планов на " in page.text, "Ivanov's plan is not Sidorov's"
    assert 'id="plan-planned-0"' not in page.text


@pytest.mark.parametrize(
    ("params", "status", "shown"),
    [
        ({"pipeline_id": "00000000-0000-4000-8000-000000000000"}, 200, "Такой воронки нет"),
        ({"contract_id": "00000000-0000-4000-8000-000000000000"}, 200, "Этот договор не найден в ваших"),
        ({"pipeline_id": "not-an-id"}, 422, "pipeline_id"),
        ({"contract_id": "1' OR 1=1 --"}, 422, "contract_id"),
    ],
)
def test_bad_choices_are_answered_clearly(client, staff, world, params, status, shown) -> None:
    signed_in(client, staff["ivanov"][1])
    answer = client.get("/dashboard", params=params)
    assert answer.status_code == status
    assert shown in answer.text


def test_markup_in_names_is_shown_as_text(client, auth, staff, world) -> None:
    api = Api(client, auth)
    hostile = api.write("ivanov", "post", "/counterparties", {"name": HOSTILE})["id"]
    written = api.write("ivanov", "post", "/contracts", contract_body(hostile, number="ТЛ-2026/009"))
    signed_in(client, staff["ivanov"][1])
    page = client.get("/dashboard", params={"after": written["position"]})
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>" not in page.text


def test_plan_against_actual_shows_the_readers_own_plan_with_what_was_won(client, staff, world) -> None:
    page = signed_in(client, staff["ivanov"][1]).get("/dashboard", params={"after": world["position"]})
    plan = page.text[page.text.index('<section id="plan">') :]
    plan = plan[: plan.index("</section>")]
    assert "План и факт за месяц" in plan
    assert "Выиграно сделок на сумму, RUB" in plan
    assert "1 000 000" in plan, "the plan's figure beside its bar"
    assert (plan.count('id="plan-planned-'), plan.count('id="plan-actual-')) == (1, 1)


def test_starting_the_api_loads_neither_matplotlib_nor_a_spreadsheet_reader() -> None:
    heavy = "{'matplotlib', 'openpyxl'}"
    probe = f"import sys, read_api.app, letopis.cli; print({heavy} & set(sys.modules) or '')"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == ""
