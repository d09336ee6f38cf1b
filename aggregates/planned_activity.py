"""A planned activity (FEATURES E1, E5): a call, meeting, negotiation, visit or to-do planned
for a time (with an end) or for a whole day, bound to a client and the people involved.

Its lifecycle is a chain of facts: planned, rescheduled any number of times (each with a
reason), then closed once: held (naming the interaction that records it), missed or
cancelled. Overdue is never recorded: it is read against the clock (``is_overdue``)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.domain import Aggregate

from aggregates.errors import InvalidValue, RuleViolated
from aggregates.stamp import Fact, Stamp

BUSINESS_ZONE = ZoneInfo("Europe/Moscow")
"""Where a whole-day activity's day begins and ends."""

LONGEST_TIMED = timedelta(hours=24)


class ActivityKind(StrEnum):
    CALL = "call"
    MEETING = "meeting"
    NEGOTIATION = "negotiation"
    VISIT = "visit"
    TODO = "todo"


class ActivityStatus(StrEnum):
    PLANNED = "planned"
    HELD = "held"
    MISSED = "missed"
    CANCELLED = "cancelled"


# The kinds of interaction that can record a held activity of each kind.
HELD_AS: dict[ActivityKind, frozenset[str]] = {
    ActivityKind.CALL: frozenset({"call"}),
    ActivityKind.MEETING: frozenset({"meeting", "negotiation"}),
    ActivityKind.NEGOTIATION: frozenset({"negotiation", "meeting"}),
    ActivityKind.VISIT: frozenset({"service_visit", "meeting"}),
    ActivityKind.TODO: frozenset({"call", "meeting", "negotiation", "email", "service_visit", "message"}),
}


@dataclass(frozen=True)
class Schedule:
    """When: from ``starts_at`` to ``ends_at``, or the whole of ``day``."""

    starts_at: datetime | None = None
    ends_at: datetime | None = None
    day: date | None = None

    @classmethod
    def timed(cls, starts_at: datetime, ends_at: datetime) -> "Schedule":
        if starts_at.tzinfo is None or ends_at.tzinfo is None:
            raise InvalidValue("starts_at", "a planned time must carry a time zone")
        if ends_at < starts_at:
            raise InvalidValue("ends_at", f"the activity ends ({ends_at}) before it starts ({starts_at})")
        if ends_at == starts_at:
            raise InvalidValue("ends_at", "a timed activity must last longer than zero minutes")
        if ends_at - starts_at > LONGEST_TIMED:
            raise InvalidValue(
                "ends_at", "a timed activity lasts at most 24 hours; plan a longer one as whole days"
            )
        return cls(starts_at=starts_at, ends_at=ends_at)

    @classmethod
    def whole_day(cls, day: date) -> "Schedule":
        return cls(day=day)

    def fields(self) -> dict[str, Any]:
        return {"starts_at": self.starts_at, "ends_at": self.ends_at, "day": self.day}

    @property
    def deadline(self) -> datetime:
        """The moment after which the activity, unless closed, is overdue."""
        if self.day is not None:
            return datetime.combine(self.day + timedelta(days=1), datetime.min.time(), BUSINESS_ZONE)
        assert self.ends_at is not None
        return self.ends_at

    @property
    def begins(self) -> datetime:
        if self.day is not None:
            return datetime.combine(self.day, datetime.min.time(), BUSINESS_ZONE)
        assert self.starts_at is not None
        return self.starts_at


def is_overdue(status: str, deadline: datetime, now: datetime) -> bool:
    return status == ActivityStatus.PLANNED and deadline <= now


def held_on_time(deadline: datetime, held_at: datetime) -> bool:
    return held_at <= deadline


class PlannedActivity(Aggregate):
    class Planned(Aggregate.Created, Fact):
        kind: str
        subject: str
        counterparty_id: str | None
        contact_ids: list[str]
        deal_id: str | None
        contract_id: str | None
        responsible_id: str
        participant_ids: list[str]
        place: str
        agenda: str
        starts_at: datetime | None
        ends_at: datetime | None
        day: date | None
        """Set for a whole-day activity, instead of ``starts_at`` and ``ends_at``."""

        def apply(self, aggregate: "PlannedActivity") -> None:
            aggregate.kind = ActivityKind(self.kind)
            aggregate.subject = self.subject
            aggregate.counterparty_id = self.counterparty_id
            aggregate.contact_ids = self.contact_ids
            aggregate.responsible_id = self.responsible_id
            aggregate.participant_ids = self.participant_ids
            aggregate.schedule = Schedule(self.starts_at, self.ends_at, self.day)

    class Rescheduled(Fact):
        counterparty_id: str | None
        responsible_id: str
        starts_at: datetime | None
        ends_at: datetime | None
        day: date | None
        previous_starts_at: datetime | None
        previous_ends_at: datetime | None
        previous_day: date | None
        reason: str
        sequence: int
        """1 for the first reschedule, 2 for the second…"""

        def apply(self, aggregate: "PlannedActivity") -> None:
            aggregate.schedule = Schedule(self.starts_at, self.ends_at, self.day)
            aggregate.sequence = self.sequence

    class Held(Fact):
        counterparty_id: str | None
        responsible_id: str
        interaction_id: str
        held_at: datetime

        def apply(self, aggregate: "PlannedActivity") -> None:
            aggregate.status = ActivityStatus.HELD

    class Missed(Fact):
        counterparty_id: str | None
        responsible_id: str
        reason: str

        def apply(self, aggregate: "PlannedActivity") -> None:
            aggregate.status = ActivityStatus.MISSED

    class Cancelled(Fact):
        counterparty_id: str | None
        responsible_id: str
        reason: str

        def apply(self, aggregate: "PlannedActivity") -> None:
            aggregate.status = ActivityStatus.CANCELLED

    def __init__(self) -> None:
        self.kind = ActivityKind.TODO
        self.subject = ""
        self.counterparty_id: str | None = None
        self.contact_ids: list[str] = []
        self.responsible_id = ""
        self.participant_ids: list[str] = []
        self.schedule = Schedule()
        self.status = ActivityStatus.PLANNED
        self.sequence = 0

    @classmethod
    def plan(
        cls,
        stamp: Stamp,
        *,
        kind: ActivityKind,
        subject: str,
        schedule: Schedule,
        responsible_id: str,
        counterparty_id: str | None = None,
        contact_ids: list[str] | None = None,
        deal_id: str | None = None,
        contract_id: str | None = None,
        participant_ids: list[str] | None = None,
        place: str = "",
        agenda: str = "",
        id: UUID | None = None,
    ) -> "PlannedActivity":
        if not subject.strip():
            raise InvalidValue("subject", "a planned activity needs a subject")
        participants = [p for p in dict.fromkeys(participant_ids or []) if p != responsible_id]
        return cls._create(
            cls.Planned,
            id=id,
            kind=kind.value,
            subject=subject.strip(),
            counterparty_id=counterparty_id,
            contact_ids=list(dict.fromkeys(contact_ids or [])),
            deal_id=deal_id,
            contract_id=contract_id,
            responsible_id=responsible_id,
            participant_ids=participants,
            place=place.strip(),
            agenda=agenda,
            **schedule.fields(),
            **stamp.fields(),
        )

    def _common(self, stamp: Stamp) -> dict[str, Any]:
        return {
            "counterparty_id": self.counterparty_id,
            "responsible_id": self.responsible_id,
            **stamp.fields(),
        }

    def check_open(self, change: str) -> None:
        if self.status != ActivityStatus.PLANNED:
            raise RuleViolated(f"the activity is already {self.status.value}: it cannot be {change}")

    def reschedule(self, stamp: Stamp, schedule: Schedule, reason: str) -> None:
        self.check_open("rescheduled")
        if not reason.strip():
            raise InvalidValue("reason", "a reschedule needs a reason")
        if schedule == self.schedule:
            raise RuleViolated("the new time is the time already planned")
        previous = self.schedule
        self.trigger_event(
            self.Rescheduled,
            **schedule.fields(),
            previous_starts_at=previous.starts_at,
            previous_ends_at=previous.ends_at,
            previous_day=previous.day,
            reason=reason.strip(),
            sequence=self.sequence + 1,
            **self._common(stamp),
        )

    def hold(self, stamp: Stamp, *, interaction_id: str, interaction_kind: str, held_at: datetime) -> None:
        """Closed by the interaction that records it, of a kind that can record this activity."""
        self.check_open("held")
        if interaction_kind not in HELD_AS[self.kind]:
            raise InvalidValue(
                "planned_activity_id", f"a {interaction_kind} cannot record a planned {self.kind.value}"
            )
        self.trigger_event(self.Held, interaction_id=interaction_id, held_at=held_at, **self._common(stamp))

    def miss(self, stamp: Stamp, reason: str) -> None:
        self.check_open("missed")
        if stamp.occurred_at < self.schedule.begins:
            raise RuleViolated(
                f"the activity is planned from {self.schedule.begins}: it cannot be missed yet"
            )
        self.trigger_event(self.Missed, reason=reason.strip(), **self._common(stamp))

    def cancel(self, stamp: Stamp, reason: str) -> None:
        self.check_open("cancelled")
        if not reason.strip():
            raise InvalidValue("reason", "a cancellation needs a reason")
        self.trigger_event(self.Cancelled, reason=reason.strip(), **self._common(stamp))
