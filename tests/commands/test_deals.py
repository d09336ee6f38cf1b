"""Pipelines and deals on the write side: the funnel's rules, scope and concurrency, on every store."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from aggregates.deal import Deal, DealStatus
from aggregates.errors import AccessDenied, ConcurrentChange, InvalidValue, NotFound, RuleViolated
from commands.counterparty_commands import (
    DecideAdmission,
    RegisterCounterparty,
)
from commands.deal_commands import (
    ChangeDealAmount,
    ChangeDealCloseDate,
    LoseDeal,
    MoveDeal,
    OpenDeal,
    WinDeal,
)
from commands.pipeline_commands import DefinePipeline, RedefinePipeline
from commands.refusal_reason_commands import AddRefusalReason

UNKNOWN = "00000000-0000-4000-8000-000000000000"
STAGES = [
    {"name": "Квалификация", "probability": 10},
    {"name": "Коммерческое предложение", "probability": 40},
    {"name": "Переговоры", "probability": 70},
]


def define_main_pipeline(letopis, actor) -> str:
    return letopis.service.run(actor, DefinePipeline(name="Основная воронка", stages=STAGES)).id


def register_client(letopis, actor, name: str) -> str:
    return letopis.service.run(actor, RegisterCounterparty(name=name)).id


def opening(counterparty_id: str, pipeline_id: str, **fields) -> OpenDeal:
    return OpenDeal(
        **{
            "counterparty_id": counterparty_id,
            "pipeline_id": pipeline_id,
            "amount": Decimal("150000.00"),
            "currency": "RUB",
            "expected_close_on": date(2026, 12, 25),
            **fields,
        }
    )


@pytest.fixture
def pipeline_id(letopis, staff) -> str:
    return define_main_pipeline(letopis, staff["head"][0])


@pytest.fixture
def client_id(letopis, staff) -> str:
    return register_client(letopis, staff["ivanov"][0], "ООО «Уральский экспедитор»")


@pytest.fixture
def deal_id(letopis, staff, pipeline_id, client_id) -> str:
    return letopis.service.run(staff["ivanov"][0], opening(client_id, pipeline_id)).id


def load(letopis, deal_id: str) -> Deal:
    return letopis.store.get(UUID(deal_id), Deal)


def test_a_deal_opens_at_the_first_stage_for_its_author(letopis, staff, pipeline_id, client_id) -> None:
    ivanov = staff["ivanov"][0]
    lines = [{"name": "Контейнер 40HC Шанхай — Москва", "quantity": "2", "unit_price": "75000.00"}]
    outcome = letopis.service.run(
        ivanov, opening(client_id, pipeline_id, lines=lines, lead_source="Выставка")
    )
    deal = load(letopis, outcome.id)
    assert (deal.stage, deal.manager_id, deal.pipeline_id) == (
        "Квалификация",
        ivanov.employee_id,
        pipeline_id,
    )
    opened = letopis.store.events_of(UUID(outcome.id))[0]
    assert opened.probability == Decimal(10)
    assert opened.lines[0]["unit_price"] == Decimal("75000.00")
    assert opened.actor == ivanov.employee_id


def test_a_deal_may_open_at_a_named_stage_for_a_teammate(letopis, staff, pipeline_id, client_id) -> None:
    petrova = staff["petrova"][0]
    outcome = letopis.service.run(
        staff["ivanov"][0],
        opening(client_id, pipeline_id, stage="Переговоры", manager_id=petrova.employee_id),
    )
    deal = load(letopis, outcome.id)
    assert (deal.stage, deal.manager_id) == ("Переговоры", petrova.employee_id)


def test_a_move_takes_the_probability_the_pipeline_gives_now_and_history_keeps_the_old_one(
    letopis, staff, pipeline_id, deal_id
) -> None:
    ivanov, head = staff["ivanov"][0], staff["head"][0]
    letopis.service.run(ivanov, MoveDeal(stage="Коммерческое предложение"), deal_id)
    redefined = [{**stage, "probability": 55} if stage["name"] == "Переговоры" else stage for stage in STAGES]
    letopis.service.run(head, RedefinePipeline(stages=redefined, expected_version=1), pipeline_id)
    letopis.service.run(ivanov, MoveDeal(stage="Переговоры"), deal_id)
    events = letopis.store.events_of(UUID(deal_id))
    assert [(type(e).__name__, e.stage, e.probability) for e in events] == [
        ("Opened", "Квалификация", Decimal(10)),
        ("StageChanged", "Коммерческое предложение", Decimal(40)),
        ("StageChanged", "Переговоры", Decimal(55)),
    ]


def test_amount_date_and_the_win_are_events(letopis, staff, deal_id) -> None:
    ivanov = staff["ivanov"][0]
    letopis.service.run(ivanov, ChangeDealAmount(amount=Decimal("180000"), currency="RUB"), deal_id)
    letopis.service.run(ivanov, ChangeDealCloseDate(expected_close_on=date(2027, 1, 15)), deal_id)
    outcome = letopis.service.run(ivanov, WinDeal(expected_version=3), deal_id)
    deal = load(letopis, deal_id)
    assert (outcome.version, deal.status, deal.amount.amount, deal.expected_close_on) == (
        4,
        DealStatus.WON,
        Decimal("180000"),
        date(2027, 1, 15),
    )


def test_a_loss_needs_a_reason_from_the_list(letopis, staff, deal_id) -> None:
    ivanov, head = staff["ivanov"][0], staff["head"][0]
    head_before = letopis.store.head()
    with pytest.raises(InvalidValue, match="no refusal reasons are defined yet"):
        letopis.service.run(ivanov, LoseDeal(reason_code="price"), deal_id)
    assert letopis.store.head() == head_before
    letopis.service.run(head, AddRefusalReason(code="price", label="Дорого"))
    head_before = letopis.store.head()
    with pytest.raises(InvalidValue, match="'timing' is not a refusal reason"):
        letopis.service.run(ivanov, LoseDeal(reason_code="timing"), deal_id)
    assert letopis.store.head() == head_before
    letopis.service.run(
        ivanov, LoseDeal(reason_code="price", reason_text="Нашли дешевле у конкурента"), deal_id
    )
    lost = letopis.store.events_of(UUID(deal_id))[-1]
    assert (lost.reason_code, lost.reason_text) == ("price", "Нашли дешевле у конкурента")


@pytest.mark.parametrize(
    "change",
    [
        lambda service, actor, deal_id: service.run(actor, MoveDeal(stage="Переговоры"), deal_id),
        lambda service, actor, deal_id: service.run(
            actor, ChangeDealAmount(amount=Decimal(1), currency="RUB"), deal_id
        ),
        lambda service, actor, deal_id: service.run(actor, WinDeal(), deal_id),
    ],
    ids=["move", "amount", "win"],
)
def test_a_won_deal_changes_no_more(letopis, staff, deal_id, change) -> None:
    ivanov = staff["ivanov"][0]
    letopis.service.run(ivanov, WinDeal(), deal_id)
    head = letopis.store.head()
    with pytest.raises(RuleViolated, match="the deal is won"):
        change(letopis.service, ivanov, deal_id)
    assert letopis.store.head() == head


def test_a_forbidden_counterparty_gets_no_new_deal_and_no_move(
    letopis, staff, pipeline_id, client_id, deal_id
) -> None:
    ivanov, head = staff["ivanov"][0], staff["head"][0]
    letopis.service.run(head, DecideAdmission(admission="forbidden", reason="Долг"), client_id)
    before = letopis.store.head()
    with pytest.raises(RuleViolated, match="forbidden"):
        letopis.service.run(ivanov, opening(client_id, pipeline_id))
    with pytest.raises(RuleViolated, match="forbidden"):
        letopis.service.run(ivanov, MoveDeal(stage="Переговоры"), deal_id)
    assert letopis.store.head() == before


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        ({"currency": "XYZ"}, InvalidValue, "'XYZ' is not a known ISO 4217"),
        ({"stage": "Подписание"}, InvalidValue, "has no stage 'Подписание'"),
        (
            {"lines": [{"name": "Фрахт", "quantity": 1, "unit_price": 10, "currency": "ABC"}]},
            InvalidValue,
            "'ABC'",
        ),
        ({"pipeline_id": UNKNOWN}, NotFound, "salespipeline"),
        ({"counterparty_id": UNKNOWN}, NotFound, "counterparty"),
        ({"inquiry_id": UNKNOWN}, NotFound, "inquiry"),
        ({"manager_id": UNKNOWN}, InvalidValue, "no employee"),
    ],
)
def test_a_deal_with_bad_values_is_refused(
    letopis, staff, pipeline_id, client_id, fields, error, message
) -> None:
    opening_ids = {"counterparty_id": client_id, "pipeline_id": pipeline_id}
    head = letopis.store.head()
    with pytest.raises(error, match=message):
        letopis.service.run(staff["ivanov"][0], opening(**{**opening_ids, **fields}))
    assert letopis.store.head() == head


def test_scope_bounds_who_opens_and_who_changes(letopis, staff, pipeline_id, client_id, deal_id) -> None:
    sidorov, auditor, ivanov = staff["sidorov"][0], staff["auditor"][0], staff["ivanov"][0]
    head = letopis.store.head()
    with pytest.raises(AccessDenied):
        letopis.service.run(sidorov, opening(client_id, pipeline_id))
    with pytest.raises(AccessDenied):
        letopis.service.run(
            ivanov, opening(client_id, pipeline_id, manager_id=staff["kuznetsova"][0].employee_id)
        )
    with pytest.raises(AccessDenied):
        letopis.service.run(sidorov, MoveDeal(stage="Переговоры"), deal_id)
    with pytest.raises(AccessDenied):
        letopis.service.run(auditor, WinDeal(), deal_id)
    assert letopis.store.head() == head
    letopis.service.run(staff["head"][0], MoveDeal(stage="Переговоры"), deal_id)


def test_a_stale_expected_version_is_refused(letopis, staff, deal_id) -> None:
    ivanov = staff["ivanov"][0]
    letopis.service.run(ivanov, MoveDeal(stage="Переговоры", expected_version=1), deal_id)
    head = letopis.store.head()
    with pytest.raises(ConcurrentChange, match="at version 2, not 1"):
        letopis.service.run(
            ivanov, ChangeDealAmount(amount=Decimal(5), currency="RUB", expected_version=1), deal_id
        )
    assert letopis.store.head() == head


def test_racing_changes_to_one_deal_lose_no_update(letopis, staff, deal_id) -> None:
    ivanov = staff["ivanov"][0]
    changes = [
        lambda: letopis.service.run(ivanov, MoveDeal(stage="Переговоры"), deal_id),
        lambda: letopis.service.run(
            ivanov, ChangeDealAmount(amount=Decimal("99000.50"), currency="RUB"), deal_id
        ),
        lambda: letopis.service.run(ivanov, ChangeDealCloseDate(expected_close_on=date(2027, 3, 1)), deal_id),
        lambda: letopis.service.run(
            ivanov, ChangeDealAmount(amount=Decimal("2000"), currency="USD"), deal_id
        ),
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(lambda change: change(), changes))
    deal = load(letopis, deal_id)
    assert sorted(o.version for o in outcomes) == [2, 3, 4, 5]
    assert deal.version == 5
    assert (deal.stage, deal.expected_close_on) == ("Переговоры", date(2027, 3, 1))
    assert str(deal.amount.amount) in ("99000.50", "2000")


def test_racing_changes_from_one_version_let_exactly_one_through(letopis, staff, deal_id) -> None:
    ivanov = staff["ivanov"][0]

    def change(amount: int) -> str:
        try:
            letopis.service.run(
                ivanov, ChangeDealAmount(amount=Decimal(amount), currency="RUB", expected_version=1), deal_id
            )
        except ConcurrentChange:
            return "refused"
        return "written"

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(change, [1000, 2000, 3000, 4000]))
    assert sorted(results) == ["refused", "refused", "refused", "written"]
    assert load(letopis, deal_id).version == 2


def test_only_an_administrator_or_a_head_of_sales_shapes_the_pipeline(letopis, staff, pipeline_id) -> None:
    head = letopis.store.head()
    with pytest.raises(AccessDenied):
        letopis.service.run(staff["ivanov"][0], DefinePipeline(name="Своя", stages=STAGES))
    with pytest.raises(InvalidValue, match="stage names must be unique"):
        letopis.service.run(staff["admin"][0], DefinePipeline(name="Двойная", stages=STAGES + STAGES[:1]))
    with pytest.raises(RuleViolated, match="already has these stages"):
        letopis.service.run(staff["head"][0], RedefinePipeline(stages=STAGES), pipeline_id)
    assert letopis.store.head() == head
