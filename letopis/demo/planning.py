"""Two years of planned activities: most meetings, negotiations and service visits, and some
calls, were planned ahead (some moved, some held late) and closed by the interaction that
records them; others were missed or cancelled, a few are overdue, and the coming weeks are
planned. Reminders go with the activities still ahead."""

from collections.abc import Iterable, Iterator
from datetime import datetime, time, timedelta

from eventsourcing.domain import Aggregate

from aggregates.counterparty import BARRED
from aggregates.interaction import Direction, Interaction, InteractionKind
from aggregates.planned_activity import ActivityKind, PlannedActivity, Schedule
from aggregates.reminder import Reminder, ReminderSubject
from letopis.demo.chronicle import MOSCOW, Chronicle, Client

# How often an interaction of a kind was planned ahead, and as what.
PLANNED_AHEAD = {
    InteractionKind.MEETING: (0.8, ActivityKind.MEETING),
    InteractionKind.NEGOTIATION: (0.8, ActivityKind.NEGOTIATION),
    InteractionKind.SERVICE_VISIT: (0.6, ActivityKind.VISIT),
    InteractionKind.CALL: (0.15, ActivityKind.CALL),
}
MINUTES = {
    ActivityKind.MEETING: (60, 90, 120),
    ActivityKind.NEGOTIATION: (60, 120, 180),
    ActivityKind.VISIT: (120, 180, 240),
    ActivityKind.CALL: (15, 30),
    ActivityKind.TODO: (30, 60),
}
RESCHEDULE_REASONS = (
    "Клиент попросил перенести",
    "Заболел контактное лицо клиента",
    "Совпало с отгрузкой, перенесли",
    "Директор клиента в командировке",
)
MISSED_REASONS = ("Клиент не вышел на связь", "Не дозвонились", "Клиент не пришёл на встречу", "")
CANCEL_REASONS = ("Клиент отказался от встречи", "Вопрос решили по почте", "Сделка закрыта")
SUBJECTS = {
    ActivityKind.MEETING: (
        "Встреча: условия на следующий год",
        "Встреча: план отгрузок",
        "Знакомство с клиентом",
    ),
    ActivityKind.NEGOTIATION: ("Переговоры о ставках", "Переговоры о продлении договора"),
    ActivityKind.VISIT: ("Выезд на склад клиента", "Контроль погрузки"),
    ActivityKind.CALL: (
        "Позвонить: ставка на перевозку",
        "Позвонить: напомнить об оплате",
        "Созвон по графику",
    ),
    ActivityKind.TODO: ("Подготовить коммерческое предложение", "Отправить акт сверки"),
}
PLACES = ("Офис клиента", "Наш офис, Москва, Складочная ул., 1, переговорная «Нева»", "Видеозвонок", "")


def with_planned_activities(
    chronicle: Chronicle, interactions: Iterable[Interaction]
) -> Iterator[list[Aggregate]]:
    """Each interaction, with the planned activity it closed when it was planned ahead: the
    two are appended together, the activity held by the interaction."""
    clients = {client.id: client for client in chronicle.clients}
    rng = chronicle.rng
    for interaction in interactions:
        group: list[Aggregate] = [interaction]
        planned = PLANNED_AHEAD.get(interaction.kind)
        client = clients.get(interaction.counterparty_id or "")
        if planned and client and _planned_ahead(interaction) and rng.random() < planned[0]:
            group.append(_held(chronicle, client, interaction, planned[1]))
        chronicle.planning.activities += len(group) - 1
        yield group


def _planned_ahead(interaction: Interaction) -> bool:
    """Calls we made, and every meeting, negotiation and visit; not what the client started."""
    details = interaction.pending_events[0]
    return getattr(details, "direction", None) != Direction.INCOMING.value


def _timed(moment: datetime, minutes: int) -> Schedule:
    return Schedule.timed(moment, moment + timedelta(minutes=minutes))


def _held(
    chronicle: Chronicle, client: Client, interaction: Interaction, kind: ActivityKind
) -> PlannedActivity:
    """Planned days before, sometimes moved to when it happened, sometimes held late."""
    rng = chronicle.rng
    logged = interaction.pending_events[0]
    assert isinstance(logged, Interaction.Logged)
    held_at = logged.occurred_at
    manager = logged.actor
    minutes = rng.choice(MINUTES[kind])
    planned_at = max(client.registered_at, held_at - timedelta(days=rng.uniform(1, 10)))
    fate = rng.random()
    earlier = held_at - timedelta(days=rng.choice((1, 2, 3)))
    first = earlier if fate < 0.35 and earlier > planned_at + timedelta(hours=1) else held_at
    activity = PlannedActivity.plan(
        chronicle.stamp(manager, planned_at),
        id=chronicle.new_id(),
        kind=kind,
        subject=logged.subject or rng.choice(SUBJECTS[kind]),
        schedule=_timed(first, minutes),
        responsible_id=manager,
        counterparty_id=client.id,
        contact_ids=list(logged.contact_ids),
        place=rng.choice(PLACES) if kind != ActivityKind.CALL else "",
        agenda=logged.subject,
    )
    if first != held_at and fate < 0.25:
        # Moved to when it was held; the rest of the early ones were simply held late.
        moved_at = planned_at + (first - planned_at) / 2
        activity.reschedule(
            chronicle.stamp(manager, moved_at), _timed(held_at, minutes), rng.choice(RESCHEDULE_REASONS)
        )
    activity.hold(
        chronicle.stamp(manager, held_at),
        interaction_id=str(interaction.id),
        interaction_kind=logged.kind,
        held_at=held_at,
    )
    return activity


def open_activities(chronicle: Chronicle) -> Iterator[list[Aggregate]]:
    """Activities that were not held: missed or cancelled over the two years, a few overdue
    now, and the next three weeks planned, with reminders for what lies ahead."""
    rng = chronicle.rng
    now = chronicle.now
    for _ in range(chronicle.size.interactions // 15):
        client = rng.choice(chronicle.clients)
        planned_at = chronicle.moment(client.registered_at, now)
        if client.admission_at(planned_at) in BARRED:
            continue
        kind = rng.choice((ActivityKind.MEETING, ActivityKind.CALL, ActivityKind.CALL, ActivityKind.TODO))
        starts = _working_hour(chronicle, planned_at + timedelta(days=rng.uniform(1, 21)))
        schedule = (
            Schedule.whole_day(starts.astimezone(MOSCOW).date())
            if kind == ActivityKind.TODO
            else _timed(starts, rng.choice(MINUTES[kind]))
        )
        manager = client.manager.id
        activity = PlannedActivity.plan(
            chronicle.stamp(manager, planned_at),
            id=chronicle.new_id(),
            kind=kind,
            subject=rng.choice(SUBJECTS[kind]),
            schedule=schedule,
            responsible_id=manager,
            counterparty_id=client.id,
            contact_ids=[person.id for person in client.people[:1]],
            place=rng.choice(PLACES) if kind == ActivityKind.MEETING else "",
        )
        group: list[Aggregate] = [activity]
        closing = schedule.deadline + timedelta(hours=rng.uniform(1, 48))
        if closing < now and rng.random() < 0.9:
            if rng.random() < 0.6:
                activity.miss(chronicle.stamp(manager, closing), rng.choice(MISSED_REASONS))
            else:
                cancelled_at = max(planned_at + timedelta(minutes=5), schedule.begins - timedelta(hours=2))
                activity.cancel(chronicle.stamp(manager, cancelled_at), rng.choice(CANCEL_REASONS))
        elif schedule.begins > now:
            group.append(_reminder(chronicle, activity, planned_at, schedule.begins))
        chronicle.planning.activities += 1
        yield group


def _working_hour(chronicle: Chronicle, moment: datetime) -> datetime:
    day = moment.astimezone(MOSCOW).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(chronicle.rng.randrange(9, 18)), MOSCOW)


def _reminder(
    chronicle: Chronicle, activity: PlannedActivity, set_at: datetime, begins: datetime
) -> Reminder:
    chronicle.planning.reminders += 1
    return Reminder.set(
        chronicle.stamp(activity.responsible_id, set_at),
        id=chronicle.new_id(),
        recipient_id=activity.responsible_id,
        remind_at=begins - timedelta(hours=chronicle.rng.choice((1, 2, 24))),
        text=activity.subject,
        subject=ReminderSubject.ACTIVITY,
        subject_id=str(activity.id),
        counterparty_id=activity.counterparty_id,
    )
