"""Bonus rule versions, who may adopt them, and the approval of a month's statements
(FEATURES F2, K3). Only administrators, or the role the company names, adopt rules and approve."""

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from aggregates.bonus_approval import BonusApproval, approval_id, check_approvable
from aggregates.bonus_rule_book import RULE_BOOK_ID, BonusRuleBook, version_in_force, version_numbered
from aggregates.bonus_rule_set import TierMethod
from aggregates.period import parse_period
from aggregates.role import Role
from aggregates.scope import check_is_admin
from commands.catalogue_commands import Currency
from commands.command import Command
from commands.context import Context
from commands.fields import PLANNED, Amount, Day, EntityId, Line, Name, Percent, Reason, Text
from commands.handling import Handlers

handlers = Handlers()

Share = Annotated[Percent, Field(le=100)]


class TierRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    from_attainment: Annotated[Percent, Field(le=10_000)] = Field(
        description="Plan attainment, %, from which"
    )
    percent: Share


class TierTable(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: TierMethod = Field(
        TierMethod.WHOLE, description="whole: all at the tier reached; marginal: per bracket"
    )
    tiers: Annotated[list[TierRow], Field(min_length=1, max_length=20)]


class TeamShareRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    percent: Share = Field(description="Of the money every member received")
    members: Annotated[dict[EntityId, Share], Field(min_length=1, max_length=100)] = Field(
        description="Employee id → percentage of the team's share; they add up to 100"
    )


class Cap(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Amount
    currency: Currency = "RUB"


class BonusRuleSet(BaseModel):
    """A rule set: what a version stores, and what a what-if sends as its candidate."""

    model_config = ConfigDict(extra="forbid")

    percent: Share = Field(Decimal(0), description="Flat percentage of money received")
    category_percents: Annotated[dict[Name, Share], Field(max_length=200)] = Field(
        default_factory=dict, description="Catalogue category → percentage, for what paid for its items"
    )
    tiers: TierTable | None = Field(
        None, description="Percentages by plan attainment, instead of the flat one"
    )
    team_shares: Annotated[list[TeamShareRule], Field(max_length=50)] = Field(default_factory=list)
    cap: Cap | None = Field(None, description="The most a manager earns in a month")
    clawback: bool = Field(True, description="A refund takes back what the refunded money earned")


class AdoptBonusRules(Command):
    """Adopt a new version of the bonus rules, in force from the first day of a month."""

    effective_from: Annotated[Day, PLANNED]
    effective_until: Annotated[Day, PLANNED] | None = Field(
        None, description="The last day of a month, or open"
    )
    rules: BonusRuleSet
    reason: Reason


class NameBonusRole(Command):
    """Name the role that, besides administrators, adopts bonus rules and approves statements."""

    role: Role | None = Field(None, description="None: administrators alone")
    reason: Reason


class ApproveBonusStatements(Command):
    """Approve a month's bonus statements as computed at a log position under a rule version."""

    period: Annotated[Line, Field(description="The month, e.g. 2026-10")]
    position: Annotated[
        int, Field(ge=1, le=2**62, description="The log position the statements were read at")
    ]
    rules_version: Annotated[int, Field(ge=1, le=100_000)] | None = Field(
        None, description="By default the version in force in that month"
    )
    note: Text = ""


def _book(ctx: Context) -> BonusRuleBook:
    if ctx.exists(RULE_BOOK_ID):
        return ctx.load(BonusRuleBook, RULE_BOOK_ID, "rules")
    return BonusRuleBook.open(ctx.stamp)


def may_manage_bonuses(ctx: Context, _command: object = None) -> None:
    _book(ctx).check_may_manage(ctx.actor)


@handlers.handles(
    AdoptBonusRules,
    "bonus_rules.adopt",
    BonusRuleBook.Opened,
    BonusRuleBook.VersionAdopted,
    authorize=may_manage_bonuses,
)
def adopt_bonus_rules(ctx: Context, command: AdoptBonusRules) -> list[BonusRuleBook]:
    for share in command.rules.team_shares:
        for employee_id in share.members:
            ctx.employee(employee_id, "rules.team_shares")
    book = _book(ctx)
    book.adopt(
        ctx.stamp,
        effective_from=command.effective_from,
        effective_until=command.effective_until,
        rules=command.rules.model_dump(mode="json"),
        reason=command.reason,
    )
    return [book]


def _admin(ctx: Context, _command: object) -> None:
    check_is_admin(ctx.actor)


@handlers.handles(
    NameBonusRole,
    "bonus_rules.name_role",
    BonusRuleBook.Opened,
    BonusRuleBook.ManagingRoleNamed,
    authorize=_admin,
)
def name_bonus_role(ctx: Context, command: NameBonusRole) -> list[BonusRuleBook]:
    book = _book(ctx)
    book.name_managing_role(ctx.stamp, command.role, command.reason)
    return [book]


@handlers.handles(
    ApproveBonusStatements, "bonus_statement.approve", BonusApproval.Approved, authorize=may_manage_bonuses
)
def approve_bonus_statements(ctx: Context, command: ApproveBonusStatements) -> list[BonusApproval]:
    period = parse_period(command.period)
    check_approvable(period, ctx.stamp.occurred_at.date(), command.position, ctx.store.head())
    book = _book(ctx)
    if command.rules_version is None:
        version = version_in_force(book.versions, period.first_day)
    else:
        version = version_numbered(book.versions, command.rules_version)
    return [
        BonusApproval.approve(
            ctx.stamp,
            period=period,
            rules_version=version.number,
            adopted_at=ctx.store.position_of(RULE_BOOK_ID, version.event_version),
            position=command.position,
            already_approved=ctx.exists(approval_id(period)),
            note=command.note,
        )
    ]
