"""/employees and /tokens: who works here and in which role; access tokens, named and
expiring, that their holders and administrators can revoke."""

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Body, Response
from pydantic import BaseModel, Field

from aggregates.errors import NotFound
from aggregates.scope import Actor, check_is_admin
from commands.employee_commands import (
    ChangeRole,
    DeactivateEmployee,
    HireEmployee,
    ReactivateEmployee,
    RevokeToken,
    TokenName,
    issue_new_token,
)
from projections.employee_directory import employee_records, token_holder, tokens_of
from read_api.deps import BackendDep, CurrentActor, ReadAfter, RecordId, Write
from read_api.schemas import READ_ONE, WRITE, Employee, Uuid, WriteResult

router = APIRouter(tags=["employees"])


class EmployeeRecord(Employee):
    active: bool = Field(description="False once deactivated: no tokens, no new work, history kept")


class TokenRequest(BaseModel):
    name: TokenName = "default"
    expires_in_days: int | None = Field(
        None, ge=1, le=3660, description="At most the configured lifetime, which is also the default"
    )


class IssuedToken(BaseModel):
    token_id: Uuid
    employee_id: Uuid
    name: str
    token: str = Field(description="Shown once; only its digest is stored")
    expires_at: datetime
    position: int = Field(description="Log position of the issue: the token works once the views reach it")


class TokenRecord(BaseModel):
    token_id: Uuid
    employee_id: Uuid
    name: str
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    issued_by: str = Field(description="Who issued it: an employee id, or console")
    revoked_by: str | None


def _employee(actor: Actor) -> Employee:
    return Employee(
        id=actor.employee_id,
        full_name=actor.full_name,
        role=actor.role,
        team=actor.team,
        department=actor.department,
    )


@router.get("/employees/me", response_model=Employee)
def get_me(actor: CurrentActor) -> Employee:
    return _employee(actor)


@router.get("/employees/me/tokens", response_model=list[TokenRecord], dependencies=[ReadAfter])
def list_my_tokens(backend: BackendDep, actor: CurrentActor) -> list[TokenRecord]:
    with backend.views.reading() as cursor:
        return [TokenRecord(**token) for token in tokens_of(cursor, actor.employee_id)]


@router.get("/employees", response_model=list[EmployeeRecord], dependencies=[ReadAfter])
def list_employees(backend: BackendDep, _actor: CurrentActor) -> list[EmployeeRecord]:
    with backend.views.reading() as cursor:
        return [EmployeeRecord(**employee) for employee in employee_records(cursor)]


@router.get(
    "/employees/{employee_id}/tokens",
    response_model=list[TokenRecord],
    dependencies=[ReadAfter],
    responses=READ_ONE,
)
def list_employee_tokens(
    employee_id: RecordId, backend: BackendDep, actor: CurrentActor
) -> list[TokenRecord]:
    if employee_id != actor.employee_id:
        check_is_admin(actor)
    with backend.views.reading() as cursor:
        return [TokenRecord(**token) for token in tokens_of(cursor, employee_id)]


@router.post("/employees", status_code=201, responses=WRITE)
def hire_employee(command: HireEmployee, write: Write) -> WriteResult:
    return write(command)


@router.post("/employees/{employee_id}/tokens", status_code=201, responses=WRITE)
def issue_employee_token(
    employee_id: RecordId,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    request: Annotated[TokenRequest | None, Body()] = None,
) -> IssuedToken:
    """An employee issues their own tokens; an administrator anyone's. The answer comes once
    the token works."""
    wanted = request or TokenRequest()
    lifetime = backend.token_lifetime
    if wanted.expires_in_days is not None:
        lifetime = min(lifetime, timedelta(days=wanted.expires_in_days))
    issued = issue_new_token(backend.service, actor, employee_id, wanted.name, lifetime)
    backend.runner.wait_until(issued.position)
    response.headers["Cache-Control"] = "no-store"
    return IssuedToken(employee_id=employee_id, **issued.__dict__)


@router.delete("/tokens/{token_id}", responses=WRITE)
def revoke_token(token_id: RecordId, backend: BackendDep, write: Write) -> WriteResult:
    """Revoke one's own token, or, as an administrator, anyone's; it stops working at once."""
    with backend.views.reading() as cursor:
        holder = token_holder(cursor, token_id)
    if holder is None:
        raise NotFound(f"token {token_id} does not exist")
    return write.settled(RevokeToken(token_id=token_id), holder)


@router.put("/employees/{employee_id}/role", responses=WRITE)
def change_employee_role(employee_id: RecordId, command: ChangeRole, write: Write) -> WriteResult:
    return write.settled(command, employee_id)


@router.post("/employees/{employee_id}/deactivation", responses=WRITE)
def deactivate_employee(employee_id: RecordId, command: DeactivateEmployee, write: Write) -> WriteResult:
    return write.settled(command, employee_id)


@router.post("/employees/{employee_id}/reactivation", responses=WRITE)
def reactivate_employee(employee_id: RecordId, command: ReactivateEmployee, write: Write) -> WriteResult:
    return write.settled(command, employee_id)
