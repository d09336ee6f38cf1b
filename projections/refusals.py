"""Refusals: every inquiry a client refused and every deal lost, with its reason, its manager
and its products, for the refusals report (FEATURES C2); and the list of reasons.

Neither ``Inquiry.Refused`` nor ``Deal.Lost`` names the manager or the products, so the view
keeps them per inquiry and deal from the events that do, in a lookup of its own."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from aggregates.catalogue_item import CatalogueItem
from aggregates.deal import Deal
from aggregates.inquiry import Inquiry
from aggregates.refusal_reasons import RefusalReasons
from aggregates.scope import Actor
from projections.database import Params, ViewCursor
from projections.projection import Projection, on
from projections.scope import in_scope
from projections.staff import KeepsStaff, staff_table
from projections.tables import Kind, Table
from projections.values import from_json, to_json
from projections.writes import Appends, Rows, Writes


class RefusalGrouping(StrEnum):
    REASON = "reason"
    MANAGER = "manager"
    PRODUCT = "product"


REFUSALS = Table(
    "refusals",
    {
        "source_id": Kind.TEXT,
        "source": Kind.TEXT,
        "counterparty_id": Kind.TEXT,
        "manager_id": Kind.TEXT,
        "reason_code": Kind.TEXT,
        "reason_text": Kind.TEXT,
        "product_ids": Kind.JSON,
        "refused_on": Kind.DAY,
        "recorded_at": Kind.MOMENT,
    },
    key=("source_id",),
    indexes=(("refused_on",),),
)
SOURCES = Table(
    "refusal_sources",
    {"source_id": Kind.TEXT, "manager_id": Kind.TEXT, "product_ids": Kind.JSON},
    key=("source_id",),
)
REASONS = Table(
    "refusal_reasons", {"code": Kind.TEXT, "label": Kind.TEXT, "active": Kind.INTEGER}, key=("code",)
)
ITEMS = Table("refusal_items", {"id": Kind.TEXT, "name": Kind.TEXT}, key=("id",))
STAFF = staff_table("refusal_staff")


def _product_ids(lines: list[dict[str, Any]]) -> list[str]:
    return sorted({str(line["item_id"]) for line in lines if line.get("item_id")})


@dataclass
class _Batch:
    refusals: Appends
    sources: Rows
    reasons: Rows
    items: Rows
    staff: Rows


class RefusalView(KeepsStaff, Projection[_Batch]):
    name = "refusals"
    version = 2
    tables = (REFUSALS, SOURCES, REASONS, ITEMS, STAFF)

    def open(self, writes: Writes) -> _Batch:
        return _Batch(
            writes.appends(REFUSALS),
            writes.rows(SOURCES),
            writes.rows(REASONS),
            writes.rows(ITEMS),
            writes.rows(STAFF),
        )

    @on(RefusalReasons.ReasonAdded)
    def _reason_added(self, view: _Batch, event: RefusalReasons.ReasonAdded, _position: int) -> None:
        view.reasons.put({"code": event.code, "label": event.label, "active": 1})

    @on(RefusalReasons.ReasonRetired)
    def _reason_retired(self, view: _Batch, event: RefusalReasons.ReasonRetired, _position: int) -> None:
        view.reasons.update((event.code,), active=0)

    @on(CatalogueItem.Listed)
    def _item_listed(self, view: _Batch, event: CatalogueItem.Listed, _position: int) -> None:
        view.items.put({"id": str(event.originator_id), "name": event.name})

    @on(Inquiry.Registered)
    def _inquiry_registered(self, view: _Batch, event: Inquiry.Registered, _position: int) -> None:
        _source(view, str(event.originator_id), event.responsible_id, [])

    @on(Inquiry.Delegated)
    def _inquiry_delegated(self, view: _Batch, event: Inquiry.Delegated, _position: int) -> None:
        view.sources.update((str(event.originator_id),), manager_id=event.expert_id)

    @on(Inquiry.ProposalIssued)
    def _proposal_issued(self, view: _Batch, event: Inquiry.ProposalIssued, _position: int) -> None:
        view.sources.update((str(event.originator_id),), product_ids=to_json(_product_ids(event.lines)))

    @on(Deal.Opened)
    def _deal_opened(self, view: _Batch, event: Deal.Opened, _position: int) -> None:
        _source(view, str(event.originator_id), event.manager_id, event.lines)

    @on(Inquiry.Refused)
    def _inquiry_refused(self, view: _Batch, event: Inquiry.Refused, _position: int) -> None:
        _refused(view, event, "inquiry")

    @on(Deal.Lost)
    def _deal_lost(self, view: _Batch, event: Deal.Lost, _position: int) -> None:
        _refused(view, event, "deal")


def _source(view: _Batch, key: str, manager_id: str, lines: list[dict[str, Any]]) -> None:
    view.sources.put(
        {"source_id": key, "manager_id": manager_id, "product_ids": to_json(_product_ids(lines))}
    )


def _refused(view: _Batch, event: Inquiry.Refused | Deal.Lost, source: str) -> None:
    key = str(event.originator_id)
    origin = view.sources[(key,)]
    view.refusals.add(
        (
            key,
            source,
            event.counterparty_id,
            origin["manager_id"],
            event.reason_code,
            event.reason_text,
            origin["product_ids"],
            event.occurred_at.date(),
            event.timestamp,
        )
    )


def active_refusal_reasons(cursor: ViewCursor) -> list[dict[str, str]]:
    rows = cursor.execute(f"SELECT code, label FROM {REASONS.name} WHERE active = 1")
    return [{"code": code, "label": label} for code, label in sorted(rows, key=lambda row: (row[1], row[0]))]


def _labels(cursor: ViewCursor, grouping: RefusalGrouping, keys: set[str]) -> dict[str, str]:
    if grouping == RefusalGrouping.REASON:
        return dict(cursor.execute(f"SELECT code, label FROM {REASONS.name}"))
    table, name = (ITEMS.name, "name") if grouping == RefusalGrouping.PRODUCT else (STAFF.name, "full_name")
    return dict(
        cursor.execute(
            f"SELECT id, {name} FROM {table} WHERE {cursor.dialect.any_of('id', '$1')}", (sorted(keys),)
        )
    )


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
    p = Params()
    conditions = [in_scope(actor, "manager_id", STAFF.name, p)]
    if since is not None:
        conditions.append(f"refused_on >= {p(since)}")
    if until is not None:
        conditions.append(f"refused_on <= {p(until)}")
    rows = cursor.execute(
        f"SELECT reason_code, manager_id, product_ids FROM {REFUSALS.name} WHERE {' AND '.join(conditions)}",
        p.values,
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
