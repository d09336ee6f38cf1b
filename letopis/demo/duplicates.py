"""Deliberate duplicate cards: the same company opened twice, as it happens in a real client
base, so that the duplicates report and the merge have something to find from the start.

One kind in three keeps the company's tax id: a card brought over from the old CRM in the
first weeks, as a legacy import wrote it before a second card with one ИНН was refused. It is
a true duplicate, not a branch (a branch has a КПП of its own and is rightly a card of its
own), so the report must find it, and only the log's history can hold it now. The other two
have no tax id, as cards opened in a hurry do: one typed on the wrong keyboard layout (Latin
look-alike letters) and sharing the original's phone, one with the legal form spelled out,
another kind of quotes and ё written as е."""

import unicodedata
from typing import Any

from letopis.demo.chronicle import DemoSize

LEGAL_FORMS_SPELLED_OUT = {
    "ООО": "Общество с ограниченной ответственностью",
    "АО": "Акционерное общество",
    "ПАО": "Публичное акционерное общество",
    "ЗАО": "Закрытое акционерное общество",
}
_LOOKALIKES = str.maketrans("аеосрхАЕОСРХВКМНТ", "aeocpxAEOCPXBKMHT")


def duplicate_count(size: DemoSize) -> int:
    """Of the demo's counterparties, how many are second cards of another."""
    return max(3, size.counterparties // 400)


def duplicate_profile(variant: int, original: dict[str, Any]) -> dict[str, Any]:
    """The profile a second card of ``original`` (an organisation) was opened with."""
    form, _, brand = original["name"].partition(" ")
    brand = brand.strip("«»")
    profile = {k: v for k, v in original.items() if k not in ("name", "tax_id", "requisites", "phones")}
    if variant == 0:
        return {
            **profile,
            "name": f'{LEGAL_FORMS_SPELLED_OUT.get(form, form)} "{brand.upper()}"',
            "tax_id": original["tax_id"],
            "requisites": {"КПП": original["requisites"]["КПП"]},
        }
    if variant == 1:
        return {
            **profile,
            "name": f"{form} “{brand.translate(_LOOKALIKES)}”",
            "phones": original["phones"][:1],
        }
    spelled = unicodedata.normalize("NFD", brand.replace("ё", "е").replace("Ё", "Е"))
    return {**profile, "name": f"{LEGAL_FORMS_SPELLED_OUT.get(form, form)}  „{spelled}“"}
