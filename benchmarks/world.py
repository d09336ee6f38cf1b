"""A small CRM to write into: one manager with a token and a few counterparties."""

from dataclasses import dataclass

from aggregates.employee import Role
from aggregates.scope import Actor
from commands.counterparty_commands import RegisterCounterparty
from commands.interaction_commands import LogInteraction
from letopis.settings import Settings
from letopis.wiring import Letopis, build

NOTES = "Обсудили поставку, сроки и условия оплаты; клиент просит перезвонить в четверг. " * 2


@dataclass
class World:
    letopis: Letopis
    actor: Actor
    token: str
    counterparty_ids: list[str]


def build_world(url: str, counterparties: int = 4) -> World:
    letopis = build(Settings(database_url=url))
    employee_id, token = letopis.create_user("Бенчмарков Пётр", Role.MANAGER, "Москва-1", "Продажи")
    actor = Actor(employee_id, "Бенчмарков Пётр", Role.MANAGER, "Москва-1", "Продажи")
    ids = [
        letopis.service.run(
            actor,
            RegisterCounterparty(
                name=f"ООО Ромашка {n}", phones=[f"+7 495 100-{n // 100:02d}-{n % 100:02d}"]
            ),
        ).id
        for n in range(counterparties)
    ]
    letopis.runner.catch_up()
    return World(letopis, actor, token, ids)


def interaction_body(counterparty_id: str, n: int) -> dict[str, object]:
    return {
        "counterparty_id": counterparty_id,
        "subject": f"Входящий звонок №{n}",
        "details": {
            "kind": "call",
            "direction": "incoming",
            "phone": "+7 495 100-00-01",
            "duration_seconds": 60 + n % 600,
            "notes": NOTES,
        },
    }


def log_command(counterparty_id: str, n: int) -> LogInteraction:
    return LogInteraction.model_validate(interaction_body(counterparty_id, n))
