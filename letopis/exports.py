"""The counterparty register and the contact directory as files for the office, in the
titles the import knows, so that an export read back by ``crm import counterparties`` gives
the same cards (spreadsheet escaping included: ``letopis.spreadsheets`` defuses a cell that
would run as a formula, and the import reads it back without the apostrophe).

Requisites, attributes and classifiers the import has a title for (КПП, Банк, Адрес) keep it;
others are written as ``req:<name>``, ``attr:<name>`` and ``class:<name>`` columns."""

from collections.abc import Iterator
from typing import Any

from aggregates.counterparty_profile import CounterpartyKind, LegalForm
from aggregates.scope import Actor
from commands.import_columns import COUNTERPARTY_TITLES, title_key
from letopis.spreadsheets import Column, Table
from projections.contact_directory import search_contacts
from projections.counterparty_register import RegisterFilter, search_counterparties
from projections.database import ViewDatabase

_PAGE = 5_000
_FORM_TITLES = {LegalForm.ORGANISATION.value: "Юридическое лицо", LegalForm.PERSON.value: "Физическое лицо"}
_KIND_TITLES = {
    CounterpartyKind.CUSTOMER.value: "Клиент",
    CounterpartyKind.SUPPLIER.value: "Поставщик",
    CounterpartyKind.PARTNER.value: "Партнёр",
    CounterpartyKind.DEALER.value: "Дилер",
    CounterpartyKind.COMPETITOR.value: "Конкурент",
}
_LEADING = [
    Column("name", "Наименование"),
    Column("legal_form", "Вид контрагента"),
    Column("kind", "Тип контрагента"),
    Column("tax_id", "ИНН"),
]
_TRAILING = [
    Column("phones", "Телефон"),
    Column("region", "Регион"),
    Column("industry", "Отрасль"),
    Column("activity", "Вид деятельности"),
    Column("lead_source", "Источник"),
    Column("manager", "Ответственный"),
    Column("loyalty_reasons", "Причины лояльности"),
    Column("interests", "Интересы"),
    Column("competitor_products", "Продукты конкурента"),
]
CONTACT_COLUMNS = [
    Column("full_name", "ФИО"),
    Column("position", "Должность"),
    Column("role", "Роль"),
    Column("phones", "Телефон"),
    Column("emails", "E-mail"),
    Column("organisation_tax_id", "ИНН организации"),
    Column("organisation", "Организация"),
    Column("id", "Идентификатор"),
]


def _pages(search: Any) -> Iterator[dict[str, Any]]:
    offset = 0
    while True:
        items, total = search(_PAGE, offset)
        yield from items
        offset += _PAGE
        if offset >= total:
            return


def _joined(values: list[str] | None) -> str | None:
    return "; ".join(values) if values else None


def _column_for(prefix: str, name: str) -> Column:
    """A requisite or attribute under the title the import reads it from."""
    key = f"{prefix}:{name}"
    known = COUNTERPARTY_TITLES.get(title_key(name))
    return Column(key, name if known == key or (prefix == "attr" and known == "email") else key)


def counterparty_register(views: ViewDatabase, actor: Actor) -> Table:
    with views.reading() as cursor:
        managers: dict[str, str] = dict(cursor.execute("SELECT id, full_name FROM employees"))
        cards = list(
            _pages(
                lambda limit, offset: search_counterparties(cursor, actor, RegisterFilter(), limit, offset)
            )
        )
    extra: dict[str, Column] = {}
    rows = []
    for card in cards:
        row: dict[str, Any] = {
            "name": card["name"],
            "legal_form": _FORM_TITLES.get(card["legal_form"], card["legal_form"]),
            "kind": _KIND_TITLES.get(card["kind"], card["kind"]),
            "tax_id": card["tax_id"],
            "phones": _joined(card["phones"]),
            "manager": managers.get(card["manager_id"], card["manager_id"]),
            **{key: card[key] for key in ("region", "industry", "activity", "lead_source")},
            **{key: _joined(card[key]) for key in ("loyalty_reasons", "interests", "competitor_products")},
        }
        for prefix, field in (("req", "requisites"), ("attr", "attributes")):
            for name, value in card[field].items():
                extra.setdefault(f"{prefix}:{name}", _column_for(prefix, name))
                row[f"{prefix}:{name}"] = value
        for name, values in card["classifiers"].items():
            extra.setdefault(f"class:{name}", Column(f"class:{name}", f"class:{name}"))
            row[f"class:{name}"] = _joined(values)
        rows.append(row)
    columns = [*_LEADING, *sorted(extra.values(), key=lambda c: c.key), *_TRAILING]
    return Table("Контрагенты", columns, rows, [("Карточек", len(rows))])


def contact_directory(views: ViewDatabase, actor: Actor) -> Table:
    with views.reading() as cursor:
        organisations = {
            row[0]: (row[1], row[2]) for row in cursor.execute("SELECT id, name, tax_id FROM counterparties")
        }
        people = list(_pages(lambda limit, offset: search_contacts(cursor, actor, None, None, limit, offset)))
    rows = []
    for person in people:
        name, tax_id = organisations.get(person["counterparty_id"] or "", (None, None))
        rows.append(
            {
                "full_name": person["full_name"],
                "position": person["position"],
                "role": person["role"],
                "phones": _joined(person["phones"]),
                "emails": _joined(person["emails"]),
                "organisation_tax_id": tax_id,
                "organisation": name,
                "id": person["id"],
            }
        )
    return Table("Контакты", CONTACT_COLUMNS, rows, [("Контактов", len(rows))])
