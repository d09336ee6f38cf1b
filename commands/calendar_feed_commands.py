"""Calendar feeds (FEATURES K9): an employee issues secret feed addresses for their calendar
clients and revokes them."""

from dataclasses import dataclass

from aggregates.calendar_feed import CalendarFeed
from aggregates.employee import token_digest
from aggregates.errors import AccessDenied
from aggregates.scope import Actor
from commands.command import Change, Command
from commands.context import Context
from commands.employee_commands import TokenDigest, TokenName, new_secret
from commands.fields import EntityId, Reason
from commands.handling import Handlers
from commands.scope import administration_guard
from commands.service import WriteService

handlers = Handlers()


class IssueCalendarFeed(Command):
    """Record a new feed address of one's own calendar; only its token's digest is stored."""

    owner_id: EntityId
    name: TokenName = "calendar"
    token_digest: TokenDigest


class RevokeCalendarFeed(Change):
    """Revoke a feed address (one's own, or as an administrator anyone's): it answers 404
    from then on."""

    reason: Reason = "revoked"


def _own_calendar(ctx: Context, command: IssueCalendarFeed) -> None:
    """Every employee may subscribe to their own calendar, and only to it: whoever holds the
    address reads it, so nobody is given an address to another's calendar."""
    if command.owner_id != ctx.actor.employee_id:
        raise AccessDenied("one subscribes only to one's own calendar")


def _owner_or_admin(ctx: Context, feed: CalendarFeed, _command: object) -> None:
    if feed.owner_id != ctx.actor.employee_id:
        administration_guard(ctx)


@handlers.handles(IssueCalendarFeed, "calendar_feed.issue", CalendarFeed.Issued, authorize=_own_calendar)
def issue_calendar_feed(ctx: Context, command: IssueCalendarFeed) -> list[CalendarFeed]:
    return [
        CalendarFeed.issue(
            ctx.stamp, owner_id=command.owner_id, name=command.name, token_digest=command.token_digest
        )
    ]


@handlers.changes(
    CalendarFeed, RevokeCalendarFeed, "calendar_feed.revoke", CalendarFeed.Revoked, authorize=_owner_or_admin
)
def revoke_calendar_feed(ctx: Context, feed: CalendarFeed, command: RevokeCalendarFeed) -> None:
    feed.revoke(ctx.stamp, command.reason)


@dataclass(frozen=True)
class NewFeed:
    """A feed as its owner sees it, once: the token is part of the address and never stored."""

    feed_id: str
    name: str
    token: str
    position: int


def issue_new_feed(service: WriteService, actor: Actor, owner_id: str, name: str) -> NewFeed:
    secret = new_secret("lf_")
    command = IssueCalendarFeed(owner_id=owner_id, name=name, token_digest=token_digest(secret))
    outcome = service.run(actor, command)
    return NewFeed(outcome.id, command.name, secret, outcome.position)
