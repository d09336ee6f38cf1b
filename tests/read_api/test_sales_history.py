"""From inquiry to payment over HTTP, and every step on the client's relationship history."""

from datetime import UTC, datetime, timedelta

from tests.read_api.test_contracts_api import contract_body
from tests.read_api.test_inquiry_flow import Session


def test_every_sales_step_appears_in_the_clients_history(client, auth, staff) -> None:
    now = datetime.now(UTC)
    today = now.date()
    api = Session(client, auth)
    item_id = api.write(
        "admin", "post", "/catalogue", {"name": "Автоперевозка 20 т", "unit": "рейс", "price": "90000"}
    )
    client_id = api.write("ivanov", "post", "/counterparties", {"name": "ООО «Уральский контейнер»"})
    inquiry_id = api.write(
        "ivanov",
        "post",
        "/inquiries",
        {"counterparty_id": client_id, "request": {"маршрут": "Екатеринбург — Пермь"}, "deadline": str(now)},
    )
    task = {
        "department": "Автоотдел",
        "assignee_id": staff["petrova"][0].employee_id,
        "question": "Ставка?",
        "due": str(now + timedelta(days=1)),
    }
    api.write("ivanov", "post", f"/inquiries/{inquiry_id}/quote-tasks", task)
    costs = {"costs": [{"name": "Рейс", "amount": "75000", "currency": "RUB"}]}
    api.write("petrova", "post", f"/inquiries/{inquiry_id}/quote-tasks/1/answer", costs)
    api.write("ivanov", "put", f"/inquiries/{inquiry_id}/price", {"margin_percent": 20})
    proposal = {
        "lines": [{"item_id": item_id, "quantity": 2}],
        "valid_until": str(today + timedelta(days=10)),
    }
    api.write("ivanov", "post", f"/inquiries/{inquiry_id}/proposal", proposal)
    contract = contract_body(client_id, amount="500000.00", signed_on=str(today), valid_from=str(today))
    contract_id = api.write("ivanov", "post", "/contracts", contract)
    accepted = {"outcome": {"kind": "order", "expected_on": str(today), "contract_id": contract_id}}
    api.write("ivanov", "post", f"/inquiries/{inquiry_id}/acceptance", accepted)
    (order,) = api.read("ivanov", f"/counterparties/{client_id}/orders")["items"]
    payment = {
        "contract_id": contract_id,
        "order_id": order["id"],
        "amount": "100000",
        "received_on": str(today),
    }
    api.write("ivanov", "post", "/payments", payment)

    history = api.read("ivanov", f"/counterparties/{client_id}/history?limit=100")["items"]
    events = {entry["event"] for entry in history}
    assert {
        "inquiry.registered",
        "inquiry.quote_task_assigned",
        "inquiry.quote_task_answered",
        "inquiry.priced",
        "inquiry.proposal_issued",
        "contract.signed",
        "inquiry.accepted",
        "order.placed",
        "payment.received",
    } <= events
    (paid,) = [e for e in history if e["event"] == "payment.received"]
    assert (paid["entry_type"], paid["summary"], paid["actor_name"]) == (
        "payment",
        "100000 RUB",
        "Иванов Иван",
    )
    proposals = api.read("ivanov", f"/counterparties/{client_id}/history?type=proposal")["items"]
    assert [p["summary"] for p in proposals] == [f"180000.00 RUB until {today + timedelta(days=10)}"]
