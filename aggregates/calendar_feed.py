"""A calendar feed: a secret address from which an employee's calendar client reads their
calendar (FEATURES K9).

The address holds a random token; like an access token it is recorded only as a digest
(``aggregates.employee.token_digest``). A feed only ever reads, and only its owner's
calendar; revoking it is final.
"""

from uuid import UUID

from eventsourcing.domain import Aggregate

from aggregates.counterparty_profile import check_name
from aggregates.errors import RuleViolated
from aggregates.stamp import Fact, Stamp


class CalendarFeed(Aggregate):
    class Issued(Aggregate.Created, Fact):
        owner_id: str
        name: str
        token_digest: str

        def apply(self, aggregate: "CalendarFeed") -> None:
            aggregate.owner_id = self.owner_id
            aggregate.name = self.name

    class Revoked(Fact):
        reason: str

        def apply(self, aggregate: "CalendarFeed") -> None:
            aggregate.revoked = True

    def __init__(self) -> None:
        self.owner_id = ""
        self.name = ""
        self.revoked = False

    @classmethod
    def issue(
        cls, stamp: Stamp, *, owner_id: str, name: str, token_digest: str, id: UUID | None = None
    ) -> "CalendarFeed":
        return cls._create(
            cls.Issued,
            id=id,
            owner_id=owner_id,
            name=check_name(name),
            token_digest=token_digest,
            **stamp.fields(),
        )

    def revoke(self, stamp: Stamp, reason: str) -> None:
        if self.revoked:
            raise RuleViolated(f"the feed {self.name!r} is already revoked")
        self.trigger_event(self.Revoked, reason=reason.strip(), **stamp.fields())
