"""The founding date on the counterparty card: optional, a day, changed like the rest of the
profile; cards registered before it existed read as having none."""

from datetime import UTC, date, datetime
from typing import Any, cast

import pytest

from aggregates.counterparty import Counterparty
from aggregates.errors import InvalidValue
from aggregates.stamp import Stamp

WHEN = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def stamp() -> Stamp:
    return Stamp(actor="ivanov", occurred_at=WHEN, command_id="c-1", correlation_id="c-1")


def test_a_card_keeps_its_founding_date_as_a_day_and_a_change_moves_or_clears_it() -> None:
    card = Counterparty.register(stamp(), manager_id="m-1", name="Завод", founding_date=date(2000, 2, 29))
    registered: Any = card.collect_events()[0]
    assert registered.founding_date == card.profile["founding_date"] == "2000-02-29"
    card.change_profile(stamp(), founding_date=date(1991, 12, 31))
    card.change_profile(stamp(), founding_date=None)
    moved, cleared = cast(list[Any], card.collect_events())
    assert moved.changes == {"founding_date": "1991-12-31"}
    assert cleared.changes == {"founding_date": None}
    assert Counterparty.register(stamp(), manager_id="m-1", name="Без даты").profile["founding_date"] is None


def test_a_card_registered_before_founding_dates_reads_as_having_none() -> None:
    state: dict[str, Any] = {"name": "Старый завод", "manager_id": "m-1"}
    Counterparty.Registered.upcast_v1_v2(state)
    assert state["founding_date"] is None


@pytest.mark.parametrize("bad", ["2021-02-29", "вчера", "1991-06-01\x00"])
def test_a_founding_date_that_is_no_day_is_refused(bad: str) -> None:
    with pytest.raises(InvalidValue, match="is not a day"):
        Counterparty.register(stamp(), manager_id="m-1", name="Завод", founding_date=bad)
