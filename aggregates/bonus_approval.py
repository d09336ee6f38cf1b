"""The approval of a month's bonus statements (FEATURES F2, K5): a fact that names the rule
version and the log position they were computed at, so recomputing at that position
reproduces them to the kopeck however many events came later. A month is approved once;
each month is a stream of its own, so two approvals racing collide."""

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from aggregates.errors import InvalidValue, RuleViolated
from aggregates.period import Grain, Period
from aggregates.stamp import Fact, Stamp


def approval_id(period: Period) -> UUID:
    return uuid5(NAMESPACE_URL, f"letopis:bonus-approval:{period.key}")


def check_approvable(period: Period, today: date, position: int, head: int) -> None:
    """A month that is over, read at a position the log has reached."""
    if period.grain != Grain.MONTH:
        raise InvalidValue("period", "statements are approved month by month, e.g. 2026-10")
    if period.last_day >= today:
        raise InvalidValue(
            "period",
            f"{period.key} ends on {period.last_day}, not before today ({today}): "
            "only a month that is over can be approved",
        )
    if position > head:
        raise InvalidValue("position", f"position {position} is beyond the log's head ({head})")


class BonusApproval(Aggregate):
    class Approved(Aggregate.Created, Fact):
        period: str
        rules_version: int
        position: int
        note: str

    @classmethod
    def approve(
        cls,
        stamp: Stamp,
        *,
        period: Period,
        rules_version: int,
        adopted_at: int,
        position: int,
        already_approved: bool,
        note: str,
    ) -> "BonusApproval":
        """``adopted_at``: where the log has the rule version's adoption; statements read
        before it cannot have been computed under it."""
        if adopted_at > position:
            raise RuleViolated(
                f"rule version {rules_version} was adopted at position {adopted_at}, "
                f"after the position {position} the statements were read at"
            )
        if already_approved:
            raise RuleViolated(f"the statements of {period.key} are already approved")
        return cls._create(
            cls.Approved,
            id=approval_id(period),
            period=period.key,
            rules_version=rules_version,
            position=position,
            note=note.strip(),
            **stamp.fields(),
        )
