"""Contracts, orders, payments, rates and the financial position over HTTP, and every bad input
refused with the right status, a clear message and nothing written."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.commands.test_contracts import TODAY

UNKNOWN = "00000000-0000-4000-8000-000000000000"
API = "/api/v1"


def contract_body(counterparty_id: str, **overrides) -> dict:
    body = {
        "number": "ТЛ-2026/014",
        "counterparty_id": counterparty_id,
        "signed_on": (TODAY - timedelta(days=40)).isoformat(),
        "valid_from": (TODAY - timedelta(days=30)).isoformat(),
        "valid_until": (TODAY + timedelta(days=335)).isoformat(),
        "amount": "1000.00",
        "currency": "RUB",
        "stages": [
            {
                "name": "Перевозка",
                "planned_start": (TODAY - timedelta(days=30)).isoformat(),
                "planned_end": (TODAY - timedelta(days=1)).isoformat(),
            }
        ],
    }
    return {**body, **overrides}


def order_body(counterparty_id: str, contract_id: str | None, amount: str, **overrides) -> dict:
    body = {
        "counterparty_id": counterparty_id,
        "contract_id": contract_id,
        "amount": amount,
        "expected_on": (TODAY + timedelta(days=7)).isoformat(),
    }
    return {**body, **overrides}


def created(response) -> dict:
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def book(client: TestClient, auth) -> dict[str, str]:
    """Ivanov's client with an active contract for 1000 RUB (700 booked, 100 paid) and a
    terminated one."""
    ivanov = auth("ivanov")
    client_id = created(
        client.post(f"{API}/counterparties", json={"name": "ООО «Волга-Экспресс»"}, headers=ivanov)
    )["id"]
    contract_id = created(client.post(f"{API}/contracts", json=contract_body(client_id), headers=ivanov))[
        "id"
    ]
    terminated_id = created(
        client.post(f"{API}/contracts", json=contract_body(client_id, number="ТЛ-2025/001"), headers=ivanov)
    )["id"]
    assert (
        client.post(
            f"{API}/contracts/{terminated_id}/termination",
            json={"terminated_on": TODAY.isoformat(), "reason": "Клиент ушёл"},
            headers=ivanov,
        ).status_code
        == 200
    )
    order_id = created(
        client.post(f"{API}/orders", json=order_body(client_id, contract_id, "700"), headers=ivanov)
    )["id"]
    payment_id = created(
        client.post(
            f"{API}/payments",
            json={"contract_id": contract_id, "amount": "100", "received_on": TODAY.isoformat()},
            headers=ivanov,
        )
    )["id"]
    return {
        "client": client_id,
        "contract": contract_id,
        "terminated": terminated_id,
        "order": order_id,
        "payment": payment_id,
    }


def test_a_contract_from_signing_to_the_register_card_and_gantt(client, auth, book) -> None:
    ivanov = auth("ivanov")
    started = client.post(
        f"{API}/contracts/{book['contract']}/stage-starts",
        json={"stage": "Перевозка", "started_on": (TODAY - timedelta(days=29)).isoformat()},
        headers=ivanov,
    )
    assert started.status_code == 200, started.text
    position = started.json()["position"]

    rows = client.get(f"{API}/contracts", params={"after": position, "status": "active"}, headers=ivanov)
    assert rows.status_code == 200, rows.text
    (row,) = rows.json()["items"]
    assert row["number"] == "ТЛ-2026/014"
    assert row["counterparty_name"] == "ООО «Волга-Экспресс»"
    assert (row["amount"], row["booked"], row["remaining"], row["paid"]) == (
        "1000.00",
        "700",
        "300.00",
        "100",
    )
    assert row["progress"] == "0.1000"
    assert row["late_stages"] == 1
    assert [
        r["number"] for r in client.get(f"{API}/contracts?late=true", headers=ivanov).json()["items"]
    ] == ["ТЛ-2026/014"]

    card = client.get(f"{API}/contracts/{book['contract']}", headers=ivanov).json()
    assert card["version"] == 3
    assert card["stages"][0]["actual_start"] == (TODAY - timedelta(days=29)).isoformat()

    gantt = client.get(f"{API}/contracts/{book['contract']}/gantt", headers=ivanov).json()
    assert gantt["stages"] == [
        {
            "name": "Перевозка",
            "planned_start": (TODAY - timedelta(days=30)).isoformat(),
            "planned_end": (TODAY - timedelta(days=1)).isoformat(),
            "actual_start": (TODAY - timedelta(days=29)).isoformat(),
            "actual_end": None,
            "late": True,
        }
    ]
    assert client.get(f"{API}/contracts/{book['contract']}", headers=auth("sidorov")).status_code == 403
    assert client.get(f"{API}/contracts", headers=auth("sidorov")).json()["total"] == 0


def test_a_clients_orders_and_their_status(client, auth, book) -> None:
    ivanov = auth("ivanov")
    moved = client.post(
        f"{API}/orders/{book['order']}/status",
        json={"status": "in_work", "on": TODAY.isoformat(), "expected_version": 1},
        headers=ivanov,
    )
    assert moved.status_code == 200, moved.text
    after = {"after": moved.json()["position"]}
    orders = client.get(f"{API}/counterparties/{book['client']}/orders", params=after, headers=ivanov).json()
    assert [(o["id"], o["status"], o["contract_number"]) for o in orders["items"]] == [
        (book["order"], "in_work", "ТЛ-2026/014")
    ]
    card = client.get(f"{API}/orders/{book['order']}", headers=ivanov).json()
    assert [h["status"] for h in card["history"]] == ["received", "in_work"]
    assert client.get(f"{API}/orders/{book['order']}", headers=auth("kuznetsova")).status_code == 403


def test_the_financial_position_names_the_rates_it_converted_with(client, auth, book) -> None:
    ivanov, head = auth("ivanov"), auth("head")
    dollars = created(
        client.post(
            f"{API}/contracts",
            json=contract_body(book["client"], number="USD-7", amount="2000", currency="USD"),
            headers=ivanov,
        )
    )["id"]
    order = created(
        client.post(
            f"{API}/orders", json=order_body(book["client"], dollars, "500", currency="USD"), headers=ivanov
        )
    )
    path = f"{API}/counterparties/{book['client']}/financial-position"

    missing = client.get(path, params={"in": "RUB", "after": order["position"]}, headers=ivanov)
    assert missing.status_code == 422
    assert f"no USD rate is recorded on or before {TODAY}" in missing.text

    rate = created(
        client.post(
            f"{API}/exchange-rates",
            json={"currency": "USD", "rub_per_unit": "90.50", "on": TODAY.isoformat(), "source": "ЦБ РФ"},
            headers=head,
        )
    )
    position = client.get(path, params={"in": "RUB", "after": rate["position"]}, headers=ivanov)
    assert position.status_code == 200, position.text
    body = position.json()
    assert {
        c["currency"]: (c["contracted"], c["ordered"], c["paid"], c["outstanding"])
        for c in body["currencies"]
    } == {
        "RUB": ("1000.00", "700", "100", "600"),
        "USD": ("2000", "500", "0", "500"),
    }
    total = body["total"]
    assert (total["currency"], total["contracted"], total["outstanding"]) == ("RUB", "182000.00", "45850.00")
    assert total["rates"] == [
        {"currency": "USD", "rub_per_unit": "90.50", "on": TODAY.isoformat(), "source": "ЦБ РФ"}
    ]
    rates = client.get(
        f"{API}/exchange-rates", params={"currency": "USD", "on": TODAY.isoformat()}, headers=ivanov
    )
    assert [r["rub_per_unit"] for r in rates.json()["items"]] == ["90.50"]


BAD_INPUTS: list[tuple[str, str, str, dict, int, str]] = [
    ("zero amount", "post", "/contracts", {"amount": "0"}, 422, "greater than 0"),
    ("negative amount", "post", "/contracts", {"amount": "-5"}, 422, "greater than 0"),
    ("unknown currency", "post", "/contracts", {"currency": "XYZ"}, 422, "'XYZ' is not a known ISO 4217"),
    (
        "ends before it starts",
        "post",
        "/contracts",
        {"valid_until": (TODAY - timedelta(days=31)).isoformat()},
        422,
        "before it starts",
    ),
    ("duplicate number", "post", "/contracts", {"number": "тл-2026/014"}, 409, "is already used"),
    (
        "stage ends before it starts",
        "post",
        "/contracts",
        {
            "number": "Н-1",
            "stages": [
                {
                    "name": "Этап",
                    "planned_start": TODAY.isoformat(),
                    "planned_end": (TODAY - timedelta(days=1)).isoformat(),
                }
            ],
        },
        422,
        "ends before it starts",
    ),
    (
        "order beyond the remaining amount",
        "post",
        "/orders",
        {"amount": "300.01"},
        409,
        "has 300.00 RUB left",
    ),
    ("order outside validity", "post", "/orders", {"contract_id": "{outdated}"}, 409, "not on"),
    (
        "order under a terminated contract",
        "post",
        "/orders",
        {"contract_id": "{terminated}"},
        409,
        "terminated",
    ),
    ("order of zero", "post", "/orders", {"amount": "0"}, 422, "greater than 0"),
    ("payment to an unknown contract", "post", "/payments", {"contract_id": UNKNOWN}, 404, "does not exist"),
    (
        "payment to a terminated contract",
        "post",
        "/payments",
        {"contract_id": "{terminated}"},
        409,
        "terminated",
    ),
    ("payment in the wrong currency", "post", "/payments", {"currency": "EUR"}, 422, "is paid in RUB"),
    ("negative payment", "post", "/payments", {"amount": "-1"}, 422, "greater than 0"),
    (
        "refund over the paid amount",
        "post",
        "/payments/{payment}/refunds",
        {"amount": "100.01"},
        409,
        "only 100",
    ),
    ("stale version", "post", "/contracts/{contract}/prolongations", {"expected_version": 1}, 409, "not 1"),
    ("rate of zero", "post", "/exchange-rates", {"rub_per_unit": "0"}, 422, "greater than 0"),
]

DEFAULT_BODIES = {
    "/contracts": lambda ids: contract_body(ids["client"], number="Н-2"),
    "/orders": lambda ids: order_body(ids["client"], ids["contract"], "10"),
    "/payments": lambda ids: {
        "contract_id": ids["contract"],
        "amount": "10",
        "received_on": TODAY.isoformat(),
    },
    "/payments/{payment}/refunds": lambda ids: {
        "amount": "10",
        "refunded_on": TODAY.isoformat(),
        "reason": "Возврат",
    },
    "/contracts/{contract}/prolongations": lambda ids: {
        "valid_until": (TODAY + timedelta(days=999)).isoformat()
    },
    "/exchange-rates": lambda ids: {"currency": "EUR", "rub_per_unit": "99", "on": TODAY.isoformat()},
}


@pytest.fixture
def outdated(client, auth, book) -> str:
    """A contract that ended in 2020."""
    response = client.post(
        f"{API}/contracts",
        json=contract_body(
            book["client"], number="ТЛ-2020/001", valid_from="2020-01-01", valid_until="2020-12-31"
        ),
        headers=auth("ivanov"),
    )
    return created(response)["id"]


def refused(client, letopis, case: str, method: str, path: str, body, headers, status: int) -> str:
    """One bad request: the expected status, and the log as it was."""
    head = letopis.store.head()
    response = client.request(method, API + path, json=body, headers=headers)
    assert response.status_code == status, (case, response.text)
    assert letopis.store.head() == head, case
    return response.text


def test_bad_inputs_are_refused_clearly_and_write_nothing(client, auth, book, outdated, letopis) -> None:
    ids = {**book, "outdated": outdated}
    for case, method, path, change, status, message in BAD_INPUTS:
        body = {
            **DEFAULT_BODIES[path](ids),
            **{k: v.format(**ids) if isinstance(v, str) else v for k, v in change.items()},
        }
        who = auth("head") if path == "/exchange-rates" else auth("ivanov")
        text = refused(client, letopis, case, method, path.format(**ids), body, who, status)
        assert message in text, (case, text)


OUTSIDE_SCOPE = [
    ("sidorov", "post", "/contracts", lambda ids: contract_body(ids["client"], number="Ч-1")),
    ("kuznetsova", "post", "/contracts/{contract}/originals", lambda ids: {"received_on": TODAY.isoformat()}),
    (
        "auditor",
        "post",
        "/contracts/{contract}/termination",
        lambda ids: {"terminated_on": TODAY.isoformat(), "reason": "Проверка"},
    ),
    ("sidorov", "post", "/orders/{order}/status", lambda ids: {"status": "in_work", "on": TODAY.isoformat()}),
    (
        "sidorov",
        "post",
        "/payments",
        lambda ids: {"contract_id": ids["contract"], "amount": "1", "received_on": TODAY.isoformat()},
    ),
    (
        "ivanov",
        "post",
        "/exchange-rates",
        lambda ids: {"currency": "USD", "rub_per_unit": "90", "on": TODAY.isoformat()},
    ),
    ("sidorov", "get", "/counterparties/{client}/orders", lambda ids: None),
    ("kuznetsova", "get", "/counterparties/{client}/financial-position", lambda ids: None),
    ("sidorov", "get", "/contracts/{contract}/gantt", lambda ids: None),
    ("sidorov", "get", "/orders/{order}", lambda ids: None),
]


def test_outside_scope_is_403_and_writes_nothing(client, auth, book, letopis) -> None:
    for who, method, path, body in OUTSIDE_SCOPE:
        case = f"{who} {method} {path}"
        refused(client, letopis, case, method, path.format(**book), body(book), auth(who), 403)


UNKNOWN_IDS = [
    ("get", f"/contracts/{UNKNOWN}", None),
    ("get", f"/contracts/{UNKNOWN}/gantt", None),
    ("get", f"/orders/{UNKNOWN}", None),
    ("get", f"/counterparties/{UNKNOWN}/orders", None),
    ("get", f"/counterparties/{UNKNOWN}/financial-position", None),
    ("post", f"/contracts/{UNKNOWN}/originals", {"received_on": TODAY.isoformat()}),
    ("post", f"/orders/{UNKNOWN}/status", {"status": "in_work", "on": TODAY.isoformat()}),
    (
        "post",
        f"/payments/{UNKNOWN}/refunds",
        {"amount": "1", "refunded_on": TODAY.isoformat(), "reason": "x"},
    ),
    ("post", "/orders", {"counterparty_id": UNKNOWN, "amount": "1", "expected_on": TODAY.isoformat()}),
    ("post", "/contracts", contract_body(UNKNOWN)),
]


def test_unknown_ids_are_404(client, auth, staff, letopis) -> None:
    for method, path, body in UNKNOWN_IDS:
        text = refused(client, letopis, f"{method} {path}", method, path, body, auth("ivanov"), 404)
        assert "does not exist" in text, text
