from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from aggregates.errors import AccessDenied, InvalidValue, RuleViolated
from aggregates.forecast import ForecastCategory, ForecastSubmission, category_of_stage, submission_id
from aggregates.period import parse_period
from aggregates.planning_policy import PlanningPolicy, check_may_set_plans
from aggregates.role import Role
from aggregates.scope import Actor
from aggregates.stamp import Stamp

STAMP = Stamp("ivanov", datetime(2026, 10, 3, 9, tzinfo=UTC), "c-1", "c-1")
OCTOBER = parse_period("2026-10")


@pytest.mark.parametrize(
    ("status", "probability", "category"),
    [
        ("open", Decimal(10), ForecastCategory.PIPELINE),
        ("open", Decimal(50), ForecastCategory.BEST_CASE),
        ("open", Decimal(90), ForecastCategory.COMMIT),
        ("open", Decimal(0), ForecastCategory.OMITTED),
        ("won", Decimal(10), ForecastCategory.CLOSED),
        ("lost", Decimal(90), ForecastCategory.OMITTED),
    ],
)
def test_a_stage_places_a_deal_in_a_category(
    status: str, probability: Decimal, category: ForecastCategory
) -> None:
    assert category_of_stage(status, probability) == category


def test_a_submission_is_revised_and_adjusted_by_events_of_their_own() -> None:
    submission = ForecastSubmission.submit(
        STAMP,
        employee_id="ivanov",
        period=OCTOBER,
        amounts={"commit": Decimal("100.00")},
        currency="RUB",
        note="",
    )
    assert submission.id == submission_id("ivanov", OCTOBER)
    submission.revise(STAMP, OCTOBER, {"commit": Decimal(120)}, "RUB", "Новый клиент")
    submission.adjust(STAMP, OCTOBER, {"commit": Decimal(90)}, "RUB", "Осторожнее")
    events = submission.collect_events()
    assert [type(e).__name__ for e in events] == ["Submitted", "Revised", "Adjusted"]


@pytest.mark.parametrize(
    "amounts",
    [
        {},
        {"someday": Decimal(1)},
        {"commit": Decimal(-1)},
        {"commit": Decimal("1.001")},
        {"commit": Decimal("NaN")},
    ],
)
def test_bad_amounts_are_refused(amounts: dict[str, Decimal]) -> None:
    with pytest.raises(InvalidValue):
        ForecastSubmission.submit(
            STAMP, employee_id="ivanov", period=OCTOBER, amounts=amounts, currency="RUB", note=""
        )


def test_a_forecast_for_a_period_that_has_closed_is_refused() -> None:
    with pytest.raises(RuleViolated, match="has closed"):
        ForecastSubmission.submit(
            STAMP,
            employee_id="ivanov",
            period=parse_period("2026-09"),
            amounts={"commit": Decimal(1)},
            currency="RUB",
            note="",
        )
    assert parse_period("2026-Q4").last_day >= date(2026, 10, 3)


def actor(role: Role) -> Actor:
    return Actor("someone", "Кто-то", role, None, "Продажи")


def test_admins_set_plans_and_so_do_the_roles_the_company_names() -> None:
    check_may_set_plans(actor(Role.ADMIN), None)
    with pytest.raises(AccessDenied):
        check_may_set_plans(actor(Role.HEAD_OF_SALES), None)
    policy = PlanningPolicy.name_setters(STAMP, [Role.HEAD_OF_SALES], "Руководители ставят планы")
    check_may_set_plans(actor(Role.HEAD_OF_SALES), policy)
    with pytest.raises(AccessDenied):
        check_may_set_plans(actor(Role.MANAGER), policy)
    with pytest.raises(InvalidValue, match="auditors"):
        policy.rename_setters(STAMP, [Role.AUDITOR], "Пусть аудиторы")
    with pytest.raises(RuleViolated):
        policy.rename_setters(STAMP, [Role.HEAD_OF_SALES], "То же самое")
