"""Who may see and change what (seed 001: each employee works within a defined scope)."""

from dataclasses import dataclass

from aggregates.employee import Role
from aggregates.errors import AccessDenied


@dataclass(frozen=True)
class Actor:
    """The authenticated employee on whose behalf a command runs."""

    employee_id: str
    full_name: str
    role: Role
    team: str | None
    department: str | None

    @property
    def reads_everything(self) -> bool:
        return self.role in (Role.AUDITOR, Role.ANALYST, Role.ADMIN)

    @property
    def may_write(self) -> bool:
        return self.role in (Role.MANAGER, Role.HEAD_OF_SALES, Role.ADMIN)


@dataclass(frozen=True)
class Responsible:
    """The employee responsible for a card, as far as scope is concerned."""

    employee_id: str
    team: str | None
    department: str | None


@dataclass(frozen=True)
class Reach:
    """Whose records an employee may see: everyone's, a department's, or their own and their
    team's. The one place scope is decided: the check in Python (``covers``) and the
    condition in a view's SQL (``projections.scope``) are both read from it."""

    everyone: bool = False
    department: str | None = None
    employee_id: str | None = None
    team: str | None = None

    def covers(self, responsible: Responsible) -> bool:
        if self.everyone:
            return True
        if self.department is not None:
            return responsible.department == self.department
        return responsible.employee_id == self.employee_id or (
            self.team is not None and responsible.team == self.team
        )


def reach_of(actor: Actor) -> Reach:
    if actor.reads_everything:
        return Reach(everyone=True)
    if actor.role == Role.HEAD_OF_SALES:
        # A head of sales without a department reaches nobody's records but their own.
        if actor.department:
            return Reach(department=actor.department)
        return Reach(employee_id=actor.employee_id)
    return Reach(employee_id=actor.employee_id, team=actor.team)


def covers(actor: Actor, responsible: Responsible) -> bool:
    return reach_of(actor).covers(responsible)


def check_may_write(actor: Actor) -> None:
    if not actor.may_write:
        raise AccessDenied(f"a {actor.role.value} reads but does not change records")


def check_may_change(actor: Actor, responsible: Responsible) -> None:
    check_may_write(actor)
    if not covers(actor, responsible):
        raise AccessDenied("this record belongs to another team's client")


def check_may_read(actor: Actor, responsible: Responsible) -> None:
    if not covers(actor, responsible):
        raise AccessDenied("this record belongs to another team's client")


def check_is_admin(actor: Actor) -> None:
    if actor.role != Role.ADMIN:
        raise AccessDenied("only an administrator manages employees")


def check_may_configure_sales(actor: Actor) -> None:
    """The catalogue and the lists sales work with are the company's, not one team's."""
    if actor.role not in (Role.ADMIN, Role.HEAD_OF_SALES):
        raise AccessDenied("only an administrator or a head of sales configures sales")
