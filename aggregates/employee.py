"""Employees: who may act in the CRM, in which role, for which team."""

import hashlib
from uuid import UUID

from eventsourcing.domain import Aggregate

from aggregates.counterparty import check_name
from aggregates.errors import InvalidValue
from aggregates.role import Role as Role
from aggregates.stamp import Fact, Stamp


def token_digest(token: str) -> str:
    """Tokens are kept only as this digest: a stolen log or view yields no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()


class Employee(Aggregate):
    class Hired(Aggregate.Created, Fact):
        full_name: str
        role: str
        team: str | None
        department: str | None

        def apply(self, aggregate: "Employee") -> None:
            aggregate.full_name = self.full_name
            aggregate.role = Role(self.role)
            aggregate.team = self.team
            aggregate.department = self.department

    class TokenIssued(Fact):
        """Only the token's SHA-256 digest is ever recorded."""

        token_digest: str

    def __init__(self) -> None:
        self.full_name = ""
        self.role = Role.MANAGER
        self.team: str | None = None
        self.department: str | None = None

    @classmethod
    def hire(
        cls,
        stamp: Stamp,
        *,
        full_name: str,
        role: Role,
        team: str | None,
        department: str | None,
        id: UUID | None = None,
    ) -> "Employee":
        if role == Role.MANAGER and not team:
            raise InvalidValue("team", "a manager belongs to a team")
        if role == Role.HEAD_OF_SALES and not department:
            raise InvalidValue("department", "a head of sales heads a department")
        return cls._create(
            cls.Hired,
            id=id,
            full_name=check_name(full_name),
            role=role.value,
            team=team,
            department=department,
            **stamp.fields(),
        )

    def issue_token(self, stamp: Stamp, token_digest: str) -> None:
        self.trigger_event(self.TokenIssued, token_digest=token_digest, **stamp.fields())
