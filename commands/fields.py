"""What a request may carry: text, ids, money and times, each validated on the way in.

Every input is hostile until checked here. Nothing these types let through can break a
projection: text holds no control characters (NUL cannot even be stored in a PostgreSQL
text column), ids are canonical UUIDs, money is an exact decimal, and every moment carries
a time zone, is normalised to UTC and lies inside the calendar Letopis works in.

Whether a moment may lie in the future is the write service's question, not a type's: it
needs the clock (``commands.time_bounds``). Fields whose value is planned rather than
happened say so with the ``PLANNED`` marker.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, WithJsonSchema

from aggregates.errors import InvalidValue
from aggregates.period import parse_period

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)
"""The calendar Letopis works in: far enough back for any living client's history, far
enough ahead for any plan, and nowhere near the ends where date arithmetic overflows."""

_MULTI_LINE_ALLOWED = frozenset("\t\n\r")


# Cc: the C0 and C1 controls and DEL; Cs: lone surrogates, which no encoding can store.
_REFUSED = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _check_characters(text: str, allowed: frozenset[str]) -> str:
    if _REFUSED.search(text) is None:
        return text  # nearly every text, and every cell of an import, checked in one call
    for found in _REFUSED.finditer(text):
        if found.group() not in allowed:
            index = found.start()
            raise ValueError(f"control character U+{ord(text[index]):04X} at position {index} is not allowed")
    return text


def single_line(text: str) -> str:
    return _check_characters(text, frozenset())


def multi_line(text: str) -> str:
    """Tab and line breaks are text; every other control character is refused."""
    return _check_characters(text, _MULTI_LINE_ALLOWED)


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
    AfterValidator(single_line),
    Field(json_schema_extra={"pattern": r"^[^\u0000-\u001f\u007f-\u009f]*\S[^\u0000-\u001f\u007f-\u009f]*$"}),
]
Line = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=300),
    AfterValidator(single_line),
    Field(json_schema_extra={"pattern": r"^[^\u0000-\u001f\u007f-\u009f]*$"}),
]
Text = Annotated[
    str,
    StringConstraints(max_length=20_000),
    AfterValidator(multi_line),
    Field(json_schema_extra={"pattern": r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"}),
]
Reason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000),
    AfterValidator(multi_line),
    Field(
        json_schema_extra={
            "pattern": r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*\S"
            r"[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"
        }
    ),
]
Key = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100),
    AfterValidator(single_line),
    Field(json_schema_extra={"pattern": r"^[^\u0000-\u001f\u007f-\u009f]+$"}),
]
"""A caller's own key: an idempotency key, a correlation id."""
PhoneText = Annotated[str, StringConstraints(max_length=40), AfterValidator(single_line)]
Phones = Annotated[list[PhoneText], Field(max_length=20)]
Email = Annotated[str, StringConstraints(max_length=320), AfterValidator(single_line)]
Tags = Annotated[list[Line], Field(max_length=100)]
SearchText = Annotated[str, StringConstraints(max_length=300), AfterValidator(single_line)]
"""A filter or search string in a query."""


def canonical_id(value: Any) -> str:
    """Any spelling of a UUID that Python reads, as its one canonical text: ids are compared
    as text in the views, so ``ABC…`` and ``abc…`` must not be two records."""
    if not isinstance(value, str) or len(value) > 45:
        raise ValueError("an id is a UUID such as 3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b")
    try:
        return str(UUID(value))
    except ValueError:
        raise ValueError(f"{value!r} is not an id: an id is a UUID") from None


EntityId = Annotated[str, BeforeValidator(canonical_id), WithJsonSchema({"type": "string", "format": "uuid"})]


def _no_float(value: Any) -> Any:
    """A JSON number with a fraction reaches Python as a float, already rounded: money and
    rates would silently change. Whole numbers are exact, so they are welcome."""
    if isinstance(value, float):
        raise ValueError('send decimals as text, e.g. "1500.00": a JSON number with a fraction is inexact')
    return value


_DECIMAL_TEXT = WithJsonSchema(
    {"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "description": 'Decimal text, e.g. "1500.00"'}
)
_EXACT = BeforeValidator(_no_float)

Amount = Annotated[Decimal, _EXACT, Field(gt=0, max_digits=18, decimal_places=2), _DECIMAL_TEXT]
"""Money: greater than zero, to the kopeck."""
Quantity = Annotated[Decimal, _EXACT, Field(gt=0, max_digits=15, decimal_places=3), _DECIMAL_TEXT]
Percent = Annotated[Decimal, _EXACT, Field(ge=0, max_digits=7, decimal_places=2), _DECIMAL_TEXT]
Rate = Annotated[Decimal, _EXACT, Field(gt=0, max_digits=18, decimal_places=6), _DECIMAL_TEXT]


def _in_calendar(day: date) -> None:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"{day.isoformat()} lies outside {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}")


def utc_moment(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("a time must carry a time zone, e.g. 2026-03-02T10:00:00+03:00")
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{moment.isoformat()} lies outside the calendar") from None
    _in_calendar(utc.date())
    return utc


def calendar_day(day: date) -> date:
    _in_calendar(day)
    return day


Moment = Annotated[datetime, AfterValidator(utc_moment)]
"""A time with a time zone, stored in UTC."""
Day = Annotated[date, AfterValidator(calendar_day)]


@dataclass(frozen=True)
class Planned:
    """Marks a time or day that may lie in the future: a deadline, a validity, a plan.
    Every other time a command carries tells when something happened, and may not."""


PLANNED = Planned()


def refuse_null(value: Any) -> Any:
    """For a change that names only what it changes: absent keeps the value, null is refused
    for a field the record cannot hold empty. Use as a ``mode="before"`` field validator."""
    if value is None:
        raise ValueError("may not be null: leave the field out to keep its value")
    return value


def never_null(*fields: str) -> Callable[[dict[str, Any]], None]:
    """The document's side of ``refuse_null``: the fields are optional but never null."""

    def adjust(schema: dict[str, Any]) -> None:
        for name in fields:
            field = schema["properties"][name]
            field.update(next(option for option in field.pop("anyOf") if option != {"type": "null"}))
            field.pop("default", None)

    return adjust


def period_key(text: Any) -> str:
    """A planning period's key, checked by ``aggregates.period``: 2026-10, 2026-Q4 or 2026."""
    try:
        return parse_period(text).key
    except InvalidValue as refused:
        raise ValueError(refused.message) from None


PeriodKey = Annotated[
    str,
    AfterValidator(period_key),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^[0-9]{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$",
            "examples": ["2026-10", "2026-Q4", "2026"],
        }
    ),
]
"""A month, quarter or year of a plan, a forecast or a report."""
