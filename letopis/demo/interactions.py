"""Two years of calls, e-mails, messages, meetings, negotiations and service visits, each
chosen knowing the client's admission at its moment, with texts shaped by the models that
validate them at the API."""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import accumulate
from typing import Any

from pydantic import BaseModel

from aggregates.counterparty import BARRED
from aggregates.interaction import Direction, Interaction, InteractionKind
from commands.interaction_commands import (
    CallDetails,
    EmailDetails,
    MeetingDetails,
    MessageDetails,
    NegotiationDetails,
    ServiceVisitDetails,
)
from letopis.demo.chronicle import Chronicle, Client, Person, PrivateClient, Staff
from letopis.demo.vocabulary import ORIGINS, Region

CARGO = (
    "20-футовый контейнер",
    "40-футовый контейнер HC",
    "тент 20 т",
    "сборный груз, 3 паллеты",
    "рефрижератор +2…+6 °C",
    "негабаритное оборудование 32 т",
    "вагон пиломатериалов",
)
INCOMING_CALLS = (
    "Запрос ставки {route}",
    "Где груз по заявке № {order}?",
    "Просьба перенести загрузку по заявке № {order}",
    "Претензия: задержка доставки по заявке № {order}",
    "Вопрос по счёту № {invoice}",
    "Новая заявка: {cargo}, {route}",
)
OUTGOING_CALLS = (
    "Предложение ставки {route}",
    "Подтверждение загрузки по заявке № {order}",
    "Напоминание об оплате счёта № {invoice}",
    "Сверка объёмов на следующий квартал",
    "Груз прибыл на склад в г. {city}",
    "Знакомство: услуги «ТрансЛогистик»",
)
CALL_NOTES = (
    "Клиент ждёт ставку до пятницы.",
    "Перезвонить после согласования с директором.",
    "Груз на терминале, доставка завтра до обеда.",
    "Обещали оплатить до конца недели.",
    "Просят фото погрузки.",
    "",
)
INCOMING_MAILS = (
    "Заявка на перевозку: {cargo}, {route}",
    "Запрос закрывающих документов по заявке № {order}",
    "Акт сверки за квартал",
    "Претензия по повреждению груза, заявка № {order}",
)
OUTGOING_MAILS = (
    "Коммерческое предложение: {route}",
    "Счёт № {invoice} на оплату",
    "Проект договора на {year} год",
    "Трек-номер и документы по заявке № {order}",
)
MESSAGES = (
    "Добрый день! Сколько стоит {cargo} {route}?",
    "Машина уже на загрузке?",
    "Пришлите, пожалуйста, копию ТТН по заявке № {order}.",
    "Спасибо, груз получили без замечаний.",
)
MESSAGE_CHANNELS = ("web_form", "chat", "messenger", "messenger", "social", "sms")
MEETING_PLACES = (
    "Офис клиента, г. {city}",
    "Наш офис, Москва, Складочная ул., 1",
    "Склад клиента, г. {city}",
    "Выставка «ТрансРоссия», «Крокус Экспо»",
    "Видеозвонок",
)
MEETING_AGENDAS = (
    "Условия договора на {year} год",
    "Презентация мультимодальных перевозок",
    "Разбор претензии по заявке № {order}",
    "План отгрузок на сезон",
)
MEETING_RESULTS = (
    "Клиент готов передать тестовую перевозку.",
    "Согласовали график отгрузок.",
    "Подготовить коммерческое предложение до конца недели.",
    "Претензию закрыли скидкой на следующий рейс.",
)
AGREEMENTS = (
    "Ставка {route}: {price} ₽ за рейс",
    "Отсрочка платежа {days} календарных дней",
    "Гарантированный объём: {trips} рейсов в месяц",
    "Ставки фиксируются до конца квартала",
    "Страхование груза включено в ставку",
)
VISIT_WORKS = (
    "Проверили упаковку и маркировку груза на складе клиента",
    "Провели инструктаж кладовщиков по оформлению ТТН",
    "Проконтролировали погрузку негабаритного оборудования",
    "Провели аудит процесса отгрузки",
    "Установили GPS-трекеры на контейнеры",
)
FOLLOW_UPS = (
    "Отправить акт осмотра",
    "Подготовить схему крепления груза",
    "Согласовать окно загрузки с терминалом",
    "Выставить счёт за дополнительную упаковку",
)
INTERACTION_KINDS = tuple(InteractionKind)
INTERACTION_WEIGHTS = tuple(
    {
        InteractionKind.CALL: 45,
        InteractionKind.EMAIL: 25,
        InteractionKind.MESSAGE: 10,
        InteractionKind.MEETING: 8,
        InteractionKind.NEGOTIATION: 5,
        InteractionKind.SERVICE_VISIT: 7,
    }[kind]
    for kind in INTERACTION_KINDS
)
DIRECTED_KINDS = (InteractionKind.CALL, InteractionKind.EMAIL, InteractionKind.MESSAGE)
DIRECTIONS = (Direction.INCOMING, Direction.OUTGOING)


@dataclass(frozen=True)
class Occasion:
    """Who talks to whom, where and when: what an interaction's texts are made from."""

    manager: Staff
    region: Region
    moment: datetime
    phones: list[str]
    people: list[Person]


class _Placeholders(dict[str, str]):
    """Values for a text template, drawn only for the placeholders the template uses."""

    def __init__(self, rng: random.Random, occasion: Occasion) -> None:
        super().__init__(city=occasion.region.name)
        self.rng = rng
        self.occasion = occasion

    def __missing__(self, key: str) -> str:
        rng = self.rng
        if key == "route":
            origin = rng.choice(ORIGINS)
            if origin == self["city"]:
                origin = "Новосибирск" if origin == "Москва" else "Москва"
            return f"{origin} — {self['city']}"
        if key == "order":
            return f"ТЛ-{rng.randrange(10_000, 99_999)}"
        if key == "invoice":
            return str(rng.randrange(1_000, 9_999))
        if key == "cargo":
            return rng.choice(CARGO)
        if key == "year":
            return str(self.occasion.moment.year + rng.choice((0, 1)))
        if key == "price":
            return f"{rng.randrange(40, 400) * 1_000:,}".replace(",", " ")
        if key == "days":
            return str(rng.choice((14, 30, 45)))
        if key == "trips":
            return str(rng.randrange(2, 40))
        raise KeyError(key)


def _fill(chronicle: Chronicle, template: str, occasion: Occasion) -> str:
    return template.format_map(_Placeholders(chronicle.rng, occasion))


def interactions(chronicle: Chronicle) -> Iterator[Interaction]:
    rng = chronicle.rng
    cumulative = list(accumulate(c.weight for c in chronicle.clients))
    for _ in range(chronicle.size.interactions):
        chronicle.interactions_logged += 1
        if chronicle.private_clients and rng.random() < 0.01:
            yield _private_interaction(chronicle, rng.choice(chronicle.private_clients))
        else:
            yield _client_interaction(chronicle, rng.choices(chronicle.clients, cum_weights=cumulative)[0])


def _client_interaction(chronicle: Chronicle, client: Client) -> Interaction:
    """What happened is chosen knowing the client's admission at that moment: a barred
    client only reaches us, by call, e-mail or message."""
    rng = chronicle.rng
    moment = chronicle.moment(client.registered_at, chronicle.now)
    admission = client.admission_at(moment)
    kind: InteractionKind
    direction: Direction | None
    if admission in BARRED:
        kind, direction = rng.choice(DIRECTED_KINDS), Direction.INCOMING
    else:
        kind = rng.choices(INTERACTION_KINDS, weights=INTERACTION_WEIGHTS)[0]
        direction = rng.choice(DIRECTIONS) if kind in DIRECTED_KINDS else None
    people = rng.sample(client.people, min(len(client.people), rng.choice((0, 1, 1, 1, 2))))
    occasion = Occasion(client.manager, client.region, moment, client.phones, people)
    subject, details = _content(chronicle, kind, direction, occasion)
    return Interaction.log(
        chronicle.stamp(client.manager.id, moment),
        id=chronicle.new_id(),
        admission=admission,
        counterparty_id=client.id,
        contact_ids=[p.id for p in people],
        kind=kind,
        direction=direction,
        subject=subject,
        details=details,
    )


def _private_interaction(chronicle: Chronicle, client: PrivateClient) -> Interaction:
    rng = chronicle.rng
    kind = rng.choice(DIRECTED_KINDS)
    direction = rng.choice(DIRECTIONS)
    moment = chronicle.moment(chronicle.start, chronicle.now)
    occasion = Occasion(client.manager, client.region, moment, [], [client.person])
    subject, details = _content(chronicle, kind, direction, occasion)
    return Interaction.log(
        chronicle.stamp(client.manager.id, moment),
        id=chronicle.new_id(),
        admission=None,
        counterparty_id=None,
        contact_ids=[client.person.id],
        kind=kind,
        direction=direction,
        subject=subject,
        details=details,
    )


def _content(
    chronicle: Chronicle, kind: InteractionKind, direction: Direction | None, occasion: Occasion
) -> tuple[str, dict[str, Any]]:
    """Subject and details, shaped by the models that validate them at the API."""
    rng = chronicle.rng
    incoming = direction == Direction.INCOMING
    people = occasion.people
    ours = [occasion.manager.name.full]
    details: BaseModel
    if kind == InteractionKind.CALL:
        subject = _fill(chronicle, rng.choice(INCOMING_CALLS if incoming else OUTGOING_CALLS), occasion)
        numbers = [p.phone for p in people if p.phone] or occasion.phones
        recorded = rng.random() < 0.4
        details = CallDetails(
            direction=Direction.INCOMING if incoming else Direction.OUTGOING,
            phone=rng.choice(numbers) if numbers else None,
            duration_seconds=rng.randrange(20, 1_800),
            recording_url=f"https://pbx.translogistic.ru/rec/{rng.getrandbits(64):016x}.mp3"
            if recorded
            else None,
            notes=rng.choice(CALL_NOTES),
        )
    elif kind == InteractionKind.EMAIL:
        subject = _fill(chronicle, rng.choice(INCOMING_MAILS if incoming else OUTGOING_MAILS), occasion)
        addresses = [p.email for p in people if p.email]
        details = EmailDetails(
            direction=Direction.INCOMING if incoming else Direction.OUTGOING,
            address=rng.choice(addresses) if addresses else None,
            body=f"Добрый день!\n\n{subject}.\n\nС уважением",
        )
    elif kind == InteractionKind.MESSAGE:
        subject = _fill(chronicle, rng.choice(MESSAGES), occasion)
        details = MessageDetails(
            direction=Direction.INCOMING if incoming else Direction.OUTGOING,
            channel=rng.choice(MESSAGE_CHANNELS),
            body=subject,
        )
    elif kind == InteractionKind.MEETING:
        subject = _fill(chronicle, rng.choice(MEETING_AGENDAS), occasion)
        details = MeetingDetails(
            location=_fill(chronicle, rng.choice(MEETING_PLACES), occasion),
            participants_ours=ours,
            participants_theirs=[p.full_name for p in people],
            agenda=subject,
            result=rng.choice(MEETING_RESULTS),
        )
    elif kind == InteractionKind.NEGOTIATION:
        subject = _fill(chronicle, "Переговоры об условиях на {year} год", occasion)
        details = NegotiationDetails(
            participants_ours=ours,
            participants_theirs=[p.full_name for p in people],
            agenda=subject,
            result="Условия согласованы" if rng.random() < 0.7 else "Клиент взял паузу",
            agreements=[_fill(chronicle, a, occasion) for a in rng.sample(AGREEMENTS, rng.randrange(1, 4))],
        )
    else:
        subject = "Выезд к клиенту"
        details = ServiceVisitDetails(
            work_done=rng.choice(VISIT_WORKS),
            time_spent_minutes=rng.randrange(30, 300, 15),
            follow_ups=rng.sample(FOLLOW_UPS, rng.randrange(0, 3)),
        )
    return subject, details.model_dump(mode="json", exclude={"kind", "direction"})


# Sales ---------------------------------------------------------------------------------
