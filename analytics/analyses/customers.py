"""Who the clients are worth: value (RFM and ABC), regulars, margin, what the biggest buy,
segments, and how campaigns answered (FEATURES I1, I2, I4)."""

from datetime import date
from typing import Annotated

from pydantic import Field

from analytics.analyses.registry import Analysis, Parameters
from commands.catalogue_commands import Currency


class Window(Parameters):
    currency: Currency = "RUB"
    as_of: date | None = Field(None, description="The last day counted; by default the last payment's")
    months: Annotated[int, Field(ge=1, le=120, description="Months back from as_of that are counted")] = 12


class Regulars(Window):
    min_months: Annotated[int, Field(ge=1, le=120, description="Months with a payment, at least")] = 6


class Ranked(Window):
    limit: Annotated[int, Field(ge=1, le=1000, description="Rows returned")] = 50


class TopItems(Window):
    top: Annotated[int, Field(ge=1, le=100, description="Items listed per segment")] = 5


class Period(Parameters):
    currency: Currency = "RUB"
    since: date | None = Field(None, description="Deals opened on or after this day; all when empty")
    until: date | None = Field(None, description="Deals opened on or before this day; all when empty")


_AS_OF = "$as_of::DATE"
_BEFORE = "($as_of::DATE - to_months($months))"
LAST_PAYMENT = "SELECT max(day) AS as_of FROM payments"
"""``as_of`` when none is given: the last payment's day, asked first, so that the analysis
compares every row with a constant (a filter the Parquet reader applies) rather than with a
subquery."""

CLIENT_VALUE = f"""
WITH received AS (
    SELECT counterparty_id, max(day) AS last_payment, count(*) FILTER (WHERE NOT is_refund) AS receipts,
           sum(amount) AS money, count(DISTINCT date_trunc('month', day)) AS months_paid
    FROM payments
    WHERE currency = $currency AND day <= {_AS_OF} AND day > {_BEFORE}
    GROUP BY counterparty_id
    HAVING sum(amount) > 0
), scored AS (
    SELECT *, {_AS_OF} - last_payment AS recency_days,
           ntile(5) OVER (ORDER BY last_payment) AS r,
           ntile(5) OVER (ORDER BY receipts) AS f,
           ntile(5) OVER (ORDER BY money) AS m,
           (sum(money) OVER (ORDER BY money DESC, counterparty_id ROWS UNBOUNDED PRECEDING) - money)
               / sum(money) OVER () AS share_before
    FROM received
), client_value AS (
    SELECT *, CASE WHEN share_before < 0.8 THEN 'A' WHEN share_before < 0.95 THEN 'B' ELSE 'C' END AS abc,
           CASE WHEN r >= 4 AND f >= 4 AND m >= 4 THEN 'Лучшие'
                WHEN r <= 2 AND m >= 4 THEN 'Крупные под угрозой ухода'
                WHEN r = 1 THEN 'Уходящие'
                WHEN r >= 4 AND f <= 2 THEN 'Новые и разовые'
                ELSE 'Стабильные' END AS segment
    FROM scored
)"""

_NAME = "LEFT JOIN views.counterparties c ON c.id = v.counterparty_id"

ANALYSES = (
    Analysis(
        "client-value",
        "Ценность клиентов (RFM и ABC)",
        "Per client, money received in the window: recency, frequency and money scored 1–5 by quintile "
        "(RFM), and the ABC class by cumulative share of money (A: the first 80 %, B: the next 15 %, C: "
        "the rest), with the segment those scores put the client in.",
        Window,
        f"""{CLIENT_VALUE}
SELECT v.counterparty_id, c.name, v.abc, v.segment, v.r::VARCHAR || v.f::VARCHAR || v.m::VARCHAR AS rfm,
       v.last_payment, v.recency_days, v.receipts, v.money, $currency AS currency,
       round(100 * v.money / sum(v.money) OVER (), 2) AS share_percent
FROM client_value v {_NAME}
ORDER BY v.money DESC, v.counterparty_id""",
        LAST_PAYMENT,
    ),
    Analysis(
        "segments",
        "Сегменты клиентов по ценности",
        "Clients grouped by ABC class and RFM segment (see client-value): how many, the money they paid "
        "in the window and its share.",
        Window,
        f"""{CLIENT_VALUE}
SELECT abc, segment, count(*) AS clients, sum(money) AS money, $currency AS currency,
       round(100 * sum(money) / sum(sum(money)) OVER (), 2) AS share_percent,
       round(avg(recency_days), 0) AS average_recency_days, round(avg(receipts), 1) AS average_receipts
FROM client_value GROUP BY abc, segment ORDER BY abc, money DESC""",
        LAST_PAYMENT,
    ),
    Analysis(
        "regular-customers",
        "Постоянные клиенты",
        "Clients who paid in at least min_months distinct months of the window, most regular first.",
        Regulars,
        f"""{CLIENT_VALUE}
SELECT v.counterparty_id, c.name, v.months_paid, v.receipts, v.money, $currency AS currency,
       v.last_payment, v.abc
FROM client_value v {_NAME}
WHERE v.months_paid >= $min_months
ORDER BY v.months_paid DESC, v.money DESC, v.counterparty_id""",
        LAST_PAYMENT,
    ),
    Analysis(
        "profitable-customers",
        "Самые прибыльные клиенты",
        "Margin per client from the inquiries they accepted whose price was built from quote cost "
        "components (price less cost); inquiries without known costs are left out. Money received in the "
        "window beside it.",
        Ranked,
        f"""WITH margins AS (
    SELECT counterparty_id, count(*) AS accepted_quotes, sum(price) AS quoted, sum(cost) AS cost,
           sum(price - cost) AS margin
    FROM quotes
    WHERE accepted AND cost > 0 AND currency = $currency
      AND priced_at::DATE <= {_AS_OF} AND priced_at::DATE > {_BEFORE}
    GROUP BY counterparty_id
), received AS (
    SELECT counterparty_id, sum(amount) AS received FROM payments
    WHERE currency = $currency AND day <= {_AS_OF} AND day > {_BEFORE}
    GROUP BY counterparty_id
)
SELECT v.counterparty_id, c.name, v.accepted_quotes, v.quoted, v.cost, v.margin,
       round(100 * v.margin / v.quoted, 1) AS margin_percent, coalesce(p.received, 0) AS received,
       $currency AS currency
FROM margins v LEFT JOIN received p USING (counterparty_id) {_NAME}
ORDER BY v.margin DESC, v.counterparty_id LIMIT $limit""",
        LAST_PAYMENT,
    ),
    Analysis(
        "top-items-by-segment",
        "Что покупают крупнейшие клиенты",
        "For each ABC class of clients (see client-value), the catalogue items they ordered most in the "
        "window, by quantity, with the number of orders and of clients.",
        TopItems,
        f"""{CLIENT_VALUE}, bought AS (
    SELECT v.abc, l.item, l.unit, sum(l.quantity) AS quantity, count(DISTINCT l.order_id) AS orders,
           count(DISTINCT l.counterparty_id) AS clients
    FROM order_lines l JOIN client_value v USING (counterparty_id)
    WHERE l.placed_at::DATE <= {_AS_OF} AND l.placed_at::DATE > {_BEFORE}
    GROUP BY v.abc, l.item, l.unit
)
SELECT abc, rank, item, unit, quantity, orders, clients FROM (
    SELECT *, row_number() OVER (PARTITION BY abc ORDER BY quantity DESC, item) AS rank FROM bought
) WHERE rank <= $top ORDER BY abc, rank""",
        LAST_PAYMENT,
    ),
    Analysis(
        "campaign-response",
        "Отклик на кампании",
        "No campaign records exist yet: each deal's lead source stands for the campaign or channel that "
        "brought it. Per source: deals opened in the period, won, lost, still open, the win rate of "
        "those decided, and the money won.",
        Period,
        """SELECT coalesce(lead_source, '(не указан)') AS lead_source, count(*) AS opened,
       count(*) FILTER (WHERE outcome = 'won') AS won, count(*) FILTER (WHERE outcome = 'lost') AS lost,
       count(*) FILTER (WHERE outcome IS NULL) AS open,
       round(100 * count(*) FILTER (WHERE outcome = 'won')
             / nullif(count(*) FILTER (WHERE outcome IS NOT NULL), 0), 1) AS win_rate_percent,
       coalesce(sum(won_amount) FILTER (WHERE outcome = 'won' AND currency = $currency), 0) AS won_money,
       $currency AS currency
FROM deals
WHERE ($since::DATE IS NULL OR opened_at::DATE >= $since::DATE)
  AND ($until::DATE IS NULL OR opened_at::DATE <= $until::DATE)
GROUP BY ALL ORDER BY opened DESC, lead_source""",
    ),
)
