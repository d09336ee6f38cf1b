"""Stored states decoded by orjson: a replay decodes millions of them, and the standard
library's decoder, calling back into Python for every object it builds, is most of the cost.

The result is the library transcoder's to the value: JSON is parsed without hooks, then every
object of the form ``{"_type_": name, "_data_": data}`` is turned back into its value by the
registered transcoding, innermost first, as the library's object hook would. Encoding is the
library's own, so stored bytes (and the chain's hashes of them) stay as they were."""

from typing import Any

import orjson
from eventsourcing.persistence import JSONTranscoder, TranscodingNotRegisteredError


class OrjsonTranscoder(JSONTranscoder):
    def decode(self, data: bytes) -> Any:
        try:
            parsed = orjson.loads(data)
        except orjson.JSONDecodeError:
            # What orjson refuses and the standard library reads (integers past 64 bits,
            # NaN) is left to the library, which decodes it as it always has.
            return super().decode(data)
        return self._revived(parsed)

    def _revived(self, value: Any) -> Any:
        if type(value) is dict:
            for key, item in value.items():
                if type(item) is dict or type(item) is list:
                    value[key] = self._revived(item)
            if len(value) == 2 and "_type_" in value and "_data_" in value:
                return self._transcoding(value["_type_"]).decode(value["_data_"])
            return value
        if type(value) is list:
            return [self._revived(item) for item in value]
        return value

    def _transcoding(self, name: str) -> Any:
        try:
            return self.names[name]
        except KeyError:
            raise TranscodingNotRegisteredError(
                f"Data serialized with name '{name}' is not deserializable. "
                "Please register a custom transcoding for this type."
            ) from None
