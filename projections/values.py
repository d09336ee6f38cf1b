"""How values are stored in view rows, the same way on SQLite and PostgreSQL."""

import json
from datetime import UTC, datetime
from typing import Any


def utc_text(moment: datetime) -> str:
    """Timestamps as fixed-width UTC text: they sort and compare as strings on both engines."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str, sort_keys=True)
"""Made once: ``json.dumps`` with options builds an encoder for every value, and views encode
millions of values in a rebuild."""


def to_json(value: Any) -> str:
    return _ENCODER.encode(value)


def from_json(text: str | None) -> Any:
    return json.loads(text) if text else None


def search_key(text: str | None) -> str:
    """Case-insensitive matching for any script: SQLite's LOWER() knows only ASCII."""
    return " ".join((text or "").casefold().replace("ё", "е").split())


def like_pattern(text: str) -> str:
    escaped = search_key(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
