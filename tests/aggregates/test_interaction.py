from datetime import UTC, datetime

import pytest

from aggregates.counterparty import Admission
from aggregates.errors import InvalidValue, RuleViolated
from aggregates.interaction import Direction, Interaction, InteractionKind
from aggregates.stamp import Stamp

WHEN = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
STAMP = Stamp(actor="ivanov", occurred_at=WHEN, command_id="c-1", correlation_id="c-1")


def log(admission=Admission.ACTIVE, kind=InteractionKind.CALL, direction=Direction.OUTGOING, **details):
    return Interaction.log(
        STAMP,
        admission=admission,
        counterparty_id="cp-1",
        contact_ids=["ct-1"],
        kind=kind,
        direction=direction,
        subject="Ставка на контейнер",
        details=details,
    )


@pytest.mark.parametrize("admission", [Admission.FORBIDDEN, Admission.TEMPORARILY_FORBIDDEN])
def test_a_barred_counterparty_is_not_called_met_or_served(admission) -> None:
    with pytest.raises(RuleViolated, match="only incoming"):
        log(admission)
    with pytest.raises(RuleViolated):
        log(admission, kind=InteractionKind.MEETING, direction=None)


@pytest.mark.parametrize("kind", [InteractionKind.CALL, InteractionKind.EMAIL, InteractionKind.MESSAGE])
def test_what_a_barred_counterparty_sends_us_is_still_recorded(kind) -> None:
    assert log(Admission.FORBIDDEN, kind=kind, direction=Direction.INCOMING).kind == kind


def test_direction_belongs_to_calls_emails_and_messages_only() -> None:
    with pytest.raises(InvalidValue):
        log(kind=InteractionKind.CALL, direction=None)
    with pytest.raises(InvalidValue):
        log(kind=InteractionKind.MEETING, direction=Direction.INCOMING)


def test_a_call_keeps_its_number_in_normal_form_and_refuses_negative_durations() -> None:
    assert log(phone="8 (495) 123-45-67").content["details"]["phone"] == "+74951234567"
    with pytest.raises(InvalidValue):
        log(duration_seconds=-1)


def test_a_correction_is_recorded_beside_the_original_not_over_it() -> None:
    interaction = log(duration_seconds=60)
    interaction.correct(STAMP, "Ошибся с длительностью", details={"duration_seconds": 600})
    logged, corrected = interaction.collect_events()
    assert logged.details == {"duration_seconds": 60}
    assert corrected.changes == {"details": {"duration_seconds": 600}}
    assert corrected.previous == {"details": {"duration_seconds": 60}}
    assert corrected.reason == "Ошибся с длительностью"


def test_a_correction_needs_a_reason_and_a_change() -> None:
    interaction = log()
    with pytest.raises(InvalidValue):
        interaction.correct(STAMP, " ", subject="Другое")
    with pytest.raises(RuleViolated):
        interaction.correct(STAMP, "Причина", subject="Ставка на контейнер")
