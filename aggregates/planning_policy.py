"""Who may set the company's sales plans: administrators always, and any role the company
names besides (a head of sales, say). Kept as events on one well-known record, so a change
of policy is itself on record with who made it and why."""

from uuid import NAMESPACE_URL, uuid5

from eventsourcing.domain import Aggregate

from aggregates.errors import AccessDenied, InvalidValue, RuleViolated
from aggregates.role import Role
from aggregates.scope import Actor
from aggregates.stamp import Fact, Stamp

POLICY_ID = uuid5(NAMESPACE_URL, "letopis:planning-policy")


class PlanningPolicy(Aggregate):
    class PlanSettersNamed(Aggregate.Created, Fact):
        roles: list[str]
        reason: str

        def apply(self, aggregate: "PlanningPolicy") -> None:
            aggregate.roles = frozenset(Role(role) for role in self.roles)

    class PlanSettersRenamed(Fact):
        roles: list[str]
        previous_roles: list[str]
        reason: str

        def apply(self, aggregate: "PlanningPolicy") -> None:
            aggregate.roles = frozenset(Role(role) for role in self.roles)

    def __init__(self) -> None:
        self.roles: frozenset[Role] = frozenset()

    @classmethod
    def name_setters(cls, stamp: Stamp, roles: list[Role], reason: str) -> "PlanningPolicy":
        return cls._create(
            cls.PlanSettersNamed, id=POLICY_ID, roles=_checked(roles), reason=_why(reason), **stamp.fields()
        )

    def rename_setters(self, stamp: Stamp, roles: list[Role], reason: str) -> None:
        checked = _checked(roles)
        if frozenset(Role(role) for role in checked) == self.roles:
            raise RuleViolated("these roles already set plans")
        self.trigger_event(
            self.PlanSettersRenamed,
            roles=checked,
            previous_roles=sorted(role.value for role in self.roles),
            reason=_why(reason),
            **stamp.fields(),
        )


def _checked(roles: list[Role]) -> list[str]:
    if Role.AUDITOR in roles:
        raise InvalidValue("roles", "auditors read; they do not set plans")
    return sorted({role.value for role in roles} - {Role.ADMIN.value})


def _why(reason: str) -> str:
    if not reason.strip():
        raise InvalidValue("reason", "say why the policy changes")
    return reason.strip()


def check_may_set_plans(actor: Actor, policy: PlanningPolicy | None) -> None:
    """Administrators set plans; so does any role the policy names."""
    if actor.role == Role.ADMIN or (policy is not None and actor.role in policy.roles):
        return
    raise AccessDenied("only an administrator, or a role the company names, sets sales plans")
