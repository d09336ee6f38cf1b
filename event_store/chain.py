"""Tamper evidence: every stored event linked to the one before it by a hash.

A link is ``sha256(previous link ‖ position ‖ originator id ‖ version ‖ recorded time ‖
length of the topic ‖ topic ‖ state)``, every number fixed-width big-endian, so that no two
different events can be spelt the same way. It is kept beside the log, in a table of its own
written in the append's transaction (``event_store.recorders``), together with the time the
log recorded the event: the database's clock under the append lock, never earlier than the
link before, so that recorded times rise with positions and "as we knew it on T" is one
index lookup. PostgreSQL computes the same bytes in its append function.

Checking walks the log and the links side by side; the first position where they part says
whether an event was edited, deleted, inserted or moved. An anchor (the head's position and
link, kept elsewhere) catches what rewriting the whole chain from some point would hide.
"""

import hashlib
import struct
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Literal, NamedTuple
from uuid import UUID

GENESIS = bytes(32)
"""The link before the first event."""

PROGRESS_EVERY = 4096
"""Events checked between two reports of progress."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(moment: datetime) -> int:
    """Microseconds since the Unix epoch: recorded times are kept and hashed as these."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


def moment(microseconds: int) -> datetime:
    return _EPOCH + timedelta(microseconds=microseconds)


def as_uuid(stored: UUID | str) -> UUID:
    """An originator id as a recorder hands it back: SQLite keeps the hex text."""
    return stored if isinstance(stored, UUID) else UUID(stored)


_FIXED = struct.Struct(">q16sqqI")
"""position, originator id, version, recorded time, length of the topic"""


@cache
def _topic_bytes(topic: str) -> bytes:
    return topic.encode()


def link(
    previous: bytes,
    position: int,
    originator_id: UUID,
    version: int,
    recorded_us: int,
    topic: str,
    state: bytes,
) -> bytes:
    topic_bytes = _topic_bytes(topic)
    fixed = _FIXED.pack(position, originator_id.bytes, version, recorded_us, len(topic_bytes))
    return hashlib.sha256(b"".join((previous, fixed, topic_bytes, state))).digest()


Stored = tuple[int, UUID | str, int, str, bytes]
"""An event as stored: position, originator id, version, topic, state."""


class Link(NamedTuple):
    """One event's place in the chain, as the table beside the log keeps it."""

    position: int
    originator_id: UUID
    version: int
    recorded_us: int
    hash: bytes


def linked(
    previous: Link | None, events: Iterable[Stored], recorded_us: Callable[[Stored], int]
) -> list[Link]:
    """The links of events appended after ``previous``; recorded times never go back."""
    chained = previous.hash if previous else GENESIS
    floor = previous.recorded_us if previous else 0
    links = []
    for event in events:
        position, stored_id, version, topic, state = event
        floor = max(floor, recorded_us(event))
        originator_id = as_uuid(stored_id)
        chained = link(chained, position, originator_id, version, floor, topic, state)
        links.append(Link(position, originator_id, version, floor, chained))
    return links


@dataclass(frozen=True)
class Anchor:
    """The chain's head, exported so that it can be kept out of the database's reach."""

    position: int
    hash: bytes

    def as_dict(self) -> dict[str, str | int]:
        return {"position": self.position, "hash": self.hash.hex()}


Breach = Literal["edited", "deleted", "inserted", "reordered", "rewritten"]


@dataclass(frozen=True)
class Finding:
    """Where the log and its chain first disagree, and how."""

    position: int
    breach: Breach
    detail: str


def check(
    events: Iterator[Stored],
    links: Iterator[Link],
    anchor: Anchor | None = None,
    progress: Callable[[int], None] | None = None,
) -> Finding | None:
    """Walk the log and the chain in position order; the first disagreement, or None.

    An event without its link was inserted; a link without its event, deleted; an event whose
    link does not match was edited, or stands where another one was (reordered). Against an
    anchor, the chain must pass through the anchored position with the anchored link."""
    chained, checked = GENESIS, 0
    anchored = anchor is None or anchor.position == 0
    event, link_ = next(events, None), next(links, None)
    while event is not None or link_ is not None:
        if link_ is None or (event is not None and event[0] < link_.position):
            assert event is not None
            return Finding(event[0], "inserted", "an event at this position has no link in the chain")
        if event is None or link_.position < event[0]:
            return Finding(link_.position, "deleted", "the chain links an event that is not in the log")
        position, originator_id, version, topic, state = event
        if anchor is not None and not anchored and position > anchor.position:
            return Finding(anchor.position, "deleted", "the anchored position is no longer in the log")
        originator_id = as_uuid(originator_id)
        if link(chained, position, originator_id, version, link_.recorded_us, topic, state) != link_.hash:
            if (originator_id, version) != (link_.originator_id, link_.version):
                return Finding(
                    position,
                    "reordered",
                    f"the chain has {link_.originator_id}@{link_.version} here, "
                    f"the log {originator_id}@{version}",
                )
            return Finding(position, "edited", "the stored event does not match its link")
        chained = link_.hash
        if anchor is not None and position == anchor.position:
            if chained != anchor.hash:
                return Finding(position, "rewritten", "the chain here differs from the anchor kept elsewhere")
            anchored = True
        checked += 1
        if progress and checked % PROGRESS_EVERY == 0:
            progress(position)
        event, link_ = next(events, None), next(links, None)
    if anchor is not None and not anchored:
        return Finding(anchor.position, "deleted", "the anchored position is no longer in the log")
    return None
