import pytest

from aggregates.employee import Role
from aggregates.errors import AccessDenied
from aggregates.scope import Actor, Responsible, check_may_change, check_may_read, covers

IVANOV = Actor("ivanov", "Иванов", Role.MANAGER, "Москва-1", "Продажи")
HEAD = Actor("head", "Смирнов", Role.HEAD_OF_SALES, None, "Продажи")
AUDITOR = Actor("auditor", "Волкова", Role.AUDITOR, None, None)

OWN = Responsible("ivanov", "Москва-1", "Продажи")
TEAMMATE = Responsible("petrova", "Москва-1", "Продажи")
OTHER_TEAM = Responsible("sidorov", "Москва-2", "Продажи")
OTHER_DEPARTMENT = Responsible("kuznetsova", "Питер", "Северо-Запад")


def test_a_manager_covers_their_own_and_their_teams_clients_only() -> None:
    assert covers(IVANOV, OWN)
    assert covers(IVANOV, TEAMMATE)
    assert not covers(IVANOV, OTHER_TEAM)


def test_a_head_of_sales_covers_their_department() -> None:
    assert covers(HEAD, OTHER_TEAM)
    assert not covers(HEAD, OTHER_DEPARTMENT)


def test_an_auditor_reads_everything_and_changes_nothing() -> None:
    check_may_read(AUDITOR, OTHER_DEPARTMENT)
    with pytest.raises(AccessDenied, match="reads but does not change"):
        check_may_change(AUDITOR, OWN)


def test_outside_scope_is_refused() -> None:
    with pytest.raises(AccessDenied):
        check_may_change(IVANOV, OTHER_TEAM)
