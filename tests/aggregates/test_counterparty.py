from datetime import UTC, datetime
from typing import Any, cast

import pytest

from aggregates.counterparty import Admission, Counterparty
from aggregates.errors import InvalidValue, RuleViolated
from aggregates.stamp import Stamp

WHEN = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def stamp(actor: str = "ivanov") -> Stamp:
    return Stamp(actor=actor, occurred_at=WHEN, command_id="c-1", correlation_id="c-1")


def registered(**profile) -> Counterparty:
    return Counterparty.register(stamp(), manager_id="m-1", name="ООО «Ромашка»", **profile)


def test_a_new_counterparty_is_potential_and_its_card_holds_what_was_given() -> None:
    card = registered(
        tax_id="7701234560",
        phones=["8 (495) 123-45-67"],
        classifiers={"Категория": ["A"], "Регион": ["Москва", "МО"]},
    )
    assert card.admission == Admission.POTENTIAL
    assert card.profile["phones"] == ["+74951234567"]
    assert card.profile["classifiers"] == {"Категория": ["A"], "Регион": ["Москва", "МО"]}
    event: Any = card.collect_events()[0]
    assert (event.actor, event.occurred_at, event.command_id) == ("ivanov", WHEN, "c-1")


@pytest.mark.parametrize(
    ("profile", "field"),
    [({"tax_id": "12345"}, "tax_id"), ({"phones": ["not a phone"]}, "phones")],
)
def test_invalid_card_values_are_refused(profile, field) -> None:
    with pytest.raises(InvalidValue) as refused:
        registered(**profile)
    assert refused.value.field == field


def test_a_blank_name_is_refused() -> None:
    with pytest.raises(InvalidValue):
        Counterparty.register(stamp(), manager_id="m-1", name="   ")


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="wholesaler"):
        registered(kind="wholesaler")


def test_a_profile_change_records_only_what_changed_and_what_it_was() -> None:
    card = registered(region="Москва")
    card.collect_events()
    card.change_profile(stamp(), region="Казань", name="ООО «Ромашка»")
    (event,) = cast(list[Any], card.collect_events())
    assert event.changes == {"region": "Казань"}
    assert event.previous == {"region": "Москва"}


def test_a_change_that_changes_nothing_records_nothing() -> None:
    card = registered(region="Москва")
    card.collect_events()
    card.change_profile(stamp(), region="Москва")
    assert card.collect_events() == []


def test_admission_decisions_carry_a_reason_and_the_decider() -> None:
    card = registered()
    card.decide_admission(stamp("head"), Admission.ACTIVE, "Договор подписан")
    card.decide_admission(stamp("head"), Admission.FORBIDDEN, "Задолженность 90 дней")
    decided: Any = card.collect_events()[-1]
    assert (decided.admission, decided.previous_admission) == ("forbidden", "active")
    assert (decided.reason, decided.actor) == ("Задолженность 90 дней", "head")
    assert card.is_barred


@pytest.mark.parametrize(
    ("to", "reason", "error"),
    [
        (Admission.POTENTIAL, "назад", RuleViolated),
        (Admission.ACTIVE, "  ", InvalidValue),
    ],
)
def test_admission_decisions_that_make_no_sense_are_refused(to, reason, error) -> None:
    card = registered()
    with pytest.raises(error):
        card.decide_admission(stamp(), to, reason)


def test_the_same_admission_twice_is_refused() -> None:
    card = registered()
    card.decide_admission(stamp(), Admission.ACTIVE, "Договор")
    with pytest.raises(RuleViolated, match="already active"):
        card.decide_admission(stamp(), Admission.ACTIVE, "Снова")


def test_rating_is_from_zero_to_five() -> None:
    card = registered()
    card.rate(stamp(), 5)
    with pytest.raises(InvalidValue):
        card.rate(stamp(), 6)
    assert card.rating == 5


def test_business_time_must_carry_a_time_zone() -> None:
    with pytest.raises(InvalidValue):
        Stamp(actor="a", occurred_at=datetime(2026, 1, 1), command_id="c", correlation_id="c")
