"""One employee's timesheet for one day: the time they spent, entry by entry (FEATURES F3).

The day is an aggregate of its own (its id follows from the employee and the date), so the
rule that a day holds at most 24 hours is checked on one stream: two entries racing for one
day append to it, and the second, decided again, sees the first."""

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from aggregates.errors import InvalidValue, RuleViolated
from aggregates.stamp import Fact, Stamp

MINUTES_IN_DAY = 24 * 60


def timesheet_id(employee_id: str, day: date) -> UUID:
    return uuid5(NAMESPACE_URL, f"letopis:timesheet:{employee_id}:{day.isoformat()}")


class Timesheet(Aggregate):
    class Opened(Aggregate.Created, Fact):
        employee_id: str
        day: date

        def apply(self, aggregate: "Timesheet") -> None:
            aggregate.employee_id = self.employee_id
            aggregate.day = self.day

    class TimeSpent(Fact):
        employee_id: str
        day: date
        entry_id: str
        minutes: int
        work_done: str
        task_id: str | None
        counterparty_id: str | None

        def apply(self, aggregate: "Timesheet") -> None:
            aggregate.minutes += self.minutes

    def __init__(self) -> None:
        self.employee_id = ""
        self.day = date.min
        self.minutes = 0

    @classmethod
    def open(cls, stamp: Stamp, employee_id: str, day: date) -> "Timesheet":
        return cls._create(
            cls.Opened, id=timesheet_id(employee_id, day), employee_id=employee_id, day=day, **stamp.fields()
        )

    def spend(
        self,
        stamp: Stamp,
        *,
        entry_id: str,
        minutes: int,
        work_done: str,
        task_id: str | None,
        counterparty_id: str | None,
    ) -> None:
        if minutes <= 0:
            raise InvalidValue("minutes", "time spent is a positive number of minutes")
        if self.minutes + minutes > MINUTES_IN_DAY:
            raise RuleViolated(
                f"{self.day} already holds {self.minutes} minutes for this employee; "
                f"{minutes} more would exceed 24 hours in a day"
            )
        if not work_done.strip():
            raise InvalidValue("work_done", "say what was done")
        self.trigger_event(
            self.TimeSpent,
            employee_id=self.employee_id,
            day=self.day,
            entry_id=entry_id,
            minutes=minutes,
            work_done=work_done.strip(),
            task_id=task_id,
            counterparty_id=counterparty_id,
            **stamp.fields(),
        )
