"""A view built by another version of its projection is rebuilt beside the one that answers
when a process of the new version starts; the other views keep what they have."""

import pytest

from aggregates.employee import Role
from letopis.wiring import build
from projections.employee_directory import EmployeeDirectory
from tests.conftest import hire


@pytest.mark.parametrize(
    "store_kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_a_view_of_another_version_is_rebuilt_beside_the_old_one_and_the_others_are_kept(letopis) -> None:
    hire(letopis, "Иванов Иван", Role.MANAGER, "Москва-1", "Продажи")
    letopis.runner.catch_up()
    with letopis.views.writing() as cursor:
        # As an older release would have left it: another version, and rows it got wrong.
        cursor.execute("UPDATE projection_versions SET version = 0 WHERE name = 'employee_directory'")
        cursor.execute("UPDATE employees SET full_name = 'Старое имя'")
    before = letopis.runner.positions()
    letopis.close()

    restarted = build(letopis.settings)
    try:
        at_start = {view.name: view for view in restarted.runner.status()}
        with restarted.views.reading() as cursor:
            answered_at_start = cursor.execute("SELECT full_name FROM employees")
        restarted.runner.catch_up()
        after = {view.name: view for view in restarted.runner.status()}
        with restarted.views.reading() as cursor:
            employees = cursor.execute("SELECT full_name FROM employees")
    finally:
        restarted.close()

    directory = at_start["employee_directory"]
    assert (directory.state, directory.version, directory.position) == (
        "rebuilding",
        0,
        before[directory.name],
    )
    assert directory.build is not None
    assert directory.build.version == EmployeeDirectory.version
    assert answered_at_start == [("Старое имя",)]
    assert employees == [("Иванов Иван",)]
    assert (after["employee_directory"].state, after["employee_directory"].version) == (
        "running",
        EmployeeDirectory.version,
    )
    assert {name: view.position for name, view in after.items()} == before
