"""How values are stored in view rows, the same way on SQLite and PostgreSQL."""

import json
from datetime import UTC, datetime
from typing import Any

import orjson


def utc_text(moment: datetime) -> str:
    """Timestamps as fixed-width UTC text: they sort and compare as strings on both engines."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_AS_STDLIB_JSON = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_NON_STR_KEYS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
)
"""orjson, told to hand what JSON has no type for (a time, a dataclass, a Decimal) to ``str``
as ``_FALLBACK`` does: views encode millions of values in a rebuild."""
_FALLBACK = json.JSONEncoder(ensure_ascii=False, default=str, sort_keys=True, separators=(",", ":"))
"""For what orjson refuses (an integer beyond 64 bits, a string with a lone surrogate, deep
nesting), so that no value an event carries stops a view."""


def to_json(value: Any) -> str:
    try:
        return orjson.dumps(value, default=str, option=_AS_STDLIB_JSON).decode()
    except orjson.JSONEncodeError:
        return _FALLBACK.encode(value)


def from_json(text: str | None) -> Any:
    # Not orjson: it reads an integer beyond 64 bits as a float, which the fallback can write.
    return json.loads(text) if text else None


def search_key(text: str | None) -> str:
    """Case-insensitive matching for any script: SQLite's LOWER() knows only ASCII."""
    return " ".join((text or "").casefold().replace("ё", "е").split())


def like_pattern(text: str) -> str:
    escaped = search_key(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
