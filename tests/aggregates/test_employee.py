"""The employee's lifecycle as the domain decides it: tokens, roles, deactivation."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from aggregates.employee import LEGACY_TOKEN_LIFETIME, Employee, Role
from aggregates.errors import InvalidValue, NotFound, RuleViolated
from aggregates.stamp import Stamp

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def stamp(actor: str = "admin") -> Stamp:
    return Stamp(actor, NOW, str(uuid4()), "c")


def manager() -> Employee:
    return Employee.hire(
        stamp(), full_name="Иванов Иван", role=Role.MANAGER, team="Москва-1", department=None
    )


def issue(employee: Employee, name: str, days: int = 90) -> str:
    token_id = str(uuid4())
    employee.issue_token(
        stamp(), token_id=token_id, name=name, token_digest="0" * 64, expires_at=NOW + timedelta(days=days)
    )
    return token_id


def test_a_token_under_the_name_of_a_live_one_replaces_it() -> None:
    employee = manager()
    first = issue(employee, "ноутбук")
    other = issue(employee, "телефон")
    second = issue(employee, "ноутбук")
    assert employee.tokens == {other: "телефон", second: "ноутбук"}
    revoked = [e for e in employee.pending_events if isinstance(e, Employee.TokenRevoked)]
    assert [(e.token_id, e.reason) for e in revoked] == [(first, "replaced by a new 'ноутбук' token")]


def test_a_token_must_expire_after_it_is_issued_and_only_a_live_one_is_revoked() -> None:
    employee = manager()
    with pytest.raises(InvalidValue, match="expire after"):
        issue(employee, "вчерашний", days=-1)
    with pytest.raises(NotFound):
        employee.revoke_token(stamp(), str(uuid4()), "нет такого")


def test_a_role_change_keeps_the_placement_rules() -> None:
    employee = manager()
    with pytest.raises(InvalidValue, match="a manager belongs to a team"):
        employee.change_role(stamp(), Role.MANAGER, None, None)
    with pytest.raises(RuleViolated, match="already has"):
        employee.change_role(stamp(), Role.MANAGER, "Москва-1", None)
    employee.change_role(stamp(), Role.HEAD_OF_SALES, None, "Продажи")
    assert (employee.role, employee.department) == (Role.HEAD_OF_SALES, "Продажи")


def test_deactivation_revokes_every_token_and_refuses_new_ones_until_reactivation() -> None:
    employee = manager()
    tokens = {issue(employee, "a"), issue(employee, "b")}
    with pytest.raises(RuleViolated, match="cannot deactivate themselves"):
        employee.deactivate(stamp(str(employee.id)), "сам себя")
    employee.deactivate(stamp(), "Уволился")
    (deactivated,) = [e for e in employee.pending_events if isinstance(e, Employee.Deactivated)]
    assert set(deactivated.revoked_token_ids) == tokens
    assert employee.tokens == {}
    with pytest.raises(RuleViolated, match="deactivated"):
        issue(employee, "c")
    with pytest.raises(RuleViolated, match="deactivated"):
        employee.change_role(stamp(), Role.AUDITOR, None, None)
    employee.reactivate(stamp(), "Вернулся")
    issue(employee, "c")
    with pytest.raises(RuleViolated, match="is active"):
        employee.reactivate(stamp(), "ещё раз")


def test_a_token_recorded_before_names_and_expiries_reads_as_named_and_expiring() -> None:
    state = {"token_digest": "ab" * 32, "timestamp": NOW, "actor": "console"}
    Employee.TokenIssued.upcast_v1_v2(state)
    assert state["name"] == "token"
    assert state["expires_at"] == NOW + LEGACY_TOKEN_LIFETIME
    again = {"token_digest": "ab" * 32, "timestamp": NOW}
    Employee.TokenIssued.upcast_v1_v2(again)
    assert again["token_id"] == state["token_id"]
