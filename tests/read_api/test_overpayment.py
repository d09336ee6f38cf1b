"""Paying more than a contract's amount happens, so it is accepted; the contract register, the
contract card and the client's financial position show it as overpaid, with the amount."""

from tests.read_api.world import API, Api, a_contract, days


def test_an_overpayment_is_accepted_and_shown_wherever_money_is(client, auth) -> None:
    api = Api(client, auth)
    contract_id = a_contract(client, auth)
    api.write(
        "ivanov",
        "post",
        "/payments",
        {"contract_id": contract_id, "amount": "80000", "received_on": days(-2)},
    )
    last = api.write(
        "ivanov",
        "post",
        "/payments",
        {"contract_id": contract_id, "amount": "25000.50", "received_on": days(0)},
    )
    card = api.read("ivanov", f"/contracts/{contract_id}", after=last["position"])
    assert (card["paid"], card["overpaid"], card["progress"]) == ("105000.50", "5000.50", "1.0500")
    overpaid = api.read("ivanov", "/contracts", overpaid="true")
    assert [row["id"] for row in overpaid["items"]] == [contract_id]
    assert overpaid["items"][0]["overpaid"] == "5000.50"
    position = api.read("ivanov", f"/counterparties/{card['counterparty_id']}/financial-position")
    (roubles,) = position["currencies"]
    assert (roubles["paid"], roubles["overpaid"]) == ("105000.50", "5000.50")


def test_a_refund_takes_the_overpayment_back(client, auth) -> None:
    api = Api(client, auth)
    contract_id = a_contract(client, auth)
    paid = api.write(
        "ivanov",
        "post",
        "/payments",
        {"contract_id": contract_id, "amount": "100500", "received_on": days(0)},
    )
    refunded = api.write(
        "ivanov",
        "post",
        f"/payments/{paid['id']}/refunds",
        {"amount": "500", "refunded_on": days(0), "reason": "Вернули переплату"},
    )
    card = api.read("ivanov", f"/contracts/{contract_id}", after=refunded["position"])
    assert (card["paid"], card["overpaid"]) == ("100000", "0")
    assert api.read("ivanov", "/contracts", overpaid="true")["total"] == 0
    assert (
        client.get(f"{API}/contracts", params={"overpaid": "yes please"}, headers=auth("ivanov")).status_code
        == 422
    )
