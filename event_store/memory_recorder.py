"""The log kept in the process (``memory://``), for tests (see ``event_store.recorders``)."""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.popo import POPOApplicationRecorder

from event_store.chain import Link, linked
from event_store.recorders import (
    NONE,
    RecordedUs,
    SelectedLog,
    Unchanged,
    changed,
    now_us,
    stored_at,
)


class MemoryRecorder(SelectedLog, POPOApplicationRecorder):
    """The library's log in the process, with the chain and the reads every recorder offers."""

    def __init__(self) -> None:
        super().__init__()
        self._links: list[Link] = []

    def _update_table(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        positions = super()._update_table(stored_events, **kwargs) or []
        now = now_us()
        self._links.extend(
            linked(
                self._links[-1] if self._links else None,
                stored_at(positions, stored_events),
                lambda _: now,
            )
        )
        return positions

    def chain_links(self, after: int, limit: int) -> list[Link]:
        with self._database_lock:
            return [link for link in self._links if link.position > after][:limit]

    def links_of(self, originator_id: UUID) -> list[Link]:
        with self._database_lock:
            return [link for link in self._links if link.originator_id == originator_id]

    def position_recorded_by(self, recorded_us: int) -> int:
        with self._database_lock:
            return max((link.position for link in self._links if link.recorded_us <= recorded_us), default=0)

    def link_unlinked(self, recorded_us: RecordedUs) -> int:
        return 0  # a log in memory is never older than its chain

    def existing(self, originator_ids: Sequence[UUID]) -> set[UUID]:
        with self._database_lock:
            return {id_ for id_ in originator_ids if self._stored_events_index.get(str(id_))}

    def _assert_uniqueness(
        self, stored_events: Sequence[StoredEvent], *, unchanged: Unchanged = NONE, **kwargs: Any
    ) -> None:
        # Runs under the recorder's lock, as the insert that follows does.
        super()._assert_uniqueness(stored_events, **kwargs)
        current = {}
        for id_, version in unchanged.items():
            latest = max(self._stored_events_index.get(str(id_), {}), default=0)
            if latest != version:
                current[id_] = latest
        if current:
            raise changed(unchanged, current)

    def position_of(self, originator_id: UUID, version: int) -> int | None:
        for notification in self.select_notifications(start=1, limit=self.max_notification_id() or 0):
            if notification.originator_id == originator_id and notification.originator_version == version:
                return notification.id
        return None
