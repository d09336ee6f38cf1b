"""Merging two cards in the domain: who wins a conflict, and what a split gives back."""

from datetime import UTC, datetime

import pytest

from aggregates.counterparty import Counterparty
from aggregates.counterparty_merge import merged_profile
from aggregates.errors import InvalidValue, RuleViolated
from aggregates.stamp import Stamp

STAMP = Stamp("manager", datetime(2026, 3, 2, 9, tzinfo=UTC), "command", "correlation")


def _card(**profile) -> Counterparty:
    return Counterparty.register(STAMP, manager_id="manager", **profile)


def test_lists_are_united_and_the_survivor_wins_unless_the_duplicate_is_preferred() -> None:
    survivor = {
        "name": "ООО «Вега»",
        "region": None,
        "industry": "Логистика",
        "phones": ["+1"],
        "attributes": {"a": "1"},
        "classifiers": {"k": ["x"]},
    }
    duplicate = {
        "name": "Вега",
        "region": "Самара",
        "industry": "Торговля",
        "phones": ["+2", "+1"],
        "attributes": {"a": "2", "b": "3"},
        "classifiers": {"k": ["y"], "m": ["z"]},
    }
    merged = merged_profile(survivor, duplicate, [])
    assert (merged["name"], merged["region"], merged["industry"]) == ("ООО «Вега»", "Самара", "Логистика")
    assert merged["phones"] == ["+1", "+2"]
    assert merged["attributes"] == {"a": "1", "b": "3"}
    assert merged["classifiers"] == {"k": ["x", "y"], "m": ["z"]}
    preferred = merged_profile(survivor, duplicate, ["industry", "attributes"])
    assert preferred["industry"] == "Торговля"
    assert preferred["attributes"] == {"a": "2", "b": "3"}


def test_a_split_gives_back_what_the_merge_changed_but_keeps_later_edits() -> None:
    survivor, duplicate = _card(name="ООО «Вега»", phones=["+74950000001"]), _card(name="Вега", region="Уфа")
    survivor.absorb(STAMP, duplicate, "Одна компания", [])
    assert (survivor.profile["region"], duplicate.merged_into) == ("Уфа", str(survivor.id))
    survivor.change_profile(STAMP, phones=["+74950000009"])
    survivor.release(STAMP, duplicate, "Разные")
    assert survivor.profile["region"] is None
    assert survivor.profile["phones"] == ["+74950000009"]
    assert duplicate.merged_into is None
    assert survivor.absorbed == {}


def test_refused_merges() -> None:
    survivor, duplicate, third = _card(name="А"), _card(name="Б"), _card(name="В")
    with pytest.raises(InvalidValue, match="into itself"):
        survivor.absorb(STAMP, survivor, "Дубль", [])
    with pytest.raises(InvalidValue, match="reason"):
        survivor.absorb(STAMP, duplicate, "  ", [])
    with pytest.raises(InvalidValue) as refused:
        survivor.absorb(STAMP, duplicate, "Дубль", ["manager_id"])
    assert refused.value.field == "prefer_duplicate"
    survivor.absorb(STAMP, duplicate, "Дубль", [])
    with pytest.raises(RuleViolated, match="already merged"):
        third.absorb(STAMP, duplicate, "Дубль", [])
    with pytest.raises(RuleViolated, match="itself merged"):
        duplicate.absorb(STAMP, third, "Дубль", [])
    with pytest.raises(RuleViolated, match="cards merged into it"):
        third.absorb(STAMP, survivor, "Дубль", [])
    with pytest.raises(RuleViolated, match="not merged"):
        survivor.release(STAMP, third, "Ошибка")
