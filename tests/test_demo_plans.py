"""The demo company's plans and forecasts: every manager and team planned for every month of
the two years, forecasts submitted, and plan against actual readable for a past month."""

from datetime import UTC, datetime

from aggregates.period import parse_period
from aggregates.sales_plan import PlanTarget
from letopis.demo import DemoSize, seed_demo
from letopis.demo.company import TEAMS
from projections.employee_directory import find_employee
from projections.forecast_queries import accuracy, submissions
from projections.plan_vs_actual import Target, plan_vs_actual

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
