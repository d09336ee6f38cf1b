from datetime import date

import pytest

from aggregates.errors import InvalidValue
from aggregates.period import Grain, Period, parse_period, period_of, periods_containing


@pytest.mark.parametrize(
    ("key", "first", "last"),
    [
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        ("2028-02", date(2028, 2, 1), date(2028, 2, 29)),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-12", date(2026, 12, 1), date(2026, 12, 31)),
    ],
)
def test_a_period_key_names_its_calendar_bounds(key: str, first: date, last: date) -> None:
    period = parse_period(key)
    assert (period.first_day, period.last_day, period.key) == (first, last, key)
    assert period.contains(first)
    assert period.contains(last)
    assert not period.contains(last.replace(day=1).replace(year=last.year + 1))


@pytest.mark.parametrize(
    "key",
    [
        "2026-13",
        "2026-00",
        "2026-Q0",
        "2026-Q5",
        "26-10",
        "2026-1",
        "2026-10\n",
        " 2026",
        "",
        "١٢٣٤",
        "2026-10\x00",
        "9999",
        "0001-01",
        "2026-W01",
        "2026–10",
    ],
)
def test_anything_but_a_month_quarter_or_year_key_is_refused(key: str) -> None:
    with pytest.raises(InvalidValue, match=r"period|month|quarter|year"):
        parse_period(key)


def test_periods_shift_across_year_ends_and_trail_oldest_first() -> None:
    assert parse_period("2026-01").shift(-1).key == "2025-12"
    assert parse_period("2026-Q4").shift(1).key == "2027-Q1"
    assert [p.key for p in parse_period("2026-02").trailing(3)] == ["2025-12", "2026-01", "2026-02"]
    assert [p.key for p in parse_period("2026-Q2").months()] == ["2026-04", "2026-05", "2026-06"]


def test_a_day_falls_into_its_month_quarter_and_year() -> None:
    assert [p.key for p in periods_containing(date(2026, 11, 30))] == ["2026-11", "2026-Q4", "2026"]
    assert period_of(date(2026, 3, 31), Grain.QUARTER) == Period(2026, Grain.QUARTER, 1)
    assert parse_period("2026").includes(parse_period("2026-Q3"))
    assert not parse_period("2026-Q3").includes(parse_period("2026"))
