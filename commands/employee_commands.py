"""Employees and their access tokens (FEATURES J1): hiring, tokens issued and revoked, role and
team changes, deactivation and reactivation."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated
from uuid import uuid4

from pydantic import AfterValidator, Field, StringConstraints

from aggregates.employee import Employee, Role, token_digest
from aggregates.scope import Actor
from commands.command import Change, Command
from commands.context import Context
from commands.fields import PLANNED, EntityId, Line, Moment, Name, Reason, single_line
from commands.handling import Handlers
from commands.scope import administration_guard
from commands.service import WriteService

handlers = Handlers()

TokenName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(single_line),
    Field(description="What the token is for, e.g. 'laptop' or 'reports script'", examples=["laptop"]),
]

TokenDigest = Annotated[
    str, StringConstraints(pattern=r"^[0-9a-f]{64}$"), Field(description="SHA-256 of the token, in hex")
]


class HireEmployee(Command):
    """Hire an employee in a role, for a team or department."""

    full_name: Name
    role: Role
    team: Line | None = None
    department: Line | None = None


class IssueToken(Change):
    """Record a new access token of the employee; only its digest is ever stored."""

    token_id: EntityId
    name: TokenName = "default"
    token_digest: TokenDigest
    expires_at: Annotated[Moment, PLANNED]


class RevokeToken(Change):
    """Revoke one of the employee's tokens: it stops working at once."""

    token_id: EntityId
    reason: Reason = "revoked"


class ChangeRole(Change):
    """Give the employee another role, team or department; it applies from their next request."""

    role: Role
    team: Line | None = None
    department: Line | None = None


class DeactivateEmployee(Change):
    """Deactivate an employee who left: every token is revoked, every fact they recorded stays."""

    reason: Reason


class ReactivateEmployee(Change):
    """Let a deactivated employee work again; they need a new token."""

    reason: Reason


def _self_or_admin(ctx: Context, employee: Employee, _command: object) -> None:
    """An employee manages their own tokens; an administrator manages anyone's."""
    if ctx.actor.employee_id != str(employee.id):
        administration_guard(ctx)


@handlers.handles(HireEmployee, "employee.hire", Employee.Hired, authorize=administration_guard)
def hire_employee(ctx: Context, command: HireEmployee) -> list[Employee]:
    return [
        Employee.hire(
            ctx.stamp,
            full_name=command.full_name,
            role=command.role,
            team=command.team,
            department=command.department,
        )
    ]


@handlers.changes(
    Employee,
    IssueToken,
    "employee.issue_token",
    Employee.TokenIssued,
    Employee.TokenRevoked,
    authorize=_self_or_admin,
)
def issue_token(ctx: Context, employee: Employee, command: IssueToken) -> None:
    employee.issue_token(
        ctx.stamp,
        token_id=command.token_id,
        name=command.name,
        token_digest=command.token_digest,
        expires_at=command.expires_at,
    )


@handlers.changes(
    Employee, RevokeToken, "employee.revoke_token", Employee.TokenRevoked, authorize=_self_or_admin
)
def revoke_token(ctx: Context, employee: Employee, command: RevokeToken) -> None:
    employee.revoke_token(ctx.stamp, command.token_id, command.reason)


@handlers.changes(Employee, ChangeRole, "employee.change_role", Employee.RoleChanged)
def change_role(ctx: Context, employee: Employee, command: ChangeRole) -> None:
    employee.change_role(ctx.stamp, command.role, command.team, command.department)


@handlers.changes(Employee, DeactivateEmployee, "employee.deactivate", Employee.Deactivated)
def deactivate_employee(ctx: Context, employee: Employee, command: DeactivateEmployee) -> None:
    employee.deactivate(ctx.stamp, command.reason)


@handlers.changes(Employee, ReactivateEmployee, "employee.reactivate", Employee.Reactivated)
def reactivate_employee(ctx: Context, employee: Employee, command: ReactivateEmployee) -> None:
    employee.reactivate(ctx.stamp, command.reason)


@dataclass(frozen=True)
class NewToken:
    """A token as its holder sees it, once: the secret itself is never stored."""

    token_id: str
    token: str
    name: str
    expires_at: datetime
    position: int


def new_secret(prefix: str) -> str:
    """A random secret for a bearer token or a feed address; only its ``token_digest`` is kept."""
    return prefix + secrets.token_urlsafe(32)


def issue_new_token(
    service: WriteService, actor: Actor, employee_id: str, name: str, lifetime: timedelta
) -> NewToken:
    """Make a random bearer token and record its digest, named and expiring."""
    secret = new_secret("lt_")
    command = IssueToken(
        token_id=str(uuid4()),
        name=name,
        token_digest=token_digest(secret),
        expires_at=service.clock() + lifetime,
    )
    outcome = service.run(actor, command, employee_id)
    return NewToken(command.token_id, secret, command.name, command.expires_at, outcome.position)
