"""A task (FEATURES F3): one employee assigns it to another or to themselves, with a due date,
a priority and what it is about; the assignee accepts it and completes it; the assigner
checks the work, accepting it or returning it with a comment. Time spent on it is kept on
the assignee's timesheet (``aggregates.timesheet``), where a day's total is guarded."""

from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from aggregates.errors import InvalidValue, RuleViolated
from aggregates.stamp import Fact, Stamp


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class TaskStatus(StrEnum):
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    COMPLETED = "completed"
    APPROVED = "approved"
    RETURNED = "returned"


IN_WORK = frozenset({TaskStatus.ACCEPTED, TaskStatus.RETURNED})


class Step(Fact):
    """A step of a task after its assignment names who assigned it, to whom and for which
    client, so that views follow the task without remembering its assignment."""

    assigner_id: str
    assignee_id: str
    counterparty_id: str | None


class Task(Aggregate):
    class Assigned(Aggregate.Created, Fact):
        assigner_id: str
        assignee_id: str
        title: str
        description: str
        priority: str
        due_on: date
        counterparty_id: str | None
        deal_id: str | None
        contract_id: str | None
        inquiry_id: str | None
        meeting_id: str | None
        decision_id: str | None
        """Set for a task that carries out a decision of an internal meeting."""

        def apply(self, aggregate: "Task") -> None:
            aggregate.assigner_id = self.assigner_id
            aggregate.assignee_id = self.assignee_id
            aggregate.title = self.title
            aggregate.due_on = self.due_on
            aggregate.counterparty_id = self.counterparty_id

    class Accepted(Step):
        def apply(self, aggregate: "Task") -> None:
            aggregate.status = TaskStatus.ACCEPTED

    class Completed(Step):
        note: str

        def apply(self, aggregate: "Task") -> None:
            aggregate.status = TaskStatus.COMPLETED

    class Approved(Step):
        comment: str

        def apply(self, aggregate: "Task") -> None:
            aggregate.status = TaskStatus.APPROVED

    class Returned(Step):
        comment: str

        def apply(self, aggregate: "Task") -> None:
            aggregate.status = TaskStatus.RETURNED

    def __init__(self) -> None:
        self.assigner_id = ""
        self.assignee_id = ""
        self.title = ""
        self.due_on = date.min
        self.counterparty_id: str | None = None
        self.status = TaskStatus.ASSIGNED

    @classmethod
    def assign(
        cls,
        stamp: Stamp,
        *,
        assigner_id: str,
        assignee_id: str,
        title: str,
        due_on: date,
        description: str = "",
        priority: Priority = Priority.NORMAL,
        counterparty_id: str | None = None,
        deal_id: str | None = None,
        contract_id: str | None = None,
        inquiry_id: str | None = None,
        meeting_id: str | None = None,
        decision_id: str | None = None,
        id: UUID | None = None,
    ) -> "Task":
        if not title.strip():
            raise InvalidValue("title", "a task needs a title")
        return cls._create(
            cls.Assigned,
            id=id,
            assigner_id=assigner_id,
            assignee_id=assignee_id,
            title=title.strip(),
            description=description,
            priority=priority.value,
            due_on=due_on,
            counterparty_id=counterparty_id,
            deal_id=deal_id,
            contract_id=contract_id,
            inquiry_id=inquiry_id,
            meeting_id=meeting_id,
            decision_id=decision_id,
            **stamp.fields(),
        )

    def _common(self, stamp: Stamp) -> dict[str, Any]:
        return {
            "assigner_id": self.assigner_id,
            "assignee_id": self.assignee_id,
            "counterparty_id": self.counterparty_id,
            **stamp.fields(),
        }

    def _check_assignee(self, stamp: Stamp, change: str) -> None:
        if stamp.actor != self.assignee_id:
            raise RuleViolated(f"only the assignee {change} the task")

    def accept(self, stamp: Stamp) -> None:
        self._check_assignee(stamp, "accepts")
        if self.status != TaskStatus.ASSIGNED:
            raise RuleViolated(f"the task is {self.status.value}: only a newly assigned task is accepted")
        self.trigger_event(self.Accepted, **self._common(stamp))

    def check_in_work(self) -> None:
        if self.status not in IN_WORK:
            raise RuleViolated(f"the task is {self.status.value}: accept it first, or it is already done")

    def check_reporting(self, stamp: Stamp) -> None:
        """Time is reported on a task by its assignee while working on it."""
        self._check_assignee(stamp, "reports time on")
        self.check_in_work()

    def complete(self, stamp: Stamp, note: str) -> None:
        self._check_assignee(stamp, "completes")
        self.check_in_work()
        self.trigger_event(self.Completed, note=note, **self._common(stamp))

    def _check_review(self, stamp: Stamp) -> None:
        if stamp.actor != self.assigner_id:
            raise RuleViolated("only the employee who assigned the task checks it")
        if self.status != TaskStatus.COMPLETED:
            raise RuleViolated(f"the task is {self.status.value}: only a completed task is checked")

    def approve(self, stamp: Stamp, comment: str) -> None:
        self._check_review(stamp)
        self.trigger_event(self.Approved, comment=comment, **self._common(stamp))

    def return_to_assignee(self, stamp: Stamp, comment: str) -> None:
        self._check_review(stamp)
        if not comment.strip():
            raise InvalidValue("comment", "a returned task needs a comment saying what to redo")
        self.trigger_event(self.Returned, comment=comment.strip(), **self._common(stamp))
