"""/employees: who works here; administrators hire and issue tokens."""

from fastapi import APIRouter, Response

from aggregates.scope import Actor, check_is_admin
from commands.employee_commands import HireEmployee, hire_employee
from projections.employee_directory import list_employees
from read_api.deps import BackendDep, CurrentActor, IdempotencyKey, ReadAfter, keyed, written
from read_api.schemas import Employee, IssuedToken, WriteResult, problems

router = APIRouter(prefix="/employees", tags=["employees"], responses=problems(400, 403, 404, 409, 503))


def _employee(actor: Actor) -> Employee:
    return Employee(
        id=actor.employee_id,
        full_name=actor.full_name,
        role=actor.role.value,
        team=actor.team,
        department=actor.department,
    )


@router.get("/me", response_model=Employee)
def me(actor: CurrentActor) -> Employee:
    return _employee(actor)


@router.get("", response_model=list[Employee], dependencies=[ReadAfter])
def directory(backend: BackendDep, actor: CurrentActor) -> list[Employee]:
    with backend.views.reading() as cursor:
        return [_employee(employee) for employee in list_employees(cursor)]


@router.post("", status_code=201, response_model=WriteResult)
def hire(
    command: HireEmployee,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(hire_employee(backend.service, actor, keyed(command, key)), response)


@router.post("/{employee_id}/tokens", status_code=201, response_model=IssuedToken)
def new_token(employee_id: str, backend: BackendDep, actor: CurrentActor) -> IssuedToken:
    check_is_admin(actor)
    return IssuedToken(employee_id=employee_id, token=backend.issue_token(employee_id))
