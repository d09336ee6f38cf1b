"""The dashboard in a real headless Chromium (Debian's package, driven by Playwright) against
a real uvicorn server: sign in through the form, every chart with its marks, no console
errors, and a screenshot kept in the test's output folder."""

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from read_api.app import create_app
from tests.read_api.live_server import serving
from tests.read_api.world import Api, dashboard_world

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(
            "NO BROWSER: the dashboard is not tested in a browser. Install Chromium from the system "
            "packages (`apt-get install -y chromium`; `make test` does it when run as root)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def site(letopis, staff) -> Iterator[str]:
    with serving(create_app(letopis)) as address:
        yield address


@pytest.fixture
def api(site, auth) -> Iterator[Api]:
    with httpx.Client(base_url=site, timeout=30) as client:
        yield Api(client, auth)  # type: ignore[arg-type]


def test_the_dashboard_signs_in_and_draws_every_chart(browser, site, api, staff, tmp_path) -> None:
    world = dashboard_world(api)
    api.read("ivanov", "/contracts", after=world["position"])
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(f"{site}/dashboard")
    assert page.url == f"{site}/dashboard/sign-in"
    page.fill("input[name=token]", "lt_wrong")
    page.click("button[type=submit]")
    assert page.locator("[role=alert]").inner_text() == "Токен не подходит"
    assert [problem for problem in problems if "401" not in problem] == [], "the refusal is the only error"
    problems.clear()
    page.fill("input[name=token]", staff["ivanov"][1])
    page.click("button[type=submit]")
    assert page.url == f"{site}/dashboard"
    assert page.title() == "Панель — Летопись"

    def marks(selector: str) -> int:
        return int(page.locator(selector).count())

    assert marks("#funnel svg g[id^='funnel-']") == 2, "a bar per stage"
    assert page.locator("#funnel svg text", has_text="Квалификация").count() == 1
    assert marks("#refusals svg g[id^='refusals-']") == 1
    assert page.locator("#refusals svg text", has_text="Дорого").count() == 1
    assert marks("#money svg g[id^='money-RUB-']") == 1
    assert marks("#gantt svg g[id^='gantt-planned-']") == 1
    assert marks("#gantt svg g[id^='gantt-actual-']") == 1
    assert marks("#plan svg g[id^='plan-planned-']") == 1, "Ivanov's plan for the month"
    assert marks("#plan svg g[id^='plan-actual-']") == 1
    assert page.locator("#plan svg text", has_text="Выиграно сделок на сумму, RUB").count() == 1
    assert page.locator("select[name=contract_id] option").count() == 1
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    assert (tmp_path / "dashboard.png").stat().st_size > 10_000

    page.click("text=Выйти")
    assert page.url == f"{site}/dashboard/sign-in"
    page.goto(f"{site}/dashboard")
    assert page.url == f"{site}/dashboard/sign-in", "signed out means the cookie is gone"
    assert problems == []
