"""``crm users``: hire employees, issue and revoke their tokens, change roles, deactivate."""

from typing import Annotated

import typer
from rich.table import Table

from aggregates.role import Role
from letopis.cli.shared import application, console, console_operator

app = typer.Typer(help="Employees and their access tokens.", no_args_is_help=True)

EmployeeId = Annotated[str, typer.Argument(help="The employee's id")]
TokenNameOption = Annotated[
    str, typer.Option("--name", help="What the token is for; a live token of the same name is replaced")
]
Team = Annotated[str | None, typer.Option(help="Sales team (managers)")]
Department = Annotated[str | None, typer.Option(help="Department (heads of sales)")]
Reason = Annotated[str, typer.Option(help="Why, for the record")]


@app.command("create")
def create_user(
    full_name: Annotated[str, typer.Argument(help="Full name, e.g. 'Иванов Иван'")],
    role: Annotated[Role, typer.Option(help="What the employee may do")] = Role.MANAGER,
    team: Team = None,
    department: Department = None,
) -> None:
    """Hire an employee and print their bearer token (shown only once)."""
    with application() as letopis:
        employee_id, token = letopis.create_user(full_name, role, team, department)
    console.print(f"employee id: {employee_id}")
    console.print(f"token: {token}")


@app.command("token")
def new_token(employee_id: EmployeeId, name: TokenNameOption = "default") -> None:
    """Issue a token for an employee (shown only once); it expires after LETOPIS_TOKEN_LIFETIME_DAYS."""
    with application() as letopis:
        issued = letopis.issue_token(employee_id, name)
    console.print(f"token id: {issued.token_id}")
    console.print(f"token: {issued.token}")
    console.print(f"expires: {issued.expires_at:%Y-%m-%d %H:%M} UTC")


@app.command("tokens")
def list_tokens(employee_id: EmployeeId) -> None:
    """List an employee's tokens: name, when issued, when it expires or was revoked, and by whom."""
    from projections.employee_directory import tokens_of

    with application() as letopis:
        letopis.runner.catch_up()
        with letopis.views.reading() as cursor:
            tokens = tokens_of(cursor, employee_id)
    table = Table("Token id", "Name", "Issued", "Expires", "Revoked", "Issued by", title="Tokens")
    for token in tokens:
        table.add_row(
            token["token_id"],
            token["name"],
            token["issued_at"],
            token["expires_at"],
            token["revoked_at"] or "",
            token["issued_by"],
        )
    console.print(table)


@app.command("revoke")
def revoke_token(
    employee_id: EmployeeId,
    token_id: Annotated[str, typer.Argument(help="The token's id, as `crm users tokens` lists it")],
    reason: Reason = "revoked from the console",
) -> None:
    """Revoke one of an employee's tokens: it stops working at once."""
    from commands.employee_commands import RevokeToken

    with application() as letopis:
        letopis.service.run(console_operator(), RevokeToken(token_id=token_id, reason=reason), employee_id)
    console.print(f"token {token_id} revoked")


@app.command("role")
def change_role(
    employee_id: EmployeeId,
    role: Annotated[Role, typer.Option(help="The new role")],
    team: Team = None,
    department: Department = None,
) -> None:
    """Give an employee another role, team or department; it applies from their next request."""
    from commands.employee_commands import ChangeRole

    with application() as letopis:
        letopis.service.run(
            console_operator(), ChangeRole(role=role, team=team, department=department), employee_id
        )
    console.print(f"{employee_id} is now {role.value}")


@app.command("deactivate")
def deactivate(employee_id: EmployeeId, reason: Reason = "left the company") -> None:
    """Deactivate an employee: every token is revoked; what they recorded stays."""
    from commands.employee_commands import DeactivateEmployee

    with application() as letopis:
        letopis.service.run(console_operator(), DeactivateEmployee(reason=reason), employee_id)
    console.print(f"{employee_id} deactivated; their tokens no longer work")


@app.command("reactivate")
def reactivate(employee_id: EmployeeId, reason: Reason = "returned") -> None:
    """Let a deactivated employee work again (they need a new token: `crm users token`)."""
    from commands.employee_commands import ReactivateEmployee

    with application() as letopis:
        letopis.service.run(console_operator(), ReactivateEmployee(reason=reason), employee_id)
    console.print(f"{employee_id} reactivated")
