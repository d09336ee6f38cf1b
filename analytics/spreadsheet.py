"""A query's or an analysis's result as a spreadsheet table (``letopis.spreadsheets``):
Russian titles for the columns analysts meet most, each column's kind from its DuckDB type
(a name saying money or percent refines it), lists written as text."""

from collections.abc import Sequence
from typing import Any

from analytics.sql import QueryResult
from letopis.spreadsheets import Column, Kind, Table
from letopis.vocabulary import LIFE_CYCLE_STAGE

TITLES = {
    "counterparty_id": "Клиент (id)",
    "name": "Клиент",
    "abc": "Класс ABC",
    "segment": "Сегмент",
    "rfm": "RFM",
    "last_payment": "Последняя оплата",
    "recency_days": "Дней с последней оплаты",
    "receipts": "Оплат",
    "money": "Получено",
    "currency": "Валюта",
    "share_percent": "Доля, %",
    "clients": "Клиентов",
    "average_recency_days": "Дней с оплаты, в среднем",
    "average_receipts": "Оплат, в среднем",
    "months_paid": "Месяцев с оплатой",
    "accepted_quotes": "Принятых расчётов",
    "quoted": "Цена по расчётам",
    "cost": "Себестоимость",
    "margin": "Маржа",
    "margin_percent": "Маржа, %",
    "received": "Получено",
    "rank": "Место",
    "item": "Позиция каталога",
    "unit": "Единица",
    "quantity": "Количество",
    "orders": "Заказов",
    "lead_source": "Источник (кампания)",
    "opened": "Открыто сделок",
    "won": "Выиграно",
    "lost": "Проиграно",
    "open": "В работе",
    "win_rate_percent": "Доля выигранных, %",
    "won_money": "Сумма выигранных",
    "first_month": "Первый месяц продаж",
    "previous": "Предыдущий период",
    "recent": "Последний период",
    "change_percent": "Изменение, %",
    "stage": "Стадия",
    "by_month": "По месяцам",
    "month": "Месяц",
    "forecast": "Прогноз",
    "wape_percent": "Ошибка на отложенных месяцах (WAPE), %",
    "holdout_forecast": "Прогноз отложенных месяцев",
    "holdout_actual": "Факт отложенных месяцев",
    "event_type": "Событие",
    "kind": "Вид",
    "actor": "Сотрудник (id)",
    "employee": "Сотрудник",
    "events": "Событий",
    "first_at": "Первое",
    "last_at": "Последнее",
    "amount": "Сумма",
    "day": "День",
    "manager_id": "Менеджер (id)",
    "position": "Позиция журнала",
}
LABELS = {"stage": LIFE_CYCLE_STAGE}
"""Codes a column holds, by the column's name, in Russian."""
_MONEY = frozenset({"money", "cost", "quoted", "margin", "received", "won_money", "amount"})


def _kind(name: str, duckdb_type: str) -> Kind:
    if name.endswith("_percent"):
        return Kind.PERCENT
    if name in _MONEY:
        return Kind.MONEY
    if duckdb_type.endswith("[]"):
        return Kind.TEXT
    if duckdb_type.startswith(("DECIMAL", "DOUBLE", "FLOAT", "REAL")):
        return Kind.DECIMAL
    if duckdb_type in ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER"):
        return Kind.INTEGER
    if duckdb_type == "DATE":
        return Kind.DATE
    if duckdb_type.startswith("TIMESTAMP"):
        return Kind.DATETIME
    if duckdb_type == "BOOLEAN":
        return Kind.BOOLEAN
    return Kind.TEXT


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return value


def result_table(title: str, result: QueryResult, parameters: Sequence[tuple[str, Any]]) -> Table:
    columns = [
        Column(name, TITLES.get(name, name), _kind(name, type_), LABELS.get(name))
        for name, type_ in result.columns
    ]
    names = [name for name, _ in result.columns]
    rows = [{name: _cell(value) for name, value in zip(names, row, strict=True)} for row in result.rows]
    return Table(
        title, columns, rows, [*parameters, ("Позиция журнала", result.position), ("Строк", len(rows))]
    )
