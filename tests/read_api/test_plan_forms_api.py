"""Plan forms, plan against actual per funnel stage, and products over the last periods, over
HTTP: each follows the deals and inquiries as they move."""

from datetime import UTC, datetime, time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.read_api.test_sales_plans_api import MONTH, Tracking, a_deal, plan_body
from tests.read_api.world import ITEM, STAGES, an_inquiry, moment

LAST_MONTH = MONTH.shift(-1)


@pytest.fixture
def api(client: TestClient, auth: Any) -> Tracking:
    return Tracking(client, auth)


def last_month(day: int) -> str:
    return datetime.combine(LAST_MONTH.first_day.replace(day=day), time(10), tzinfo=UTC).isoformat()


def test_sales_marketing_and_purchase_plans_follow_deals_and_inquiries(api: Tracking) -> None:
    item = api.write("admin", "post", "/catalogue", ITEM)["id"]
    won = a_deal(api, "ivanov", "500000.00", item_id=item)
    a_deal(api, "ivanov", "200000.00", item_id=item)
    api.write("ivanov", "post", f"/deals/{won}/won", {})
    client = api.write("ivanov", "post", "/counterparties", {"name": "ООО «Новый клиент»"})["id"]
    inquiries = [an_inquiry(api, client, moment(48), "Казань — Москва") for _ in range(2)]
    pipeline = api.write("head", "post", "/pipelines", {"name": "Входящие", "stages": STAGES})["id"]
    from_inquiry = api.write(
        "ivanov",
        "post",
        "/deals",
        {
            "counterparty_id": client,
            "pipeline_id": pipeline,
            "amount": "90000.00",
            "expected_close_on": MONTH.last_day.isoformat(),
            "inquiry_id": inquiries[0],
        },
    )["id"]
    api.write("ivanov", "post", f"/deals/{from_inquiry}/won", {})

    sales = api.read("ivanov", "/plan-forms/sales", **{"from": MONTH.key, "periods": 2})
    assert sales == [
        {
            "period": MONTH.key,
            "currency": "RUB",
            "won": "590000.00",
            "weighted_open": "120000.00",
            "expected": "710000.00",
        }
    ]
    marketing = api.read("ivanov", "/plan-forms/marketing", **{"from": MONTH.shift(1).key, "history": 1})
    assert (marketing["inquiries"], marketing["deals_from_inquiries"], marketing["new_clients"]) == (2, 1, 2)
    assert marketing["inquiry_to_deal_percent"] == "50.00"
    assert marketing["periods"][0] == {"period": MONTH.shift(1).key, "inquiries": "2.0", "new_clients": "2.0"}
    (purchase,) = api.read("ivanov", "/plan-forms/purchases", **{"from": MONTH.key, "periods": 1})
    assert (purchase["item_id"], purchase["quantity"], purchase["weighted_quantity"]) == (item, "4", "3.200")
    assert api.read("sidorov", "/plan-forms/purchases", **{"from": MONTH.key}) == []


def test_stage_plan_follows_from_the_plan_of_wins_and_last_years_funnel(api: Tracking) -> None:
    ivanov = api.read("ivanov", "/employees/me")["id"]
    pipeline = api.write("head", "post", "/pipelines", {"name": "Основная", "stages": STAGES})["id"]
    clients = [
        api.write("ivanov", "post", "/counterparties", {"name": f"ООО «Этап {n}»"})["id"] for n in range(3)
    ]

    def deal(counterparty: str, when: str | None) -> str:
        body = {
            "counterparty_id": counterparty,
            "pipeline_id": pipeline,
            "amount": "100000.00",
            "expected_close_on": MONTH.last_day.isoformat(),
        }
        return str(
            api.write("ivanov", "post", "/deals", {**body, **({"occurred_at": when} if when else {})})["id"]
        )

    earlier = deal(clients[0], last_month(3))
    api.write(
        "ivanov", "put", f"/deals/{earlier}/stage", {"stage": "Переговоры", "occurred_at": last_month(5)}
    )
    api.write("ivanov", "post", f"/deals/{earlier}/won", {"occurred_at": last_month(7)})
    deal(clients[1], last_month(8))  # entered the first stage, went nowhere
    deal(clients[2], None)
    api.write(
        "admin",
        "post",
        "/sales-plans",
        plan_body(target_id=ivanov, measure="won_deals", amount="3", currency=None),
    )
    report = api.read(
        "head", "/plan-vs-actual/stages", period=MONTH.key, target_kind="employee", target_id=ivanov
    )
    assert report["planned_wins"] == "3"
    first, second = report["stages"]
    assert (first["stage"], first["planned_entries"], first["entries"]) == ("Квалификация", "6.0", 1)
    assert (first["planned_conversions"], first["conversions"], first["historic_conversion_percent"]) == (
        "3.0",
        0,
        "50.00",
    )
    assert (second["stage"], second["planned_entries"], second["planned_conversions"]) == (
        "Переговоры",
        "3.0",
        "3.0",
    )


def test_products_planned_and_won_over_the_last_periods(api: Tracking) -> None:
    ivanov = api.read("ivanov", "/employees/me")["id"]
    item = api.write("admin", "post", "/catalogue", ITEM)["id"]
    api.write("admin", "post", "/sales-plans", plan_body(target_id=ivanov, item_id=item, amount="800000.00"))
    api.write("ivanov", "post", f"/deals/{a_deal(api, 'ivanov', '500000.00', item_id=item)}/won", {})
    (trend,) = api.read(
        "ivanov",
        "/plan-vs-actual/products",
        period=MONTH.key,
        target_kind="employee",
        target_id=ivanov,
        periods=3,
    )
    assert (trend["item_id"], trend["name"]) == (item, ITEM["name"])
    assert [p["period"] for p in trend["periods"]] == [MONTH.shift(-2).key, LAST_MONTH.key, MONTH.key]
    now = trend["periods"][-1]
    assert now["plans"] == [{"measure": "won_amount", "amount": "800000.00", "currency": "RUB"}]
    assert (now["won"], now["quantity"], now["deals"]) == (
        [{"currency": "RUB", "amount": "500000.00"}],
        "2",
        1,
    )
    assert trend["periods"][0] == {
        "period": MONTH.shift(-2).key,
        "plans": [],
        "won": [],
        "quantity": "0",
        "deals": 0,
    }
    response = api.get(
        "sidorov", "/plan-vs-actual/products", period=MONTH.key, target_kind="employee", target_id=ivanov
    )
    assert response.status_code == 403
