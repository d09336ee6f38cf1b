"""An internal meeting of employees (FEATURES F5): its agenda, who attended, and the
decisions taken; a decision can be handed on as a task with an owner and a due date."""

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from aggregates.errors import InvalidValue, NotFound, RuleViolated
from aggregates.stamp import Fact, Stamp


class InternalMeeting(Aggregate):
    class Recorded(Aggregate.Created, Fact):
        title: str
        starts_at: datetime
        ends_at: datetime
        place: str
        agenda: str
        attendee_ids: list[str]
        decisions: list[dict[str, Any]]
        """Each ``{"decision_id", "text"}``."""

        def apply(self, aggregate: "InternalMeeting") -> None:
            aggregate.title = self.title
            aggregate.recorded_by = self.actor
            aggregate.attendee_ids = self.attendee_ids
            aggregate.decisions = {d["decision_id"]: d["text"] for d in self.decisions}

    class DecisionRecorded(Fact):
        decision_id: str
        text: str

        def apply(self, aggregate: "InternalMeeting") -> None:
            aggregate.decisions[self.decision_id] = self.text

    class DecisionTurnedIntoTask(Fact):
        decision_id: str
        task_id: str

        def apply(self, aggregate: "InternalMeeting") -> None:
            aggregate.tasks[self.decision_id] = self.task_id

    def __init__(self) -> None:
        self.title = ""
        self.recorded_by = ""
        self.attendee_ids: list[str] = []
        self.decisions: dict[str, str] = {}
        self.tasks: dict[str, str] = {}

    @classmethod
    def record(
        cls,
        stamp: Stamp,
        *,
        title: str,
        starts_at: datetime,
        ends_at: datetime,
        place: str,
        agenda: str,
        attendee_ids: list[str],
        decisions: list[dict[str, Any]],
        id: UUID | None = None,
    ) -> "InternalMeeting":
        if not title.strip():
            raise InvalidValue("title", "a meeting needs a title")
        if ends_at <= starts_at:
            raise InvalidValue("ends_at", f"the meeting ends ({ends_at}) before it starts ({starts_at})")
        if not attendee_ids:
            raise InvalidValue("attendee_ids", "a meeting has attendees")
        return cls._create(
            cls.Recorded,
            id=id,
            title=title.strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            place=place.strip(),
            agenda=agenda,
            attendee_ids=list(dict.fromkeys(attendee_ids)),
            decisions=decisions,
            **stamp.fields(),
        )

    def record_decision(self, stamp: Stamp, decision_id: str, text: str) -> None:
        if not text.strip():
            raise InvalidValue("text", "a decision needs its text")
        self.trigger_event(
            self.DecisionRecorded, decision_id=decision_id, text=text.strip(), **stamp.fields()
        )

    def hand_on(self, stamp: Stamp, decision_id: str, task_id: str) -> None:
        if decision_id not in self.decisions:
            raise NotFound(f"the meeting took no decision {decision_id}")
        if decision_id in self.tasks:
            raise RuleViolated(f"the decision is already task {self.tasks[decision_id]}")
        self.trigger_event(
            self.DecisionTurnedIntoTask, decision_id=decision_id, task_id=task_id, **stamp.fields()
        )
