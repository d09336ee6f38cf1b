"""Scope is decided in one place, ``Reach``: the Python check and the SQL condition a view
filters by must agree for every reader and every card, the card's manager unknown included."""

from hypothesis import given, settings
from hypothesis import strategies as st

from aggregates.employee import Role
from aggregates.scope import Actor, Responsible, covers
from projections.database import Params
from projections.scope import in_scope
from projections.sqlite import SqliteViews
from projections.staff import staff_table

STAFF = staff_table("scope_staff")
TEAMS = st.sampled_from(["Москва-1", "Москва-2", "Питер", None])
DEPARTMENTS = st.sampled_from(["Продажи", "Сервис", None])
IDS = [f"e{n}" for n in range(6)]

staff_members = st.lists(
    st.tuples(st.sampled_from(IDS), TEAMS, DEPARTMENTS), unique_by=lambda member: member[0], max_size=6
)
actors = st.builds(
    Actor,
    employee_id=st.sampled_from(IDS),
    full_name=st.just("Читатель"),
    role=st.sampled_from(list(Role)),
    team=TEAMS,
    department=DEPARTMENTS,
)


@settings(max_examples=300, deadline=None)
@given(staff=staff_members, actor=actors, manager_id=st.sampled_from([*IDS, "не из штата"]))
def test_the_sql_condition_admits_exactly_the_cards_the_python_check_covers(
    staff: list[tuple[str, str | None, str | None]], actor: Actor, manager_id: str
) -> None:
    views = SqliteViews(":memory:")
    try:
        with views.writing() as cursor:
            STAFF.create(cursor, STAFF.name)
            cursor.executemany(
                f"INSERT INTO {STAFF.name} (id, full_name, team, department) "
                "VALUES ($1, 'Сотрудник', $2, $3)",
                staff,
            )
            p = Params(manager_id)
            admitted = cursor.execute(f"SELECT 1 WHERE {in_scope(actor, '$1', STAFF.name, p)}", p.values)
        known = {member[0]: member for member in staff}
        _, team, department = known.get(manager_id, (manager_id, None, None))
        assert bool(admitted) == covers(actor, Responsible(manager_id, team, department))
    finally:
        views.close()
