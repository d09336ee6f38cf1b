"""Likely duplicate cards: pairs that share a normalised name, a tax id, a phone or the mail
domain of their people, each pair with a score and the reasons for it.

Comparing every card with every other is quadratic; instead each card files itself under its
keys (``duplicate_keys``), and only cards filed under one key are compared. A key that more
than ``CROWDED`` cards share (a switchboard number, a holding's domain) is no evidence that
two of them are one counterparty, and would make the pairs quadratic again, so it is skipped."""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from aggregates.contact import Contact
from aggregates.counterparty import Counterparty
from aggregates.scope import Actor
from projections.database import Params, ViewCursor
from projections.duplicate_keys import mail_domain, name_key
from projections.projection import Projection, on
from projections.scope import in_scope
from projections.staff import KeepsStaff, staff_table
from projections.tables import Kind, Table
from projections.writes import Rows, Writes

CARDS = Table(
    "duplicate_cards",
    {
        "id": Kind.TEXT,
        "name": Kind.TEXT,
        "tax_id": Kind.TEXT,
        "kpp": Kind.TEXT,
        "manager_id": Kind.TEXT,
        "merged": Kind.INTEGER,
    },
    key=("id",),
    nullable=frozenset({"tax_id", "kpp"}),
    indexes=(("manager_id",),),
)
KEYS = Table(
    "duplicate_keys",
    {"counterparty_id": Kind.TEXT, "kind": Kind.TEXT, "value": Kind.TEXT, "source": Kind.TEXT},
    key=("counterparty_id", "kind", "value", "source"),
    indexes=(("kind", "value"),),
)
STAFF = staff_table("duplicate_staff")

CARD = "card"
"""The source of the keys a card files itself under; a contact's domain has the contact's id."""
WEIGHTS = {"name": 0.6, "tax_id": 0.7, "phone": 0.4, "mail_domain": 0.3}
"""How much each shared key says; a pair's score is 1 − Π(1 − weight) over its reasons."""
CROWDED = 20


@dataclass
class _Batch:
    cards: Rows
    keys: Rows
    staff: Rows


class DuplicatesView(KeepsStaff, Projection[_Batch]):
    name = "counterparty_duplicates"
    tables = (CARDS, KEYS, STAFF)

    def open(self, writes: Writes) -> _Batch:
        return _Batch(writes.rows(CARDS), writes.rows(KEYS), writes.rows(STAFF))

    @on(Counterparty.Registered)
    def _registered(self, view: _Batch, event: Counterparty.Registered, _position: int) -> None:
        key = str(event.originator_id)
        view.cards.put(
            {
                "id": key,
                "name": event.name,
                "tax_id": event.tax_id,
                "kpp": (event.requisites or {}).get("КПП"),
                "manager_id": event.manager_id,
                "merged": 0,
            }
        )
        _file_card(view, key, event.name, event.tax_id, event.phones or [])

    @on(Counterparty.ProfileChanged)
    def _changed(self, view: _Batch, event: Counterparty.ProfileChanged, _position: int) -> None:
        """An edit, or what a merge or a split changed on the survivor's card."""
        _refile(view, str(event.originator_id), event.changes)

    @on(Counterparty.ManagerAssigned)
    def _manager_assigned(self, view: _Batch, event: Counterparty.ManagerAssigned, _position: int) -> None:
        view.cards.update((str(event.originator_id),), manager_id=event.manager_id)

    @on(Counterparty.MergedInto)
    def _merged(self, view: _Batch, event: Counterparty.MergedInto, _position: int) -> None:
        view.cards.update((str(event.originator_id),), merged=1)

    @on(Counterparty.SplitOff)
    def _split(self, view: _Batch, event: Counterparty.SplitOff, _position: int) -> None:
        view.cards.update((str(event.originator_id),), merged=0)

    @on(Contact.Registered)
    def _contact_registered(self, view: _Batch, event: Contact.Registered, _position: int) -> None:
        if event.counterparty_id:
            _file_domains(view, event.counterparty_id, str(event.originator_id), event.emails or [])

    @on(Contact.DetailsChanged)
    def _contact_changed(self, view: _Batch, event: Contact.DetailsChanged, _position: int) -> None:
        if not event.counterparty_id or "emails" not in event.changes:
            return
        contact = str(event.originator_id)
        for email in event.previous.get("emails") or []:
            domain = mail_domain(email)
            if domain:
                view.keys.delete(event.counterparty_id, "mail_domain", domain, contact)
        _file_domains(view, event.counterparty_id, contact, event.changes["emails"] or [])


def _refile(view: _Batch, key: str, changes: dict[str, Any]) -> None:
    """A card's keys again, after a change to what they are made of."""
    if not {"name", "tax_id", "phones", "requisites"} & set(changes):
        return
    card = view.cards[(key,)]
    columns = {"name": changes.get("name") or card["name"]}
    if "tax_id" in changes:
        columns["tax_id"] = changes["tax_id"]
    if "requisites" in changes:
        columns["kpp"] = (changes["requisites"] or {}).get("КПП")
    card = view.cards.update((key,), **columns)
    phones = changes["phones"] if "phones" in changes else _card_phones(view, key)
    for row in view.keys.rows_where("counterparty_id", key):
        if row["source"] == CARD:
            view.keys.delete(key, row["kind"], row["value"], CARD)
    _file_card(view, key, card["name"], card["tax_id"], phones or [])


def _file_card(view: _Batch, key: str, name: str, tax_id: str | None, phones: list[str]) -> None:
    filed = [("name", name_key(name)), *(("phone", phone) for phone in phones)]
    if tax_id:
        filed.append(("tax_id", tax_id))
    for kind, value in filed:
        if value:
            view.keys.put({"counterparty_id": key, "kind": kind, "value": value, "source": CARD})


def _card_phones(view: _Batch, key: str) -> list[str]:
    return [
        row["value"]
        for row in view.keys.rows_where("counterparty_id", key)
        if row["kind"] == "phone" and row["source"] == CARD
    ]


def _file_domains(view: _Batch, counterparty_id: str, contact_id: str, emails: list[str]) -> None:
    for email in emails:
        domain = mail_domain(email)
        if domain:
            view.keys.put(
                {
                    "counterparty_id": counterparty_id,
                    "kind": "mail_domain",
                    "value": domain,
                    "source": contact_id,
                }
            )


def duplicate_pairs(
    cursor: ViewCursor, actor: Actor, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """Pairs of live cards within the reader's scope that share a key, likeliest first.

    Two cards whose tax ids differ are two legal entities, however alike their names (the demo
    alone has several «Прогресс»); two with one tax id but different КПП are a company and its
    branch. Neither is a pair: the report lists what the exact ИНН rule cannot decide."""
    p = Params()
    rows = cursor.execute(
        f"WITH visible AS (SELECT id, name, tax_id, kpp FROM {CARDS.name} "
        f"WHERE merged = 0 AND {in_scope(actor, 'manager_id', STAFF.name, p)}), "
        f"filed AS (SELECT DISTINCT k.counterparty_id, k.kind, k.value FROM {KEYS.name} k "
        "JOIN visible v ON v.id = k.counterparty_id), "
        "shared AS (SELECT kind, value FROM filed GROUP BY kind, value "
        f"HAVING COUNT(*) BETWEEN 2 AND {p(CROWDED)}) "
        "SELECT a.counterparty_id, ca.name, b.counterparty_id, cb.name, a.kind, a.value FROM shared s "
        "JOIN filed a ON a.kind = s.kind AND a.value = s.value "
        "JOIN filed b ON b.kind = s.kind AND b.value = s.value AND a.counterparty_id < b.counterparty_id "
        "JOIN visible ca ON ca.id = a.counterparty_id JOIN visible cb ON cb.id = b.counterparty_id "
        "WHERE ca.tax_id IS NULL OR cb.tax_id IS NULL OR (ca.tax_id = cb.tax_id "
        "AND (ca.kpp IS NULL OR cb.kpp IS NULL OR ca.kpp = cb.kpp))",
        p.values,
    )
    names: dict[str, str] = {}
    reasons: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for first, first_name, second, second_name, kind, value in rows:
        names[first], names[second] = first_name, second_name
        reasons[(first, second)][kind] = value
    pairs = [_pair(first, second, names, shared) for (first, second), shared in reasons.items()]
    pairs.sort(
        key=lambda pair: (-pair["score"], pair["first"]["name"], pair["first"]["id"], pair["second"]["id"])
    )
    return pairs[offset : offset + limit], len(pairs)


def _pair(first: str, second: str, names: dict[str, str], shared: dict[str, str]) -> dict[str, Any]:
    unlikely = 1.0
    for kind in shared:
        unlikely *= 1 - WEIGHTS[kind]
    return {
        "first": {"id": first, "name": names[first]},
        "second": {"id": second, "name": names[second]},
        "score": round(1 - unlikely, 2),
        "reasons": [{"rule": kind, "value": shared[kind]} for kind in WEIGHTS if kind in shared],
    }
