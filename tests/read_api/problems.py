"""Reading the error body every refusal answers with."""

from typing import Any


def field_errors(response: Any, location: str = "body") -> dict[str, str]:
    """Each invalid value of one location (body, query, path, header), by its dotted field."""
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}, body
    return {
        ".".join(map(str, error["loc"][1:])): error["msg"]
        for error in body["errors"]
        if error["loc"][0] == location
    }
