"""A contact person: someone at a counterparty, or a private client on their own."""

from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from aggregates import requisites
from aggregates.counterparty_profile import check_name
from aggregates.errors import InvalidValue
from aggregates.new_record import NewRecord
from aggregates.phone import normalize_phone
from aggregates.stamp import Fact, Stamp, changed_fields


class Influence(StrEnum):
    """How much the person weighs in the client's decisions."""

    DECISION_MAKER = "decision_maker"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    NONE = "none"


DETAIL_FIELDS = (
    "full_name",
    "position",
    "role",
    "influence",
    "phones",
    "emails",
    "birthday",
    "notable_dates",
    "interests",
)


def check_email(email: str) -> str:
    cleaned = email.strip()
    broken = requisites.check_email(cleaned, "emails")
    if broken:
        raise InvalidValue(broken.field, broken.rule)
    return cleaned


def check_notable_date(entry: dict[str, str]) -> dict[str, str]:
    try:
        day = date.fromisoformat(entry["date"]).isoformat()
    except (KeyError, ValueError) as error:
        raise InvalidValue("notable_dates", "a notable date needs an ISO date") from error
    label = entry.get("label", "").strip()
    if not label:
        raise InvalidValue("notable_dates", "a notable date needs a label")
    return {"date": day, "label": label}


def _checked_details(fields: dict[str, Any]) -> dict[str, Any]:
    checked = dict(fields)
    if "full_name" in checked:
        checked["full_name"] = check_name(checked["full_name"])
    if "phones" in checked:
        checked["phones"] = list(dict.fromkeys(normalize_phone(p, "phones") for p in checked["phones"]))
    if "emails" in checked:
        checked["emails"] = list(dict.fromkeys(check_email(e) for e in checked["emails"]))
    if "influence" in checked and checked["influence"] is not None:
        checked["influence"] = Influence(checked["influence"]).value
    if checked.get("birthday") is not None:
        checked["birthday"] = date.fromisoformat(str(checked["birthday"])).isoformat()
    if "notable_dates" in checked:
        checked["notable_dates"] = [check_notable_date(d) for d in checked["notable_dates"]]
    return checked


_EMPTY_DETAILS: dict[str, Any] = {
    "position": None,
    "role": None,
    "influence": None,
    "phones": [],
    "emails": [],
    "birthday": None,
    "notable_dates": [],
    "interests": [],
}


def new_details(details: dict[str, Any]) -> dict[str, Any]:
    """Everything on a new contact's card, checked, with the fields not given empty."""
    return _checked_details({**_EMPTY_DETAILS, **details})


class Contact(Aggregate):
    class Registered(Aggregate.Created, Fact):
        counterparty_id: str | None
        manager_id: str
        full_name: str
        position: str | None
        role: str | None
        influence: str | None
        phones: list[str]
        emails: list[str]
        birthday: str | None
        notable_dates: list[dict[str, str]]
        interests: list[str]

        def apply(self, aggregate: "Contact") -> None:
            aggregate.counterparty_id = self.counterparty_id
            aggregate.manager_id = self.manager_id
            aggregate.details = {k: getattr(self, k) for k in DETAIL_FIELDS}

    class DetailsChanged(Fact):
        counterparty_id: str | None
        changes: dict[str, Any]
        previous: dict[str, Any]

        def apply(self, aggregate: "Contact") -> None:
            aggregate.details.update(self.changes)

    def __init__(self) -> None:
        self.counterparty_id: str | None = None
        self.manager_id = ""
        self.details: dict[str, Any] = {}

    @classmethod
    def register(
        cls,
        stamp: Stamp,
        *,
        counterparty_id: str | None,
        manager_id: str,
        id: UUID | None = None,
        **details: Any,
    ) -> "Contact":
        return cls._create(
            cls.Registered,
            id=id,
            counterparty_id=counterparty_id,
            manager_id=manager_id,
            **new_details(details),
            **stamp.fields(),
        )

    @classmethod
    def registered(
        cls, stamp: Stamp, id: UUID, counterparty_id: str, manager_id: str, details: dict[str, Any]
    ) -> NewRecord:
        """A contact registered in bulk, from details ``new_details`` has checked: what
        ``register`` records, without building the contact."""
        return NewRecord(
            cls,
            cls.Registered,
            id,
            counterparty_id=counterparty_id,
            manager_id=manager_id,
            **details,
            **stamp.fields(),
        )

    @property
    def full_name(self) -> str:
        return str(self.details["full_name"])

    def change_details(self, stamp: Stamp, **proposed: Any) -> None:
        unknown = set(proposed) - set(DETAIL_FIELDS)
        if unknown:
            raise InvalidValue(sorted(unknown)[0], "not a field of the contact card")
        changes, previous = changed_fields(self.details, _checked_details(proposed))
        if changes:
            self.trigger_event(
                self.DetailsChanged,
                counterparty_id=self.counterparty_id,
                changes=changes,
                previous=previous,
                **stamp.fields(),
            )
