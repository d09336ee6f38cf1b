"""A shared resource (FEATURES E7): a meeting room, a car, a projector, and its bookings.

The resource owns its bookings, so every booking of one resource appends to one stream:
of two bookings racing for overlapping periods, the second fails the version check and,
decided again, meets the first and is refused with its name."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate

from aggregates.errors import InvalidValue, NotFound, RuleViolated
from aggregates.stamp import Fact, Stamp


class ResourceKind(StrEnum):
    MEETING_ROOM = "meeting_room"
    CAR = "car"
    PROJECTOR = "projector"
    OTHER = "other"


@dataclass(frozen=True)
class Booking:
    booking_id: str
    starts_at: datetime
    ends_at: datetime
    booked_by: str
    purpose: str

    def overlaps(self, starts_at: datetime, ends_at: datetime) -> bool:
        return self.starts_at < ends_at and starts_at < self.ends_at


class Resource(Aggregate):
    class Registered(Aggregate.Created, Fact):
        name: str
        kind: str
        location: str

        def apply(self, aggregate: "Resource") -> None:
            aggregate.name = self.name

    class Retired(Fact):
        reason: str

        def apply(self, aggregate: "Resource") -> None:
            aggregate.retired = True

    class Booked(Fact):
        booking_id: str
        starts_at: datetime
        ends_at: datetime
        purpose: str
        activity_id: str | None
        """The planned activity the booking serves, if any."""

        def apply(self, aggregate: "Resource") -> None:
            aggregate.bookings[self.booking_id] = Booking(
                self.booking_id, self.starts_at, self.ends_at, self.actor, self.purpose
            )

    class BookingCancelled(Fact):
        booking_id: str
        reason: str

        def apply(self, aggregate: "Resource") -> None:
            del aggregate.bookings[self.booking_id]

    def __init__(self) -> None:
        self.name = ""
        self.retired = False
        self.bookings: dict[str, Booking] = {}

    @classmethod
    def register(
        cls, stamp: Stamp, *, name: str, kind: ResourceKind, location: str = "", id: UUID | None = None
    ) -> "Resource":
        if not name.strip():
            raise InvalidValue("name", "a resource needs a name")
        return cls._create(
            cls.Registered,
            id=id,
            name=name.strip(),
            kind=kind.value,
            location=location.strip(),
            **stamp.fields(),
        )

    def retire(self, stamp: Stamp, reason: str) -> None:
        self._check_in_service()
        self.trigger_event(self.Retired, reason=reason.strip(), **stamp.fields())

    def _check_in_service(self) -> None:
        if self.retired:
            raise RuleViolated(f"{self.name} is retired and can no longer be booked")

    def book(
        self,
        stamp: Stamp,
        *,
        booking_id: str,
        starts_at: datetime,
        ends_at: datetime,
        purpose: str,
        activity_id: str | None = None,
    ) -> None:
        self._check_in_service()
        if ends_at <= starts_at:
            raise InvalidValue("ends_at", f"the booking ends ({ends_at}) before it starts ({starts_at})")
        for booking in self.bookings.values():
            if booking.overlaps(starts_at, ends_at):
                raise RuleViolated(
                    f"{self.name} is already booked from {booking.starts_at.isoformat()} to "
                    f"{booking.ends_at.isoformat()} (booking {booking.booking_id}"
                    f"{': ' + booking.purpose if booking.purpose else ''})"
                )
        self.trigger_event(
            self.Booked,
            booking_id=booking_id,
            starts_at=starts_at,
            ends_at=ends_at,
            purpose=purpose.strip(),
            activity_id=activity_id,
            **stamp.fields(),
        )

    def cancel_booking(self, stamp: Stamp, booking_id: str, reason: str) -> None:
        if booking_id not in self.bookings:
            raise NotFound(f"{self.name} has no booking {booking_id}")
        self.trigger_event(
            self.BookingCancelled, booking_id=booking_id, reason=reason.strip(), **stamp.fields()
        )
