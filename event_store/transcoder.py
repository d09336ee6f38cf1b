"""Stored states decoded and encoded by orjson: a replay decodes millions of them and an
import encodes hundreds of thousands, and the standard library's coder, calling back into
Python for every object it builds and every value it cannot write itself, is most of the cost.

Decoding gives what the library's transcoder gives, to the value: JSON is parsed without hooks,
then every object of the form ``{"_type_": name, "_data_": data}`` is turned back into its value
by the registered transcoding, innermost first, as the library's object hook would.

Encoding gives the library's bytes, to the byte, so that what is stored (and the chain's hashes
of it) does not depend on which of the two wrote it. orjson writes a few types its own way
(a UUID as bare text where the library writes a typed value; a float NaN as null), so it is
given only states made of the types both write alike — text, whole numbers, booleans, nulls,
decimals, dates and times, in records and lists — which is what events hold; any other state
is the library's to write."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson
from eventsourcing.persistence import JSONTranscoder, TranscodingNotRegisteredError

_TYPED = b'"_type_"'
_WRITTEN_ALIKE = frozenset({str, int, bool, type(None), Decimal, date, datetime})
"""Exact types: a subclass (an enum of text, say) may be written differently, so is not one."""


class OrjsonTranscoder(JSONTranscoder):
    def encode(self, obj: Any) -> bytes:
        if type(obj) is dict and _written_alike(obj):
            try:
                # Decimals, dates and times reach the library's hook, as they do in its encoder.
                written = orjson.dumps(obj, default=self._encode_obj, option=orjson.OPT_PASSTHROUGH_DATETIME)
                # Copied out of orjson's buffer, which is allocated a size larger than any state:
                # kept as it is, as an append keeps hundreds of thousands, each costs more
                # memory and time (measured: 3 µs a state copied, 8 to 26 µs kept).
                return memoryview(written).tobytes()
            except orjson.JSONEncodeError:
                pass  # an integer past 64 bits, or text no encoding holds: the library's to write or refuse
        return super().encode(obj)

    def decode(self, data: bytes) -> Any:
        try:
            parsed = orjson.loads(data)
        except orjson.JSONDecodeError:
            # What orjson refuses and the standard library reads (integers past 64 bits,
            # NaN) is left to the library, which decodes it as it always has.
            return super().decode(data)
        if _TYPED not in data or not isinstance(parsed, dict | list):
            return parsed
        return self._revived(parsed)

    def _revived(self, container: dict[Any, Any] | list[Any]) -> Any:
        """The container with the typed values in it revived in place, and itself revived if it
        is one. A typed value whose data is plain (a time, an amount) is revived where it is
        found, without a call of its own: states hold many of them."""
        items = container.items() if type(container) is dict else enumerate(container)
        for key, item in items:
            if type(item) is dict:
                if _plainly_typed(item):
                    container[key] = self._transcoding(item["_type_"]).decode(item["_data_"])
                else:
                    container[key] = self._revived(item)
            elif type(item) is list:
                self._revived(item)
        if type(container) is dict and _typed(container):
            return self._transcoding(container["_type_"]).decode(container["_data_"])
        return container

    def _transcoding(self, name: str) -> Any:
        try:
            return self.names[name]
        except KeyError:
            raise TranscodingNotRegisteredError(
                f"Data serialized with name '{name}' is not deserializable. "
                "Please register a custom transcoding for this type."
            ) from None


def _typed(value: dict[Any, Any]) -> bool:
    """Whether an object is a transcoded value, as the library's object hook tells one."""
    return len(value) == 2 and "_type_" in value and "_data_" in value


def _plainly_typed(value: dict[Any, Any]) -> bool:
    """Whether an object is a transcoded value whose data holds nothing to revive."""
    if not _typed(value):
        return False
    data_type = type(value["_data_"])
    return data_type is not dict and data_type is not list


def _written_alike(value: Any) -> bool:
    """Whether orjson writes this value as the library does: ``_WRITTEN_ALIKE`` values in
    records keyed by text and in lists. A state's own fields, and the values of its records
    and lists, are looked at in loops rather than a call each: they are nearly all there is."""
    for key, item in value.items() if type(value) is dict else enumerate(value):
        if type(key) is not str and type(value) is dict:
            return False
        kind = type(item)
        if kind is dict:
            for inner_key, inner in item.items():
                if type(inner_key) is not str or (type(inner) not in _WRITTEN_ALIKE and not _nested(inner)):
                    return False
        elif kind is list or kind is tuple:
            for inner in item:
                if type(inner) not in _WRITTEN_ALIKE and not _nested(inner):
                    return False
        elif kind not in _WRITTEN_ALIKE:
            return False
    return True


def _nested(value: Any) -> bool:
    kind = type(value)
    return (kind is dict or kind is list or kind is tuple) and _written_alike(value)
