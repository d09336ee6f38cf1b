"""Refusals: every inquiry a client refused and every deal lost, with its reason, its manager
and its products, for the refusals report (FEATURES C2); and the list of reasons.

Neither ``Inquiry.Refused`` nor ``Deal.Lost`` names the manager or the products, so the view
keeps them per inquiry and deal from the events that do, in a lookup of its own."""

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from typing import Any

from aggregates.deal import Deal
from aggregates.inquiry import Inquiry
from aggregates.refusal_reasons import RefusalReasons
from aggregates.scope import Actor
from event_store.store import Recorded
from projections.catalogue import item_names
from projections.database import ViewCursor
from projections.employee_directory import find_employee, scope_condition
from projections.projection import Handler, Projection
from projections.values import from_json, to_json, utc_text


class RefusalGrouping(StrEnum):
    REASON = "reason"
    MANAGER = "manager"
    PRODUCT = "product"


class RefusalView(Projection):
    name = "refusals"
    tables = ("refusals", "refusal_sources", "refusal_reasons")

    def create_tables(self, cursor: ViewCursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS refusals (source_id TEXT PRIMARY KEY, source TEXT NOT NULL, "
            "counterparty_id TEXT NOT NULL, manager_id TEXT NOT NULL, reason_code TEXT NOT NULL, "
            "reason_text TEXT NOT NULL, product_ids TEXT NOT NULL, refused_on TEXT NOT NULL, "
            "recorded_at TEXT NOT NULL)"
        )
        cursor.execute("CREATE INDEX IF NOT EXISTS refusals_refused_on ON refusals (refused_on)")
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS refusal_sources (source_id TEXT PRIMARY KEY, "
            "manager_id TEXT NOT NULL, product_ids TEXT NOT NULL)"
        )
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS refusal_reasons (code TEXT PRIMARY KEY, label TEXT NOT NULL, "
            "active INTEGER NOT NULL)"
        )

    def handlers(self) -> dict[type[Any], Handler]:
        return {
            RefusalReasons.ReasonAdded: self._reason_added,
            RefusalReasons.ReasonRetired: self._reason_retired,
            Inquiry.Registered: self._source_opened(lambda e: (e.responsible_id, [])),
            Inquiry.Delegated: self._inquiry_delegated,
            Inquiry.ProposalIssued: self._proposal_issued,
            Inquiry.Refused: self._refused("inquiry"),
            Deal.Opened: self._source_opened(lambda e: (e.manager_id, e.lines)),
            Deal.Lost: self._refused("deal"),
        }

    @staticmethod
    def _reason_added(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        cursor.execute(
            "INSERT INTO refusal_reasons (code, label, active) VALUES (?, ?, 1) "
            "ON CONFLICT (code) DO UPDATE SET label = excluded.label, active = 1",
            (event.code, event.label),
        )

    @staticmethod
    def _reason_retired(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        cursor.execute("UPDATE refusal_reasons SET active = 0 WHERE code = ?", (event.code,))

    @staticmethod
    def _source_opened(manager_and_lines: Callable[[Any], tuple[str, list[dict[str, Any]]]]) -> Handler:
        def handle(cursor: ViewCursor, recorded: Recorded) -> None:
            manager_id, lines = manager_and_lines(recorded.event)
            cursor.execute(
                "INSERT INTO refusal_sources (source_id, manager_id, product_ids) VALUES (?, ?, ?)",
                (str(recorded.event.originator_id), manager_id, to_json(_product_ids(lines))),
            )

        return handle

    @staticmethod
    def _inquiry_delegated(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        cursor.execute(
            "UPDATE refusal_sources SET manager_id = ? WHERE source_id = ?",
            (event.expert_id, str(event.originator_id)),
        )

    @staticmethod
    def _proposal_issued(cursor: ViewCursor, recorded: Recorded) -> None:
        event: Any = recorded.event
        cursor.execute(
            "UPDATE refusal_sources SET product_ids = ? WHERE source_id = ?",
            (to_json(_product_ids(event.lines)), str(event.originator_id)),
        )

    @staticmethod
    def _refused(source: str) -> Handler:
        def handle(cursor: ViewCursor, recorded: Recorded) -> None:
            event: Any = recorded.event
            key = str(event.originator_id)
            ((manager_id, product_ids),) = cursor.execute(
                "SELECT manager_id, product_ids FROM refusal_sources WHERE source_id = ?", (key,)
            )
            cursor.execute(
                "INSERT INTO refusals (source_id, source, counterparty_id, manager_id, reason_code, "
                "reason_text, product_ids, refused_on, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    source,
                    event.counterparty_id,
                    manager_id,
                    event.reason_code,
                    event.reason_text,
                    product_ids,
                    event.occurred_at.date().isoformat(),
                    utc_text(event.timestamp),
                ),
            )

        return handle


def _product_ids(lines: list[dict[str, Any]]) -> list[str]:
    return sorted({str(line["item_id"]) for line in lines if line.get("item_id")})


def active_refusal_reasons(cursor: ViewCursor) -> list[dict[str, str]]:
    rows = cursor.execute("SELECT code, label FROM refusal_reasons WHERE active = 1")
    return [{"code": code, "label": label} for code, label in sorted(rows, key=lambda row: (row[1], row[0]))]


def _labels(cursor: ViewCursor, grouping: RefusalGrouping, keys: set[str]) -> dict[str, str]:
    if grouping == RefusalGrouping.REASON:
        return dict(cursor.execute("SELECT code, label FROM refusal_reasons"))
    if grouping == RefusalGrouping.PRODUCT:
        return item_names(cursor, keys)
    names = {}
    for manager_id in keys:
        employee = find_employee(cursor, manager_id)
        if employee is not None:
            names[manager_id] = employee.full_name
    return names


def refusals_report(
    cursor: ViewCursor,
    actor: Actor,
    grouping: RefusalGrouping,
    since: date | None,
    until: date | None,
) -> tuple[int, list[dict[str, Any]]]:
    """How many refusals lie in the actor's scope between two business dates (both
    included), and those refusals grouped.

    A refusal of several products counts once in each product's group; one with none is
    grouped under no key. Each group tells how its refusals split by reason."""
    scope_sql, params = scope_condition(actor, "manager_id")
    conditions = [scope_sql]
    if since is not None:
        conditions.append("refused_on >= ?")
        params.append(since.isoformat())
    if until is not None:
        conditions.append("refused_on <= ?")
        params.append(until.isoformat())
    rows = cursor.execute(
        f"SELECT reason_code, manager_id, product_ids FROM refusals WHERE {' AND '.join(conditions)}", params
    )
    by_group: dict[str | None, Counter[str]] = defaultdict(Counter)
    for reason_code, manager_id, product_ids in rows:
        keys: list[str | None]
        if grouping == RefusalGrouping.REASON:
            keys = [reason_code]
        elif grouping == RefusalGrouping.MANAGER:
            keys = [manager_id]
        else:
            keys = list(from_json(product_ids)) or [None]
        for key in keys:
            by_group[key][reason_code] += 1
    labels = _labels(cursor, grouping, {key for key in by_group if key is not None})
    reason_labels = (
        labels if grouping == RefusalGrouping.REASON else _labels(cursor, RefusalGrouping.REASON, set())
    )
    groups = [
        {
            "key": key,
            "label": labels.get(key) if key is not None else None,
            "count": sum(reasons.values()),
            "reasons": [
                {"code": code, "label": reason_labels.get(code, code), "count": count}
                for code, count in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
            ],
        }
        for key, reasons in by_group.items()
    ]
    return len(rows), sorted(
        groups, key=lambda group: (-group["count"], group["label"] or "", group["key"] or "")
    )
