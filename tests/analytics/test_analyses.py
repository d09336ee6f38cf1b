"""The ready analyses over a little trade: what each computes, and refusals of unknown
names and parameters."""

from decimal import Decimal

import pytest

from aggregates.errors import InvalidValue, NotFound
from analytics.analyses import ANALYSES
from analytics.analyses.registry import find
from analytics.sql import EVERYONE
from tests.analytics.sales import AIR, FREIGHT, sell


@pytest.fixture
def sales(letopis, staff):
    sold = sell(letopis, staff)
    letopis.analytics_export.export()
    return sold


def run(letopis, name: str, **parameters) -> list[dict]:
    analysis = find(ANALYSES, name)
    result = analysis.run(letopis.analytics, analysis.validated(parameters), EVERYONE)
    names = [column for column, _ in result.columns]
    return [dict(zip(names, row, strict=True)) for row in result.rows]


def test_client_value_ranks_clients_by_money_received_net_of_refunds(letopis, sales):
    rows = run(letopis, "client-value")
    assert [(r["name"], r["money"], r["receipts"], r["abc"]) for r in rows] == [
        ("ООО «Ёлка-Транс»", Decimal("3000.50"), 2, "A"),
        ("АО «Невский порт»", Decimal("400.00"), 1, "B"),
    ]
    assert all(len(r["rfm"]) == 3 for r in rows)


def test_segments_and_regulars_count_the_same_clients(letopis, sales):
    segments = run(letopis, "segments")
    assert sum(s["clients"] for s in segments) == 2
    assert sum(s["money"] for s in segments) == Decimal("3400.50")
    regulars = run(letopis, "regular-customers", min_months=1)
    assert {r["counterparty_id"] for r in regulars} == {sales.ivanov_client, sales.kuznetsova_client}
    assert run(letopis, "regular-customers", min_months=2) == []


def test_top_items_are_listed_per_segment(letopis, sales):
    rows = run(letopis, "top-items-by-segment")
    assert [(r["abc"], r["item"], r["quantity"], r["orders"]) for r in rows] == [
        ("A", FREIGHT, Decimal("4.000"), 2),
        ("B", AIR, Decimal("2.000"), 1),
    ]


def test_product_trend_calls_items_first_ordered_lately_introduced(letopis, sales):
    rows = run(letopis, "product-trend")
    assert {r["item"]: r["stage"] for r in rows} == {FREIGHT: "introduction", AIR: "introduction"}


def test_the_forecast_names_its_error_on_the_held_out_months(letopis, sales):
    rows = run(letopis, "demand-forecast", horizon=2, holdout=1)
    assert {r["item"] for r in rows} <= {FREIGHT, AIR}
    assert all(set(r) >= {"forecast", "wape_percent", "month"} for r in rows)


def test_client_activity_counts_everything_done_with_one_client(letopis, sales):
    rows = run(letopis, "client-activity", counterparty_id=sales.ivanov_client)
    by_type: dict[str, int] = {}
    for row in rows:
        by_type[row["event_type"]] = by_type.get(row["event_type"], 0) + row["events"]
    assert by_type["Counterparty.Registered"] == 1
    assert by_type["Payment.Received"] == 2
    assert by_type["Order.Placed"] == 2
    assert "Авиаперевозка" not in str(rows)


def test_campaign_response_counts_deals_by_lead_source(letopis, sales):
    assert run(letopis, "campaign-response") == []


def test_an_unknown_analysis_is_not_found():
    with pytest.raises(NotFound, match="there is no analysis 'fortune'"):
        find(ANALYSES, "fortune")


@pytest.mark.parametrize(
    ("name", "parameters", "field", "message"),
    [
        ("client-value", {"monthz": "3"}, "monthz", "unknown parameter"),
        ("client-value", {"months": "0"}, "months", "greater than or equal to 1"),
        ("client-value", {"currency": "рубли"}, "currency", "should match pattern"),
        ("client-value", {"as_of": "2026-02-30"}, "as_of", "date"),
        ("client-activity", {}, "counterparty_id", "Field required"),
        ("client-activity", {"counterparty_id": "'; DROP TABLE x"}, "counterparty_id", "is not an id"),
    ],
)
def test_bad_parameters_are_refused_by_name(name, parameters, field, message):
    with pytest.raises(InvalidValue, match=message) as refused:
        find(ANALYSES, name).validated(parameters)
    assert refused.value.field == field
    assert refused.value.location == "query"
