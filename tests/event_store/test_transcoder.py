"""Stored states decode to exactly what the library's own transcoder gives: money, times,
dates and ids nested in lists and records included, and what only the standard library's
parser reads (an integer past 64 bits) still reads."""

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import pytest
from eventsourcing.persistence import JSONTranscoder, TranscodingNotRegisteredError

from event_store.store import EventStore

STATE = {
    "amount": Decimal("1234567890.125"),
    "occurred_at": datetime(2025, 3, 1, 9, 30, 0, 123456, tzinfo=UTC),
    "received_on": date(2025, 2, 28),
    "id": uuid4(),
    "lines": [{"amount": Decimal("0.01"), "on": date(2024, 12, 31), "tags": ["a", "б"]}, "plain", 3, None],
    "nested": {"deeper": {"at": datetime(2020, 1, 1, tzinfo=UTC)}, "flag": True},
    "looks_typed": {"_type_": "not a transcoding's shape", "_data_": 1, "third": 2},
    "ratio": 0.5,
    "text": "летопись",
}


@pytest.fixture
def transcoders() -> tuple[JSONTranscoder, JSONTranscoder]:
    """The store's transcoder and the library's, with the same transcodings registered."""
    store = EventStore("memory://")
    ours = store.mapper.transcoder
    assert isinstance(ours, JSONTranscoder)
    library = JSONTranscoder()
    for transcoding in ours.names.values():
        library.register(transcoding)
    return ours, library


def test_a_stored_state_decodes_as_the_library_decodes_it(
    transcoders: tuple[JSONTranscoder, JSONTranscoder],
) -> None:
    ours, library = transcoders
    stored = library.encode(STATE)
    decoded = ours.decode(stored)
    assert decoded == library.decode(stored) == STATE
    assert type(decoded["amount"]) is Decimal
    assert type(decoded["lines"][0]["on"]) is date


def test_a_state_only_the_standard_parser_reads_still_decodes(
    transcoders: tuple[JSONTranscoder, JSONTranscoder],
) -> None:
    ours, _library = transcoders
    assert ours.decode(b'{"count": 123456789012345678901234567890, "amount": NaN}')["count"] == (
        123456789012345678901234567890
    )


def test_an_unknown_transcoding_is_refused(transcoders: tuple[JSONTranscoder, JSONTranscoder]) -> None:
    ours, _library = transcoders
    with pytest.raises(TranscodingNotRegisteredError):
        ours.decode(b'{"at": {"_type_": "no_such_type", "_data_": "x"}}')
