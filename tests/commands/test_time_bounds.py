"""When a command's times may lie: every time and day in it, nested parts included."""

from datetime import UTC, date, datetime, timedelta
from typing import Annotated

import pytest
from pydantic import BaseModel

from aggregates.errors import InvalidValue
from commands.fields import PLANNED, Day, Moment
from commands.time_bounds import TimeBounds

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Stage(BaseModel):
    name: str
    planned_end: Annotated[Day, PLANNED]
    started_on: Day | None = None


class Example(BaseModel):
    happened_at: Moment | None = None
    due: Annotated[Moment, PLANNED] | None = None
    stages: list[Stage] = []


BOUNDS = TimeBounds(earliest=date(2000, 1, 1), skew=timedelta(minutes=5))


@pytest.mark.parametrize(
    ("example", "field", "message"),
    [
        (Example(happened_at=NOW + timedelta(minutes=6)), "happened_at", "in the future"),
        (Example(happened_at=datetime(1999, 12, 31, tzinfo=UTC)), "happened_at", "before 2000-01-01"),
        (Example(due=datetime(1999, 1, 1, tzinfo=UTC)), "due", "before 2000-01-01"),
        (
            Example(stages=[Stage(name="a", planned_end=date(2030, 1, 1), started_on=date(2026, 3, 4))]),
            "stages.0.started_on",
            "in the future",
        ),
    ],
)
def test_a_time_out_of_bounds_is_refused_naming_where_it_is(example, field, message) -> None:
    with pytest.raises(InvalidValue, match=message) as refused:
        BOUNDS.check(example, NOW)
    assert refused.value.field == field


def test_planned_times_may_lie_ahead_and_happened_ones_within_the_skew_or_today_anywhere() -> None:
    BOUNDS.check(
        Example(
            happened_at=NOW + timedelta(minutes=4),
            due=NOW + timedelta(days=3650),
            stages=[Stage(name="a", planned_end=date(2100, 1, 1), started_on=date(2026, 3, 2))],
        ),
        NOW,
    )
    late_evening_in_utc = datetime(2026, 3, 2, 22, 0, tzinfo=UTC)
    BOUNDS.check(
        Example(stages=[Stage(name="a", planned_end=date(2030, 1, 1), started_on=date(2026, 3, 3))]),
        late_evening_in_utc,
    )


def test_a_moment_is_stored_in_utc_and_must_carry_a_zone() -> None:
    moscow = Example.model_validate({"happened_at": "2026-03-02T10:15:00+03:00"})
    assert moscow.happened_at == datetime(2026, 3, 2, 7, 15, tzinfo=UTC)
    assert moscow.happened_at is not None
    assert moscow.happened_at.tzinfo == UTC
    with pytest.raises(ValueError, match="time zone"):
        Example.model_validate({"happened_at": "2026-03-02T10:15:00"})
