"""The counterparty: an organisation or private person the company deals with."""

from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from aggregates.errors import InvalidValue, RuleViolated
from aggregates.phone import normalize_phone
from aggregates.stamp import Fact, Stamp, changed_fields


class LegalForm(StrEnum):
    ORGANISATION = "organisation"
    PERSON = "person"


class CounterpartyKind(StrEnum):
    CUSTOMER = "customer"
    PARTNER = "partner"
    DEALER = "dealer"
    SUPPLIER = "supplier"
    COMPETITOR = "competitor"


class Admission(StrEnum):
    """Admission to business (seed 001): may the company work with this party?"""

    POTENTIAL = "potential"
    ACTIVE = "active"
    PASSIVE = "passive"
    TEMPORARILY_FORBIDDEN = "temporarily_forbidden"
    FORBIDDEN = "forbidden"


BARRED = frozenset({Admission.FORBIDDEN, Admission.TEMPORARILY_FORBIDDEN})

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


def check_rating(rating: int) -> int:
    if not 0 <= rating <= 5:
        raise InvalidValue("rating", "rating is a whole number from 0 to 5")
    return rating


def check_admission_decision(current: Admission, decided: Admission, reason: str) -> None:
    if decided == current:
        raise RuleViolated(f"the counterparty is already {current.value}")
    if decided == Admission.POTENTIAL:
        raise RuleViolated("a counterparty cannot be made potential again")
    if not reason.strip():
        raise InvalidValue("reason", "an admission decision needs a reason")


class Counterparty(Aggregate):
    class Registered(Aggregate.Created, Fact):
        class_version = 2

        legal_form: str
        kind: str
        name: str
        tax_id: str | None
        requisites: dict[str, str]
        industry: str | None
        region: str | None
        activity: str | None
        phones: list[str]
        attributes: dict[str, str]
        classifiers: dict[str, list[str]]
        loyalty_reasons: list[str]
        lead_source: str | None
        interests: list[str]
        competitor_products: list[str]
        manager_id: str
        founding_date: str | None
        """ISO day the organisation was founded (or the person born), for its anniversaries."""

        def apply(self, aggregate: "Counterparty") -> None:
            aggregate.profile = {k: getattr(self, k) for k in PROFILE_FIELDS}
            aggregate.manager_id = self.manager_id

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["founding_date"] = None

    class ProfileChanged(Fact):
        changes: dict[str, Any]
        previous: dict[str, Any]

        def apply(self, aggregate: "Counterparty") -> None:
            aggregate.profile.update(self.changes)

    class ManagerAssigned(Fact):
        manager_id: str
        previous_manager_id: str

        def apply(self, aggregate: "Counterparty") -> None:
            aggregate.manager_id = self.manager_id

    class Rated(Fact):
        rating: int
        previous_rating: int | None

        def apply(self, aggregate: "Counterparty") -> None:
            aggregate.rating = self.rating

    class AdmissionDecided(Fact):
        admission: str
        previous_admission: str
        reason: str

        def apply(self, aggregate: "Counterparty") -> None:
            aggregate.admission = Admission(self.admission)

    def __init__(self) -> None:
        self.profile: dict[str, Any] = {}
        self.manager_id = ""
        self.rating: int | None = None
        self.admission = Admission.POTENTIAL

    @classmethod
    def register(
        cls, stamp: Stamp, *, manager_id: str, id: UUID | None = None, **profile: Any
    ) -> "Counterparty":
        fields = cls._checked_profile({**_EMPTY_PROFILE, **profile})
        return cls._create(cls.Registered, id=id, manager_id=manager_id, **fields, **stamp.fields())

    @property
    def name(self) -> str:
        return str(self.profile["name"])

    @property
    def is_barred(self) -> bool:
        return self.admission in BARRED

    def change_profile(self, stamp: Stamp, **proposed: Any) -> None:
        unknown = set(proposed) - set(PROFILE_FIELDS)
        if unknown:
            raise InvalidValue(sorted(unknown)[0], "not a field of the counterparty card")
        changes, previous = changed_fields(self.profile, self._checked_profile(proposed))
        if changes:
            self.trigger_event(self.ProfileChanged, changes=changes, previous=previous, **stamp.fields())

    def assign_manager(self, stamp: Stamp, manager_id: str) -> None:
        if manager_id != self.manager_id:
            self.trigger_event(
                self.ManagerAssigned,
                manager_id=manager_id,
                previous_manager_id=self.manager_id,
                **stamp.fields(),
            )

    def rate(self, stamp: Stamp, rating: int) -> None:
        if check_rating(rating) != self.rating:
            self.trigger_event(self.Rated, rating=rating, previous_rating=self.rating, **stamp.fields())

    def decide_admission(self, stamp: Stamp, admission: Admission, reason: str) -> None:
        check_admission_decision(self.admission, admission, reason)
        self.trigger_event(
            self.AdmissionDecided,
            admission=admission.value,
            previous_admission=self.admission.value,
            reason=reason.strip(),
            **stamp.fields(),
        )

    @staticmethod
    def _checked_profile(fields: dict[str, Any]) -> dict[str, Any]:
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
        return checked


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
