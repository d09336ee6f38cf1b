"""Shared resources (FEATURES E7): meeting rooms, cars and projectors, registered and retired
by whoever configures sales, booked by any employee who works with clients."""

from typing import Annotated
from uuid import uuid4

from pydantic import Field

from aggregates.planned_activity import PlannedActivity
from aggregates.resource import Resource, ResourceKind
from aggregates.scope import check_may_write
from commands.command import Change, Command
from commands.context import Context
from commands.fields import PLANNED, EntityId, Line, Moment, Name, Reason, Text
from commands.handling import Handlers
from commands.scope import planned_activity_guard, sales_configuration_guard

handlers = Handlers()


class RegisterResource(Command):
    """Register a meeting room, a car, a projector or another shared resource."""

    name: Name
    kind: ResourceKind
    location: Line = ""


class RetireResource(Change):
    """Take a resource out of service: it can no longer be booked."""

    reason: Reason


class BookResource(Change):
    """Book a resource for a period; refused if it overlaps another booking."""

    starts_at: Annotated[Moment, PLANNED]
    ends_at: Annotated[Moment, PLANNED]
    purpose: Line = ""
    activity_id: EntityId | None = Field(None, description="The planned activity the booking serves")


class CancelBooking(Change):
    """Cancel a booking of a resource."""

    booking_id: EntityId
    reason: Text = ""


@handlers.handles(
    RegisterResource, "resource.register", Resource.Registered, authorize=sales_configuration_guard
)
def register_resource(ctx: Context, command: RegisterResource) -> list[Resource]:
    return [Resource.register(ctx.stamp, name=command.name, kind=command.kind, location=command.location)]


@handlers.changes(Resource, RetireResource, "resource.retire", Resource.Retired)
def retire_resource(ctx: Context, resource: Resource, command: RetireResource) -> None:
    resource.retire(ctx.stamp, command.reason)


def _may_book(ctx: Context, _resource: Resource, command: BookResource) -> None:
    check_may_write(ctx.actor)
    if command.activity_id:
        planned_activity_guard(ctx, ctx.load(PlannedActivity, command.activity_id, "activity_id"))


@handlers.changes(Resource, BookResource, "resource.book", Resource.Booked, authorize=_may_book)
def book_resource(ctx: Context, resource: Resource, command: BookResource) -> None:
    resource.book(
        ctx.stamp,
        booking_id=str(uuid4()),
        starts_at=command.starts_at,
        ends_at=command.ends_at,
        purpose=command.purpose,
        activity_id=command.activity_id,
    )


def _may_cancel(ctx: Context, resource: Resource, command: CancelBooking) -> None:
    """A booking is cancelled by whoever made it, or by whoever configures sales."""
    booking = resource.bookings.get(command.booking_id)
    check_may_write(ctx.actor)
    if booking is None or booking.booked_by != ctx.actor.employee_id:
        sales_configuration_guard(ctx)


@handlers.changes(
    Resource, CancelBooking, "resource.cancel_booking", Resource.BookingCancelled, authorize=_may_cancel
)
def cancel_booking(ctx: Context, resource: Resource, command: CancelBooking) -> None:
    resource.cancel_booking(ctx.stamp, command.booking_id, command.reason)
