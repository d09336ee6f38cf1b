"""A counterparty's card: the fields a plain edit may change, and the rules each obeys."""

from datetime import date
from enum import StrEnum
from typing import Any

from aggregates.errors import InvalidValue
from aggregates.phone import normalize_phone
from aggregates.requisites import broken_requisites


class LegalForm(StrEnum):
    ORGANISATION = "organisation"
    PERSON = "person"


class CounterpartyKind(StrEnum):
    CUSTOMER = "customer"
    PARTNER = "partner"
    DEALER = "dealer"
    SUPPLIER = "supplier"
    COMPETITOR = "competitor"


# The profile is everything on the card that a plain edit may change; manager,
# rating and admission have their own events because scope, bonuses and
# the admission rules depend on them.
PROFILE_FIELDS = (
    "legal_form",
    "kind",
    "name",
    "tax_id",
    "requisites",
    "industry",
    "region",
    "activity",
    "phones",
    "attributes",
    "classifiers",
    "loyalty_reasons",
    "lead_source",
    "interests",
    "competitor_products",
    "founding_date",
)


def check_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidValue("name", "name must not be blank")
    return cleaned


def check_tax_id(tax_id: str | None) -> str | None:
    """A Russian INN has 10 (organisation) or 12 (person) digits; foreign ids are free text."""
    if tax_id is None:
        return None
    cleaned = tax_id.strip()
    if not cleaned:
        return None
    if cleaned.isdigit() and len(cleaned) not in (10, 12):
        raise InvalidValue("tax_id", f"INN {cleaned!r} must have 10 or 12 digits")
    return cleaned


def check_founding_date(founded: date | str) -> str:
    try:
        return date.fromisoformat(str(founded)).isoformat()
    except ValueError:
        raise InvalidValue("founding_date", f"{founded!r} is not a day (YYYY-MM-DD)") from None


_EMPTY_PROFILE: dict[str, Any] = {
    "legal_form": LegalForm.ORGANISATION.value,
    "kind": CounterpartyKind.CUSTOMER.value,
    "tax_id": None,
    "requisites": {},
    "industry": None,
    "region": None,
    "activity": None,
    "phones": [],
    "attributes": {},
    "classifiers": {},
    "loyalty_reasons": [],
    "lead_source": None,
    "interests": [],
    "competitor_products": [],
    "founding_date": None,
}


def checked_profile(fields: dict[str, Any], check_requisites: bool = True) -> dict[str, Any]:
    checked = dict(fields)
    if "name" in checked:
        checked["name"] = check_name(checked["name"])
    if "tax_id" in checked:
        checked["tax_id"] = check_tax_id(checked["tax_id"])
    if "phones" in checked:
        checked["phones"] = list(dict.fromkeys(normalize_phone(p, "phones") for p in checked["phones"]))
    if "legal_form" in checked:
        checked["legal_form"] = LegalForm(checked["legal_form"]).value
    if "kind" in checked:
        checked["kind"] = CounterpartyKind(checked["kind"]).value
    if checked.get("founding_date") is not None:
        checked["founding_date"] = check_founding_date(checked["founding_date"])
    if check_requisites:
        for broken in broken_requisites(checked.get("tax_id"), checked.get("requisites") or {}):
            raise InvalidValue(broken.field, broken.rule)
    return checked


def new_profile(profile: dict[str, Any], check_requisites: bool = True) -> dict[str, Any]:
    """The whole profile of a new card, checked, with the fields not given empty.
    ``check_requisites=False`` keeps the formats but not the control digits: for a legacy import
    whose broken values are reported as warnings."""
    return checked_profile({**_EMPTY_PROFILE, **profile}, check_requisites)
