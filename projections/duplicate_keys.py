"""The keys under which two cards of one counterparty meet, however differently they were typed.

A name key survives what people and old systems do to a name: the legal form written out or
abbreviated («ООО», "Общество с ограниченной ответственностью"), quotes of every kind, case,
ё for е, Latin letters that look Cyrillic (an "о" typed on an English layout), composed and
decomposed Unicode, stray spaces and punctuation."""

import re
import unicodedata

_LATIN_LOOKALIKES = str.maketrans("aceopxykmhtb", "асеорхукмнтв")
"""After casefolding: Latin letters a reader cannot tell from Cyrillic ones."""

_LEGAL_FORMS = (
    "общество с ограниченной ответственностью",
    "непубличное акционерное общество",
    "публичное акционерное общество",
    "закрытое акционерное общество",
    "открытое акционерное общество",
    "акционерное общество",
    "индивидуальный предприниматель",
    "автономная некоммерческая организация",
    "государственное унитарное предприятие",
    "муниципальное унитарное предприятие",
    "ооо",
    "оао",
    "зао",
    "пао",
    "нао",
    "ао",
    "ип",
    "ано",
    "гуп",
    "муп",
    "фгуп",
    "тоо",
)
_LATIN_LEGAL_FORMS = frozenset({"llc", "ltd", "inc", "gmbh", "jsc", "ojsc", "cjsc", "pjsc", "corp", "co"})
_LEGAL_FORM = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(f) for f in _LEGAL_FORMS) + r")(?!\w)")
_NOT_A_WORD = re.compile(r"[\W_]+")

PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "mail.ru",
        "bk.ru",
        "inbox.ru",
        "list.ru",
        "internet.ru",
        "yandex.ru",
        "ya.ru",
        "yandex.com",
        "rambler.ru",
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "proton.me",
        "protonmail.com",
    }
)


def name_key(name: str) -> str:
    """The name with its legal form, quotes, punctuation, case and look-alike letters taken out."""
    text = unicodedata.normalize("NFKC", name).casefold().replace("ё", "е")
    words = [w for w in _NOT_A_WORD.sub(" ", text).split() if w not in _LATIN_LEGAL_FORMS]
    cyrillic = " ".join(words).translate(_LATIN_LOOKALIKES)
    return " ".join(_LEGAL_FORM.sub(" ", cyrillic).split())


def mail_domain(email: str) -> str | None:
    """The company's own domain of an address; none for a public mail service."""
    _, at, domain = email.strip().rpartition("@")
    domain = unicodedata.normalize("NFKC", domain).casefold().strip(".")
    if not at or not domain or domain in PUBLIC_MAIL_DOMAINS:
        return None
    return domain
