"""Reading the funnel view: pipelines as defined now, and deals within a reader's scope."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from aggregates.scope import Actor
from projections.counterparty_merges import same_client
from projections.database import Params, ViewCursor
from projections.deal_funnel import DEALS, PIPELINES, STAFF
from projections.scope import in_scope
from projections.values import from_json

_PIPELINE_COLUMNS = PIPELINES.column_names
_DEAL_COLUMNS = DEALS.column_names[: DEALS.column_names.index("updated_at") + 1]


def _row_to_pipeline(row: tuple[Any, ...]) -> dict[str, Any]:
    pipeline = dict(zip(_PIPELINE_COLUMNS, row, strict=True))
    pipeline["stages"] = [
        {**stage, "probability": Decimal(stage["probability"])} for stage in from_json(pipeline["stages"])
    ]
    return pipeline


def list_pipelines(cursor: ViewCursor) -> list[dict[str, Any]]:
    rows = cursor.execute(f"SELECT {', '.join(_PIPELINE_COLUMNS)} FROM {PIPELINES.name} ORDER BY name, id")
    return [_row_to_pipeline(row) for row in rows]


def get_pipeline(cursor: ViewCursor, pipeline_id: str) -> dict[str, Any] | None:
    rows = cursor.execute(
        f"SELECT {', '.join(_PIPELINE_COLUMNS)} FROM {PIPELINES.name} WHERE id = $1", (pipeline_id,)
    )
    return _row_to_pipeline(rows[0]) if rows else None


def _row_to_deal(cursor: ViewCursor, row: tuple[Any, ...]) -> dict[str, Any]:
    deal = dict(zip(_DEAL_COLUMNS, row, strict=True))
    deal["amount"] = Decimal(deal["amount"])
    deal["probability"] = Decimal(deal["probability"])
    deal["expected_close_on"] = cursor.dialect.day_of(deal["expected_close_on"])
    deal["lines"] = from_json(deal["lines"])
    code, text = deal.pop("lost_reason_code"), deal.pop("lost_reason_text")
    deal["lost_reason"] = {"code": code, "text": text} if code is not None else None
    return deal


@dataclass(frozen=True)
class DealFilter:
    status: str | None = None
    stage: str | None = None
    manager_id: str | None = None
    counterparty_id: str | None = None
    pipeline_id: str | None = None


def search_deals(
    cursor: ViewCursor, actor: Actor, criteria: DealFilter, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    p = Params()
    conditions = [in_scope(actor, "manager_id", STAFF.name, p)]
    for column in ("status", "stage", "manager_id", "pipeline_id"):
        value = getattr(criteria, column)
        if value is not None:
            conditions.append(f"{column} = {p(value)}")
    if criteria.counterparty_id is not None:
        conditions.append(same_client(cursor, "counterparty_id", criteria.counterparty_id, p))
    where = " AND ".join(conditions)
    (total,) = cursor.execute(f"SELECT COUNT(*) FROM {DEALS.name} WHERE {where}", p.values)[0]
    rows = cursor.execute(
        f"SELECT {', '.join(_DEAL_COLUMNS)} FROM {DEALS.name} WHERE {where} "
        f"ORDER BY opened_at DESC, id LIMIT {p(limit)} OFFSET {p(offset)}",
        p.values,
    )
    return [_row_to_deal(cursor, row) for row in rows], int(total)


def get_deal(cursor: ViewCursor, deal_id: str) -> dict[str, Any] | None:
    rows = cursor.execute(f"SELECT {', '.join(_DEAL_COLUMNS)} FROM {DEALS.name} WHERE id = $1", (deal_id,))
    return _row_to_deal(cursor, rows[0]) if rows else None
