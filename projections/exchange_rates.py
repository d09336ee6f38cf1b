"""Recorded exchange rates. The rate for a currency on a day is the latest one recorded for
that day or before it; of two rates recorded for the same day, the later recording counts."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from aggregates.exchange_rate import ExchangeRate
from projections.database import Params, ViewCursor
from projections.projection import Projection, on
from projections.tables import Kind, Table
from projections.writes import Appends, Writes

RATES = Table(
    "exchange_rates",
    {
        "position": Kind.BIGINT,
        "currency": Kind.TEXT,
        "on_date": Kind.DAY,
        "rub_per_unit": Kind.MONEY,
        "source": Kind.TEXT,
        "actor": Kind.TEXT,
        "recorded_at": Kind.MOMENT,
    },
    key=("position",),
    indexes=(("currency", "on_date"),),
)
_COLUMNS = "r.currency, r.on_date, r.rub_per_unit, r.source, r.actor, r.recorded_at"


@dataclass
class _Batch:
    rates: Appends


class ExchangeRates(Projection[_Batch]):
    name = "exchange_rates"
    version = 2
    tables = (RATES,)

    def open(self, writes: Writes) -> _Batch:
        return _Batch(writes.appends(RATES))

    @on(ExchangeRate.Recorded)
    def _recorded(self, view: _Batch, event: ExchangeRate.Recorded, position: int) -> None:
        view.rates.add(
            (
                position,
                event.currency,
                event.on,
                event.rub_per_unit,
                event.source,
                event.actor,
                event.timestamp,
            )
        )


def search_rates(
    cursor: ViewCursor, currency: str | None, on: date | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """With ``on``: the rate of each currency in effect that day. Without: every recorded rate.
    By currency, the newest first."""
    p = Params()
    conditions = ["1 = 1"]
    if currency is not None:
        conditions.append(f"r.currency = {p(currency)}")
    if on is not None:
        day = p(on)
        # A rate is in effect on a day when no rate of its currency up to that day supersedes it.
        conditions.append(
            f"r.on_date <= {day} AND NOT EXISTS (SELECT 1 FROM {RATES.name} n WHERE n.currency = r.currency "
            f"AND n.on_date <= {day} AND (n.on_date > r.on_date "
            "OR (n.on_date = r.on_date AND n.position > r.position)))"
        )
    where = " AND ".join(conditions)
    (total,) = cursor.execute(f"SELECT COUNT(*) FROM {RATES.name} r WHERE {where}", p.values)[0]
    rows = cursor.execute(
        f"SELECT {_COLUMNS} FROM {RATES.name} r WHERE {where} "
        f"ORDER BY r.currency, r.on_date DESC, r.position DESC LIMIT {p(limit)} OFFSET {p(offset)}",
        p.values,
    )
    return [_rate(cursor, row) for row in rows], int(total)


def _rate(cursor: ViewCursor, row: tuple[Any, ...]) -> dict[str, Any]:
    currency, on, rub_per_unit, source, actor, recorded_at = row
    return {
        "currency": currency,
        "on": cursor.dialect.day_of(on),
        "rub_per_unit": Decimal(rub_per_unit),
        "source": source,
        "actor": actor,
        "recorded_at": recorded_at,
    }


def rate_on(cursor: ViewCursor, currency: str, on: date) -> dict[str, Any] | None:
    rates, _total = search_rates(cursor, currency, on, 1, 0)
    return rates[0] if rates else None
