"""A view built by another version of its projection is dropped and rebuilt from the log on
start; the other views keep what they have."""

import pytest

from aggregates.employee import Role
from letopis.wiring import build
from projections.employee_directory import EmployeeDirectory
from tests.conftest import hire


@pytest.mark.parametrize(
    "store_kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_a_view_of_another_version_is_rebuilt_and_the_others_are_kept(letopis) -> None:
    hire(letopis, "Иванов Иван", Role.MANAGER, "Москва-1", "Продажи")
    letopis.runner.catch_up()
    with letopis.views.writing() as cursor:
        # As an older release would have left it: another version, and rows it got wrong.
        cursor.execute("UPDATE projection_versions SET version = 0 WHERE name = 'employee_directory'")
        cursor.execute("DELETE FROM employees")
    before = letopis.runner.positions()
    letopis.close()

    restarted = build(letopis.settings)
    try:
        after_start = restarted.runner.positions()
        restarted.runner.catch_up()
        with restarted.views.reading() as cursor:
            employees = cursor.execute("SELECT full_name FROM employees")
            ((version,),) = cursor.execute(
                "SELECT version FROM projection_versions WHERE name = 'employee_directory'"
            )
    finally:
        restarted.close()

    assert after_start["employee_directory"] == 0
    assert {k: v for k, v in after_start.items() if k != "employee_directory"} == {
        k: v for k, v in before.items() if k != "employee_directory"
    }
    assert employees == [("Иванов Иван",)]
    assert version == EmployeeDirectory.version
