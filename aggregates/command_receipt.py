"""The receipt of a handled command: what makes a retried command harmless.

Its id is derived from the command id, so a second attempt to record a receipt for
the same command collides in the store and the whole second write is refused.
"""

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from aggregates.stamp import Fact, Stamp

_NAMESPACE = uuid5(NAMESPACE_URL, "letopis:command")


def receipt_id(command_id: str) -> UUID:
    return uuid5(_NAMESPACE, command_id)


class CommandReceipt(Aggregate):
    class Handled(Aggregate.Created, Fact):
        command_name: str
        result: dict[str, Any]

        def apply(self, aggregate: "CommandReceipt") -> None:
            aggregate.command_name = self.command_name
            aggregate.result = self.result

    def __init__(self) -> None:
        self.command_name = ""
        self.result: dict[str, Any] = {}

    @classmethod
    def record(cls, stamp: Stamp, command_name: str, result: dict[str, Any]) -> "CommandReceipt":
        return cls._create(
            cls.Handled,
            id=receipt_id(stamp.command_id),
            command_name=command_name,
            result=result,
            **stamp.fields(),
        )
