"""The bonus rule book: versions never overlap, a later one supersedes from its month, and only
administrators or the role the company names manage it."""

from datetime import UTC, date, datetime

import pytest

from aggregates.bonus_rule_book import BonusRuleBook, version_in_force
from aggregates.errors import AccessDenied, InvalidValue, RuleViolated
from aggregates.role import Role
from aggregates.scope import Actor
from aggregates.stamp import Stamp

STAMP = Stamp("admin", datetime(2026, 1, 10, 9, tzinfo=UTC), "c", "c")
FLAT = {"percent": "3"}


def book_with(*spans: tuple[date, date | None]) -> BonusRuleBook:
    book = BonusRuleBook.open(STAMP)
    for effective_from, effective_until in spans:
        book.adopt(
            STAMP, effective_from=effective_from, effective_until=effective_until, rules=FLAT, reason="r"
        )
    return book


def test_each_month_is_under_the_latest_version_that_covers_it() -> None:
    book = book_with(
        (date(2025, 1, 1), None), (date(2025, 7, 1), date(2025, 12, 31)), (date(2026, 3, 1), None)
    )
    found = [version_in_force(book.versions, date(2025, m, 1)).number for m in (1, 6, 7, 12)]
    assert found == [1, 1, 2, 2]
    with pytest.raises(RuleViolated, match="no bonus rule version is in force on 2026-01-01"):
        version_in_force(book.versions, date(2026, 1, 1))
    assert version_in_force(book.versions, date(2026, 3, 1)).number == 3


@pytest.mark.parametrize(
    ("effective_from", "effective_until"),
    [(date(2025, 1, 1), None), (date(2024, 6, 1), None), (date(2025, 6, 1), None)],
)
def test_a_version_that_would_overlap_one_adopted_is_refused(effective_from, effective_until) -> None:
    book = book_with((date(2025, 1, 1), None), (date(2025, 3, 1), date(2025, 8, 31)))
    with pytest.raises(RuleViolated, match="would overlap"):
        book.adopt(
            STAMP, effective_from=effective_from, effective_until=effective_until, rules=FLAT, reason="r"
        )
    assert len(book.versions) == 2


@pytest.mark.parametrize(
    ("effective_from", "effective_until", "field"),
    [
        (date(2026, 2, 2), None, "effective_from"),
        (date(2026, 2, 1), date(2026, 2, 27), "effective_until"),
        (date(2026, 2, 1), date(2026, 1, 31), "effective_until"),
    ],
)
def test_versions_run_in_whole_months(effective_from, effective_until, field) -> None:
    with pytest.raises(InvalidValue) as refused:
        book_with((effective_from, effective_until))
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("rules", "field", "message"),
    [
        ({"percent": "101"}, "rules.percent", "0 to 100"),
        (
            {"tiers": {"tiers": [{"from_attainment": "10", "percent": "1"}]}},
            "rules.tiers.tiers.0",
            "starts at 0",
        ),
        ({"tiers": {"method": "steps", "tiers": []}}, "rules.tiers.method", "whole"),
        (
            {"team_shares": [{"name": "A", "percent": "1", "members": {"x": "50"}}]},
            "rules.team_shares.0",
            "not 100",
        ),
        ({"cap": {"amount": "0"}}, "rules.cap.amount", "greater than zero"),
    ],
)
def test_a_rule_that_cannot_be_applied_is_refused_where_it_is(rules, field, message) -> None:
    book = BonusRuleBook.open(STAMP)
    with pytest.raises(InvalidValue, match=message) as refused:
        book.adopt(STAMP, effective_from=date(2026, 1, 1), effective_until=None, rules=rules, reason="r")
    assert refused.value.field.startswith(field)
    assert book.versions == []


def actor(role: Role) -> Actor:
    return Actor("e", "Сотрудник", role, None, "Продажи")


def test_administrators_and_the_named_role_manage_the_rules() -> None:
    book = BonusRuleBook.open(STAMP)
    book.check_may_manage(actor(Role.ADMIN))
    with pytest.raises(AccessDenied):
        book.check_may_manage(actor(Role.HEAD_OF_SALES))
    book.name_managing_role(STAMP, Role.HEAD_OF_SALES, "Доверяем")
    book.check_may_manage(actor(Role.HEAD_OF_SALES))
    with pytest.raises(InvalidValue, match="auditors read"):
        book.name_managing_role(STAMP, Role.AUDITOR, "Проверяющие")
