"""Hiring employees and issuing their access tokens (FEATURES J1)."""

from aggregates.employee import Employee, Role
from aggregates.scope import Actor, check_is_admin
from aggregates.stamp import Stamp
from commands.command import Command, Line, Name
from commands.scope import parse_id
from commands.service import Outcome, WriteService


class HireEmployee(Command):
    full_name: Name
    role: Role
    team: Line | None = None
    department: Line | None = None


class IssueToken(Command):
    token_digest: str


def hire_employee(service: WriteService, actor: Actor, command: HireEmployee) -> Outcome:
    check_is_admin(actor)
    return service.run(
        actor,
        command,
        lambda stamp: [
            Employee.hire(
                stamp,
                full_name=command.full_name,
                role=command.role,
                team=command.team,
                department=command.department,
            )
        ],
    )


def issue_token(service: WriteService, actor: Actor, employee_id: str, command: IssueToken) -> Outcome:
    check_is_admin(actor)

    def decide(stamp: Stamp) -> list[Employee]:
        employee = service.store.get(parse_id(employee_id, "employee_id"), Employee)
        employee.issue_token(stamp, command.token_digest)
        return [employee]

    return service.run(actor, command, decide)
