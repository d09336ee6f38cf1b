"""A bonus rule set (seed 000, FEATURES F2): how much of the money received under a manager's
contracts becomes the manager's bonus. The shapes a company combines:

- a flat percentage of the money received (payments, not bookings, as the seed asks);
- a percentage per catalogue category, for the part of a payment that paid for such items;
- tiers by plan attainment, either the whole amount at the tier reached or marginal, per
  bracket; the tier's percentage replaces the flat one;
- team shares: a percentage of everything the team's members received, split among them by
  given percentages;
- a cap per manager and period;
- clawback: a refund takes back the part of the bonus the refunded money earned.

A rule set travels as plain data (what an event stores and a request sends); ``rule_set``
reads and checks it, so a stored version is known to be sound.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise
from typing import Any

from aggregates.errors import InvalidValue
from aggregates.money import Money, check_amount, check_currency

HUNDRED = Decimal(100)


class TierMethod(StrEnum):
    WHOLE = "whole"
    """Every rouble of the period earns the percentage of the tier the period reached."""
    MARGINAL = "marginal"
    """Each bracket of attainment earns its own percentage, as income tax brackets do."""


@dataclass(frozen=True)
class Tier:
    from_attainment: Decimal
    """Plan attainment, in percent, from which this tier's percentage applies."""
    percent: Decimal


@dataclass(frozen=True)
class Tiers:
    method: TierMethod
    tiers: tuple[Tier, ...]

    def reached(self, attainment: Decimal) -> Tier:
        return [tier for tier in self.tiers if tier.from_attainment <= attainment][-1]


@dataclass(frozen=True)
class TeamShare:
    name: str
    percent: Decimal
    """Of the money every member received."""
    members: Mapping[str, Decimal]
    """Employee id → their percentage of the team's share; they add up to 100."""


@dataclass(frozen=True)
class RuleSet:
    percent: Decimal = Decimal(0)
    category_percents: Mapping[str, Decimal] = field(default_factory=dict)
    tiers: Tiers | None = None
    team_shares: tuple[TeamShare, ...] = ()
    cap: Money | None = None
    clawback: bool = True


def _percent(value: Any, where: str) -> Decimal:
    percent = check_amount(value, where)
    if not Decimal(0) <= percent <= HUNDRED:
        raise InvalidValue(where, f"a percentage is 0 to 100, not {percent}")
    return percent


def _tiers(data: Mapping[str, Any]) -> Tiers:
    try:
        method = TierMethod(data.get("method", TierMethod.WHOLE))
    except ValueError:
        raise InvalidValue("rules.tiers.method", "tiers are paid 'whole' or 'marginal'") from None
    rows = data.get("tiers") or []
    if not rows:
        raise InvalidValue("rules.tiers.tiers", "a tier table needs at least one tier")
    tiers = tuple(
        Tier(
            check_amount(row["from_attainment"], f"rules.tiers.tiers.{n}.from_attainment"),
            _percent(row["percent"], f"rules.tiers.tiers.{n}.percent"),
        )
        for n, row in enumerate(rows)
    )
    if tiers[0].from_attainment != 0:
        raise InvalidValue("rules.tiers.tiers.0.from_attainment", "the first tier starts at 0 % attainment")
    for n, (lower, upper) in enumerate(pairwise(tiers), start=1):
        if upper.from_attainment <= lower.from_attainment:
            raise InvalidValue(
                f"rules.tiers.tiers.{n}.from_attainment",
                f"tiers must increase: {upper.from_attainment} % follows {lower.from_attainment} %",
            )
    return Tiers(method, tiers)


def _team_share(data: Mapping[str, Any], n: int) -> TeamShare:
    where = f"rules.team_shares.{n}"
    name = str(data.get("name") or "").strip()
    if not name:
        raise InvalidValue(f"{where}.name", "a team share needs a name")
    members = {
        str(employee_id): _percent(share, f"{where}.members")
        for employee_id, share in (data.get("members") or {}).items()
    }
    if sum(members.values(), Decimal(0)) != HUNDRED:
        raise InvalidValue(
            f"{where}.members",
            f"the members' shares of {name!r} add up to {sum(members.values(), Decimal(0))} %, not 100 %",
        )
    return TeamShare(name, _percent(data.get("percent", 0), f"{where}.percent"), members)


def rule_set(data: Mapping[str, Any]) -> RuleSet:
    """The rule set the data describes; any rule that cannot be applied is an ``InvalidValue``
    naming where it is."""
    categories = {
        str(category): _percent(percent, "rules.category_percents")
        for category, percent in (data.get("category_percents") or {}).items()
    }
    cap = data.get("cap")
    return RuleSet(
        percent=_percent(data.get("percent", 0), "rules.percent"),
        category_percents=categories,
        tiers=None if not data.get("tiers") else _tiers(data["tiers"]),
        team_shares=tuple(_team_share(share, n) for n, share in enumerate(data.get("team_shares") or [])),
        cap=None
        if not cap
        else Money(
            check_amount(cap["amount"], "rules.cap.amount"),
            check_currency(cap.get("currency", "RUB"), "rules.cap.currency"),
        ).positive("rules.cap.amount"),
        clawback=bool(data.get("clawback", True)),
    )
