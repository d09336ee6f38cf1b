"""Stored states decode to exactly what the library's own transcoder gives: money, times,
dates and ids nested in lists and records included, and what only the standard library's
parser reads (an integer past 64 bits) still reads. Encoded, they are the library's bytes."""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import JSONTranscoder, TranscodingNotRegisteredError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


class Colour(StrEnum):
    RED = "red"


_LEAVES = st.one_of(
    st.text(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.booleans(),
    st.none(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.dates(),
    st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=3))])),
    st.uuids(),
    st.floats(),
    st.just(Colour.RED),
)
_STATES = st.dictionaries(
    st.text(),
    st.recursive(_LEAVES, lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=12),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(state=_STATES)
def test_a_state_is_encoded_to_the_library_s_bytes(
    transcoders: tuple[JSONTranscoder, JSONTranscoder], state: dict[str, Any]
) -> None:
    ours, library = transcoders
    try:
        expected = library.encode(state)
    except (TranscodingNotRegisteredError, UnicodeEncodeError) as refused:
        with pytest.raises(type(refused)):
            ours.encode(state)
        return
    assert ours.encode(state) == expected


def test_an_id_or_a_float_anywhere_in_a_state_comes_back_as_itself(
    transcoders: tuple[JSONTranscoder, JSONTranscoder],
) -> None:
    ours, _library = transcoders
    state = {"name": "Ромашка", "lines": [{"deal_id": uuid4(), "share": float("nan")}]}
    decoded = ours.decode(ours.encode(state))
    assert type(decoded["lines"][0]["deal_id"]) is UUID
    assert decoded["lines"][0]["deal_id"] == state["lines"][0]["deal_id"]  # type: ignore[index]
    assert decoded["lines"][0]["share"] != decoded["lines"][0]["share"]  # NaN, not null
