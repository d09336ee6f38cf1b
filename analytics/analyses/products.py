"""How each catalogue item sells: its trend and life-cycle stage, and a demand forecast
(FEATURES C4, I4). Sales are quantities on order lines, by month of the order.

The month of ``as_of`` (by default the latest order's) is taken as incomplete: months are
counted up to the one before it."""

from datetime import date
from typing import Annotated

from pydantic import Field

from analytics.analyses.registry import Analysis, Parameters


class Trend(Parameters):
    as_of: date | None = Field(
        None, description="A day in the first month not counted; by default the last order's"
    )
    months: Annotated[
        int, Field(ge=2, le=60, description="Months compared: the last and the ones before")
    ] = 6


class Forecast(Parameters):
    as_of: date | None = Field(
        None, description="A day in the first month not counted; by default the last order's"
    )
    horizon: Annotated[int, Field(ge=1, le=12, description="Months forecast")] = 3
    holdout: Annotated[int, Field(ge=1, le=12, description="Last months held out to measure the error")] = 3


_MONTHLY = """
WITH last AS (
    SELECT (date_trunc('month', coalesce($as_of::DATE, max(placed_at)::DATE)) - INTERVAL 1 MONTH)::DATE
        AS month
    FROM order_lines
), monthly AS (
    SELECT item, date_trunc('month', placed_at)::DATE AS month, sum(quantity) AS quantity
    FROM order_lines GROUP BY ALL
), series AS (
    SELECT i.item, (l.month - to_months(g.back))::DATE AS month, g.back, coalesce(m.quantity, 0) AS quantity
    FROM (SELECT DISTINCT item FROM monthly) i CROSS JOIN last l CROSS JOIN range(0, 48) g(back)
    LEFT JOIN monthly m ON m.item = i.item AND m.month = (l.month - to_months(g.back))::DATE
)"""

ANALYSES = (
    Analysis(
        "product-trend",
        "Тренд продаж и стадия жизненного цикла",
        "Per item: quantity ordered in the last `months` full months against the `months` before, and "
        "the life-cycle stage by this rule: introduction when its first order falls within the last "
        "`months`; otherwise growth when the last period is at least 20 % above the one before, decline "
        "when it is at least 20 % below (or nothing was ordered in it), maturity in between.",
        Trend,
        f"""{_MONTHLY}, first_orders AS (
    SELECT item, min(month) AS first_month FROM monthly GROUP BY item
), periods AS (
    SELECT item, sum(quantity) FILTER (WHERE back < $months) AS recent,
           sum(quantity) FILTER (WHERE back >= $months AND back < 2 * $months) AS previous,
           list(quantity ORDER BY month) FILTER (WHERE back < 2 * $months) AS by_month
    FROM series GROUP BY item
)
SELECT p.item, f.first_month, p.previous, p.recent,
       round(100 * (p.recent - p.previous) / nullif(p.previous, 0), 1) AS change_percent,
       CASE WHEN f.first_month > (SELECT month FROM last) - to_months($months) THEN 'introduction'
            WHEN p.recent = 0 OR p.recent <= 0.8 * p.previous THEN 'decline'
            WHEN p.recent >= 1.2 * p.previous THEN 'growth'
            ELSE 'maturity' END AS stage,
       p.by_month
FROM periods p JOIN first_orders f USING (item)
ORDER BY p.recent DESC, p.item""",
    ),
    Analysis(
        "demand-forecast",
        "Прогноз спроса по позициям каталога",
        "Seasonal naive with trend: a month's forecast is the quantity of the same month a year "
        "earlier times the ratio of the last twelve months to the twelve before them (1 when there is "
        "nothing to compare). The same method, run as if the last `holdout` months were unknown, gives "
        "the error on them: WAPE, the sum of absolute errors over the sum of what was ordered.",
        Forecast,
        f"""{_MONTHLY}, origins AS (
    SELECT 'holdout' AS run, $holdout AS origin, $holdout AS steps UNION ALL SELECT 'future', 0, $horizon
), growth AS (
    SELECT s.item, o.run, o.origin, o.steps,
           coalesce(sum(s.quantity) FILTER (WHERE s.back BETWEEN o.origin AND o.origin + 11)
               / nullif(sum(s.quantity) FILTER (WHERE s.back BETWEEN o.origin + 12 AND o.origin + 23), 0), 1)
               AS ratio
    FROM series s CROSS JOIN origins o GROUP BY ALL
), forecasts AS (
    SELECT g.item, g.run, step.k, (l.month + to_months(step.k - g.origin))::DATE AS month,
           round(coalesce(base.quantity, 0) * g.ratio, 1) AS forecast, actual.quantity AS actual
    FROM growth g CROSS JOIN last l CROSS JOIN range(1, 13) step(k)
    LEFT JOIN series base ON base.item = g.item AND base.back = g.origin - step.k + 12
    LEFT JOIN series actual ON g.run = 'holdout' AND actual.item = g.item AND actual.back = g.origin - step.k
    WHERE step.k <= g.steps
), errors AS (
    SELECT item, round(100 * sum(abs(forecast - actual)) / nullif(sum(actual), 0), 1) AS wape_percent,
           sum(actual) AS holdout_actual, sum(forecast) AS holdout_forecast
    FROM forecasts WHERE run = 'holdout' GROUP BY item
)
SELECT f.item, f.month, f.forecast, e.wape_percent, e.holdout_forecast, e.holdout_actual
FROM forecasts f JOIN errors e USING (item)
WHERE f.run = 'future' ORDER BY f.item, f.month""",
    ),
)
