"""Recorded exchange rates. The rate for a currency on a day is the latest one recorded for
that day or before it; of two rates recorded for the same day, the later recording counts."""

from datetime import date
from decimal import Decimal
from typing import Any

from aggregates.exchange_rate import ExchangeRate
from event_store.store import Recorded
from projections.database import ViewCursor
from projections.projection import Handler, Projection
from projections.values import utc_text

_COLUMNS = "r.currency, r.on_date, r.rub_per_unit, r.source, r.actor, r.recorded_at"

# A rate is in effect on a day when no rate of its currency up to that day supersedes it.
_IN_EFFECT = (
    "r.on_date <= ? AND NOT EXISTS (SELECT 1 FROM exchange_rates n WHERE n.currency = r.currency "
    "AND n.on_date <= ? AND (n.on_date > r.on_date OR (n.on_date = r.on_date AND n.position > r.position)))"
)


class ExchangeRates(Projection):
    name = "exchange_rates"
    tables = ("exchange_rates",)

    def create_tables(self, cursor: ViewCursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS exchange_rates (position BIGINT PRIMARY KEY, "
            "currency TEXT NOT NULL, on_date TEXT NOT NULL, rub_per_unit TEXT NOT NULL, "
            "source TEXT NOT NULL, actor TEXT NOT NULL, recorded_at TEXT NOT NULL)"
        )
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS exchange_rates_currency_on ON exchange_rates (currency, on_date)"
        )

    def handlers(self) -> dict[type[Any], Handler]:
        return {ExchangeRate.Recorded: self._recorded}

    @staticmethod
    def _recorded(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        cursor.execute(
            "INSERT INTO exchange_rates (position, currency, on_date, rub_per_unit, source, actor, "
            "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                recorded.position,
                event.currency,
                event.on.isoformat(),
                str(event.rub_per_unit),
                event.source,
                event.actor,
                utc_text(event.timestamp),
            ),
        )


def _rate(row: tuple[Any, ...]) -> dict[str, Any]:
    currency, on, rub_per_unit, source, actor, recorded_at = row
    return {
        "currency": currency,
        "on": date.fromisoformat(on),
        "rub_per_unit": Decimal(rub_per_unit),
        "source": source,
        "actor": actor,
        "recorded_at": recorded_at,
    }


def search_rates(
    cursor: ViewCursor, currency: str | None, on: date | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """With ``on``: the rate of each currency in effect that day. Without: every recorded rate.
    By currency, the newest first."""
    conditions, params = ["1=1"], []
    if currency is not None:
        conditions.append("r.currency = ?")
        params.append(currency)
    if on is not None:
        conditions.append(_IN_EFFECT)
        params.extend((on.isoformat(), on.isoformat()))
    where = " AND ".join(conditions)
    (total,) = cursor.execute(f"SELECT COUNT(*) FROM exchange_rates r WHERE {where}", params)[0]
    rows = cursor.execute(
        f"SELECT {_COLUMNS} FROM exchange_rates r WHERE {where} "
        "ORDER BY r.currency, r.on_date DESC, r.position DESC LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return [_rate(row) for row in rows], int(total)


def rate_on(cursor: ViewCursor, currency: str, on: date) -> dict[str, Any] | None:
    rates, _total = search_rates(cursor, currency, on, 1, 0)
    return rates[0] if rates else None
