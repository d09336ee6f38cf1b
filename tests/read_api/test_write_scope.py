"""Every write route, tried on Ivanov's team's records by those who may not change them:
another team's manager, another department's, an auditor and an analyst. Each gets 403 and
nothing is written.

The routes come from the OpenAPI document: a write route without a scenario here fails the
test, so a new route cannot skip the check."""

from typing import Any

import pytest

from tests.read_api.world import (
    API,
    ITEM,
    STAGES,
    activity_body,
    contract_body,
    days,
    ivanov_world,
    meeting_body,
    moment,
)

INTRUDERS = ("sidorov", "kuznetsova", "auditor", "analyst")


def scenarios(w: dict[str, str]) -> dict[tuple[str, str], tuple[dict[str, str], Any]]:
    """(method, path template) → (path values, a body that is valid but for who sends it)."""
    meeting = {"kind": "meeting"}
    return {
        ("post", "/counterparties"): ({}, {"name": "ООО «Чужое»", "manager_id": w["ivanov"]}),
        ("patch", "/counterparties/{counterparty_id}"): (
            {"counterparty_id": w["counterparty"]},
            {"region": "Уфа"},
        ),
        ("put", "/counterparties/{counterparty_id}/manager"): (
            {"counterparty_id": w["counterparty"]},
            {"manager_id": w["ivanov"]},
        ),
        ("put", "/counterparties/{counterparty_id}/rating"): (
            {"counterparty_id": w["counterparty"]},
            {"rating": 1},
        ),
        ("post", "/counterparties/{counterparty_id}/admission"): (
            {"counterparty_id": w["counterparty"]},
            {"admission": "forbidden", "reason": "Так захотелось"},
        ),
        ("post", "/contacts"): ({}, {"counterparty_id": w["counterparty"], "full_name": "Подставной"}),
        ("patch", "/contacts/{contact_id}"): ({"contact_id": w["private_contact"]}, {"position": "Директор"}),
        ("post", "/interactions"): (
            {},
            {"contact_ids": [w["private_contact"]], "subject": "Визит", "details": meeting},
        ),
        ("post", "/interactions/{interaction_id}/corrections"): (
            {"interaction_id": w["private_interaction"]},
            {"reason": "Правка", "subject": "Переписано"},
        ),
        ("post", "/employees"): ({}, {"full_name": "Новый Админ", "role": "admin"}),
        ("post", "/employees/{employee_id}/tokens"): ({"employee_id": w["ivanov"]}, {"name": "чужой"}),
        ("delete", "/tokens/{token_id}"): ({"token_id": w["token"]}, None),
        ("post", "/employees/{employee_id}/calendar-feeds"): (
            {"employee_id": w["ivanov"]},
            {"name": "чужой"},
        ),
        ("delete", "/calendar-feeds/{feed_id}"): ({"feed_id": w["calendar_feed"]}, None),
        ("put", "/employees/{employee_id}/role"): ({"employee_id": w["ivanov"]}, {"role": "auditor"}),
        ("post", "/employees/{employee_id}/deactivation"): (
            {"employee_id": w["ivanov"]},
            {"reason": "Уволен"},
        ),
        ("post", "/employees/{employee_id}/reactivation"): (
            {"employee_id": w["ivanov"]},
            {"reason": "Вернулся"},
        ),
        ("post", "/catalogue"): ({}, {**ITEM, "name": "Подделка"}),
        ("put", "/catalogue/{item_id}/price"): ({"item_id": w["item"]}, {"price": "1.00"}),
        ("post", "/catalogue/{item_id}/retirement"): ({"item_id": w["item"]}, {"reason": "Не нужно"}),
        ("post", "/inquiries"): (
            {},
            {"counterparty_id": w["counterparty"], "request": {"Маршрут": "Казань"}, "deadline": moment(24)},
        ),
        ("post", "/inquiries/{inquiry_id}/delegation"): (
            {"inquiry_id": w["inquiry"]},
            {"expert_id": w["ivanov"]},
        ),
        ("post", "/inquiries/{inquiry_id}/quote-tasks"): (
            {"inquiry_id": w["inquiry"]},
            {"department": "Склад", "assignee_id": w["ivanov"], "question": "Цена?", "due": moment(24)},
        ),
        ("post", "/inquiries/{inquiry_id}/quote-tasks/{task_id}/answer"): (
            {"inquiry_id": w["inquiry"], "task_id": "1"},
            {"costs": [{"name": "Фрахт", "amount": "1000"}]},
        ),
        ("put", "/inquiries/{inquiry_id}/price"): ({"inquiry_id": w["inquiry"]}, {"margin_percent": "10"}),
        ("post", "/inquiries/{inquiry_id}/proposal"): (
            {"inquiry_id": w["inquiry"]},
            {"lines": [{"item_id": w["item"], "quantity": "1"}], "valid_until": days(30)},
        ),
        ("post", "/inquiries/{inquiry_id}/acceptance"): (
            {"inquiry_id": w["inquiry"]},
            {"outcome": {"kind": "order", "expected_on": days(10)}},
        ),
        ("post", "/inquiries/{inquiry_id}/refusal"): ({"inquiry_id": w["inquiry"]}, {"reason_code": "price"}),
        ("post", "/refusal-reasons"): ({}, {"code": "weather", "label": "Погода"}),
        ("delete", "/refusal-reasons/{code}"): ({"code": "price"}, None),
        ("post", "/contracts"): ({}, contract_body(w["counterparty"], number="ЧУЖОЙ-1")),
        ("post", "/contracts/{contract_id}/originals"): (
            {"contract_id": w["contract"]},
            {"received_on": days(0)},
        ),
        ("post", "/contracts/{contract_id}/amendments"): (
            {"contract_id": w["contract"]},
            {"reason": "Допсоглашение", "amount": "200000.00"},
        ),
        ("post", "/contracts/{contract_id}/prolongations"): (
            {"contract_id": w["contract"]},
            {"valid_until": days(900)},
        ),
        ("post", "/contracts/{contract_id}/termination"): (
            {"contract_id": w["contract"]},
            {"terminated_on": days(0), "reason": "Расторгнут"},
        ),
        ("post", "/contracts/{contract_id}/stage-starts"): (
            {"contract_id": w["contract"]},
            {"stage": "Перевозка", "started_on": days(0)},
        ),
        ("post", "/contracts/{contract_id}/stage-completions"): (
            {"contract_id": w["contract"]},
            {"stage": "Перевозка", "completed_on": days(0)},
        ),
        ("post", "/orders"): (
            {},
            {"counterparty_id": w["counterparty"], "amount": "100", "expected_on": days(5)},
        ),
        ("post", "/orders/{order_id}/status"): (
            {"order_id": w["order"]},
            {"status": "in_work", "on": days(0)},
        ),
        ("post", "/payments"): ({}, {"contract_id": w["contract"], "amount": "100", "received_on": days(0)}),
        ("post", "/payments/{payment_id}/refunds"): (
            {"payment_id": w["payment"]},
            {"amount": "1", "refunded_on": days(0), "reason": "Возврат"},
        ),
        ("post", "/exchange-rates"): ({}, {"currency": "USD", "rub_per_unit": "1.00", "on": days(0)}),
        ("post", "/pipelines"): ({}, {"name": "Чужая воронка", "stages": STAGES}),
        ("put", "/pipelines/{pipeline_id}/stages"): ({"pipeline_id": w["pipeline"]}, {"stages": STAGES[:1]}),
        ("post", "/deals"): (
            {},
            {
                "counterparty_id": w["counterparty"],
                "pipeline_id": w["pipeline"],
                "amount": "1000",
                "expected_close_on": days(30),
            },
        ),
        ("put", "/deals/{deal_id}/stage"): ({"deal_id": w["deal"]}, {"stage": "Переговоры"}),
        ("put", "/deals/{deal_id}/amount"): ({"deal_id": w["deal"]}, {"amount": "1.00"}),
        ("put", "/deals/{deal_id}/expected-close-date"): (
            {"deal_id": w["deal"]},
            {"expected_close_on": days(90)},
        ),
        ("post", "/deals/{deal_id}/won"): ({"deal_id": w["deal"]}, {}),
        ("post", "/deals/{deal_id}/lost"): ({"deal_id": w["deal"]}, {"reason_code": "price"}),
        **planning_scenarios(w),
    }


def planning_scenarios(w: dict[str, str]) -> dict[tuple[str, str], tuple[dict[str, str], Any]]:
    activity = {"activity_id": w["activity"]}
    task = {"task_id": w["task"]}
    meeting = {"meeting_id": w["meeting"]}
    resource = {"resource_id": w["resource"]}
    return {
        ("post", "/activities"): ({}, activity_body(w["counterparty"])),
        ("post", "/activities/{activity_id}/reschedules"): (
            activity,
            {"starts_at": moment(30), "duration_minutes": 30, "reason": "Перенос"},
        ),
        ("post", "/activities/{activity_id}/holding"): (activity, {"interaction_id": w["interaction"]}),
        ("post", "/activities/{activity_id}/missing"): (activity, {"reason": "Не пришли"}),
        ("post", "/activities/{activity_id}/cancellation"): (activity, {"reason": "Отмена"}),
        ("post", "/tasks"): (
            {},
            {
                "assignee_id": w["ivanov"],
                "title": "Чужая задача",
                "due_on": days(2),
                "counterparty_id": w["counterparty"],
            },
        ),
        ("post", "/tasks/{task_id}/acceptance"): (task, {}),
        ("post", "/tasks/{task_id}/time-entries"): (
            task,
            {"day": days(0), "minutes": 30, "work_done": "Сверка"},
        ),
        ("post", "/tasks/{task_id}/completion"): (task, {}),
        ("post", "/tasks/{task_id}/approval"): (task, {}),
        ("post", "/tasks/{task_id}/return"): (task, {"comment": "Переделать"}),
        ("post", "/hourly-rates"): (
            {},
            {"employee_id": w["ivanov"], "effective_from": days(0), "rate": "1.00"},
        ),
        ("post", "/reminders"): ({}, {"recipient_id": w["ivanov"], "remind_at": moment(1), "text": "Чужое"}),
        ("post", "/reminders/{reminder_id}/dismissal"): ({"reminder_id": w["reminder"]}, {}),
        ("post", "/internal-meetings"): ({}, meeting_body(w["ivanov"])),
        ("post", "/internal-meetings/{meeting_id}/decisions"): (meeting, {"text": "Решение"}),
        ("post", "/internal-meetings/{meeting_id}/decision-tasks"): (
            meeting,
            {"decision_id": w["decision"], "owner_id": w["ivanov"], "due_on": days(5)},
        ),
        ("post", "/resources"): ({}, {"name": "Склад", "kind": "other"}),
        ("post", "/resources/{resource_id}/retirement"): (resource, {"reason": "Списан"}),
        ("post", "/resources/{resource_id}/bookings"): (
            resource,
            {"starts_at": moment(48), "ends_at": moment(49), "activity_id": w["activity"]},
        ),
        ("post", "/resources/{resource_id}/booking-cancellations"): (resource, {"booking_id": w["booking"]}),
        ("put", "/deals/{deal_id}/forecast-category"): (
            {"deal_id": w["deal"]},
            {"category": "commit", "reason": "Подпишут"},
        ),
        ("post", "/sales-plans"): (
            {},
            {
                "period": days(40)[:7],
                "target_kind": "employee",
                "target_id": w["ivanov"],
                "measure": "won_deals",
                "amount": "5",
                "reason": "Свой план",
            },
        ),
        ("post", "/sales-plans/{plan_id}/changes"): (
            {"plan_id": w["sales_plan"]},
            {"amount": "1.00", "currency": "RUB", "reason": "Урезать"},
        ),
        ("post", "/sales-plans/{plan_id}/withdrawal"): ({"plan_id": w["sales_plan"]}, {"reason": "Отменить"}),
        ("post", "/planning-policy"): ({}, {"roles": ["manager"], "reason": "Пусть ставят сами"}),
        ("post", "/forecast/submissions"): (
            {},
            {"employee_id": w["ivanov"], "period": days(0)[:7], "amounts": {"commit": "1.00"}},
        ),
        ("post", "/forecast/adjustments"): (
            {},
            {
                "employee_id": w["ivanov"],
                "period": days(0)[:7],
                "amounts": {"commit": "1.00"},
                "reason": "Иначе",
            },
        ),
        ("post", "/bonus-rules"): (
            {},
            {"effective_from": days(40)[:8] + "01", "rules": {}, "reason": "Своя"},
        ),
        ("put", "/bonus-rules/managing-role"): ({}, {"role": "manager", "reason": "Себе"}),
        ("post", "/bonuses/approvals"): ({}, {"period": "2020-01", "position": 1}),
        ("post", "/imports/counterparties"): ({}, None),
        ("post", "/counterparties/{counterparty_id}/merge"): (
            {"counterparty_id": w["counterparty"]},
            {"merged_id": w["counterparty"], "reason": "Дубль"},
        ),
        ("post", "/counterparties/{counterparty_id}/split"): (
            {"counterparty_id": w["counterparty"]},
            {"reason": "Разные компании"},
        ),
    }


@pytest.fixture
def world(client, auth) -> dict[str, str]:
    return ivanov_world(client, auth)


def write_operations(client) -> list[tuple[str, str]]:
    """Routes that may write: not a GET, nor a query sent in a body, marked ``x-read-only`` (an
    analyst's query) or ``x-writes: false`` (a what-if)."""
    return [
        (method, path.removeprefix(API))
        for path, methods in client.app.openapi()["paths"].items()
        for method, operation in methods.items()
        if method != "get" and path.startswith(API)
        if not operation.get("x-read-only") and operation.get("x-writes", True)
    ]


def test_no_write_route_lets_another_team_an_auditor_or_an_analyst_change_what_is_not_theirs(
    client, auth, world, letopis
) -> None:
    cases = scenarios(world)
    missing = sorted(set(write_operations(client)) - set(cases))
    assert not missing, f"write routes without a scope scenario: {missing}"
    head = letopis.store.head()
    for (method, template), (values, body) in cases.items():
        path = template.format(**values)
        for intruder in INTRUDERS:
            response = client.request(method, f"{API}{path}", json=body, headers=auth(intruder))
            assert response.status_code == 403, f"{intruder}: {method.upper()} {path} → {response.text}"
            assert response.json()["code"] == "access_denied"
    assert letopis.store.head() == head


def test_an_interaction_checks_every_contact_it_names(client, auth, world, letopis) -> None:
    """Sidorov's own client, but Ivanov's contact beside it: refused, as is Ivanov's private
    client named after Sidorov's own contact."""
    own = client.post(f"{API}/counterparties", json={"name": "ООО «Своё»"}, headers=auth("sidorov")).json()[
        "id"
    ]
    own_contact = client.post(
        f"{API}/contacts", json={"counterparty_id": own, "full_name": "Свой Человек"}, headers=auth("sidorov")
    ).json()["id"]
    head = letopis.store.head()
    for body in (
        {"counterparty_id": own, "contact_ids": [world["contact"]]},
        {"contact_ids": [own_contact, world["private_contact"]]},
    ):
        response = client.post(
            f"{API}/interactions",
            json={**body, "subject": "Встреча", "details": {"kind": "meeting"}},
            headers=auth("sidorov"),
        )
        assert response.status_code in (403, 422), response.text
        assert response.status_code == 403 or "another counterparty" in response.text
    assert letopis.store.head() == head


def test_a_correction_cannot_bring_another_teams_contact_into_ones_own_interaction(
    client, auth, world, letopis
) -> None:
    own = client.post(
        f"{API}/contacts", json={"full_name": "Частник Сидорова"}, headers=auth("sidorov")
    ).json()["id"]
    logged = client.post(
        f"{API}/interactions",
        json={"contact_ids": [own], "subject": "Звонок", "details": {"kind": "meeting"}},
        headers=auth("sidorov"),
    ).json()["id"]
    head = letopis.store.head()
    response = client.post(
        f"{API}/interactions/{logged}/corrections",
        json={"reason": "Уточнение", "contact_ids": [own, world["private_contact"]]},
        headers=auth("sidorov"),
    )
    assert response.status_code == 403
    assert letopis.store.head() == head
