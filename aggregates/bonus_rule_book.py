"""The company's bonus rules as effective-dated, immutable versions (FEATURES F2, K3).

A version is never edited: a new one supersedes it from a later month. Versions take
effect on the first day of a month, so every month has exactly one rule set, and two
versions never cover the same day. The book also records which role, besides the
administrators, the company lets adopt versions and approve statements.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from eventsourcing.domain import Aggregate

from aggregates.bonus_rule_set import RuleSet, rule_set
from aggregates.errors import AccessDenied, InvalidValue, RuleViolated
from aggregates.role import Role
from aggregates.scope import Actor
from aggregates.stamp import Fact, Stamp

RULE_BOOK_ID = uuid5(NAMESPACE_URL, "letopis:bonus-rule-book")


@dataclass(frozen=True)
class RuleVersion:
    number: int
    effective_from: date
    effective_until: date | None
    rules: dict[str, Any]
    reason: str
    event_version: int
    """The rule book's version its adoption was recorded as: where the log has it."""

    def covers(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_until is None or day <= self.effective_until)

    @property
    def rule_set(self) -> RuleSet:
        return rule_set(self.rules)


def _month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


class BonusRuleBook(Aggregate):
    class Opened(Aggregate.Created, Fact):
        pass

    class VersionAdopted(Fact):
        number: int
        effective_from: date
        effective_until: date | None
        rules: dict[str, Any]
        reason: str

        def apply(self, aggregate: "BonusRuleBook") -> None:
            aggregate.versions.append(
                RuleVersion(
                    self.number,
                    self.effective_from,
                    self.effective_until,
                    self.rules,
                    self.reason,
                    self.originator_version,
                )
            )

    class ManagingRoleNamed(Fact):
        role: str | None
        reason: str

        def apply(self, aggregate: "BonusRuleBook") -> None:
            aggregate.managing_role = None if self.role is None else Role(self.role)

    def __init__(self) -> None:
        self.versions: list[RuleVersion] = []
        self.managing_role: Role | None = None

    @classmethod
    def open(cls, stamp: Stamp) -> "BonusRuleBook":
        return cls._create(cls.Opened, id=RULE_BOOK_ID, **stamp.fields())

    def adopt(
        self,
        stamp: Stamp,
        *,
        effective_from: date,
        effective_until: date | None,
        rules: dict[str, Any],
        reason: str,
    ) -> RuleVersion:
        if effective_from.day != 1:
            raise InvalidValue("effective_from", "a rule version takes effect on the first day of a month")
        if effective_until is not None:
            if effective_until < effective_from:
                raise InvalidValue(
                    "effective_until", f"the version would end before it starts ({effective_from})"
                )
            if effective_until != _month_end(effective_until):
                raise InvalidValue("effective_until", "a rule version ends on the last day of a month")
        if not reason.strip():
            raise InvalidValue("reason", "say why the rules change")
        rule_set(rules)
        for version in self.versions:
            explicit_end_reaches = (
                version.effective_until is not None and version.effective_until >= effective_from
            )
            if version.effective_from >= effective_from or explicit_end_reaches:
                raise RuleViolated(
                    f"version {version.number} is in force from {version.effective_from}"
                    f"{'' if version.effective_until is None else f' to {version.effective_until}'}: "
                    f"a version from {effective_from} would overlap it; a new version supersedes "
                    "the rules from a later month, it never rewrites them"
                )
        self.trigger_event(
            self.VersionAdopted,
            number=len(self.versions) + 1,
            effective_from=effective_from,
            effective_until=effective_until,
            rules=rules,
            reason=reason.strip(),
            **stamp.fields(),
        )
        return self.versions[-1]

    def name_managing_role(self, stamp: Stamp, role: Role | None, reason: str) -> None:
        """The role that may adopt versions and approve statements besides administrators
        (None: administrators alone)."""
        if role == Role.AUDITOR:
            raise InvalidValue("role", "auditors read; they do not set bonus rules")
        if not reason.strip():
            raise InvalidValue("reason", "say why")
        named = None if role in (None, Role.ADMIN) else role
        self.trigger_event(
            self.ManagingRoleNamed,
            role=None if named is None else named.value,
            reason=reason.strip(),
            **stamp.fields(),
        )

    def check_may_manage(self, actor: Actor) -> None:
        if actor.role != Role.ADMIN and actor.role != self.managing_role:
            named = f" or a {self.managing_role.value}" if self.managing_role else ""
            raise AccessDenied(f"only an administrator{named} adopts bonus rules and approves statements")


def version_in_force(versions: list[RuleVersion], day: date) -> RuleVersion:
    """The latest version begun by the day, if it has not ended: each supersedes those before
    it from its start, and a superseded version never comes back."""
    begun = [version for version in versions if version.effective_from <= day]
    if not begun or not begun[-1].covers(day):
        raise RuleViolated(f"no bonus rule version is in force on {day}")
    return begun[-1]


def version_numbered(versions: list[RuleVersion], number: int, location: str = "body") -> RuleVersion:
    if not 1 <= number <= len(versions):
        raise InvalidValue("rules_version", f"there is no bonus rule version {number}", location)
    return versions[number - 1]
