"""Planning on every store: activities through their lifecycle, tasks with time spent,
reminders, bookings and meetings; each bad input refused with nothing written."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from aggregates.errors import AccessDenied, DomainError, InvalidValue, RuleViolated
from aggregates.internal_meeting import InternalMeeting
from aggregates.planned_activity import ActivityStatus, PlannedActivity
from aggregates.resource import Resource
from aggregates.task import Task, TaskStatus
from commands.counterparty_commands import RegisterCounterparty
from commands.interaction_commands import LogInteraction
from commands.internal_meeting_commands import RecordInternalMeeting, TurnDecisionIntoTask
from commands.planned_activity_commands import (
    CancelActivity,
    HoldActivity,
    MissActivity,
    PlanActivity,
    RescheduleActivity,
)
from commands.reminder_commands import DismissReminder, SetReminder
from commands.resource_commands import BookResource, RegisterResource, RetireResource
from commands.task_commands import (
    AcceptTask,
    ApproveTask,
    AssignTask,
    CompleteTask,
    RecordHourlyRate,
    ReportTimeSpent,
    ReturnTask,
)

NOW = datetime.now(UTC).replace(microsecond=0)
TOMORROW = NOW + timedelta(days=1)


@pytest.fixture
def client(letopis, staff) -> str:
    return letopis.service.run(staff["ivanov"][0], RegisterCounterparty(name="ООО «Волга-Логистик»")).id


def plan(letopis, actor, client: str, **overrides) -> str:
    terms = {
        "kind": "meeting",
        "subject": "Встреча о ставках на 2027 год",
        "counterparty_id": client,
        "starts_at": TOMORROW,
        "duration_minutes": 90,
        "place": "Офис клиента",
    }
    return letopis.service.run(actor, PlanActivity(**{**terms, **overrides})).id


def refused(letopis, error: type[DomainError], match: str, run: Callable[[], object]) -> None:
    head = letopis.store.head()
    with pytest.raises(error, match=match):
        run()
    assert letopis.store.head() == head


def test_a_meeting_is_planned_rescheduled_and_closed_by_logging_it(letopis, staff, client) -> None:
    ivanov = staff["ivanov"][0]
    activity_id = plan(letopis, ivanov, client, participant_ids=[staff["petrova"][0].employee_id])
    for hours in (2, 3):
        letopis.service.run(
            ivanov,
            RescheduleActivity(
                starts_at=TOMORROW + timedelta(hours=hours), duration_minutes=60, reason="перенос"
            ),
            activity_id,
        )
    meeting = LogInteraction(
        counterparty_id=client,
        subject="Обсудили ставки",
        details={"kind": "meeting", "result": "Согласовали"},
        planned_activity_id=activity_id,
    )
    letopis.service.run(ivanov, meeting)
    activity = letopis.store.get(UUID(activity_id), PlannedActivity)
    assert activity.status == ActivityStatus.HELD
    assert activity.sequence == 2


def test_a_planned_activity_is_held_by_naming_its_interaction(letopis, staff, client) -> None:
    ivanov = staff["ivanov"][0]
    activity_id = plan(letopis, ivanov, client, kind="call", starts_at=NOW - timedelta(hours=2))
    call = LogInteraction(
        counterparty_id=client, subject="Звонок", details={"kind": "call", "direction": "outgoing"}
    )
    interaction_id = letopis.service.run(ivanov, call).id
    letopis.service.run(ivanov, HoldActivity(interaction_id=interaction_id), activity_id)
    assert letopis.store.get(UUID(activity_id), PlannedActivity).status == ActivityStatus.HELD


@pytest.mark.parametrize(
    ("schedule", "match"),
    [
        ({"ends_at": TOMORROW - timedelta(hours=1)}, "before it starts"),
        ({"duration_minutes": 0}, "longer than zero"),
        ({"duration_minutes": 24 * 60 + 1}, "at most 24 hours"),
    ],
)
def test_a_bad_time_is_refused(letopis, staff, client, schedule, match) -> None:
    terms = {"starts_at": TOMORROW, "ends_at": None, "duration_minutes": None, **schedule}
    refused(letopis, InvalidValue, match, lambda: plan(letopis, staff["ivanov"][0], client, **terms))


def test_an_unknown_participant_is_refused(letopis, staff, client) -> None:
    stranger = str(uuid4())
    refused(
        letopis,
        InvalidValue,
        f"no employee {stranger}",
        lambda: plan(letopis, staff["ivanov"][0], client, participant_ids=[stranger]),
    )


@pytest.mark.parametrize("close", ["hold", "cancel"])
def test_a_held_or_cancelled_activity_is_not_rescheduled(letopis, staff, client, close) -> None:
    ivanov = staff["ivanov"][0]
    activity_id = plan(letopis, ivanov, client)
    if close == "cancel":
        letopis.service.run(ivanov, CancelActivity(reason="клиент отменил"), activity_id)
    else:
        letopis.service.run(
            ivanov,
            LogInteraction(
                counterparty_id=client,
                subject="Встреча",
                details={"kind": "meeting"},
                planned_activity_id=activity_id,
            ),
        )
    later = RescheduleActivity(starts_at=TOMORROW + timedelta(days=1), duration_minutes=60, reason="перенос")
    refused(
        letopis,
        RuleViolated,
        "cannot be rescheduled",
        lambda: letopis.service.run(ivanov, later, activity_id),
    )


def test_another_teams_client_is_not_planned_for(letopis, staff, client) -> None:
    refused(letopis, AccessDenied, "another team", lambda: plan(letopis, staff["sidorov"][0], client))


def test_an_activity_is_missed_only_once_its_time_came(letopis, staff, client) -> None:
    ivanov = staff["ivanov"][0]
    activity_id = plan(letopis, ivanov, client)
    refused(
        letopis,
        RuleViolated,
        "cannot be missed yet",
        lambda: letopis.service.run(ivanov, MissActivity(reason="нет"), activity_id),
    )


def assigned(letopis, staff, client: str) -> str:
    head = staff["head"][0]
    task_id = letopis.service.run(
        head,
        AssignTask(
            assignee_id=staff["ivanov"][0].employee_id,
            title="Подготовить коммерческое предложение",
            due_on=TOMORROW.date(),
            priority="high",
            counterparty_id=client,
        ),
    ).id
    letopis.service.run(staff["ivanov"][0], AcceptTask(), task_id)
    return task_id


def test_a_task_goes_from_assignment_to_its_check(letopis, staff, client) -> None:
    ivanov, head = staff["ivanov"][0], staff["head"][0]
    task_id = assigned(letopis, staff, client)
    letopis.service.run(ivanov, ReportTimeSpent(day=NOW.date(), minutes=90, work_done="Расчёт"), task_id)
    letopis.service.run(ivanov, CompleteTask(note="Готово"), task_id)
    letopis.service.run(head, ReturnTask(comment="Добавьте страховку"), task_id)
    letopis.service.run(ivanov, CompleteTask(note="Добавил"), task_id)
    letopis.service.run(head, ApproveTask(), task_id)
    assert letopis.store.get(UUID(task_id), Task).status == TaskStatus.APPROVED


def test_a_task_is_checked_only_by_its_assigner(letopis, staff, client) -> None:
    ivanov = staff["ivanov"][0]
    task_id = assigned(letopis, staff, client)
    letopis.service.run(ivanov, CompleteTask(), task_id)
    refused(
        letopis,
        RuleViolated,
        "only the employee who assigned the task checks it",
        lambda: letopis.service.run(staff["petrova"][0], ApproveTask(), task_id),
    )


def test_time_spent_is_positive_and_at_most_24_hours_a_day(letopis, staff, client) -> None:
    ivanov = staff["ivanov"][0]
    task_id = assigned(letopis, staff, client)
    other_task = assigned(letopis, staff, client)

    def report(task: str, minutes: int) -> object:
        return letopis.service.run(
            ivanov, ReportTimeSpent(day=NOW.date(), minutes=minutes, work_done="Работа"), task
        )

    refused(letopis, InvalidValue, "positive", lambda: report(task_id, -30))
    report(task_id, 1000)
    refused(letopis, RuleViolated, "exceed 24 hours", lambda: report(other_task, 441))
    report(other_task, 440)


def test_a_task_outside_ones_department_is_refused(letopis, staff) -> None:
    command = AssignTask(
        assignee_id=staff["kuznetsova"][0].employee_id, title="Звонок", due_on=TOMORROW.date()
    )
    refused(
        letopis,
        AccessDenied,
        "outside your department",
        lambda: letopis.service.run(staff["ivanov"][0], command),
    )
    letopis.service.run(staff["head"][0], command)


def test_a_rate_is_recorded_by_whoever_configures_sales(letopis, staff) -> None:
    rate = RecordHourlyRate(
        employee_id=staff["ivanov"][0].employee_id, effective_from=NOW.date(), rate=Decimal("1500.00")
    )
    refused(letopis, AccessDenied, "configures sales", lambda: letopis.service.run(staff["ivanov"][0], rate))
    letopis.service.run(staff["head"][0], rate)


def test_a_reminder_is_dismissed_only_by_the_one_reminded(letopis, staff) -> None:
    ivanov, petrova = staff["ivanov"][0], staff["petrova"][0]
    reminder = SetReminder(recipient_id=petrova.employee_id, remind_at=TOMORROW, text="Позвонить в «Волгу»")
    reminder_id = letopis.service.run(ivanov, reminder).id
    refused(
        letopis,
        RuleViolated,
        "only the employee reminded",
        lambda: letopis.service.run(ivanov, DismissReminder(), reminder_id),
    )
    letopis.service.run(petrova, DismissReminder(), reminder_id)


def room(letopis, staff) -> str:
    return letopis.service.run(
        staff["head"][0], RegisterResource(name="Переговорная «Нева»", kind="meeting_room")
    ).id


def test_an_overlapping_booking_names_the_booking_it_conflicts_with(letopis, staff) -> None:
    room_id = room(letopis, staff)
    first = BookResource(
        starts_at=TOMORROW, ends_at=TOMORROW + timedelta(hours=2), purpose="Встреча с клиентом"
    )
    letopis.service.run(staff["ivanov"][0], first, room_id)
    booking_id = next(iter(letopis.store.get(UUID(room_id), Resource).bookings))
    overlapping = BookResource(starts_at=TOMORROW + timedelta(hours=1), ends_at=TOMORROW + timedelta(hours=3))
    refused(
        letopis,
        RuleViolated,
        rf"already booked .* \(booking {booking_id}: Встреча с клиентом\)",
        lambda: letopis.service.run(staff["petrova"][0], overlapping, room_id),
    )
    after = BookResource(starts_at=TOMORROW + timedelta(hours=2), ends_at=TOMORROW + timedelta(hours=3))
    letopis.service.run(staff["petrova"][0], after, room_id)


def test_a_retired_resource_is_not_booked(letopis, staff) -> None:
    room_id = room(letopis, staff)
    letopis.service.run(staff["head"][0], RetireResource(reason="ремонт"), room_id)
    booking = BookResource(starts_at=TOMORROW, ends_at=TOMORROW + timedelta(hours=1))
    refused(
        letopis, RuleViolated, "is retired", lambda: letopis.service.run(staff["ivanov"][0], booking, room_id)
    )


def test_of_two_racing_bookings_exactly_one_wins(letopis, staff) -> None:
    room_id = room(letopis, staff)
    people = [staff["ivanov"][0], staff["petrova"][0], staff["sidorov"][0], staff["head"][0]]
    booking = BookResource(starts_at=TOMORROW, ends_at=TOMORROW + timedelta(hours=1))

    def book(actor) -> str:
        try:
            letopis.service.run(actor, booking, room_id)
        except RuleViolated:
            return "refused"
        return "booked"

    with ThreadPoolExecutor(len(people)) as pool:
        outcomes = list(pool.map(book, people))
    assert sorted(outcomes) == ["booked", "refused", "refused", "refused"]
    assert len(letopis.store.get(UUID(room_id), Resource).bookings) == 1


def test_a_meeting_decision_becomes_a_task(letopis, staff) -> None:
    head, ivanov = staff["head"][0], staff["ivanov"][0]
    meeting = RecordInternalMeeting(
        title="Планёрка отдела продаж",
        starts_at=NOW - timedelta(hours=1),
        ends_at=NOW,
        attendee_ids=[head.employee_id, ivanov.employee_id],
        decisions=["Обзвонить клиентов без заявок за квартал"],
    )
    meeting_id = letopis.service.run(head, meeting).id

    decision_id = next(iter(letopis.store.get(UUID(meeting_id), InternalMeeting).decisions))
    hand_on = TurnDecisionIntoTask(
        decision_id=decision_id, owner_id=ivanov.employee_id, due_on=TOMORROW.date()
    )
    letopis.service.run(head, hand_on, meeting_id)
    task_id = letopis.store.get(UUID(meeting_id), InternalMeeting).tasks[decision_id]
    assert letopis.store.get(UUID(task_id), Task).assignee_id == ivanov.employee_id
    refused(letopis, RuleViolated, "already task", lambda: letopis.service.run(head, hand_on, meeting_id))


def test_a_meeting_with_an_unknown_attendee_is_refused(letopis, staff) -> None:
    meeting = RecordInternalMeeting(
        title="Планёрка", starts_at=NOW - timedelta(hours=1), ends_at=NOW, attendee_ids=[str(uuid4())]
    )
    refused(letopis, InvalidValue, "no employee", lambda: letopis.service.run(staff["head"][0], meeting))
