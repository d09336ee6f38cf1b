"""Replayed views kept on disk at some log positions, so that a replay for a past moment starts
from the nearest one at or below it instead of from the log's start.

A checkpoint is the whole in-memory SQLite database of a set of replayed views, as its file's
bytes, named by the log position it reflects, the number of the views' events up to there,
and the chain hash of the event at that position (``event_store.chain``): a checkpoint is
used only where the log still has that event there, so a checkpoint of another log (another
database behind the same folder, a store rebuilt) is never read as this one's. A set of views
has a folder of its own, named by each view's name and version: a view whose handlers change
gets a new version, and with it new checkpoints.

A replay costs what it applies: the views' own events, not the log's positions (the deals'
events are a tenth of the demo's log, and all in one part of it). So the views' events are
cut into stretches of ``every``, and a set keeps at most one checkpoint in each, the first a
replay reached; views with more than ``KEPT`` stretches of events get longer stretches, twice
as long each time, and the checkpoints that no longer open a stretch go. A replay from a
checkpoint then applies at most two stretches of events, and a set never holds more than
``KEPT`` files.
"""

import logging
import os
import sqlite3
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from event_store.store import EventStore
from projections.projection import Projection
from projections.sqlite import SqliteViews

logger = logging.getLogger(__name__)

KEPT = 16
"""Checkpoints a set of views keeps at most."""
_TOO_LARGE = "too-large"
"""A set's file naming the size its views were found at, when that was too large to keep."""


@dataclass(frozen=True, order=True)
class _Kept:
    position: int
    events: int
    """The views' events up to the position."""
    chain_hash: str

    @property
    def file_name(self) -> str:
        return f"{self.position:012d}-{self.events:012d}-{self.chain_hash}.sqlite"


@dataclass(frozen=True)
class Restored:
    position: int
    events: int
    views: SqliteViews


class Checkpoints:
    def __init__(self, folder: Path, every: int, largest_bytes: int) -> None:
        """``every``: the views' events per stretch, at least (0: no checkpoints);
        ``largest_bytes``: a set of views larger than this is not kept (its replay is read
        from the log's start each time)."""
        self._folder = folder
        self._every = every
        self._largest = largest_bytes

    def nearest(
        self, store: EventStore, projections: Sequence[Projection[Any]], position: int
    ) -> Restored | None:
        """The views as they stood at the latest kept position at or below ``position``; None
        if there is none."""
        for kept in sorted(self._kept(projections), reverse=True):
            if kept.position <= position and self._still_in_log(store, kept):
                try:
                    image = (self._set_folder(projections) / kept.file_name).read_bytes()
                    return Restored(kept.position, kept.events, SqliteViews.from_image(image))
                except FileNotFoundError:  # let go of by another process's replay meanwhile
                    continue
                except (OSError, sqlite3.DatabaseError) as unreadable:
                    logger.warning("checkpoint %s not read: %s", kept.file_name, unreadable)
        return None

    def behind(self, projections: Sequence[Projection[Any]], head: int) -> bool:
        """Whether the log has moved on by ``every`` positions or more since the set's last
        checkpoint (or it has none): a replay up to the head may keep a new one."""
        if not self._every or self._too_large(projections):
            return False
        return head - max((kept.position for kept in self._kept(projections)), default=0) >= self._every

    def wanted(self, projections: Sequence[Projection[Any]], events: int) -> bool:
        """Whether a checkpoint after ``events`` of the views' events would be kept: its stretch
        has none yet, and the views were not found too large to keep."""
        if not self._every or events <= 0 or self._too_large(projections):
            return False
        found = self._kept(projections)
        stretch = self._stretch(max([events, *(kept.events for kept in found)]))
        return all(kept.events // stretch != events // stretch for kept in found)

    def keep(
        self,
        store: EventStore,
        projections: Sequence[Projection[Any]],
        position: int,
        events: int,
        views: SqliteViews,
    ) -> None:
        """Keep the views as they stand at ``position``, after ``events`` of their events, then
        let go of the checkpoints that no longer open a stretch."""
        image = views.image()
        (link,) = store.links(position - 1, 1)
        folder = self._set_folder(projections)
        # A checkpoint not kept costs later replays time, never an answer.
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if len(image) > self._largest:
                (folder / _TOO_LARGE).write_text(str(len(image)))
                return
            descriptor, temporary = tempfile.mkstemp(prefix=".checkpoint-", dir=folder)
            try:
                with os.fdopen(descriptor, "wb") as out:
                    out.write(image)
                os.replace(temporary, folder / _Kept(position, events, link.hash.hex()).file_name)
            finally:
                Path(temporary).unlink(missing_ok=True)
            self._thin(projections)
        except OSError as unwritable:
            logger.warning("no checkpoint kept in %s: %s", folder, unwritable)

    def _thin(self, projections: Sequence[Projection[Any]]) -> None:
        found = sorted(self._kept(projections))
        stretch = self._stretch(max((kept.events for kept in found), default=0))
        opening: dict[int, _Kept] = {}
        for kept in found:
            opening.setdefault(kept.events // stretch, kept)
        for kept in set(found) - set(opening.values()):
            (self._set_folder(projections) / kept.file_name).unlink(missing_ok=True)

    def _stretch(self, events: int) -> int:
        stretch = self._every
        while events // stretch >= KEPT:
            stretch *= 2
        return stretch

    def _too_large(self, projections: Sequence[Projection[Any]]) -> bool:
        """Whether the views were found larger than this limit allows: they only grow."""
        try:
            return int((self._set_folder(projections) / _TOO_LARGE).read_text()) > self._largest
        except (FileNotFoundError, ValueError):
            return False

    def _still_in_log(self, store: EventStore, kept: _Kept) -> bool:
        links = store.links(kept.position - 1, 1)
        return bool(links) and links[0].position == kept.position and links[0].hash.hex() == kept.chain_hash

    def _kept(self, projections: Sequence[Projection[Any]]) -> list[_Kept]:
        folder = self._set_folder(projections)
        if not folder.is_dir():
            return []
        found = []
        for path in folder.glob("*.sqlite"):
            position, events, chain_hash = [*path.stem.split("-", 2), "", ""][:3]
            if position.isdigit() and events.isdigit() and chain_hash:
                found.append(_Kept(int(position), int(events), chain_hash))
        return found

    def _set_folder(self, projections: Sequence[Projection[Any]]) -> Path:
        return self._folder / "+".join(f"{p.name}-v{p.version}" for p in projections)
