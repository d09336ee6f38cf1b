"""The configurable list of reasons a client refuses (FEATURES C2)."""

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from aggregates.counterparty_profile import check_name
from aggregates.errors import InvalidValue, RuleViolated
from aggregates.stamp import Fact, Stamp

# One list per company: a well-known id, so every command finds the same aggregate.
REFUSAL_REASONS_ID = uuid5(NAMESPACE_URL, "letopis:refusal-reasons")


class RefusalReasons(Aggregate):
    class Started(Aggregate.Created, Fact):
        def apply(self, aggregate: "RefusalReasons") -> None:
            aggregate.active = {}

    class ReasonAdded(Fact):
        code: str
        label: str

        def apply(self, aggregate: "RefusalReasons") -> None:
            aggregate.active[self.code] = self.label

    class ReasonRetired(Fact):
        code: str

        def apply(self, aggregate: "RefusalReasons") -> None:
            del aggregate.active[self.code]

    def __init__(self) -> None:
        self.active: dict[str, str] = {}

    @classmethod
    def start(cls, stamp: Stamp, id: UUID = REFUSAL_REASONS_ID) -> "RefusalReasons":
        return cls._create(cls.Started, id=id, **stamp.fields())

    def add(self, stamp: Stamp, code: str, label: str) -> None:
        if code in self.active:
            raise RuleViolated(f"refusal reason {code!r} already exists")
        if not code.isidentifier():
            raise InvalidValue("code", "a reason code is a short identifier such as 'price'")
        self.trigger_event(self.ReasonAdded, code=code, label=check_name(label), **stamp.fields())

    def retire(self, stamp: Stamp, code: str) -> None:
        self.check_known(code)
        self.trigger_event(self.ReasonRetired, code=code, **stamp.fields())

    def check_known(self, code: str) -> None:
        if code not in self.active:
            raise InvalidValue("reason_code", f"{code!r} is not a refusal reason in the list")
