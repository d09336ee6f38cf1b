"""A reminder (FEATURES F6): at a set time, for oneself or another employee, about a planned
activity, a task, a contract stage or anything said in free text. Dismissing it is a fact;
a reminder is due from its time until dismissed."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate

from aggregates.errors import InvalidValue, RuleViolated
from aggregates.stamp import Fact, Stamp


class ReminderSubject(StrEnum):
    ACTIVITY = "activity"
    TASK = "task"
    CONTRACT_STAGE = "contract_stage"
    TEXT = "text"


class Reminder(Aggregate):
    class Set(Aggregate.Created, Fact):
        recipient_id: str
        remind_at: datetime
        text: str
        subject: str
        subject_id: str | None
        """The activity, task or contract the reminder is about; none for free text."""
        stage: str | None
        """The contract stage, for a reminder about one."""
        counterparty_id: str | None

        def apply(self, aggregate: "Reminder") -> None:
            aggregate.recipient_id = self.recipient_id

    class Dismissed(Fact):
        recipient_id: str

        def apply(self, aggregate: "Reminder") -> None:
            aggregate.dismissed = True

    def __init__(self) -> None:
        self.recipient_id = ""
        self.dismissed = False

    @classmethod
    def set(
        cls,
        stamp: Stamp,
        *,
        recipient_id: str,
        remind_at: datetime,
        text: str,
        subject: ReminderSubject,
        subject_id: str | None = None,
        stage: str | None = None,
        counterparty_id: str | None = None,
        id: UUID | None = None,
    ) -> "Reminder":
        if remind_at.tzinfo is None:
            raise InvalidValue("remind_at", "remind_at must carry a time zone")
        if subject == ReminderSubject.TEXT and not text.strip():
            raise InvalidValue("text", "a free-text reminder needs its text")
        if (subject == ReminderSubject.TEXT) != (subject_id is None):
            raise InvalidValue("subject_id", "a reminder about an activity, task or contract names it")
        if (subject == ReminderSubject.CONTRACT_STAGE) != (stage is not None):
            raise InvalidValue("stage", "a reminder about a contract stage, and only one, names the stage")
        return cls._create(
            cls.Set,
            id=id,
            recipient_id=recipient_id,
            remind_at=remind_at,
            text=text.strip(),
            subject=subject.value,
            subject_id=subject_id,
            stage=stage,
            counterparty_id=counterparty_id,
            **stamp.fields(),
        )

    def dismiss(self, stamp: Stamp) -> None:
        if self.dismissed:
            raise RuleViolated("the reminder is already dismissed")
        if stamp.actor != self.recipient_id:
            raise RuleViolated("only the employee reminded dismisses a reminder")
        self.trigger_event(self.Dismissed, recipient_id=self.recipient_id, **stamp.fields())
