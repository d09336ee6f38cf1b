"""An interaction with a client: a call, a meeting, a negotiation, an e-mail, a visit, a message.

Each interaction is an aggregate of its own, so its stream stays short and two
managers logging calls with one client at the same moment never contend. A
mistake is fixed by a correction, recorded beside the original, never by an edit.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from aggregates.counterparty import BARRED, Admission
from aggregates.errors import InvalidValue, RuleViolated
from aggregates.phone import normalize_phone
from aggregates.stamp import Fact, Stamp, changed_fields


class InteractionKind(StrEnum):
    CALL = "call"
    MEETING = "meeting"
    NEGOTIATION = "negotiation"
    EMAIL = "email"
    SERVICE_VISIT = "service_visit"
    MESSAGE = "message"


class Direction(StrEnum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"


DIRECTED = frozenset({InteractionKind.CALL, InteractionKind.EMAIL, InteractionKind.MESSAGE})

CORRECTABLE_FIELDS = ("subject", "details", "contact_ids", "happened_at")


def check_interaction_allowed(
    admission: Admission, kind: InteractionKind, direction: Direction | None
) -> None:
    """A barred counterparty may still reach us, and that must be on record;
    we do not reach out to it, meet it or serve it."""
    if admission in BARRED and not (kind in DIRECTED and direction == Direction.INCOMING):
        raise RuleViolated(
            f"the counterparty is {admission.value}: only incoming calls, e-mails and "
            "messages from it may be recorded"
        )


def check_direction(kind: InteractionKind, direction: Direction | None) -> None:
    if kind in DIRECTED and direction is None:
        raise InvalidValue("direction", f"a {kind.value} is incoming or outgoing")
    if kind not in DIRECTED and direction is not None:
        raise InvalidValue("direction", f"a {kind.value} has no direction")


def check_details(kind: InteractionKind, details: dict[str, Any]) -> dict[str, Any]:
    checked = dict(details)
    for duration in ("duration_seconds", "time_spent_minutes"):
        if duration in checked and (checked[duration] is None or checked[duration] < 0):
            raise InvalidValue(duration, f"{duration} cannot be negative")
    if kind == InteractionKind.CALL and checked.get("phone"):
        checked["phone"] = normalize_phone(checked["phone"])
    return checked


class Interaction(Aggregate):
    class Logged(Aggregate.Created, Fact):
        counterparty_id: str | None
        contact_ids: list[str]
        kind: str
        direction: str | None
        subject: str
        details: dict[str, Any]

        def apply(self, aggregate: "Interaction") -> None:
            aggregate.counterparty_id = self.counterparty_id
            aggregate.kind = InteractionKind(self.kind)
            aggregate.content = {
                "subject": self.subject,
                "details": self.details,
                "contact_ids": self.contact_ids,
                "happened_at": self.occurred_at,
            }

    class Corrected(Fact):
        counterparty_id: str | None
        contact_ids: list[str]
        """Every contact the interaction concerned before or after the correction."""
        kind: str
        changes: dict[str, Any]
        previous: dict[str, Any]
        reason: str

        def apply(self, aggregate: "Interaction") -> None:
            aggregate.content.update(self.changes)

    def __init__(self) -> None:
        self.counterparty_id: str | None = None
        self.kind = InteractionKind.CALL
        self.content: dict[str, Any] = {}

    @classmethod
    def log(
        cls,
        stamp: Stamp,
        *,
        admission: Admission | None,
        counterparty_id: str | None,
        contact_ids: list[str],
        kind: InteractionKind,
        direction: Direction | None,
        subject: str,
        details: dict[str, Any],
        id: UUID | None = None,
    ) -> "Interaction":
        if counterparty_id is None and not contact_ids:
            raise InvalidValue("counterparty_id", "an interaction needs a counterparty or a contact")
        check_direction(kind, direction)
        if admission is not None:
            check_interaction_allowed(admission, kind, direction)
        return cls._create(
            cls.Logged,
            id=id,
            counterparty_id=counterparty_id,
            contact_ids=list(dict.fromkeys(contact_ids)),
            kind=kind.value,
            direction=direction.value if direction else None,
            subject=subject.strip(),
            details=check_details(kind, details),
            **stamp.fields(),
        )

    def correct(self, stamp: Stamp, reason: str, **proposed: Any) -> None:
        if not reason.strip():
            raise InvalidValue("reason", "a correction needs a reason")
        unknown = set(proposed) - set(CORRECTABLE_FIELDS)
        if unknown:
            raise InvalidValue(sorted(unknown)[0], "this part of an interaction cannot be corrected")
        if "details" in proposed:
            proposed["details"] = check_details(self.kind, proposed["details"])
        happened_at = proposed.get("happened_at")
        if isinstance(happened_at, datetime) and happened_at.tzinfo is None:
            raise InvalidValue("happened_at", "happened_at must carry a time zone")
        changes, previous = changed_fields(self.content, proposed)
        if not changes:
            raise RuleViolated("the correction changes nothing")
        concerned = [*self.content["contact_ids"], *changes.get("contact_ids", [])]
        self.trigger_event(
            self.Corrected,
            counterparty_id=self.counterparty_id,
            contact_ids=list(dict.fromkeys(concerned)),
            kind=self.kind.value,
            changes=changes,
            previous=previous,
            reason=reason.strip(),
            **stamp.fields(),
        )
