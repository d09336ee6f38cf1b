"""Two years of the department's own work: hourly rates with a yearly raise, tasks given and
checked with the time spent on them, monthly meetings whose decisions became tasks, and the
meeting rooms, the car and the projectors with their bookings."""

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from eventsourcing.domain import Aggregate

from aggregates.counterparty import BARRED
from aggregates.employee import Role
from aggregates.hourly_rate import HourlyRate
from aggregates.internal_meeting import InternalMeeting
from aggregates.money import Money
from aggregates.reminder import Reminder, ReminderSubject
from aggregates.resource import Resource, ResourceKind
from aggregates.task import IN_WORK, Priority, Task, TaskStatus
from aggregates.timesheet import MINUTES_IN_DAY, Timesheet
from letopis.demo.chronicle import MOSCOW, Chronicle, Staff

TASK_TITLES = (
    "Подготовить коммерческое предложение",
    "Согласовать ставки с перевозчиком",
    "Собрать закрывающие документы",
    "Провести сверку взаиморасчётов",
    "Разобрать претензию клиента",
    "Подготовить проект договора",
)
WORK_DONE = (
    "Расчёт ставок по направлениям",
    "Переписка с клиентом",
    "Согласование с перевозчиком",
    "Подготовка документов",
    "Звонки клиенту и терминалу",
)
RETURN_COMMENTS = ("Добавьте расчёт страховки", "Уточните сроки доставки", "Нужна подпись директора")
DECISIONS = (
    "Обзвонить клиентов без заявок за квартал",
    "Обновить ставки на контейнерные перевозки",
    "Подготовить отчёт по дебиторской задолженности",
    "Провести встречи с ключевыми клиентами региона",
)
RESOURCES = (
    ("Переговорная «Нева»", ResourceKind.MEETING_ROOM, "Москва, 3 этаж"),
    ("Переговорная «Волга»", ResourceKind.MEETING_ROOM, "Москва, 3 этаж"),
    ("Переговорная «Ладога»", ResourceKind.MEETING_ROOM, "Санкт-Петербург"),
    ("Служебный автомобиль Skoda Octavia, А123ВС 777", ResourceKind.CAR, "Москва, парковка"),
    ("Проектор Epson EB-X51", ResourceKind.PROJECTOR, "Москва, склад"),
    ("Проектор BenQ MS560", ResourceKind.PROJECTOR, "Москва, склад"),
)
BOOKING_PURPOSES = ("Встреча с клиентом", "Планёрка команды", "Переговоры", "Выезд к клиенту", "Презентация")


def teamwork(chronicle: Chronicle) -> Iterator[list[Aggregate]]:
    singles: list[Aggregate] = list(_hourly_rates(chronicle))
    timesheets = _Timesheets(chronicle)
    yield from _tasks(chronicle, timesheets)
    yield from _internal_meetings(chronicle, timesheets)
    chronicle.planning.timesheets += len(timesheets.days)
    singles.extend(timesheets.days.values())
    singles.extend(_resources(chronicle))
    yield from ([aggregate] for aggregate in singles)


def _hourly_rates(chronicle: Chronicle) -> Iterator[HourlyRate]:
    """Each salesperson's cost from the start of the history, raised by a tenth after a year."""
    rng = chronicle.rng
    head = _head(chronicle)
    for person in [head, *chronicle.managers]:
        rate = Decimal(rng.randrange(1_200, 2_200, 50))
        for years, factor in ((0, Decimal(1)), (1, Decimal("1.1"))):
            effective_from = (chronicle.start + timedelta(days=365 * years)).date()
            chronicle.planning.hourly_rates += 1
            yield HourlyRate.record(
                chronicle.stamp(head.id, chronicle.start + timedelta(days=365 * years)),
                id=chronicle.new_id(),
                employee_id=person.id,
                effective_from=effective_from,
                rate=Money((rate * factor).quantize(Decimal("0.01")), "RUB"),
            )


def _head(chronicle: Chronicle) -> Staff:
    return next(s for s in chronicle.staff if s.role == Role.HEAD_OF_SALES)


class _Timesheets:
    """Every employee's days, kept within 24 hours each."""

    def __init__(self, chronicle: Chronicle) -> None:
        self.chronicle = chronicle
        self.days: dict[tuple[str, date], Timesheet] = {}

    def spend(self, employee_id: str, moment: datetime, minutes: int, task: Task) -> None:
        day = moment.astimezone(MOSCOW).date()
        stamp = self.chronicle.stamp(employee_id, moment)
        sheet = self.days.get((employee_id, day))
        if sheet is None:
            sheet = self.days[(employee_id, day)] = Timesheet.open(stamp, employee_id, day)
        if sheet.minutes + minutes > MINUTES_IN_DAY:
            return
        sheet.spend(
            stamp,
            entry_id=str(self.chronicle.new_id()),
            minutes=minutes,
            work_done=self.chronicle.rng.choice(WORK_DONE),
            task_id=str(task.id),
            counterparty_id=task.counterparty_id,
        )


def _tasks(chronicle: Chronicle, timesheets: _Timesheets) -> Iterator[list[Aggregate]]:
    """Tasks given by the head of sales or set by managers for themselves, about clients:
    accepted, worked on, completed and checked, the latest still open."""
    rng = chronicle.rng
    head = _head(chronicle)
    for _ in range(chronicle.size.deals // 2):
        client = rng.choice(chronicle.clients)
        assigned_at = chronicle.moment(client.registered_at, chronicle.now)
        if client.admission_at(assigned_at) in BARRED:
            continue
        assignee = client.manager
        assigner = head if rng.random() < 0.5 else assignee
        task = Task.assign(
            chronicle.stamp(assigner.id, assigned_at),
            id=chronicle.new_id(),
            assigner_id=assigner.id,
            assignee_id=assignee.id,
            title=rng.choice(TASK_TITLES),
            description="",
            priority=rng.choice(tuple(Priority)),
            due_on=(assigned_at + timedelta(days=rng.randrange(2, 15))).astimezone(MOSCOW).date(),
            counterparty_id=client.id,
        )
        _work(chronicle, timesheets, task, assigned_at)
        chronicle.planning.tasks += 1
        yield [task, *_task_reminder(chronicle, task, assigned_at)]


def _work(chronicle: Chronicle, timesheets: _Timesheets, task: Task, assigned_at: datetime) -> None:
    rng = chronicle.rng
    moment = chronicle.later(assigned_at, 1, 20)
    if moment > chronicle.now:
        return
    task.accept(chronicle.stamp(task.assignee_id, moment))
    for _ in range(rng.randrange(1, 5)):
        moment = chronicle.later(moment, 2, 40)
        if moment > chronicle.now:
            return
        timesheets.spend(task.assignee_id, moment, rng.randrange(30, 240, 15), task)
    for round_ in range(2):
        moment = chronicle.later(moment, 1, 24)
        checked_at = chronicle.later(moment, 1, 30)
        if checked_at > chronicle.now:
            return
        task.complete(chronicle.stamp(task.assignee_id, moment), "Сделано")
        if round_ == 0 and task.assigner_id != task.assignee_id and rng.random() < 0.2:
            task.return_to_assignee(
                chronicle.stamp(task.assigner_id, checked_at), rng.choice(RETURN_COMMENTS)
            )
            moment = checked_at
            continue
        task.approve(chronicle.stamp(task.assigner_id, checked_at), "")
        return


def _task_reminder(chronicle: Chronicle, task: Task, assigned_at: datetime) -> list[Reminder]:
    """A reminder on the due day for tasks still open."""
    if task.status not in (TaskStatus.ASSIGNED, *IN_WORK) or chronicle.rng.random() < 0.5:
        return []
    chronicle.planning.reminders += 1
    return [
        Reminder.set(
            chronicle.stamp(task.assignee_id, assigned_at),
            id=chronicle.new_id(),
            recipient_id=task.assignee_id,
            remind_at=datetime.combine(task.due_on, time(9), MOSCOW),
            text=task.title,
            subject=ReminderSubject.TASK,
            subject_id=str(task.id),
            counterparty_id=task.counterparty_id,
        )
    ]


def _internal_meetings(chronicle: Chronicle, timesheets: _Timesheets) -> Iterator[list[Aggregate]]:
    """The department meets on the first Monday of each month; its first decision becomes a task."""
    rng = chronicle.rng
    head = _head(chronicle)
    attendees = [head.id, *(m.id for m in chronicle.managers)]
    month = chronicle.start.astimezone(MOSCOW).date().replace(day=1)
    while True:
        day = month
        while day.weekday() != 0:
            day += timedelta(days=1)
        starts = datetime.combine(day, time(10), MOSCOW)
        if starts + timedelta(hours=1) > chronicle.now:
            return
        if starts > chronicle.start:
            meeting = InternalMeeting.record(
                chronicle.stamp(head.id, starts + timedelta(hours=1)),
                id=chronicle.new_id(),
                title=f"Планёрка отдела продаж, {day:%m.%Y}",
                starts_at=starts,
                ends_at=starts + timedelta(hours=1),
                place="Переговорная «Нева»",
                agenda="Итоги месяца; план на следующий месяц",
                attendee_ids=attendees,
                decisions=[
                    {"decision_id": str(chronicle.new_id()), "text": text}
                    for text in rng.sample(DECISIONS, 2)
                ],
            )
            decision = next(iter(meeting.decisions))
            owner = rng.choice(chronicle.managers)
            stamp = chronicle.stamp(head.id, starts + timedelta(hours=1))
            task = Task.assign(
                stamp,
                id=chronicle.new_id(),
                assigner_id=head.id,
                assignee_id=owner.id,
                title=meeting.decisions[decision],
                due_on=day + timedelta(days=14),
                meeting_id=str(meeting.id),
                decision_id=decision,
            )
            meeting.hand_on(stamp, decision, str(task.id))
            _work(chronicle, timesheets, task, starts + timedelta(hours=1))
            chronicle.planning.internal_meetings += 1
            chronicle.planning.tasks += 1
            yield [meeting, task, _preparation_reminder(chronicle, head, starts)]
        month = (month + timedelta(days=32)).replace(day=1)


def _preparation_reminder(chronicle: Chronicle, head: Staff, starts: datetime) -> Reminder:
    """The head of sales reminds themselves the day before to prepare, and dismisses it."""
    remind_at = starts - timedelta(days=1)
    reminder = Reminder.set(
        chronicle.stamp(head.id, remind_at - timedelta(days=3)),
        id=chronicle.new_id(),
        recipient_id=head.id,
        remind_at=remind_at,
        text="Подготовить итоги месяца к планёрке",
        subject=ReminderSubject.TEXT,
    )
    reminder.dismiss(chronicle.stamp(head.id, remind_at + timedelta(hours=1)))
    chronicle.planning.reminders += 1
    return reminder


def _resources(chronicle: Chronicle) -> Iterator[Resource]:
    """Shared resources, each booked in whole hours of working days; one projector retired."""
    rng = chronicle.rng
    head = _head(chronicle)
    for name, kind, location in RESOURCES:
        registered_at = chronicle.start + timedelta(days=1)
        resource = Resource.register(
            chronicle.stamp(head.id, registered_at),
            id=chronicle.new_id(),
            name=name,
            kind=kind,
            location=location,
        )
        retired = name == RESOURCES[-1][0]
        in_service_until = chronicle.start + timedelta(days=365) if retired else chronicle.now
        for _ in range(max(2, chronicle.size.interactions // 60)):
            booker = rng.choice(chronicle.managers)
            booked_at = chronicle.moment(registered_at, in_service_until - timedelta(days=10))
            starts = datetime.combine(
                (booked_at + timedelta(days=rng.randrange(1, 10))).astimezone(MOSCOW).date(),
                time(rng.randrange(9, 18)),
                MOSCOW,
            )
            ends = starts + timedelta(hours=rng.choice((1, 2, 3)))
            if any(b.overlaps(starts, ends) for b in resource.bookings.values()):
                continue
            resource.book(
                chronicle.stamp(booker.id, booked_at),
                booking_id=str(chronicle.new_id()),
                starts_at=starts,
                ends_at=ends,
                purpose=rng.choice(BOOKING_PURPOSES),
            )
        if retired:
            resource.retire(chronicle.stamp(head.id, in_service_until), "Сгорела лампа, списан")
        chronicle.planning.resources += 1
        yield resource
