"""When a command's times may lie: not before the earliest business day, and, unless the
field is planned, not in the future.

The field types (``commands.fields``) keep every time inside the calendar and in UTC; this
check needs the clock, so the write service runs it on every command before deciding
anything. It walks the whole command, nested parts included, so a new time field is
bounded without anyone remembering to bound it.
"""

import types
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from uuid import UUID

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from aggregates.errors import InvalidValue
from commands.fields import FIRST_DAY, Planned

# A day that is today somewhere on Earth is not in the future: UTC+14 is the furthest ahead.
_FURTHEST_ZONE_AHEAD = timedelta(hours=14)

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class TimeBounds:
    earliest: date = FIRST_DAY
    """Nothing happened in the business before this day."""
    skew: timedelta = timedelta(minutes=5)
    """How far ahead of the server's clock a caller's clock may run."""

    def check(self, command: BaseModel, now: datetime) -> None:
        latest = now + self.skew
        for path, value, planned in _times(command, ()):
            moment_day = value.date() if isinstance(value, datetime) else value
            field = ".".join(map(str, path))
            if moment_day < self.earliest:
                raise InvalidValue(field, f"{field} lies before {self.earliest.isoformat()}")
            if planned:
                continue
            if isinstance(value, datetime) and value > latest:
                raise InvalidValue(field, f"{field} lies in the future")
            if not isinstance(value, datetime) and value > (latest + _FURTHEST_ZONE_AHEAD).date():
                raise InvalidValue(field, f"{field} lies in the future")


def _times(model: BaseModel, path: Path) -> Iterator[tuple[Path, date, bool]]:
    for name, planned in _fields(type(model)):
        yield from _walk(getattr(model, name), (*path, name), planned)


@cache
def _fields(model: type[BaseModel]) -> tuple[tuple[str, bool], ...]:
    """A model's fields that may hold a time, and whether each is planned: read from the
    annotations once a class. Text, numbers and collections of them are not walked, which
    spares an import's hundred thousand cards a look into every phone and requisite."""
    return tuple(
        (name, _is_planned(field))
        for name, field in model.model_fields.items()
        if _may_hold_time(field.annotation)
    )


_TIMELESS = (str, int, float, Decimal, UUID, Enum, bytes, types.NoneType)


def _may_hold_time(annotation: Any) -> bool:
    """Whether a value of this type may be, or hold, a day or a moment: any type it cannot
    tell (a model, ``Any``, a class of its own) may."""
    origin = get_origin(annotation)
    if origin is None:
        return not (isinstance(annotation, type) and issubclass(annotation, _TIMELESS))
    if origin is Literal:
        return False
    if origin is Annotated:
        return _may_hold_time(get_args(annotation)[0])
    if origin in (list, tuple, set, frozenset, dict, Union, types.UnionType):
        return any(_may_hold_time(arg) for arg in get_args(annotation) if arg is not Ellipsis)
    return True


def _walk(value: Any, path: Path, planned: bool) -> Iterator[tuple[Path, date, bool]]:
    if isinstance(value, date):
        yield path, value, planned
    elif isinstance(value, BaseModel):
        yield from _times(value, path)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, index), planned)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, (*path, str(key)), planned)


def _is_planned(field: FieldInfo) -> bool:
    return any(isinstance(marker, Planned) for marker in field.metadata) or _marked(field.annotation)


def _marked(annotation: Any) -> bool:
    """The marker inside an optional field: ``Annotated[date, PLANNED] | None``."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return any(isinstance(m, Planned) for m in annotation.__metadata__) or _marked(
            get_args(annotation)[0]
        )
    if origin in (Union, types.UnionType):
        return any(_marked(arg) for arg in get_args(annotation))
    return False
