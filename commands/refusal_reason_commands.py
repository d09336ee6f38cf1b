"""Managing the list of reasons a client may refuse for (FEATURES C2)."""

from typing import Annotated

from pydantic import StringConstraints

from aggregates.errors import InvalidValue, NotFound
from aggregates.refusal_reasons import REFUSAL_REASONS_ID, RefusalReasons
from aggregates.scope import Actor
from aggregates.stamp import Stamp
from commands.catalogue_commands import check_may_configure_sales
from commands.command import Command, Name
from commands.service import Outcome, WriteService
from event_store.store import EventStore

ReasonCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]


class AddRefusalReason(Command):
    code: ReasonCode
    label: Name


class RetireRefusalReason(Command):
    pass


def refusal_reasons(store: EventStore) -> RefusalReasons | None:
    try:
        return store.get(REFUSAL_REASONS_ID, RefusalReasons)
    except NotFound:
        return None


def known_reasons(store: EventStore, code: str) -> RefusalReasons:
    """The list, once it is known to hold ``code``."""
    reasons = refusal_reasons(store)
    if reasons is None:
        raise InvalidValue("reason_code", "no refusal reasons are defined yet")
    reasons.check_known(code)
    return reasons


def add_refusal_reason(service: WriteService, actor: Actor, command: AddRefusalReason) -> Outcome:
    check_may_configure_sales(actor)

    def decide(stamp: Stamp) -> list[RefusalReasons]:
        # The first reason ever added starts the list; two such first adds race on its id.
        reasons = refusal_reasons(service.store) or RefusalReasons.start(stamp)
        reasons.add(stamp, command.code, command.label)
        return [reasons]

    return service.run(actor, command, decide)


def retire_refusal_reason(
    service: WriteService, actor: Actor, code: str, command: RetireRefusalReason
) -> Outcome:
    check_may_configure_sales(actor)

    def decide(stamp: Stamp) -> list[RefusalReasons]:
        reasons = known_reasons(service.store, code)
        reasons.retire(stamp, code)
        return [reasons]

    return service.run(actor, command, decide)
