"""The receipt of a handled command: what makes a retried command harmless.

A command belongs to its actor: the receipt's id is derived from the actor and the key
they gave, so a second attempt by the same actor collides in the store and the whole second
write is refused, while the same key from someone else is another command entirely.
"""

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from aggregates.stamp import Fact, Stamp

_NAMESPACE = uuid5(NAMESPACE_URL, "letopis:command")


def receipt_id(actor: str, key: str) -> UUID:
    # Keys hold no control characters, so the separator cannot be forged by either part.
    return uuid5(_NAMESPACE, f"{actor}\n{key}")


class CommandReceipt(Aggregate):
    class Handled(Aggregate.Created, Fact):
        class_version = 2

        command_name: str
        target_id: str | None
        """The record the command was sent to; none for a command that creates one."""
        fingerprint: str
        """A digest of what the command asked, to tell a repeat from another request under
        the same key; empty for receipts recorded before it was kept."""
        result: dict[str, Any]

        def apply(self, aggregate: "CommandReceipt") -> None:
            aggregate.command_name = self.command_name
            aggregate.target_id = self.target_id
            aggregate.fingerprint = self.fingerprint
            aggregate.result = self.result

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["target_id"] = None
            state["fingerprint"] = ""

    def __init__(self) -> None:
        self.command_name = ""
        self.target_id: str | None = None
        self.fingerprint = ""
        self.result: dict[str, Any] = {}

    @classmethod
    def record(
        cls,
        stamp: Stamp,
        *,
        command_name: str,
        target_id: str | None,
        fingerprint: str,
        result: dict[str, Any],
    ) -> "CommandReceipt":
        return cls._create(
            cls.Handled,
            id=receipt_id(stamp.actor, stamp.command_id),
            command_name=command_name,
            target_id=target_id,
            fingerprint=fingerprint,
            result=result,
            **stamp.fields(),
        )
