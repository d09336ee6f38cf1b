"""Employees: who may act in the CRM, in which role, for which team, with which tokens.

An identity has a lifecycle. Tokens carry a name and an expiry and can be revoked; a new
token under the name of a live one replaces it. A role or team change takes effect at the
employee's next request. A deactivated employee keeps every fact they recorded, loses every
token, and can be given no new work until reactivated.
"""

import hashlib
from datetime import datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from aggregates.counterparty_profile import check_name
from aggregates.errors import InvalidValue, NotFound, RuleViolated
from aggregates.role import Role as Role
from aggregates.stamp import Fact, Stamp


def token_digest(token: str) -> str:
    """Tokens are kept only as this digest: a stolen log or view yields no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()


# Tokens issued before they had names and expiries: they lasted this long from their issue.
LEGACY_TOKEN_LIFETIME = timedelta(days=90)


def check_placement(role: Role, team: str | None, department: str | None) -> None:
    if role == Role.MANAGER and not team:
        raise InvalidValue("team", "a manager belongs to a team")
    if role == Role.HEAD_OF_SALES and not department:
        raise InvalidValue("department", "a head of sales heads a department")


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

        class_version = 2

        token_id: str
        name: str
        token_digest: str
        expires_at: datetime

        def apply(self, aggregate: "Employee") -> None:
            aggregate.tokens[self.token_id] = self.name

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["token_id"] = str(uuid5(NAMESPACE_URL, f"letopis:token:{state['token_digest']}"))
            state["name"] = "token"
            state["expires_at"] = state["timestamp"] + LEGACY_TOKEN_LIFETIME

    class TokenRevoked(Fact):
        token_id: str
        reason: str

        def apply(self, aggregate: "Employee") -> None:
            del aggregate.tokens[self.token_id]

    class RoleChanged(Fact):
        role: str
        team: str | None
        department: str | None
        previous_role: str
        previous_team: str | None
        previous_department: str | None

        def apply(self, aggregate: "Employee") -> None:
            aggregate.role = Role(self.role)
            aggregate.team = self.team
            aggregate.department = self.department

    class Deactivated(Fact):
        reason: str
        revoked_token_ids: list[str]

        def apply(self, aggregate: "Employee") -> None:
            aggregate.active = False
            aggregate.tokens.clear()

    class Reactivated(Fact):
        reason: str

        def apply(self, aggregate: "Employee") -> None:
            aggregate.active = True

    def __init__(self) -> None:
        self.full_name = ""
        self.role = Role.MANAGER
        self.team: str | None = None
        self.department: str | None = None
        self.active = True
        self.tokens: dict[str, str] = {}
        """Live tokens, id → name (an expired token stays here; only the reader's clock
        tells it has expired)."""

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
        check_placement(role, team, department)
        return cls._create(
            cls.Hired,
            id=id,
            full_name=check_name(full_name),
            role=role.value,
            team=team,
            department=department,
            **stamp.fields(),
        )

    def issue_token(
        self, stamp: Stamp, *, token_id: str, name: str, token_digest: str, expires_at: datetime
    ) -> None:
        """A token under the name of a live one replaces it: rotation is one step."""
        self.check_active()
        if expires_at <= stamp.occurred_at:
            raise InvalidValue("expires_at", "a token must expire after it is issued")
        name = check_name(name)
        for replaced in [tid for tid, held in self.tokens.items() if held == name]:
            self.trigger_event(
                self.TokenRevoked,
                token_id=replaced,
                reason=f"replaced by a new {name!r} token",
                **stamp.fields(),
            )
        self.trigger_event(
            self.TokenIssued,
            token_id=token_id,
            name=name,
            token_digest=token_digest,
            expires_at=expires_at,
            **stamp.fields(),
        )

    def revoke_token(self, stamp: Stamp, token_id: str, reason: str) -> None:
        if token_id not in self.tokens:
            raise NotFound(f"token {token_id} is not a live token of {self.full_name}")
        self.trigger_event(self.TokenRevoked, token_id=token_id, reason=reason.strip(), **stamp.fields())

    def change_role(self, stamp: Stamp, role: Role, team: str | None, department: str | None) -> None:
        self.check_active()
        check_placement(role, team, department)
        if (role, team, department) == (self.role, self.team, self.department):
            raise RuleViolated("the employee already has this role, team and department")
        self.trigger_event(
            self.RoleChanged,
            role=role.value,
            team=team,
            department=department,
            previous_role=self.role.value,
            previous_team=self.team,
            previous_department=self.department,
            **stamp.fields(),
        )

    def deactivate(self, stamp: Stamp, reason: str) -> None:
        if stamp.actor == str(self.id):
            raise RuleViolated("an administrator cannot deactivate themselves")
        self.check_active()
        self.trigger_event(
            self.Deactivated, reason=reason.strip(), revoked_token_ids=sorted(self.tokens), **stamp.fields()
        )

    def reactivate(self, stamp: Stamp, reason: str) -> None:
        if self.active:
            raise RuleViolated(f"{self.full_name} is active")
        self.trigger_event(self.Reactivated, reason=reason.strip(), **stamp.fields())

    def check_active(self) -> None:
        if not self.active:
            raise RuleViolated(f"{self.full_name} is deactivated")
