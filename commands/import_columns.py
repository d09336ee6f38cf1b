"""Column titles as people write them, and the values in their cells, turned into card fields.

The titles 1C, Bitrix24, amoCRM and Excel users put over their columns are known, in any case
and with ё or е; the English field names are known too (``name``, ``tax_id``, ``attr:<name>``,
``class:<name>``, ``req:<name>``), and a mapping given with the import (``Title=field``) covers
any other title. A column Letopis writes only for people to read (an id, a registration time)
is recognised and left out.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from aggregates.counterparty_profile import CounterpartyKind, LegalForm


def name_key(name: str) -> str:
    """A person's or organisation's name compared in any case, with ё or е."""
    return " ".join(name.casefold().replace("ё", "е").split())


def title_key(title: str) -> str:
    cleaned = " ".join(title.casefold().replace("ё", "е").replace("_", " ").split())
    return cleaned.strip(" *:.")


IGNORED = "-"
"""The target of a column that is read and left out."""

COUNTERPARTY_TITLES: dict[str, str] = {
    **dict.fromkeys(
        (
            "наименование",
            "название",
            "название компании",
            "компания",
            "контрагент",
            "организация",
            "краткое наименование",
            "наименование организации",
        ),
        "name",
    ),
    **dict.fromkeys(("полное наименование", "полное название", "юридическое наименование"), "full_name"),
    **dict.fromkeys(("инн", "инн контрагента", "инн организации"), "tax_id"),
    **dict.fromkeys(("кпп",), "req:КПП"),
    **dict.fromkeys(("огрн",), "req:ОГРН"),
    **dict.fromkeys(("огрнип",), "req:ОГРНИП"),
    **dict.fromkeys(("окпо",), "req:ОКПО"),
    **dict.fromkeys(("бик", "бик банка"), "req:БИК"),
    **dict.fromkeys(("банк", "наименование банка"), "req:Банк"),
    **dict.fromkeys(("расчетный счет", "р/с", "номер счета"), "req:Расчётный счёт"),
    **dict.fromkeys(("корр. счет", "корреспондентский счет", "к/с"), "req:Корр. счёт"),
    **dict.fromkeys(
        (
            "телефон",
            "телефоны",
            "рабочий телефон",
            "мобильный телефон",
            "phone",
            "телефон организации",
            "основной телефон",
        ),
        "phones",
    ),
    **dict.fromkeys(
        (
            "e-mail",
            "email",
            "e mail",
            "эл. почта",
            "электронная почта",
            "почта",
            "рабочий e-mail",
            "адрес электронной почты",
        ),
        "email",
    ),
    **dict.fromkeys(("адрес", "фактический адрес", "почтовый адрес"), "attr:Адрес"),
    **dict.fromkeys(("юридический адрес",), "attr:Юридический адрес"),
    **dict.fromkeys(("сайт", "веб-сайт", "web-сайт", "корпоративный сайт"), "attr:Веб-сайт"),
    **dict.fromkeys(("комментарий", "примечание", "описание"), "attr:Комментарий"),
    **dict.fromkeys(("регион", "область", "город", "region"), "region"),
    **dict.fromkeys(
        ("ответственный", "ответственный менеджер", "менеджер", "основной менеджер", "manager id", "manager"),
        "manager",
    ),
    **dict.fromkeys(
        (
            "вид контрагента",
            "юр. / физ. лицо",
            "тип лица",
            "форма",
            "вид",
            "тип контрагента",
            "тип компании",
            "тип",
        ),
        "form_or_kind",
    ),
    "kind": "kind",
    "legal form": "legal_form",
    **dict.fromkeys(("отрасль", "сфера деятельности", "industry"), "industry"),
    **dict.fromkeys(("вид деятельности", "деятельность", "activity"), "activity"),
    **dict.fromkeys(("источник", "источник обращения", "lead source"), "lead_source"),
    **dict.fromkeys(("филиал", "обособленное подразделение", "branch"), "branch"),
    **dict.fromkeys(("причины лояльности", "loyalty reasons"), "loyalty_reasons"),
    **dict.fromkeys(("интересы", "interests"), "interests"),
    **dict.fromkeys(("продукты конкурента", "competitor products"), "competitor_products"),
    **dict.fromkeys(
        (
            "идентификатор",
            "id",
            "допуск",
            "работа запрещена",
            "рейтинг",
            "зарегистрирован (utc)",
            "дата создания",
            "admission",
            "rating",
        ),
        IGNORED,
    ),
}

CONTACT_TITLES: dict[str, str] = {
    **dict.fromkeys(("фио", "контактное лицо", "полное имя", "ф.и.о", "full name"), "full_name"),
    **dict.fromkeys(("фамилия",), "surname"),
    **dict.fromkeys(("имя",), "first_name"),
    **dict.fromkeys(("отчество",), "patronymic"),
    **dict.fromkeys(("должность", "position"), "position"),
    **dict.fromkeys(("роль", "роль в решениях", "role"), "role"),
    **dict.fromkeys(
        ("телефон", "телефоны", "рабочий телефон", "мобильный телефон", "phone", "phones"), "phones"
    ),
    **dict.fromkeys(
        ("e-mail", "email", "emails", "эл. почта", "электронная почта", "почта", "рабочий e-mail"), "emails"
    ),
    **dict.fromkeys(
        (
            "организация",
            "компания",
            "контрагент",
            "наименование организации",
            "название компании",
            "counterparty",
        ),
        "organisation",
    ),
    **dict.fromkeys(
        ("инн", "инн организации", "инн контрагента", "инн компании", "tax id"), "organisation_tax_id"
    ),
    **dict.fromkeys(("идентификатор", "id", "counterparty id", "дата создания"), IGNORED),
}
COUNTERPARTY_FIELDS = frozenset({*COUNTERPARTY_TITLES.values(), "attr:", "class:", "req:"}) - {IGNORED}
CONTACT_FIELDS = frozenset(CONTACT_TITLES.values()) - {IGNORED}

_FORMS = {
    LegalForm.ORGANISATION: ("юридическое лицо", "юр. лицо", "юл", "организация", "компания", "organisation"),
    LegalForm.PERSON: (
        "физическое лицо",
        "физ. лицо",
        "фл",
        "ип",
        "индивидуальный предприниматель",
        "частное лицо",
        "person",
    ),
}
_KINDS = {
    CounterpartyKind.CUSTOMER: ("клиент", "покупатель", "заказчик", "customer"),
    CounterpartyKind.SUPPLIER: ("поставщик", "supplier"),
    CounterpartyKind.PARTNER: ("партнер", "partner"),
    CounterpartyKind.DEALER: ("дилер", "dealer"),
    CounterpartyKind.COMPETITOR: ("конкурент", "competitor"),
}
FORM_OR_KIND: dict[str, tuple[str, str]] = {
    **{word: ("legal_form", form.value) for form, words in _FORMS.items() for word in words},
    **{word: ("kind", kind.value) for kind, words in _KINDS.items() for word in words},
}
YES = frozenset({"да", "yes", "true", "1", "филиал", "+"})
_VALUE_SEPARATOR = re.compile(r"[;|\n]")


def cell_values(cell: str) -> list[str]:
    """The values of a cell holding several (phones, tags): separated by ``;``, ``|`` or lines."""
    return [value.strip() for value in _VALUE_SEPARATOR.split(cell) if value.strip()]


@dataclass(frozen=True)
class ColumnPlan:
    """What each column of the file fills: a field name, ``attr:``/``class:``/``req:`` with a
    name, or IGNORED."""

    targets: list[str]


def parse_mapping(pairs: list[str]) -> dict[str, str]:
    """``Title=field`` pairs given with an import."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        title, equals, field = pair.partition("=")
        if not equals or not title.strip() or not field.strip():
            raise ValueError(f"--map {pair!r} is not Title=field")
        mapping[title_key(title)] = field.strip()
    return mapping


def plan_columns(
    header: list[str], known: Mapping[str, str], fields: frozenset[str], mapping: Mapping[str, str]
) -> ColumnPlan:
    """Raises ValueError naming every title it cannot place, or one placed twice."""
    targets: list[str] = []
    unknown: list[str] = []
    for title in header:
        key = title_key(title)
        target = (
            mapping.get(key) or known.get(key) or _prefixed(title) or (title if title in fields else None)
        )
        if target is None or (
            target != IGNORED and target.partition(":")[0] + ":" not in fields and target not in fields
        ):
            unknown.append(title)
        else:
            targets.append(target)
    if unknown:
        raise ValueError(
            f'unknown columns {", ".join(map(repr, unknown))}: name their fields with --map "Title=field" '
            f"(fields: {', '.join(sorted(fields))}<name>)"
        )
    single = [t for t in targets if t not in (IGNORED, "phones", "emails", "form_or_kind")]
    repeated = sorted({t for t in single if single.count(t) > 1})
    if len(set(header)) != len(header) or repeated:
        twice = sorted({h for h in header if header.count(h) > 1}) or repeated
        raise ValueError(f"columns appear twice: {', '.join(twice)}")
    return ColumnPlan(targets)


def _prefixed(title: str) -> str | None:
    prefix, colon, name = title.partition(":")
    if colon and prefix.strip() in ("attr", "class", "req") and name.strip():
        return f"{prefix.strip()}:{name.strip()}"
    return None
