"""A rebuild from the log gives exactly what live catch-up gave, whatever happened."""

import tempfile
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from aggregates.employee import Role
from aggregates.errors import DomainError
from commands.contact_commands import ChangeContact, RegisterContact
from commands.counterparty_commands import (
    AssignManager,
    ChangeCounterpartyProfile,
    DecideAdmission,
    RateCounterparty,
    RegisterCounterparty,
)
from commands.counterparty_merge_commands import MergeCounterparty, SplitCounterparty
from commands.forecast_commands import SubmitForecast
from commands.interaction_commands import (
    CorrectInteraction,
    LogInteraction,
)
from commands.planned_activity_commands import CancelActivity, PlanActivity, RescheduleActivity
from commands.sales_plan_commands import ChangeSalesPlan, SetSalesPlan, WithdrawSalesPlan
from commands.task_commands import AcceptTask, AssignTask, RecordHourlyRate, ReportTimeSpent
from letopis.settings import Settings
from letopis.wiring import Letopis, build
from projections.employee_directory import find_employee
from tests.conftest import fresh_schema
from tests.projections.views import dump_views

NAMES = ["ООО «Ёлка»", "АО Сибирь", "ИП Петров П.П.", "Balt Cargo GmbH", "ооо ромашка"]
REGIONS = ["Москва", "Казань", "Новосибирск", None]
PHONES = ["+7 (495) 123-45-67", "84957654321", "8 812 000 11 22", "+49 30 1234567"]
ADMISSIONS = ["active", "passive", "temporarily_forbidden", "forbidden"]
KINDS = [
    {"kind": "call", "direction": "incoming", "duration_seconds": 30},
    {"kind": "call", "direction": "outgoing"},
    {"kind": "meeting", "agenda": "Тарифы"},
    {"kind": "negotiation", "agreements": ["Скидка 5%"]},
    {"kind": "email", "direction": "incoming"},
    {"kind": "service_visit", "time_spent_minutes": 45},
    {"kind": "message", "direction": "incoming", "channel": "chat"},
]

operation = st.tuples(st.integers(0, 20), st.integers(0, 1_000), st.integers(0, 1_000))
SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
PERIODS = ["2030-01", "2030-Q1", "2030", "2031-02"]
MEASURES = [("won_amount", "RUB"), ("received_amount", "USD"), ("won_deals", None)]


def apply(letopis: Letopis, people: list, ids: dict[str, list[str]], op: tuple[int, int, int]) -> None:
    kind, a, b = op
    actor = people[a % len(people)]

    def pick(key: str) -> str:
        return ids[key][b % len(ids[key])]

    service = letopis.service
    if kind == 0 or not ids["counterparties"]:
        outcome = service.run(
            actor,
            RegisterCounterparty(
                name=NAMES[a % 5],
                region=REGIONS[b % 4],
                phones=[PHONES[b % 4]],
                classifiers={"Категория": ["ABC"[a % 3]]},
            ),
        )
        ids["counterparties"].append(outcome.id)
    elif kind == 1:
        service.run(
            actor,
            ChangeCounterpartyProfile(region=REGIONS[a % 4], name=NAMES[b % 5], phones=PHONES[: a % 3]),
            pick("counterparties"),
        )
    elif kind == 2:
        service.run(actor, AssignManager(manager_id=people[b % 2].employee_id), pick("counterparties"))
    elif kind == 3:
        service.run(actor, RateCounterparty(rating=a % 6), pick("counterparties"))
    elif kind == 4:
        service.run(
            actor,
            DecideAdmission(admission=ADMISSIONS[a % 4], reason="Решение комиссии"),
            pick("counterparties"),
        )
    elif kind == 5:
        outcome = service.run(
            actor,
            RegisterContact(
                counterparty_id=pick("counterparties"),
                full_name=NAMES[a % 5],
                phones=[PHONES[(a + b) % 4]],
                emails=["lena@example.ru"],
                birthday="1980-02-29" if b % 2 else None,
                notable_dates=[{"date": "2015-06-01", "label": "Юбилей фирмы"}] if a % 3 == 0 else [],
            ),
        )
        ids["contacts"].append(outcome.id)
    elif kind == 6 and ids["contacts"]:
        birthday = f"1975-0{1 + a % 9}-1{b % 10}"
        change = ChangeContact(position="Логист", phones=[PHONES[a % 4]], birthday=birthday)
        service.run(actor, change, pick("contacts"))
    elif kind in (7, 8):
        outcome = service.run(
            actor,
            LogInteraction(
                counterparty_id=pick("counterparties"), subject=f"Событие {a}", details=KINDS[b % 7]
            ),
        )
        ids["interactions"].append(outcome.id)
    elif kind == 9 and ids["interactions"]:
        service.run(
            actor, CorrectInteraction(reason="Опечатка", subject=f"Исправлено {a}"), pick("interactions")
        )
    elif kind == 19:
        merge = MergeCounterparty(
            merged_id=pick("counterparties"), reason="Дубль", prefer_duplicate=["region"]
        )
        service.run(actor, merge, ids["counterparties"][a % len(ids["counterparties"])])
    elif kind == 20:
        service.run(actor, SplitCounterparty(reason="Ошибка"), pick("counterparties"))
    elif kind <= 15:
        apply_planning(letopis, people, ids, op)
    else:
        apply_plans(letopis, people, ids, op)


def apply_planning(
    letopis: Letopis, people: list, ids: dict[str, list[str]], op: tuple[int, int, int]
) -> None:
    kind, a, b = op
    actor = people[a % len(people)]
    service = letopis.service
    if kind == 10 and ids["counterparties"]:
        plan = PlanActivity(
            kind="meeting",
            subject=f"Встреча {a}",
            counterparty_id=ids["counterparties"][b % len(ids["counterparties"])],
            starts_at=SOON + timedelta(hours=a % 48),
            duration_minutes=30 + b % 90,
        )
        ids["activities"].append(service.run(actor, plan).id)
    elif kind == 11 and ids["activities"]:
        later = RescheduleActivity(
            starts_at=SOON + timedelta(hours=b % 72), duration_minutes=60, reason="Перенос"
        )
        service.run(actor, later, ids["activities"][a % len(ids["activities"])])
    elif kind == 12 and ids["activities"]:
        activity_id = ids["activities"][a % len(ids["activities"])]
        if b % 2:
            service.run(actor, CancelActivity(reason="Отменено"), activity_id)
        else:
            held = LogInteraction(
                counterparty_id=ids["counterparties"][b % len(ids["counterparties"])],
                subject="Встреча проведена",
                details={"kind": "meeting"},
                planned_activity_id=activity_id,
            )
            service.run(actor, held)
    elif kind == 13:
        assignee = people[b % len(people)]
        task = AssignTask(assignee_id=assignee.employee_id, title=f"Задача {a}", due_on=SOON.date())
        task_id = service.run(actor, task).id
        service.run(assignee, AcceptTask(), task_id)
        ids["tasks"].append(task_id)
    elif kind == 14 and ids["tasks"]:
        task_id = ids["tasks"][a % len(ids["tasks"])]
        spent = ReportTimeSpent(
            day=SOON.date() - timedelta(days=1 + b % 3), minutes=1 + a % 600, work_done="Работа"
        )
        for person in people:
            with suppress(DomainError):
                service.run(person, spent, task_id)
    elif kind == 15:
        rate = RecordHourlyRate(
            employee_id=people[a % len(people)].employee_id,
            effective_from=SOON.date() - timedelta(days=b % 5),
            rate=Decimal(1000 + a),
        )
        service.run(people[2], rate)


def apply_plans(letopis: Letopis, people: list, ids: dict[str, list[str]], op: tuple[int, int, int]) -> None:
    kind, a, b = op
    actor = people[a % len(people)]
    service = letopis.service
    if kind == 16:
        measure, currency = MEASURES[b % 3]
        target = people[b % 2]
        outcome = service.run(
            people[-1],
            SetSalesPlan(
                period=PERIODS[a % 4],
                target_kind=["employee", "team", "company"][a % 3],
                target_id=[target.employee_id, "М1", None][a % 3],
                measure=measure,
                basis="members" if a % 3 == 1 and b % 2 else "direct",
                amount=None if a % 3 == 1 and b % 2 else Decimal(1000 + a),
                currency=currency,
                reason=f"План {a}",
            ),
        )
        ids["plans"].append(outcome.id)
    elif kind == 17 and ids["plans"]:
        if a % 2:
            service.run(people[-1], WithdrawSalesPlan(reason="Отменён"), ids["plans"][b % len(ids["plans"])])
        else:
            service.run(
                people[-1],
                ChangeSalesPlan(amount=Decimal(a + 1), currency="RUB", reason="Правка"),
                ids["plans"][b % len(ids["plans"])],
            )
    elif kind == 18:
        service.run(
            actor,
            SubmitForecast(
                period=PERIODS[a % 4], amounts={"commit": Decimal(a + 1), "pipeline": Decimal(b + 1)}
            ),
        )


def run_scenario(url: str, operations: list[tuple[int, int, int]], catch_up_every: int) -> None:
    letopis = build(Settings(database_url=url))
    try:
        people = [
            letopis.create_user(name, role, team, "Продажи")
            for name, role, team in [
                ("Иванов", Role.MANAGER, "М1"),
                ("Петрова", Role.MANAGER, "М1"),
                ("Смирнов", Role.HEAD_OF_SALES, None),
                ("Админ", Role.ADMIN, None),
            ]
        ]
        letopis.runner.catch_up()
        with letopis.views.reading() as cursor:
            actors = [find_employee(cursor, employee_id) for employee_id, _token in people]
        ids: dict[str, list[str]] = {
            "counterparties": [],
            "contacts": [],
            "interactions": [],
            "activities": [],
            "tasks": [],
            "plans": [],
        }
        for number, op in enumerate(operations, start=1):
            # A refused command writes nothing; the property must hold all the same.
            with suppress(DomainError):
                apply(letopis, actors, ids, op)
            if number % catch_up_every == 0:
                letopis.runner.catch_up()
        letopis.runner.catch_up()
        live = dump_views(letopis)
        letopis.runner.rebuild()
        assert dump_views(letopis) == live
    finally:
        letopis.close()


# Two cards, the second with a contact and history; merged, split off and merged again.
MERGED_AND_SPLIT = [(0, 0, 0), (0, 0, 1), (5, 0, 1), (7, 0, 1), (19, 0, 1), (7, 0, 0), (20, 0, 1), (19, 0, 1)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations=st.lists(operation, min_size=1, max_size=40), catch_up_every=st.integers(1, 7))
@example(operations=MERGED_AND_SPLIT, catch_up_every=1)
@example(operations=MERGED_AND_SPLIT, catch_up_every=7)
def test_rebuild_equals_live_on_the_in_memory_store(operations, catch_up_every) -> None:
    run_scenario("memory://", operations, catch_up_every)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations=st.lists(operation, min_size=1, max_size=30), catch_up_every=st.integers(1, 7))
def test_rebuild_equals_live_on_sqlite(operations, catch_up_every) -> None:
    with tempfile.TemporaryDirectory() as folder:
        run_scenario(f"sqlite:///{Path(folder) / 'events.sqlite'}", operations, catch_up_every)


@pytest.mark.postgres
@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(operations=st.lists(operation, min_size=1, max_size=30), catch_up_every=st.integers(1, 7))
def test_rebuild_equals_live_on_postgres(postgres_url, operations, catch_up_every) -> None:
    with fresh_schema(postgres_url) as url:
        run_scenario(url, operations, catch_up_every)
