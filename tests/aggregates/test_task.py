from datetime import UTC, date, datetime
from typing import Any

import pytest

from aggregates.errors import InvalidValue, RuleViolated
from aggregates.stamp import Stamp
from aggregates.task import Task, TaskStatus
from aggregates.timesheet import Timesheet

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


def stamp(actor: str) -> Stamp:
    return Stamp(actor, AT, "c", "c")


def completed() -> Task:
    task = Task.assign(
        stamp("boss"),
        assigner_id="boss",
        assignee_id="ivanov",
        title="Подготовить КП",
        due_on=date(2026, 3, 6),
    )
    task.accept(stamp("ivanov"))
    task.complete(stamp("ivanov"), "готово")
    return task


def test_only_the_assigner_checks_a_task() -> None:
    task = completed()
    with pytest.raises(RuleViolated, match="only the employee who assigned the task checks it"):
        task.approve(stamp("ivanov"), "")


def test_a_returned_task_goes_back_to_work_with_a_comment() -> None:
    task = completed()
    with pytest.raises(InvalidValue, match="needs a comment"):
        task.return_to_assignee(stamp("boss"), " ")
    task.return_to_assignee(stamp("boss"), "добавьте расчёт")
    task.complete(stamp("ivanov"), "добавил")
    task.approve(stamp("boss"), "")
    assert task.status == TaskStatus.APPROVED


def test_a_day_holds_at_most_24_hours() -> None:
    day = Timesheet.open(stamp("ivanov"), "ivanov", date(2026, 3, 2))
    entry: dict[str, Any] = {"work_done": "расчёт", "task_id": None, "counterparty_id": None}
    day.spend(stamp("ivanov"), entry_id="e1", minutes=1000, **entry)
    with pytest.raises(RuleViolated, match="exceed 24 hours"):
        day.spend(stamp("ivanov"), entry_id="e2", minutes=441, **entry)
    with pytest.raises(InvalidValue, match="positive"):
        day.spend(stamp("ivanov"), entry_id="e3", minutes=-5, **entry)
    day.spend(stamp("ivanov"), entry_id="e4", minutes=440, **entry)
    assert day.minutes == 1440
