"""Managing the list of reasons a client may refuse for (FEATURES C2)."""

from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from aggregates.errors import InvalidValue, NotFound
from aggregates.refusal_reasons import REFUSAL_REASONS_ID, RefusalReasons
from commands.command import Command
from commands.context import Context
from commands.fields import Name, single_line
from commands.handling import Handlers
from commands.scope import sales_configuration_guard

ReasonCode = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), AfterValidator(single_line)
]

handlers = Handlers()


class AddRefusalReason(Command):
    """Add a reason to the list a refusal or a lost deal names."""

    code: ReasonCode
    label: Name


class RetireRefusalReason(Command):
    """Take a reason off the list; refusals that named it keep it."""

    code: ReasonCode


def refusal_reasons(ctx: Context) -> RefusalReasons | None:
    try:
        return ctx.load(RefusalReasons, REFUSAL_REASONS_ID, "code")
    except NotFound:
        return None


def known_reasons(ctx: Context, code: str) -> RefusalReasons:
    """The list, once it is known to hold ``code``."""
    reasons = refusal_reasons(ctx)
    if reasons is None:
        raise InvalidValue("reason_code", "no refusal reasons are defined yet")
    reasons.check_known(code)
    return reasons


@handlers.handles(
    AddRefusalReason,
    "refusal_reason.add",
    RefusalReasons.Started,
    RefusalReasons.ReasonAdded,
    authorize=sales_configuration_guard,
)
def add_refusal_reason(ctx: Context, command: AddRefusalReason) -> list[RefusalReasons]:
    # The first reason ever added starts the list; two such first adds race on its id.
    reasons = refusal_reasons(ctx) or RefusalReasons.start(ctx.stamp)
    reasons.add(ctx.stamp, command.code, command.label)
    return [reasons]


@handlers.handles(
    RetireRefusalReason,
    "refusal_reason.retire",
    RefusalReasons.ReasonRetired,
    authorize=sales_configuration_guard,
)
def retire_refusal_reason(ctx: Context, command: RetireRefusalReason) -> list[RefusalReasons]:
    reasons = known_reasons(ctx, command.code)
    reasons.retire(ctx.stamp, command.code)
    return [reasons]
