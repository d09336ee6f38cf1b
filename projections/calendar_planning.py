"""The calendar's planning layers: planned activities (on the calendar of the one responsible
and of every participant), internal meetings (of whoever recorded one and each attendee),
tasks by their due day (on the assignee's), and resource bookings (on the calendar of
whoever booked).

A planned activity held through a logged meeting shows once: as the activity, held, with
the interaction it was recorded by; the meeting's own entry goes."""

from datetime import date, datetime
from typing import Any

from aggregates.internal_meeting import InternalMeeting
from aggregates.planned_activity import PlannedActivity
from aggregates.resource import Resource
from aggregates.task import Task
from projections.calendar_entries import (
    CalendarBatch,
    Layer,
    Source,
    all_day_entry,
    api_path,
    days_of,
    remember,
    timed_entry,
)
from projections.projection import on
from projections.values import from_json, to_json
from projections.writes import Row


class PlanningLayers:
    """Mixed into the calendar."""

    # Planned activities.

    @on(PlannedActivity.Planned)
    def _activity_planned(self, view: CalendarBatch, event: PlannedActivity.Planned, _position: int) -> None:
        activity_id = str(event.originator_id)
        remember(
            view,
            activity_id,
            event.responsible_id,
            event.counterparty_id,
            event.subject,
            event.participant_ids,
        )
        source = Source("activity", activity_id, api_path("activities", activity_id), event.counterparty_id)
        details = {"kind": event.kind, "place": event.place, "agenda": event.agenda}
        title = f"{event.kind}: {event.subject}"
        when = _schedule(event.starts_at, event.ends_at, event.day)
        for employee_id in (event.responsible_id, *event.participant_ids):
            entry = all_day_entry(
                f"activity:{activity_id}",
                employee_id,
                Layer.MEETINGS,
                source,
                title=title,
                status="planned",
                first_day=when["first_day"],
                last_day=when["last_day"],
                updated_at=event.timestamp,
                details=details,
            )
            view.entries.put(entry | when)

    @on(PlannedActivity.Rescheduled)
    def _activity_rescheduled(
        self, view: CalendarBatch, event: PlannedActivity.Rescheduled, _position: int
    ) -> None:
        for entry in _activity_entries(view, event):
            view.entries.put(
                entry
                | _schedule(event.starts_at, event.ends_at, event.day)
                | {
                    "sequence": event.sequence,
                    "updated_at": event.timestamp,
                }
            )

    @on(PlannedActivity.Held)
    def _activity_held(self, view: CalendarBatch, event: PlannedActivity.Held, _position: int) -> None:
        for entry in _activity_entries(view, event):
            details = from_json(entry["details"]) | {"interaction_id": event.interaction_id}
            view.entries.put(_closed(entry, "held", event.timestamp) | {"details": to_json(details)})
        logged = view.sources.get(event.interaction_id)
        if logged is not None:
            view.entries.delete(f"interaction:{event.interaction_id}", logged["employee_id"])

    @on(PlannedActivity.Missed)
    def _activity_missed(self, view: CalendarBatch, event: PlannedActivity.Missed, _position: int) -> None:
        for entry in _activity_entries(view, event):
            view.entries.put(_closed(entry, "missed", event.timestamp))

    @on(PlannedActivity.Cancelled)
    def _activity_cancelled(
        self, view: CalendarBatch, event: PlannedActivity.Cancelled, _position: int
    ) -> None:
        # A calendar client takes a cancellation only with a raised sequence.
        for entry in _activity_entries(view, event):
            view.entries.put(
                _closed(entry, "cancelled", event.timestamp) | {"sequence": entry["sequence"] + 1}
            )

    @on(InternalMeeting.Recorded)
    def _internal_meeting(self, view: CalendarBatch, event: InternalMeeting.Recorded, _position: int) -> None:
        """Recorded once it took place: on the calendar of everyone who attended."""
        meeting_id = str(event.originator_id)
        for employee_id in dict.fromkeys([event.actor, *event.attendee_ids]):
            view.entries.put(
                timed_entry(
                    f"internal-meeting:{meeting_id}",
                    employee_id,
                    Layer.MEETINGS,
                    Source("internal_meeting", meeting_id, api_path("internal-meetings", meeting_id)),
                    title=f"internal meeting: {event.title}",
                    status="held",
                    starts_at=event.starts_at,
                    ends_at=event.ends_at,
                    updated_at=event.timestamp,
                    details={"kind": "internal_meeting", "place": event.place, "agenda": event.agenda},
                )
            )

    # Tasks, by due day.

    @on(Task.Assigned)
    def _task_assigned(self, view: CalendarBatch, event: Task.Assigned, _position: int) -> None:
        task_id = str(event.originator_id)
        view.entries.put(
            all_day_entry(
                f"task:{task_id}",
                event.assignee_id,
                Layer.TASKS,
                Source("task", task_id, api_path("tasks", task_id), event.counterparty_id),
                title=f"Task: {event.title}",
                status="assigned",
                first_day=event.due_on,
                last_day=event.due_on,
                updated_at=event.timestamp,
                details={"priority": event.priority, "assigner_id": event.assigner_id},
            )
        )

    @on(Task.Accepted)
    def _task_accepted(self, view: CalendarBatch, event: Task.Accepted, _position: int) -> None:
        _task_now(view, event, event.assignee_id, "accepted")

    @on(Task.Completed)
    def _task_completed(self, view: CalendarBatch, event: Task.Completed, _position: int) -> None:
        _task_now(view, event, event.assignee_id, "completed")

    @on(Task.Approved)
    def _task_approved(self, view: CalendarBatch, event: Task.Approved, _position: int) -> None:
        _task_now(view, event, event.assignee_id, "approved")

    @on(Task.Returned)
    def _task_returned(self, view: CalendarBatch, event: Task.Returned, _position: int) -> None:
        _task_now(view, event, event.assignee_id, "returned")

    # Resource bookings.

    @on(Resource.Registered)
    def _resource_registered(self, view: CalendarBatch, event: Resource.Registered, _position: int) -> None:
        remember(view, str(event.originator_id), event.actor, None, event.name)

    @on(Resource.Booked)
    def _booked(self, view: CalendarBatch, event: Resource.Booked, _position: int) -> None:
        resource_id = str(event.originator_id)
        resource = view.sources[(resource_id,)]
        remember(view, event.booking_id, event.actor, None, resource["label"])
        view.entries.put(
            timed_entry(
                f"booking:{event.booking_id}",
                event.actor,
                Layer.BOOKINGS,
                Source("resource", resource_id, api_path("resources", resource_id)),
                title=f"{resource['label']}: {event.purpose}",
                status="booked",
                starts_at=event.starts_at,
                ends_at=event.ends_at,
                updated_at=event.timestamp,
                details={"booking_id": event.booking_id, "activity_id": event.activity_id},
            )
        )

    @on(Resource.BookingCancelled)
    def _booking_cancelled(
        self, view: CalendarBatch, event: Resource.BookingCancelled, _position: int
    ) -> None:
        booking = view.sources[(event.booking_id,)]
        entry = view.entries[(f"booking:{event.booking_id}", booking["employee_id"])]
        view.entries.put(_cancelled(entry, event.timestamp))


def _task_now(view: CalendarBatch, event: Task.Event, assignee_id: str, status: str) -> None:
    entry = view.entries[(f"task:{event.originator_id}", assignee_id)]
    view.entries.put(entry | {"status": status, "updated_at": event.timestamp})


def _activity_entries(view: CalendarBatch, event: PlannedActivity.Event) -> list[Row]:
    activity = view.sources[(str(event.originator_id),)]
    return [
        view.entries[(f"activity:{activity['id']}", employee_id)]
        for employee_id in (activity["employee_id"], *from_json(activity["others"]))
    ]


def _schedule(starts_at: datetime | None, ends_at: datetime | None, day: date | None) -> dict[str, Any]:
    if starts_at is not None and ends_at is not None:
        first_day, last_day = days_of(starts_at, ends_at)
        return {
            "all_day": 0,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "first_day": first_day,
            "last_day": last_day,
        }
    return {"all_day": 1, "starts_at": None, "ends_at": None, "first_day": day, "last_day": day}


def _closed(entry: Row, status: str, updated_at: datetime) -> Row:
    return entry | {"status": status, "updated_at": updated_at}


def _cancelled(entry: Row, updated_at: datetime) -> Row:
    """A calendar client takes a cancellation only with a raised sequence."""
    return _closed(entry, "cancelled", updated_at) | {"sequence": entry["sequence"] + 1}
