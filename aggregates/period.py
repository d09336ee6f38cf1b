"""Planning periods: a month ``2026-10``, a quarter ``2026-Q4`` or a year ``2026``.

A period is named by its key everywhere (events, views, requests), so plans set on a
monthly grid and plans set on a quarterly one live side by side: changing the grid never
touches the earlier plans. Bounds are calendar days; a business moment is placed in a
period by its date in the company's time zone, which the caller supplies.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from aggregates.errors import InvalidValue

# Plans are for the business the company will do; a key far outside this range is a typo.
FIRST_YEAR = 1990
LAST_YEAR = 2200

_KEY = re.compile(r"([0-9]{4})(?:-([0-9]{2})|-Q([0-9]))?")


class Grain(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


_MONTHS_IN = {Grain.MONTH: 1, Grain.QUARTER: 3, Grain.YEAR: 12}


@dataclass(frozen=True, order=True)
class Period:
    """``index`` counts months, quarters or years from 1 within the year (1 for a year)."""

    year: int
    grain: Grain
    index: int

    @property
    def key(self) -> str:
        if self.grain == Grain.MONTH:
            return f"{self.year:04d}-{self.index:02d}"
        if self.grain == Grain.QUARTER:
            return f"{self.year:04d}-Q{self.index}"
        return f"{self.year:04d}"

    def __str__(self) -> str:
        return self.key

    @property
    def first_day(self) -> date:
        return date(self.year, (self.index - 1) * _MONTHS_IN[self.grain] + 1, 1)

    @property
    def last_day(self) -> date:
        return self.shift(1).first_day - timedelta(days=1)

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def includes(self, other: "Period") -> bool:
        """Whether ``other`` lies wholly inside this period (a month inside its quarter)."""
        return self.first_day <= other.first_day and other.last_day <= self.last_day

    def shift(self, count: int) -> "Period":
        """The period ``count`` steps later (earlier when negative) on the same grain."""
        per_year = 12 // _MONTHS_IN[self.grain]
        ordinal = self.year * per_year + (self.index - 1) + count
        return Period(ordinal // per_year, self.grain, ordinal % per_year + 1)

    def months(self) -> list["Period"]:
        first = period_of(self.first_day, Grain.MONTH)
        return [first.shift(step) for step in range(_MONTHS_IN[self.grain])]

    def trailing(self, count: int) -> list["Period"]:
        """The last ``count`` periods ending with this one, oldest first."""
        return [self.shift(step) for step in range(1 - count, 1)]


def period_of(day: date, grain: Grain) -> Period:
    index = (day.month - 1) // _MONTHS_IN[grain] + 1
    return Period(day.year, grain, index)


def periods_containing(day: date) -> list[Period]:
    """The month, quarter and year a day belongs to: a fact counts towards each."""
    return [period_of(day, grain) for grain in Grain]


def parse_period(text: str, field: str = "period", location: str = "body") -> Period:
    """A period from its key; anything else is refused with the shape the key must have."""
    match = _KEY.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise InvalidValue(
            field, f"{text!r} is not a period: use 2026-10 (month), 2026-Q4 (quarter) or 2026", location
        )
    year = int(match.group(1))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidValue(field, f"the year of a period must be {FIRST_YEAR} to {LAST_YEAR}", location)
    if match.group(2) is not None:
        month = int(match.group(2))
        if not 1 <= month <= 12:
            raise InvalidValue(field, f"{text!r}: a month is 01 to 12", location)
        return Period(year, Grain.MONTH, month)
    if match.group(3) is not None:
        quarter = int(match.group(3))
        if not 1 <= quarter <= 4:
            raise InvalidValue(field, f"{text!r}: a quarter is Q1 to Q4", location)
        return Period(year, Grain.QUARTER, quarter)
    return Period(year, Grain.YEAR, 1)
