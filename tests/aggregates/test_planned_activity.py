from datetime import UTC, date, datetime, timedelta

import pytest

from aggregates.errors import InvalidValue, RuleViolated
from aggregates.planned_activity import (
    ActivityKind,
    ActivityStatus,
    PlannedActivity,
    Schedule,
    held_on_time,
    is_overdue,
)
from aggregates.stamp import Stamp

NINE = datetime(2026, 3, 2, 9, tzinfo=UTC)
STAMP = Stamp("ivanov", NINE - timedelta(days=3), "c-1", "c-1")


def planned(schedule: Schedule | None = None) -> PlannedActivity:
    return PlannedActivity.plan(
        STAMP,
        kind=ActivityKind.MEETING,
        subject="Встреча по тарифам",
        schedule=schedule or Schedule.timed(NINE, NINE + timedelta(hours=1)),
        responsible_id="ivanov",
        counterparty_id="cp-1",
        participant_ids=["ivanov", "petrov"],
    )


@pytest.mark.parametrize(
    ("ends", "message"),
    [
        (NINE - timedelta(minutes=1), "before it starts"),
        (NINE, "longer than zero"),
        (NINE + timedelta(hours=24, minutes=1), "at most 24 hours"),
    ],
)
def test_a_timed_activity_lasts_more_than_nothing_and_at_most_a_day(ends: datetime, message: str) -> None:
    with pytest.raises(InvalidValue, match=message):
        Schedule.timed(NINE, ends)


def test_the_responsible_is_not_also_a_participant() -> None:
    assert planned().participant_ids == ["petrov"]


def test_each_reschedule_raises_the_sequence_and_keeps_the_previous_time() -> None:
    activity = planned()
    later = Schedule.timed(NINE + timedelta(days=1), NINE + timedelta(days=1, hours=1))
    activity.reschedule(STAMP, later, "клиент попросил перенести")
    activity.reschedule(STAMP, Schedule.whole_day(date(2026, 3, 5)), "ещё раз")
    events = activity.collect_events()
    assert [e.sequence for e in events[1:]] == [1, 2]  # type: ignore[attr-defined]
    assert events[2].previous_starts_at == later.starts_at  # type: ignore[attr-defined]


@pytest.mark.parametrize("close", ["hold", "cancel"])
def test_a_closed_activity_cannot_be_rescheduled(close: str) -> None:
    activity = planned()
    if close == "hold":
        activity.hold(STAMP, interaction_id="i-1", interaction_kind="meeting", held_at=NINE)
    else:
        activity.cancel(STAMP, "клиент отказался")
    with pytest.raises(RuleViolated, match="cannot be rescheduled"):
        activity.reschedule(STAMP, Schedule.whole_day(date(2026, 3, 9)), "перенос")


def test_a_call_does_not_record_a_planned_meeting() -> None:
    with pytest.raises(InvalidValue, match="call cannot record a planned meeting"):
        planned().hold(STAMP, interaction_id="i-1", interaction_kind="call", held_at=NINE)


def test_an_activity_is_not_missed_before_it_begins() -> None:
    with pytest.raises(RuleViolated, match="cannot be missed yet"):
        planned().miss(STAMP, "")


def test_overdue_is_read_against_the_clock() -> None:
    deadline = planned().schedule.deadline
    assert not is_overdue(ActivityStatus.PLANNED, deadline, NINE)
    assert is_overdue(ActivityStatus.PLANNED, deadline, NINE + timedelta(hours=2))
    assert not is_overdue(ActivityStatus.HELD, deadline, NINE + timedelta(hours=2))


def test_a_whole_day_ends_at_moscow_midnight() -> None:
    deadline = Schedule.whole_day(date(2026, 3, 2)).deadline
    assert held_on_time(deadline, datetime(2026, 3, 2, 20, 59, tzinfo=UTC))
    assert not held_on_time(deadline, datetime(2026, 3, 2, 21, 1, tzinfo=UTC))
