"""The funnel read model: counts, weighted amounts, conversion and time in stage, by scope
and period, on SQLite and PostgreSQL views."""

import statistics
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from aggregates.errors import AccessDenied, InvalidValue, NotFound
from commands.deal_commands import (
    ChangeDealAmount,
    LoseDeal,
    MoveDeal,
    WinDeal,
)
from commands.pipeline_commands import RedefinePipeline
from commands.refusal_reason_commands import AddRefusalReason
from projections.deal_funnel import DealFunnel
from projections.deal_queries import DealFilter, get_deal, search_deals
from projections.funnel_report import funnel
from tests.commands.test_deals import STAGES, define_main_pipeline, opening, register_client

MOSCOW = ZoneInfo("Europe/Moscow")
MARCH = (date(2026, 3, 1), date(2026, 3, 31))
MICROSECONDS_A_DAY = Decimal(86_400_000_000)


def on(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=MOSCOW)


@pytest.fixture
def sales(letopis, staff) -> dict[str, str]:
    """Four deals of March 2026 (ivanov and petrova in Москва-1, sidorov in Москва-2):
    won after 2 + 4 + 1 days in the stages; moved on after 4 days; lost after 1 day; still new."""
    ivanov, petrova, sidorov, head = (staff[name][0] for name in ("ivanov", "petrova", "sidorov", "head"))
    service = letopis.service
    pipeline_id = define_main_pipeline(letopis, head)
    service.run(head, AddRefusalReason(code="price", label="Дорого"))
    ours = register_client(letopis, ivanov, "ООО «Балтийский терминал»")
    theirs = register_client(letopis, sidorov, "АО «Дальневосточная линия»")

    def deal(actor, counterparty_id, day, amount, currency="RUB") -> str:
        command = opening(counterparty_id, pipeline_id, amount=Decimal(amount), currency=currency)
        return service.run(actor, command.model_copy(update={"occurred_at": on(day)})).id

    def move(actor, deal_id, stage, day) -> None:
        service.run(actor, MoveDeal(stage=stage, occurred_at=on(day)), deal_id)

    won = deal(ivanov, ours, 3, "100000")
    move(ivanov, won, "Коммерческое предложение", 5)
    move(ivanov, won, "Переговоры", 9)
    service.run(ivanov, WinDeal(occurred_at=on(10)), won)
    proposed = deal(petrova, ours, 4, "12345.67")
    move(petrova, proposed, "Коммерческое предложение", 8)
    lost = deal(ivanov, ours, 6, "30000")
    service.run(ivanov, LoseDeal(reason_code="price", occurred_at=on(7)), lost)
    fresh = deal(sidorov, theirs, 6, "2000", "USD")
    letopis.runner.catch_up()
    return {"pipeline": pipeline_id, "won": won, "proposed": proposed, "lost": lost, "fresh": fresh}


def report(letopis, actor, pipeline_id, scope="company", period=MARCH) -> dict:
    with letopis.views.reading() as cursor:
        return funnel(cursor, actor, pipeline_id, scope, *period)


def figures(result: dict) -> dict[str, tuple]:
    return {
        stage["name"]: (
            stage["open_deals"],
            stage["open_amount"],
            stage["weighted_amount"],
            stage["entered"],
            stage["advanced"],
            stage["conversion_percent"],
            stage["median_days_in_stage"],
        )
        for stage in result["stages"]
    }


def test_the_company_funnel_per_stage(letopis, staff, sales) -> None:
    result = report(letopis, staff["analyst"][0], sales["pipeline"])
    assert result["scope"] == "company"
    assert [stage["name"] for stage in result["stages"]] == [stage["name"] for stage in STAGES]
    assert figures(result) == {
        "Квалификация": (
            1,
            {"USD": Decimal(2000)},
            {"USD": Decimal("200.00")},
            4,
            2,
            Decimal("50.0"),
            Decimal("2.00"),
        ),
        "Коммерческое предложение": (
            1,
            {"RUB": Decimal("12345.67")},
            {"RUB": Decimal("4938.27")},
            2,
            1,
            Decimal("50.0"),
            Decimal("4.00"),
        ),
        "Переговоры": (0, {}, {}, 1, 1, Decimal("100.0"), Decimal("1.00")),
    }
    assert result["won"] == {"count": 1, "amount": {"RUB": Decimal(100000)}}
    assert result["lost"] == {"count": 1, "amount": {"RUB": Decimal(30000)}}


def test_a_manager_asking_for_the_company_gets_the_team(letopis, staff, sales) -> None:
    result = report(letopis, staff["ivanov"][0], sales["pipeline"])
    assert (result["requested_scope"], result["scope"]) == ("company", "team:Москва-1")
    qualification = figures(result)["Квалификация"]
    assert qualification[:6] == (0, {}, {}, 3, 2, Decimal("66.7"))
    sidorov = report(letopis, staff["sidorov"][0], sales["pipeline"])
    assert sidorov["scope"] == "team:Москва-2"
    assert figures(sidorov)["Квалификация"][:5] == (
        1,
        {"USD": Decimal(2000)},
        {"USD": Decimal("200.00")},
        1,
        0,
    )
    assert sidorov["won"]["count"] == 0


def test_a_head_of_sales_sees_the_department_and_one_manager_on_request(letopis, staff, sales) -> None:
    head = staff["head"][0]
    assert report(letopis, head, sales["pipeline"])["scope"] == "department:Продажи"
    petrova = staff["petrova"][0].employee_id
    alone = report(letopis, head, sales["pipeline"], f"manager:{petrova}")
    assert figures(alone)["Коммерческое предложение"][:2] == (1, {"RUB": Decimal("12345.67")})
    assert figures(alone)["Квалификация"][3:] == (1, 1, Decimal("100.0"), Decimal("4.00"))


@pytest.mark.parametrize(
    ("who", "scope", "error"),
    [
        ("ivanov", "team:Москва-2", AccessDenied),
        ("kuznetsova", "department:Продажи", AccessDenied),
        ("head", "team:Питер", AccessDenied),
        ("admin", "team:Казань", NotFound),
        ("admin", "everyone", InvalidValue),
    ],
)
def test_a_scope_outside_the_readers_own_or_malformed_is_refused(
    letopis, staff, sales, who, scope, error
) -> None:
    with pytest.raises(error):
        report(letopis, staff[who][0], sales["pipeline"], scope)


def test_the_period_counts_what_happened_in_it(letopis, staff, sales) -> None:
    result = report(
        letopis, staff["admin"][0], sales["pipeline"], period=(date(2026, 3, 7), date(2026, 3, 9))
    )
    stages = figures(result)
    # Entered in the period: the won deal's negotiation on the 9th; the proposal stage on the 8th.
    assert stages["Квалификация"][3:] == (0, 0, None, Decimal("2.50"))
    assert stages["Коммерческое предложение"][3:] == (1, 0, Decimal("0.0"), Decimal("4.00"))
    assert stages["Переговоры"][3:] == (1, 1, Decimal("100.0"), None)
    assert (result["won"]["count"], result["lost"]["count"]) == (0, 1)
    # Open deals are those open now, whatever the period.
    assert stages["Квалификация"][0] == 1


def test_deals_keep_their_stage_and_probability_when_the_pipeline_changes(letopis, staff, sales) -> None:
    redefined = [
        {"name": "Квалификация", "probability": 20},
        {"name": "КП отправлено", "probability": 50},
        {"name": "Переговоры", "probability": 70},
    ]
    letopis.service.run(staff["head"][0], RedefinePipeline(stages=redefined), sales["pipeline"])
    letopis.runner.catch_up()
    result = report(letopis, staff["admin"][0], sales["pipeline"])
    assert [(s["name"], s["current"], s["probability"]) for s in result["stages"]] == [
        ("Квалификация", True, Decimal(20)),
        ("КП отправлено", True, Decimal(50)),
        ("Переговоры", True, Decimal(70)),
        ("Коммерческое предложение", False, None),
    ]
    stages = figures(result)
    assert stages["Коммерческое предложение"][:3] == (
        1,
        {"RUB": Decimal("12345.67")},
        {"RUB": Decimal("4938.27")},
    )
    assert stages["Квалификация"][2] == {"USD": Decimal("200.00")}


def test_the_deal_list_follows_scope_and_filters(letopis, staff, sales) -> None:
    with letopis.views.reading() as cursor:
        ours, total = search_deals(cursor, staff["petrova"][0], DealFilter(), 10, 0)
        assert total == 3
        assert {deal["id"] for deal in ours} == {sales["won"], sales["proposed"], sales["lost"]}
        open_ones, _ = search_deals(cursor, staff["admin"][0], DealFilter(status="open"), 10, 0)
        assert {deal["id"] for deal in open_ones} == {sales["proposed"], sales["fresh"]}
        page, total = search_deals(cursor, staff["head"][0], DealFilter(stage="Квалификация"), 1, 0)
        assert (len(page), total) == (1, 2)
        lost = get_deal(cursor, sales["lost"])
    assert lost is not None
    assert (lost["status"], lost["lost_reason"], lost["amount"]) == (
        "lost",
        {"code": "price", "text": ""},
        Decimal(30000),
    )


def test_a_rebuild_from_the_log_gives_the_same_funnel(letopis, staff, sales) -> None:
    def rows() -> dict[str, list[tuple]]:
        with letopis.views.reading() as cursor:
            return {
                table: sorted(map(tuple, cursor.execute(f"SELECT * FROM {table}")), key=repr)
                for table in (t.name for t in DealFunnel.tables)
            }

    live = rows()
    letopis.runner.rebuild()
    assert rows() == live
    assert len(live["deal_stage_periods"]) == 5  # the stretches that ended; two deals are still at a stage


def test_open_totals_follow_amount_changes_and_a_move_back_converts_once(letopis, staff, sales) -> None:
    petrova = staff["petrova"][0]
    service = letopis.service
    service.run(petrova, ChangeDealAmount(amount=Decimal("20000"), currency="EUR"), sales["proposed"])
    service.run(petrova, MoveDeal(stage="Квалификация", occurred_at=on(12)), sales["proposed"])
    service.run(petrova, MoveDeal(stage="Переговоры", occurred_at=on(14)), sales["proposed"])
    letopis.runner.catch_up()

    stages = figures(report(letopis, staff["analyst"][0], sales["pipeline"]))

    assert stages["Коммерческое предложение"][:5] == (0, {}, {}, 2, 2)
    # The deal entered qualification twice (the 4th and the 12th); both stretches led further.
    assert stages["Квалификация"][3:5] == (5, 3)
    # Negotiation's probability is 70 %.
    assert stages["Переговоры"][:3] == (1, {"EUR": Decimal(20000)}, {"EUR": Decimal("14000.00")})


@pytest.mark.parametrize(
    "period",
    [
        (None, None),
        MARCH,
        (date(2026, 3, 5), date(2026, 3, 9)),
        (date(2026, 2, 20), date(2026, 4, 3)),
        (date(2026, 3, 8), None),
        (None, date(2026, 3, 6)),
    ],
)
def test_the_median_time_in_stage_is_the_exact_median_of_the_stretches_that_ended_in_the_period(
    letopis, staff, sales, period
) -> None:
    """Counted from the daily and monthly totals, read from the index: it must equal the
    median of every stretch that ended in the period, taken the slow way."""
    since, until = period
    with letopis.views.reading() as cursor:
        stretches = cursor.execute("SELECT stage, left_at, microseconds FROM deal_stage_periods")
        moment_of = cursor.dialect.moment_of
    ended: dict[str, list[int]] = {}
    for stage, left_at, microseconds in stretches:
        day = moment_of(left_at).astimezone(UTC).date()
        if (since is None or day >= since) and (until is None or day <= until):
            ended.setdefault(stage, []).append(int(microseconds))
    expected = {
        stage: (Decimal(statistics.median(lengths)) / MICROSECONDS_A_DAY).quantize(Decimal("0.01"))
        for stage, lengths in ended.items()
    }

    medians = {
        stage["name"]: stage["median_days_in_stage"]
        for stage in report(letopis, staff["admin"][0], sales["pipeline"], period=period)["stages"]
        if stage["median_days_in_stage"] is not None
    }

    assert medians == expected
    assert medians, "no stretch ended: the comparison proves nothing"
