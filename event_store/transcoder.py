"""Stored states decoded by orjson: a replay decodes millions of them, and the standard
library's decoder, calling back into Python for every object it builds, is most of the cost.

The result is the library transcoder's to the value: JSON is parsed without hooks, then every
object of the form ``{"_type_": name, "_data_": data}`` is turned back into its value by the
registered transcoding, innermost first, as the library's object hook would. Encoding is the
library's own, so stored bytes (and the chain's hashes of them) stay as they were."""

from typing import Any

import orjson
from eventsourcing.persistence import JSONTranscoder, TranscodingNotRegisteredError

_TYPED = b'"_type_"'


class OrjsonTranscoder(JSONTranscoder):
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
