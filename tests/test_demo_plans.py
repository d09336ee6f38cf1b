"""The demo company's plans and forecasts: every manager and team planned for every month of
the two years, forecasts submitted, plan against actual readable for a past month, and every
report the same after the views are rebuilt from the log."""

from datetime import UTC, datetime

from aggregates.period import parse_period
from aggregates.sales_plan import PlanTarget
from letopis.demo import DemoSize, seed_demo
from letopis.demo.company import TEAMS
from projections.employee_directory import find_employee
from projections.forecast_queries import Grouping, accuracy, product_forecast, submissions, weighted_forecast
from projections.plan_forms import marketing_forecast, purchase_plan, sales_plan_form
from projections.plan_vs_actual import Target, plan_vs_actual
from projections.product_trend import product_trend
from projections.sales_plans import PlanFilter, search_plans
from projections.stage_plan import stage_plan_vs_actual

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SMALL = DemoSize(
    counterparties=60,
    contacts=100,
    interactions=100,
    inquiries=40,
    deals=200,
    contracts=10,
    orders=60,
    payments=40,
)


def test_every_manager_and_team_is_planned_and_forecasts_are_submitted(letopis) -> None:
    summary = seed_demo(letopis, now=NOW, size=SMALL)
    letopis.runner.catch_up()
    with letopis.views.reading() as cursor:
        planned = cursor.execute(
            "SELECT target_kind, COUNT(DISTINCT target_id), COUNT(DISTINCT period) FROM sales_plans "
            "WHERE grain = 'month' GROUP BY target_kind ORDER BY target_kind"
        )
        assert [tuple(row) for row in planned] == [
            ("employee", sum(TEAMS.values()), 26),
            ("team", len(TEAMS), 26),
        ]
        auditor = find_employee(cursor, _auditor_id(cursor))
        assert auditor is not None
        head = find_employee(cursor, summary.showcase.head_of_sales_id)
        assert head is not None
        january = parse_period("2026-01")
        entries = submissions(cursor, head, january)
        assert len(entries) == sum(TEAMS.values())
        assert all(entry["in_force"] is not None for entry in entries)
        assert any(entry["adjustment"] is not None for entry in entries)
        company = Target(PlanTarget.COMPANY, "company")
        (year,) = plan_vs_actual(cursor, auditor, parse_period("2025"), company, NOW.date())["plans"]
        assert (year["measure"], year["currency"]) == ("won_deals", None)
        assert year["actual"] > 0
        team = plan_vs_actual(cursor, head, january, Target(PlanTarget.TEAM, "Москва-1"), NOW.date())
        (won,) = [line for line in team["plans"] if line["measure"] == "won_amount"]
        assert won["basis"] == "members"
        assert won["plan"] > 0
        assert accuracy(cursor, head, NOW.date())


def _auditor_id(cursor) -> str:
    return str(cursor.execute("SELECT id FROM employees WHERE role = 'auditor'")[0][0])


def test_every_plan_and_forecast_report_reads_the_same_after_a_rebuild(letopis) -> None:
    seed_demo(letopis, now=NOW, size=SMALL)
    letopis.runner.catch_up()

    def reports() -> list[object]:
        with letopis.views.reading() as cursor:
            head = find_employee(cursor, _head_id(cursor))
            assert head is not None
            january, year = parse_period("2026-01"), parse_period("2025")
            team = Target(PlanTarget.TEAM, "Москва-1")
            return [
                search_plans(cursor, head, PlanFilter(period=january.key), 200, 0),
                plan_vs_actual(cursor, head, january, team, NOW.date(), "RUB"),
                stage_plan_vs_actual(cursor, head, year, team),
                product_trend(cursor, head, january, team),
                weighted_forecast(cursor, head, january, Grouping.TEAM),
                product_forecast(cursor, head, january),
                submissions(cursor, head, january),
                accuracy(cursor, head, NOW.date()),
                sales_plan_form(cursor, head, january, 3),
                marketing_forecast(cursor, head, january, 3),
                purchase_plan(cursor, head, january, 3),
            ]

    live = reports()
    assert all(live[1:3])
    letopis.runner.rebuild()
    assert reports() == live


def _head_id(cursor) -> str:
    return str(cursor.execute("SELECT id FROM employees WHERE role = 'head_of_sales'")[0][0])
