"""Bonus statements recomputed from the log up to a position (FEATURES F2, K3): never from the
views, so a new rule version needs no migration, and the same position and version give the
same statement to the kopeck however many events came later.

A statement is per employee and month; a year is its twelve months. A what-if computes the
same months under a candidate rule set beside the rules in force, and writes nothing."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from aggregates.bonus_rule_book import version_in_force, version_numbered
from aggregates.bonus_rule_set import RuleSet
from aggregates.errors import InvalidValue
from aggregates.period import Grain, Period
from letopis.garbage_collector import collector_paused
from projections.reading import EventSource, Progress
from replay.bonus_facts import BONUS_TOPICS, REPORTING_CURRENCY, BonusFacts, MissingRate, UsedRate
from replay.bonus_rules import Line, MonthlyBonuses, Rules, RulesFor, kopecks
from replay.events_up_to import checked_position, events_up_to, happened_by


@dataclass(frozen=True)
class Replayed:
    facts: BonusFacts
    position: int
    events: int


def replay_bonus_facts(
    source: EventSource,
    position: int | None = None,
    progress: Progress | None = None,
    as_of: datetime | None = None,
) -> Replayed:
    """The facts bonuses are computed from, as recorded up to the position (the head when
    None), less what happened after ``as_of`` in business time."""
    stop = checked_position(source, position)
    facts = BonusFacts()
    read = 0
    with collector_paused():
        for recorded in events_up_to(source, stop, BONUS_TOPICS, progress):
            if as_of is None or happened_by(recorded, as_of):
                facts.apply(recorded.event)
                read += 1
    if as_of is not None and read == 0:
        raise InvalidValue("as_of", f"{as_of.isoformat()} is before the first event bonuses count", "query")
    return Replayed(facts, stop, read)


@dataclass(frozen=True)
class Statement:
    employee_id: str
    period: str
    rules_version: int | None
    lines: list[Line]
    totals: dict[str, Decimal]
    converted: Decimal | None
    """The total in roubles at the rates of the month's last day; None when a rate is missing."""
    rates: list[UsedRate]
    missing_rates: list[str]


def months_of(period: Period) -> list[Period]:
    if period.grain == Grain.QUARTER:
        raise InvalidValue("period", "bonuses are computed for a month (2026-10) or a year (2026)", "query")
    return period.months()


def rules_in_force(facts: BonusFacts, version: int | None, location: str = "query") -> RulesFor:
    """The version named for every month, or each month's version in force."""
    if version is not None:
        chosen = version_numbered(facts.versions, version, location)
        return lambda _month: Rules(chosen.rule_set, chosen.number)

    def in_force(month: Period) -> Rules:
        found = version_in_force(facts.versions, month.first_day)
        return Rules(found.rule_set, found.number)

    return in_force


def candidate_rules(rule_set: RuleSet) -> RulesFor:
    return lambda _month: Rules(rule_set, None)


def _statement(
    facts: BonusFacts, employee_id: str, month: Period, version: int | None, lines: list[Line]
) -> Statement:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        totals[line.currency] += line.amount
    rates, missing = [], []
    converted: Decimal | None = Decimal(0)
    for currency, amount in sorted(totals.items()):
        try:
            rate = facts.rates.rate_on(currency, month.last_day)
        except MissingRate as absent:
            missing.append(absent.message)
            converted = None
            continue
        if currency != REPORTING_CURRENCY:
            rates.append(rate)
        if converted is not None:
            converted += kopecks(amount * rate.rub_per_unit)
    return Statement(employee_id, month.key, version, lines, dict(totals), converted, rates, missing)


def statements(facts: BonusFacts, period: Period, rules_for: RulesFor) -> list[Statement]:
    """Every employee's statement for each month of the period, month by month."""
    bonuses = MonthlyBonuses(facts, rules_for)
    found = []
    for month in months_of(period):
        version = rules_for(month).version
        for employee_id, lines in sorted(bonuses.lines(month).items()):
            found.append(_statement(facts, employee_id, month, version, lines))
    return found


@dataclass(frozen=True)
class Comparison:
    employee_id: str
    currency: str
    in_force: Decimal
    candidate: Decimal

    @property
    def difference(self) -> Decimal:
        return self.candidate - self.in_force


def what_if(facts: BonusFacts, period: Period, candidate: RuleSet) -> list[Comparison]:
    """Per employee and currency, the period's bonus under the rules in force and under the
    candidate."""
    sums: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    sides: list[Callable[[Period], Rules]] = [rules_in_force(facts, None), candidate_rules(candidate)]
    for side, rules_for in enumerate(sides):
        for statement in statements(facts, period, rules_for):
            for currency, amount in statement.totals.items():
                sums[(statement.employee_id, currency)][side] += amount
    return [
        Comparison(employee_id, currency, old, new)
        for (employee_id, currency), (old, new) in sorted(sums.items())
    ]
