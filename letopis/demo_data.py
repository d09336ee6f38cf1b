"""Demo data: the sales department of the freight forwarder «ТрансЛогистик» and two years of its work.

Every record is made by the aggregates' own methods, so the domain's rules hold for
the demo exactly as for real work. All randomness comes from one seeded generator and
the business clock is given, so one seed always yields the same chronicle, ids included;
only the recording timestamps, which the store sets, differ between runs.
"""

import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from itertools import accumulate, chain
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.domain import Aggregate
from pydantic import BaseModel

from aggregates.catalogue_item import CatalogueItem, ItemKind
from aggregates.contact import Contact, Influence
from aggregates.contract import Contract, ContractNumber
from aggregates.counterparty import BARRED, Admission, Counterparty, CounterpartyKind, LegalForm
from aggregates.deal import Deal
from aggregates.employee import Employee, Role
from aggregates.exchange_rate import ExchangeRate
from aggregates.inquiry import Inquiry
from aggregates.interaction import Direction, Interaction, InteractionKind
from aggregates.money import Money
from aggregates.order import Order, OrderStatus
from aggregates.payment import Payment
from aggregates.refusal_reasons import RefusalReasons
from aggregates.sales_pipeline import SalesPipeline
from aggregates.stamp import Stamp
from commands.interaction_commands import (
    CallDetails,
    EmailDetails,
    MeetingDetails,
    MessageDetails,
    NegotiationDetails,
    ServiceVisitDetails,
)
from letopis.wiring import CONSOLE, Letopis
from projections.reading import Progress

MOSCOW = ZoneInfo("Europe/Moscow")
DEPARTMENT = "Продажи"
NORTH_WEST_TEAM = "Санкт-Петербург"
TEAMS = {"Москва-1": 7, "Москва-2": 7, NORTH_WEST_TEAM: 6}
# The head of sales, the managers, an auditor, an analyst and an administrator.
STAFF_COUNT = 1 + sum(TEAMS.values()) + 3
HISTORY = timedelta(days=730)
# Big enough to amortise a transaction, small enough to keep a batch's memory modest.
BATCH_SIZE = 1_000


@dataclass(frozen=True)
class DemoSize:
    """How much history one unit of ``scale`` means; the staff stays the same at any scale."""

    counterparties: int = 2_000
    contacts: int = 6_000
    interactions: int = 40_000
    inquiries: int = 8_000
    deals: int = 5_000
    contracts: int = 1_500
    orders: int = 12_000
    payments: int = 8_000
    """Orders and payments together make about 20,000 a unit; every payment pays one order."""

    def scaled(self, scale: int) -> "DemoSize":
        if scale < 1:
            raise ValueError("scale is a whole number from 1 up")
        return DemoSize(*(getattr(self, f.name) * scale for f in fields(self)))


@dataclass(frozen=True)
class Showcase:
    """Whom to sign in as, and which client's history to open first."""

    head_of_sales_id: str
    manager_id: str
    counterparty_id: str
    """A client of the manager, not barred, with a long history."""


@dataclass(frozen=True)
class DemoSummary:
    employees: int
    counterparties: int
    contacts: int
    interactions: int
    admission_decisions: int
    catalogue_items: int
    inquiries: int
    deals: int
    contracts: int
    orders: int
    payments: int
    exchange_rates: int
    showcase: Showcase
    position: int


def seed_demo(
    letopis: Letopis,
    *,
    scale: int = 1,
    seed: int = 2024,
    now: datetime,
    progress: Progress | None = None,
    size: DemoSize = DemoSize(),
) -> DemoSummary:
    """Append the demo company's history to the store, in batches of one transaction each."""
    company = DemoCompany(random.Random(seed), now, size.scaled(scale))
    total = company.aggregate_count
    written = position = 0
    for batch in _batches(company.groups(), BATCH_SIZE):
        position = letopis.store.append(*batch)
        written += len(batch)
        if progress:
            progress(written, total)
    return company.summary(position)


def find_showcase(letopis: Letopis) -> Showcase | None:
    """A showcase picked from the views of a store seeded earlier (or filled by real work)."""
    with letopis.views.reading() as cursor:
        busiest = cursor.execute(
            "SELECT c.id, c.manager_id, e.department FROM counterparties c "
            "JOIN employees e ON e.id = c.manager_id "
            "WHERE e.role = $1 AND c.admission NOT IN ($2, $3) "
            "ORDER BY (SELECT COUNT(*) FROM history_entries h WHERE h.subject_id = c.id) DESC, c.id "
            "LIMIT 1",
            (Role.MANAGER.value, *sorted(a.value for a in BARRED)),
        )
        if not busiest:
            return None
        counterparty_id, manager_id, department = busiest[0]
        heads = cursor.execute(
            "SELECT id FROM employees WHERE role = $1 AND department = $2 ORDER BY id LIMIT 1",
            (Role.HEAD_OF_SALES.value, department),
        )
    if not heads:
        return None
    return Showcase(head_of_sales_id=heads[0][0], manager_id=manager_id, counterparty_id=counterparty_id)


def _batches(groups: Iterable[list[Aggregate]], size: int) -> Iterator[list[Aggregate]]:
    """Groups packed into batches of about ``size``; a group that must be appended together
    (a contract with its number claim and the orders booked on it) is never split."""
    batch: list[Aggregate] = []
    for group in groups:
        if batch and len(batch) + len(group) > size:
            yield batch
            batch = []
        batch.extend(group)
    if batch:
        yield batch


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# --- People -------------------------------------------------------------------------

_SURNAMES = _words(
    "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов Волков "
    "Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев Макаров Никитин "
    "Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв Сергеев Кузьмин Фролов "
    "Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков Сорокин Виноградов Ковалёв "
    "Белов Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров Давыдов Беляев Герасимов Богданов "
    "Осипов Сидоров Матвеев Титов Марков Миронов Крылов Куликов Карпов Власов Мельников Денисов "
    "Гаврилов Тихонов Казаков Афанасьев Данилов Савельев Тимофеев Фомин Чернов Абрамов Мартынов "
    "Ефимов Щербаков Назаров Калинин Исаев Быков Маслов Родионов Коновалов Лазарев Воронин Климов "
    "Филатов Пономарёв Голубев Кудрявцев Прохоров Наумов Потапов Журавлёв Трофимов Леонов Соболев "
    "Ермаков Колесников Гончаров Емельянов Никифоров Грачёв Котов Гришин Архипов Громов Кириллов "
    "Малышев Панов Моисеев Румянцев Акимов Бирюков Горбунов Анисимов Ерёмин Галкин Скворцов Юдин "
    "Белоусов Нестеров Симонов Харитонов Князев Цветков Левин Аксёнов Мальцев Логинов Горшков Савин "
    "Краснов Майоров Демидов Елисеев Рыбаков Сафонов Плотников Хохлов Жданов Вишневский Покровский "
    "Островский Соколовский Шевченко Коваленко Бондаренко Черных Седых Дубинин Шубин Лапин"
)
_MALE_NAMES = _words(
    "Александр Алексей Андрей Антон Артём Борис Вадим Валерий Василий Виктор Виталий Владимир "
    "Владислав Вячеслав Геннадий Георгий Григорий Денис Дмитрий Евгений Егор Иван Игорь Илья Кирилл "
    "Константин Леонид Максим Михаил Никита Николай Олег Павел Пётр Роман Руслан Сергей Станислав "
    "Степан Тимур Фёдор Юрий Ярослав"
)
_FEMALE_NAMES = _words(
    "Александра Алина Алла Анастасия Анна Валентина Валерия Вера Виктория Галина Дарья Екатерина "
    "Елена Елизавета Жанна Инна Ирина Карина Кристина Ксения Лариса Любовь Людмила Маргарита Марина "
    "Мария Надежда Наталья Нина Оксана Ольга Полина Светлана София Татьяна Ульяна Юлия Яна"
)
_PATRONYMIC_STEMS = _words(
    "Александров Алексеев Андреев Анатольев Борисов Викторов Владимиров Васильев Геннадьев "
    "Дмитриев Евгеньев Иванов Игорев Константинов Михайлов Николаев Олегов Павлов Петров "
    "Романов Сергеев Юрьев Фёдоров Валерьев"
)
_PATRONYMICS = (
    *((stem + "ич", stem + "на") for stem in _PATRONYMIC_STEMS),
    ("Ильич", "Ильинична"),
    ("Никитич", "Никитична"),
)

_LATIN = str.maketrans(
    {
        **dict(
            zip(
                "абвгдеёжзийклмнопрстуфхцчшщыэюя",
                _words("a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch y e yu ya"),
                strict=True,
            )
        ),
        "ъ": "",
        "ь": "",
    }
)


def _latin(text: str) -> str:
    """A transliteration good enough for e-mail addresses and domains."""
    return "".join(c for c in text.lower().translate(_LATIN) if c.isascii() and c.isalnum())


def _feminine(surname: str) -> str:
    if surname.endswith(("ский", "цкий")):
        return surname[:-2] + "ая"
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    return surname


@dataclass(frozen=True)
class _Name:
    surname: str
    first: str
    patronymic: str

    @property
    def full(self) -> str:
        return f"{self.surname} {self.first} {self.patronymic}"

    @property
    def short(self) -> str:
        return f"{self.surname} {self.first[0]}. {self.patronymic[0]}."


def _person_name(rng: random.Random) -> _Name:
    surname = rng.choice(_SURNAMES)
    male, female = rng.choice(_PATRONYMICS)
    if rng.random() < 0.55:
        return _Name(surname, rng.choice(_MALE_NAMES), male)
    return _Name(_feminine(surname), rng.choice(_FEMALE_NAMES), female)


# --- Places, numbers, companies ----------------------------------------------------


@dataclass(frozen=True)
class _Region:
    name: str
    weight: int
    tax_code: str
    phone_codes: tuple[str, ...]
    north_west: bool = False


_REGIONS = (
    _Region("Москва", 30, "77", ("495", "499")),
    _Region("Московская область", 8, "50", ("498", "496")),
    _Region("Санкт-Петербург", 15, "78", ("812",), north_west=True),
    _Region("Ленинградская область", 2, "47", ("813",), north_west=True),
    _Region("Калининград", 1, "39", ("4012",), north_west=True),
    _Region("Новосибирск", 5, "54", ("383",)),
    _Region("Екатеринбург", 6, "66", ("343",)),
    _Region("Казань", 5, "16", ("843",)),
    _Region("Нижний Новгород", 4, "52", ("831",)),
    _Region("Самара", 3, "63", ("846",)),
    _Region("Ростов-на-Дону", 4, "61", ("863",)),
    _Region("Краснодар", 4, "23", ("861",)),
    _Region("Красноярск", 2, "24", ("391",)),
    _Region("Владивосток", 3, "25", ("423",)),
    _Region("Челябинск", 3, "74", ("351",)),
    _Region("Пермь", 2, "59", ("342",)),
    _Region("Воронеж", 2, "36", ("473",)),
    _Region("Тюмень", 1, "72", ("3452",)),
    _Region("Омск", 1, "55", ("3812",)),
)
_REGION_WEIGHTS = tuple(r.weight for r in _REGIONS)
_FOREIGN_HUBS = ("Шанхай", "Гуанчжоу", "Нинбо", "Стамбул", "Алматы", "Минск", "Ташкент", "Мерсин")
_CITIES = tuple(r.name for r in _REGIONS if "область" not in r.name)
_ORIGINS = _FOREIGN_HUBS + _CITIES

_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN11_WEIGHTS = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _check_digit(digits: list[int], weights: tuple[int, ...]) -> int:
    return sum(d * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def _inn(rng: random.Random, region: _Region, person: bool) -> str:
    """An INN with correct check digits: 10 digits for organisations, 12 for people."""
    digits = [int(c) for c in region.tax_code] + [rng.randrange(10) for _ in range(8 if person else 7)]
    if person:
        digits.append(_check_digit(digits, _INN11_WEIGHTS))
        digits.append(_check_digit(digits, _INN12_WEIGHTS))
    else:
        digits.append(_check_digit(digits, _INN10_WEIGHTS))
    return "".join(map(str, digits))


def _digits(rng: random.Random, count: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(count))


def _phone(rng: random.Random, code: str) -> str:
    """One Russian number, spelt in one of the ways people actually write them."""
    local = _digits(rng, 10 - len(code))
    grouped = f"{local[:-4]}-{local[-4:-2]}-{local[-2:]}"
    spelling = rng.randrange(7)
    if spelling == 0:
        return f"+7 ({code}) {grouped}"
    if spelling == 1:
        return f"8 ({code}) {grouped}"
    if spelling == 2:
        return f"8{code}{local}"
    if spelling == 3:
        return f"+7{code}{local}"
    if spelling == 4:
        return f"8-{code}-{grouped}"
    if spelling == 5:
        return f"{code} {grouped.replace('-', ' ')}"
    return f"+7 {code} {local}"


def _mobile(rng: random.Random) -> str:
    return _phone(rng, rng.choice(("903", "905", "910", "915", "916", "921", "926", "985", "999", "952")))


_BRAND_HEADS = _words(
    "Сиб Волга Урал Нева Балт Евро Рус Дон Кама Восток Север Юг Центр Гранд Мега Интер Профи Альфа"
)
_BRAND_MIDDLES = _words("Агро Строй Пром Техно Металл Хим Лес Нефте Энерго Фарм Пласт Авто Электро")
_BRAND_TAILS = _words("Трейд Снаб Комплект Сервис Торг Маш Импорт Холдинг Групп Маркет Лайн Продукт Ресурс")
_BRAND_WORDS = _words(
    "Меридиан Гранит Вектор Оникс Альянс Стандарт Прогресс Сфера Горизонт Магистраль Кристалл "
    "Монолит Кедр Берёзка Фаворит Атлант Орион Сигма Ладога Байкал Алтай Бриз Квадрат Эталон"
)
_PLANT_ADJECTIVES = _words(
    "Сибирский Уральский Волжский Московский Казанский Кубанский Северный Балтийский Донской"
)
_PLANTS = (
    "завод металлоконструкций",
    "комбинат хлебопродуктов",
    "завод упаковки",
    "мясокомбинат",
    "завод ЖБИ",
    "трубный завод",
    "деревообрабатывающий комбинат",
    "завод бытовой химии",
)


def _company_brand(rng: random.Random, region: _Region) -> str:
    style = rng.random()
    if style < 0.5:
        middle = rng.choice(_BRAND_MIDDLES) if rng.random() < 0.6 else ""
        return rng.choice(_BRAND_HEADS) + middle + rng.choice(_BRAND_TAILS)
    if style < 0.8:
        word = rng.choice(_BRAND_WORDS)
        suffix = rng.choice(("", "-М", " Плюс", f"-{rng.randrange(1, 99)}", f"-{region.name.split('-')[0]}"))
        return word + suffix
    return f"{rng.choice(_PLANT_ADJECTIVES)} {rng.choice(_PLANTS)}"


_INDUSTRIES = (
    ("Оптовая торговля", "Дистрибуция продуктов питания"),
    ("Оптовая торговля", "Поставки бытовой техники"),
    ("Розничная торговля", "Сеть магазинов у дома"),
    ("Электронная коммерция", "Интернет-магазин товаров для дома"),
    ("Производство стройматериалов", "Выпуск сухих строительных смесей"),
    ("Металлургия", "Прокат и металлоконструкции"),
    ("Пищевая промышленность", "Производство молочной продукции"),
    ("Химическая промышленность", "Производство полимерной упаковки"),
    ("Машиностроение", "Сборка сельхозтехники"),
    ("Сельское хозяйство", "Экспорт зерна"),
    ("Фармацевтика", "Дистрибуция лекарственных средств"),
    ("Электроника", "Импорт комплектующих из Китая"),
    ("Мебельное производство", "Корпусная мебель"),
    ("Лесопереработка", "Пиломатериалы на экспорт"),
    ("Нефтегазовая отрасль", "Поставки оборудования для месторождений"),
)
_TRANSPORT_MODES = (
    "Автоперевозки FTL",
    "Сборные грузы LTL",
    "Железнодорожные перевозки",
    "Морские контейнеры",
    "Авиаперевозки",
    "Мультимодальные перевозки",
)
_VOLUMES = ("до 10 т в месяц", "10–100 т в месяц", "100–500 т в месяц", "свыше 500 т в месяц")
_LEAD_SOURCES = (
    "Рекомендация клиента",
    "Сайт",
    "Холодный звонок",
    "Выставка «ТрансРоссия»",
    "Яндекс Директ",
    "Тендерная площадка",
    "Входящий звонок",
    "Партнёр",
)
_LOYALTY_REASONS = (
    "Сроки доставки",
    "Цена",
    "Персональный менеджер",
    "Страхование грузов",
    "Отслеживание груза онлайн",
    "Отсрочка платежа",
    "Давние отношения",
)
_CLIENT_INTERESTS = (
    "Контейнерные перевозки из Китая",
    "Таможенное оформление",
    "Складское хранение",
    "Рефрижераторные перевозки",
    "Негабаритные грузы",
    "Доставка последней мили",
    "Ж/д перевозки в Центральную Азию",
)
_COMPETITOR_PRODUCTS = (
    "Экспресс-доставка",
    "Сборные грузы",
    "Ж/д контейнеры",
    "Таможенный брокер",
    "Ответственное хранение",
)
_PAYMENT_TERMS = ("Предоплата 100%", "Отсрочка 14 дней", "Отсрочка 30 дней", "Отсрочка 45 дней")
_BANKS = ("ПАО Сбербанк", "Банк ВТБ (ПАО)", "АО «Альфа-Банк»", "АО «ТБанк»", "ПАО «Промсвязьбанк»")
_PRIVATE_ACTIVITIES = (
    "Переезд",
    "Доставка личного автомобиля",
    "Перевозка мебели",
    "Доставка стройматериалов",
)

_KINDS = (
    CounterpartyKind.CUSTOMER,
    CounterpartyKind.PARTNER,
    CounterpartyKind.DEALER,
    CounterpartyKind.SUPPLIER,
    CounterpartyKind.COMPETITOR,
)
_KIND_WEIGHTS = (82, 5, 4, 6, 3)
# Category, its share of clients, and how much more often than a C client it is in touch.
_CATEGORIES = (("A", 15, 8.0), ("B", 35, 3.0), ("C", 50, 1.0))
_CATEGORY_WEIGHTS = tuple(c[1] for c in _CATEGORIES)

_ACTIVE, _PASSIVE = Admission.ACTIVE, Admission.PASSIVE
_BANNED, _SUSPENDED = Admission.FORBIDDEN, Admission.TEMPORARILY_FORBIDDEN
# The admission decisions a card goes through, and how many cards in a hundred go that way.
_ADMISSION_PATHS: tuple[tuple[Admission, ...], ...] = (
    (),
    (_ACTIVE,),
    (_ACTIVE, _PASSIVE),
    (_ACTIVE, _SUSPENDED),
    (_ACTIVE, _SUSPENDED, _ACTIVE),
    (_ACTIVE, _BANNED),
    (_BANNED,),
)
_ADMISSION_PATH_WEIGHTS = (15, 59, 17, 4, 2, 2, 1)
_REASONS = {
    _ACTIVE: ("Договор подписан", "Проверка контрагента пройдена", "Первая перевозка оплачена"),
    _PASSIVE: ("Нет отгрузок более полугода", "Сезонный клиент: перевозки приостановлены до весны"),
    _SUSPENDED: (
        "Просроченная дебиторская задолженность свыше 60 дней",
        "Претензия по утрате груза на рассмотрении",
        "Договор истёк, новый не подписан",
    ),
    _BANNED: (
        "Отказ от оплаты оказанных услуг, дело передано в арбитраж",
        "Проверка службы безопасности: признаки фирмы-однодневки",
        "Попытка отправить запрещённый к перевозке груз",
    ),
}
_REINSTATEMENT_REASONS = ("Задолженность погашена", "Претензия урегулирована", "Подписан новый договор")

_POSITIONS = (
    ("Генеральный директор", "ЛПР", Influence.DECISION_MAKER, 1),
    ("Коммерческий директор", "Согласует бюджет", Influence.HIGH, 2),
    ("Директор по логистике", "Выбирает перевозчика", Influence.DECISION_MAKER, 2),
    ("Директор по закупкам", "Согласует бюджет", Influence.HIGH, 2),
    ("Руководитель отдела логистики", "Выбирает перевозчика", Influence.HIGH, 3),
    ("Логист", "Оформляет заявки", Influence.MEDIUM, 8),
    ("Старший логист", "Оформляет заявки", Influence.MEDIUM, 4),
    ("Менеджер ВЭД", "Инициирует перевозки", Influence.MEDIUM, 3),
    ("Менеджер по закупкам", "Инициирует перевозки", Influence.MEDIUM, 3),
    ("Главный бухгалтер", "Проверяет документы", Influence.LOW, 2),
    ("Бухгалтер", "Сверка расчётов", Influence.LOW, 3),
    ("Начальник склада", "Принимает и отгружает грузы", Influence.LOW, 3),
    ("Специалист по таможенному оформлению", "Готовит документы", Influence.LOW, 1),
    ("Секретарь", None, Influence.NONE, 1),
)
_POSITION_WEIGHTS = tuple(p[3] for p in _POSITIONS)
_HOBBIES = (
    "Рыбалка",
    "Хоккей",
    "Футбол",
    "Горные лыжи",
    "Теннис",
    "Охота",
    "Дача",
    "Путешествия",
    "Шахматы",
    "Театр",
    "Автомобили",
    "Бег",
    "Фотография",
    "Кулинария",
    "История",
)
_MAIL_SERVICES = ("mail.ru", "yandex.ru", "gmail.com", "bk.ru", "inbox.ru")


# --- Interactions --------------------------------------------------------------------

_CARGO = (
    "20-футовый контейнер",
    "40-футовый контейнер HC",
    "тент 20 т",
    "сборный груз, 3 паллеты",
    "рефрижератор +2…+6 °C",
    "негабаритное оборудование 32 т",
    "вагон пиломатериалов",
)
_INCOMING_CALLS = (
    "Запрос ставки {route}",
    "Где груз по заявке № {order}?",
    "Просьба перенести загрузку по заявке № {order}",
    "Претензия: задержка доставки по заявке № {order}",
    "Вопрос по счёту № {invoice}",
    "Новая заявка: {cargo}, {route}",
)
_OUTGOING_CALLS = (
    "Предложение ставки {route}",
    "Подтверждение загрузки по заявке № {order}",
    "Напоминание об оплате счёта № {invoice}",
    "Сверка объёмов на следующий квартал",
    "Груз прибыл на склад в г. {city}",
    "Знакомство: услуги «ТрансЛогистик»",
)
_CALL_NOTES = (
    "Клиент ждёт ставку до пятницы.",
    "Перезвонить после согласования с директором.",
    "Груз на терминале, доставка завтра до обеда.",
    "Обещали оплатить до конца недели.",
    "Просят фото погрузки.",
    "",
)
_INCOMING_MAILS = (
    "Заявка на перевозку: {cargo}, {route}",
    "Запрос закрывающих документов по заявке № {order}",
    "Акт сверки за квартал",
    "Претензия по повреждению груза, заявка № {order}",
)
_OUTGOING_MAILS = (
    "Коммерческое предложение: {route}",
    "Счёт № {invoice} на оплату",
    "Проект договора на {year} год",
    "Трек-номер и документы по заявке № {order}",
)
_MESSAGES = (
    "Добрый день! Сколько стоит {cargo} {route}?",
    "Машина уже на загрузке?",
    "Пришлите, пожалуйста, копию ТТН по заявке № {order}.",
    "Спасибо, груз получили без замечаний.",
)
_MESSAGE_CHANNELS = ("web_form", "chat", "messenger", "messenger", "social", "sms")
_MEETING_PLACES = (
    "Офис клиента, г. {city}",
    "Наш офис, Москва, Складочная ул., 1",
    "Склад клиента, г. {city}",
    "Выставка «ТрансРоссия», «Крокус Экспо»",
    "Видеозвонок",
)
_MEETING_AGENDAS = (
    "Условия договора на {year} год",
    "Презентация мультимодальных перевозок",
    "Разбор претензии по заявке № {order}",
    "План отгрузок на сезон",
)
_MEETING_RESULTS = (
    "Клиент готов передать тестовую перевозку.",
    "Согласовали график отгрузок.",
    "Подготовить коммерческое предложение до конца недели.",
    "Претензию закрыли скидкой на следующий рейс.",
)
_AGREEMENTS = (
    "Ставка {route}: {price} ₽ за рейс",
    "Отсрочка платежа {days} календарных дней",
    "Гарантированный объём: {trips} рейсов в месяц",
    "Ставки фиксируются до конца квартала",
    "Страхование груза включено в ставку",
)
_VISIT_WORKS = (
    "Проверили упаковку и маркировку груза на складе клиента",
    "Провели инструктаж кладовщиков по оформлению ТТН",
    "Проконтролировали погрузку негабаритного оборудования",
    "Провели аудит процесса отгрузки",
    "Установили GPS-трекеры на контейнеры",
)
_FOLLOW_UPS = (
    "Отправить акт осмотра",
    "Подготовить схему крепления груза",
    "Согласовать окно загрузки с терминалом",
    "Выставить счёт за дополнительную упаковку",
)
_INTERACTION_KINDS = tuple(InteractionKind)
_INTERACTION_WEIGHTS = tuple(
    {
        InteractionKind.CALL: 45,
        InteractionKind.EMAIL: 25,
        InteractionKind.MESSAGE: 10,
        InteractionKind.MEETING: 8,
        InteractionKind.NEGOTIATION: 5,
        InteractionKind.SERVICE_VISIT: 7,
    }[kind]
    for kind in _INTERACTION_KINDS
)
_DIRECTED_KINDS = (InteractionKind.CALL, InteractionKind.EMAIL, InteractionKind.MESSAGE)
_DIRECTIONS = (Direction.INCOMING, Direction.OUTGOING)


# --- Sales ---------------------------------------------------------------------------

# Name, unit, category and the price in roubles of the services the company sells.
_CATALOGUE = (
    ("Морская перевозка 40HC", "контейнер", "Морские перевозки", 420_000),
    ("Морская перевозка 20DC", "контейнер", "Морские перевозки", 310_000),
    ("Экспедирование в порту", "контейнер", "Морские перевозки", 35_000),
    ("Хранение контейнера на терминале", "сутки", "Морские перевозки", 3_000),
    ("Автоперевозка 20т", "рейс", "Автоперевозки", 95_000),
    ("Автоперевозка 5т", "рейс", "Автоперевозки", 38_000),
    ("Рефрижераторная перевозка", "рейс", "Автоперевозки", 140_000),
    ("Перевозка негабаритного груза", "рейс", "Автоперевозки", 320_000),
    ("Сборный груз", "паллета", "Автоперевозки", 6_500),
    ("Доставка последней мили", "доставка", "Автоперевозки", 4_500),
    ("ЖД перевозка", "контейнер", "ЖД перевозки", 260_000),
    ("ЖД перевозка вагона", "вагон", "ЖД перевозки", 180_000),
    ("Авиаперевозка", "100 кг", "Авиаперевозки", 65_000),
    ("Таможенное оформление", "декларация", "Таможня", 18_000),
    ("Сертификация груза", "сертификат", "Таможня", 25_000),
    ("Страхование груза", "полис", "Страхование", 12_000),
    ("Складское хранение", "паллето-место в месяц", "Склад", 1_200),
    ("Погрузо-разгрузочные работы", "час", "Склад", 2_500),
    ("Упаковка и маркировка", "паллета", "Склад", 900),
    ("Сопровождение груза", "рейс", "Безопасность", 28_000),
)
_PIPELINE_NAME = "Продажи ТрансЛогистик"
_PIPELINE_STAGES = (
    ("Квалификация", 10),
    ("Расчёт ставки", 30),
    ("КП отправлено", 50),
    ("Переговоры", 70),
    ("Согласование договора", 90),
)
_REFUSAL_REASONS = (
    ("price", "Высокая цена", 40, ("Ставка выше, чем у текущего перевозчика", "Бюджет клиента урезан")),
    ("competitor", "Ушёл к конкуренту", 25, ("Выбрали другого экспедитора по тендеру", "Остались со старым")),
    ("timing", "Не устроили сроки", 15, ("Нужна доставка быстрее", "Не успеваем к открытию сезона")),
    ("service", "Нет нужной услуги", 10, ("Нужна доставка до двери в Европе", "Нужен опасный груз класса 1")),
    ("other", "Другое", 10, ("Клиент не выходит на связь", "Перевозка отменена клиентом")),
)
_REFUSAL_WEIGHTS = tuple(r[2] for r in _REFUSAL_REASONS)
# A currency and its rate in roubles two years ago; the rates then walk week by week.
_RATES = (("USD", 90.0), ("EUR", 98.0), ("CNY", 12.5))
_RATE_SOURCE = "ЦБ РФ"
_QUOTE_DEPARTMENTS = (
    "Отдел морских перевозок",
    "Отдел ЖД перевозок",
    "Таможенный отдел",
    "Автоотдел",
    "Склад",
)
_COST_NAMES = ("Фрахт", "Терминальная обработка", "Автодоставка", "Таможенные сборы", "Страховка", "Хранение")
_CONTRACT_STAGES = ("Согласование условий", "Перевозки", "Закрывающие документы")
_TERMINATION_REASONS = (
    "Клиент прекратил импорт",
    "Расторжение по соглашению сторон",
    "Просроченная задолженность",
)
_REFUND_REASONS = ("Переплата по счёту", "Отмена части перевозки", "Компенсация за задержку доставки")
_BARRED_LOSS = "Контрагенту закрыт допуск"
_CENT = Decimal("0.01")


@dataclass
class _SalesTally:
    catalogue_items: int = 0
    inquiries: int = 0
    deals: int = 0
    contracts: int = 0
    orders: int = 0
    payments: int = 0
    exchange_rates: int = 0


@dataclass(frozen=True)
class _Item:
    id: str
    name: str
    unit: str
    price: Decimal


@dataclass(frozen=True)
class _Sale:
    """A client that may be sold to at ``moment``, and until when that stays so."""

    client: "_Client"
    moment: datetime
    until: datetime


# --- The company ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Staff:
    id: str
    name: _Name
    role: Role
    team: str | None


@dataclass(frozen=True)
class _Person:
    id: str
    full_name: str
    phone: str | None
    email: str | None


@dataclass
class _Client:
    id: str
    manager: _Staff
    region: _Region
    registered_at: datetime
    phones: list[str]
    weight: float
    organisation: bool
    mail_domain: str
    customer: bool = False
    decisions: list[tuple[datetime, Admission]] = field(default_factory=list)
    people: list[_Person] = field(default_factory=list)

    def admission_at(self, moment: datetime) -> Admission:
        current = Admission.POTENTIAL
        for decided_at, admission in self.decisions:
            if decided_at > moment:
                break
            current = admission
        return current

    def admitted_until(self, moment: datetime, latest: datetime) -> datetime | None:
        """How long from ``moment`` new sales with the client stay allowed, capped at ``latest``;
        None when the client is barred at that moment."""
        if self.admission_at(moment) in BARRED:
            return None
        for decided_at, admission in self.decisions:
            if decided_at > moment and admission in BARRED:
                return min(decided_at - timedelta(minutes=1), latest)
        return latest


@dataclass(frozen=True)
class _PrivateClient:
    """A person the company serves directly, with no counterparty card."""

    manager: _Staff
    region: _Region
    person: _Person


@dataclass(frozen=True)
class _Occasion:
    """Who talks to whom, where and when: what an interaction's texts are made from."""

    manager: _Staff
    region: _Region
    moment: datetime
    phones: list[str]
    people: list[_Person]


class _Placeholders(dict[str, str]):
    """Values for a text template, drawn only for the placeholders the template uses."""

    def __init__(self, rng: random.Random, occasion: _Occasion) -> None:
        super().__init__(city=occasion.region.name)
        self.rng = rng
        self.occasion = occasion

    def __missing__(self, key: str) -> str:
        rng = self.rng
        if key == "route":
            origin = rng.choice(_ORIGINS)
            if origin == self["city"]:
                origin = "Новосибирск" if origin == "Москва" else "Москва"
            return f"{origin} — {self['city']}"
        if key == "order":
            return f"ТЛ-{rng.randrange(10_000, 99_999)}"
        if key == "invoice":
            return str(rng.randrange(1_000, 9_999))
        if key == "cargo":
            return rng.choice(_CARGO)
        if key == "year":
            return str(self.occasion.moment.year + rng.choice((0, 1)))
        if key == "price":
            return f"{rng.randrange(40, 400) * 1_000:,}".replace(",", " ")
        if key == "days":
            return str(rng.choice((14, 30, 45)))
        if key == "trips":
            return str(rng.randrange(2, 40))
        raise KeyError(key)


class DemoCompany:
    """The demo company's history, generated lazily: staff, clients, their people, interactions."""

    def __init__(self, rng: random.Random, now: datetime, size: DemoSize) -> None:
        if now.tzinfo is None:
            raise ValueError("now must carry a time zone")
        self.rng = rng
        self.now = now
        self.start = now - HISTORY
        self.size = size
        self.staff: list[_Staff] = []
        self.managers: list[_Staff] = []
        self.clients: list[_Client] = []
        self.private_clients: list[_PrivateClient] = []
        self.used_tax_ids: set[str] = set()
        self.contacts_registered = 0
        self.interactions_logged = 0
        self.admission_decisions = 0
        self.sales = _SalesTally()

    @property
    def aggregate_count(self) -> int:
        size = self.size
        return (
            STAFF_COUNT
            + size.counterparties
            + size.contacts
            + size.interactions
            + len(_CATALOGUE)
            + 2  # the pipeline and the list of refusal reasons
            + len(_RATES)
            + size.inquiries
            + size.deals
            + 2 * size.contracts  # each with its number claim
            + size.orders
            + min(size.payments, size.orders)
        )

    def aggregates(self) -> Iterator[Aggregate]:
        return chain.from_iterable(self.groups())

    def groups(self) -> Iterator[list[Aggregate]]:
        """The history in the order it is appended; each group goes into one append."""
        people = chain(
            self._hire_staff(), self._register_clients(), self._register_people(), self._interactions()
        )
        return chain(([aggregate] for aggregate in people), self._sales())

    def summary(self, position: int) -> DemoSummary:
        head = next(s for s in self.staff if s.role == Role.HEAD_OF_SALES)
        manager = self.managers[0]
        showcase = max(
            self.clients,
            key=lambda c: (c.manager == manager, c.admission_at(self.now) not in BARRED, c.weight),
        )
        return DemoSummary(
            employees=len(self.staff),
            counterparties=len(self.clients),
            contacts=self.contacts_registered,
            interactions=self.interactions_logged,
            admission_decisions=self.admission_decisions,
            catalogue_items=self.sales.catalogue_items,
            inquiries=self.sales.inquiries,
            deals=self.sales.deals,
            contracts=self.sales.contracts,
            orders=self.sales.orders,
            payments=self.sales.payments,
            exchange_rates=self.sales.exchange_rates,
            showcase=Showcase(head_of_sales_id=head.id, manager_id=manager.id, counterparty_id=showcase.id),
            position=position,
        )

    # Randomness ---------------------------------------------------------------------------

    def _id(self) -> UUID:
        return UUID(int=self.rng.getrandbits(128), version=4)

    def _stamp(self, actor: str, moment: datetime) -> Stamp:
        command_id = str(self._id())
        return Stamp(actor=actor, occurred_at=moment, command_id=command_id, correlation_id=command_id)

    def _moment(self, earliest: datetime, latest: datetime) -> datetime:
        """A moment of a Moscow working day between the bounds, when the bounds leave room for one."""
        moment = earliest + (latest - earliest) * self.rng.random()
        day = moment.astimezone(MOSCOW).date()
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        working = datetime.combine(day, time(9), MOSCOW) + timedelta(minutes=self.rng.randrange(600))
        return working if earliest <= working <= latest else moment

    def _fill(self, template: str, occasion: _Occasion) -> str:
        return template.format_map(_Placeholders(self.rng, occasion))

    # Staff ----------------------------------------------------------------------------------

    def _hire_staff(self) -> Iterator[Employee]:
        yield self._hire(Role.HEAD_OF_SALES, None, DEPARTMENT)
        for team, headcount in TEAMS.items():
            for _ in range(headcount):
                yield self._hire(Role.MANAGER, team, DEPARTMENT)
        for role in (Role.AUDITOR, Role.ANALYST, Role.ADMIN):
            yield self._hire(role, None, None)

    def _hire(self, role: Role, team: str | None, department: str | None) -> Employee:
        staff = _Staff(str(self._id()), _person_name(self.rng), role, team)
        self.staff.append(staff)
        if role == Role.MANAGER:
            self.managers.append(staff)
        hired_at = self._moment(self.start - timedelta(days=60), self.start - timedelta(days=30))
        return Employee.hire(
            self._stamp(CONSOLE.employee_id, hired_at),
            id=UUID(staff.id),
            full_name=staff.name.full,
            role=role,
            team=team,
            department=department,
        )

    def _manager_for(self, region: _Region) -> _Staff:
        """The Saint Petersburg team serves the north-west; the Moscow teams everyone else."""
        return self.rng.choice([m for m in self.managers if (m.team == NORTH_WEST_TEAM) == region.north_west])

    # Counterparties ----------------------------------------------------------------------

    def _register_clients(self) -> Iterator[Counterparty]:
        for _ in range(self.size.counterparties):
            yield self._register_client()

    def _register_client(self) -> Counterparty:
        rng = self.rng
        region = rng.choices(_REGIONS, weights=_REGION_WEIGHTS)[0]
        kind = rng.choices(_KINDS, weights=_KIND_WEIGHTS)[0]
        category, _, weight = rng.choices(_CATEGORIES, weights=_CATEGORY_WEIGHTS)[0]
        form = rng.random()
        if kind == CounterpartyKind.CUSTOMER and form < 0.04:
            profile, mail_domain = self._private_person_profile(region)
            weight = 0.5
        elif kind in (CounterpartyKind.CUSTOMER, CounterpartyKind.SUPPLIER) and form < 0.12:
            profile, mail_domain = self._sole_trader_profile(region)
        else:
            profile, mail_domain = self._organisation_profile(region)
        if kind == CounterpartyKind.COMPETITOR:
            weight = 0.2
            profile["competitor_products"] = rng.sample(_COMPETITOR_PRODUCTS, rng.randrange(1, 4))
        else:
            profile["classifiers"] = {
                "Категория": [category],
                "Объём перевозок": [rng.choice(_VOLUMES)],
                "Вид перевозок": rng.sample(_TRANSPORT_MODES, rng.randrange(1, 3)),
            }
            profile["loyalty_reasons"] = rng.sample(_LOYALTY_REASONS, rng.randrange(0, 3))
            profile["interests"] = rng.sample(_CLIENT_INTERESTS, rng.randrange(0, 3))
        manager = self._manager_for(region)
        registered_at = self._registered_at()
        counterparty = Counterparty.register(
            self._stamp(manager.id, registered_at),
            id=self._id(),
            manager_id=manager.id,
            kind=kind.value,
            region=region.name,
            phones=[_phone(rng, rng.choice(region.phone_codes)) for _ in range(rng.choice((1, 1, 2)))],
            lead_source=rng.choice(_LEAD_SOURCES),
            **profile,
        )
        client = _Client(
            id=str(counterparty.id),
            manager=manager,
            region=region,
            registered_at=registered_at,
            phones=counterparty.profile["phones"],
            weight=weight,
            organisation=profile["legal_form"] == LegalForm.ORGANISATION.value,
            mail_domain=mail_domain,
            customer=kind == CounterpartyKind.CUSTOMER,
        )
        if kind != CounterpartyKind.COMPETITOR:
            self._decide_admission(counterparty, client)
        self.clients.append(client)
        return counterparty

    def _registered_at(self) -> datetime:
        # The first weeks carry the client base moved over from the old CRM.
        if self.rng.random() < 0.4:
            return self._moment(self.start, self.start + timedelta(days=45))
        return self._moment(self.start, self.now - timedelta(days=7))

    def _unique_inn(self, region: _Region, person: bool) -> str:
        inn = _inn(self.rng, region, person)
        while inn in self.used_tax_ids:
            inn = _inn(self.rng, region, person)
        self.used_tax_ids.add(inn)
        return inn

    def _organisation_profile(self, region: _Region) -> tuple[dict[str, Any], str]:
        rng = self.rng
        brand = _company_brand(rng, region)
        legal = rng.choices(("ООО", "АО", "ПАО", "ЗАО"), weights=(82, 12, 1, 5))[0]
        industry, activity = rng.choice(_INDUSTRIES)
        inn = self._unique_inn(region, person=False)
        destination = rng.choice([c for c in _CITIES if c != region.name])
        profile = {
            "legal_form": LegalForm.ORGANISATION.value,
            "name": f"{legal} «{brand}»",
            "tax_id": inn,
            "requisites": {
                "КПП": f"{inn[:4]}01001",
                "ОГРН": f"1{_digits(rng, 2)}{inn[:2]}{_digits(rng, 8)}",
                "Банк": rng.choice(_BANKS),
                "БИК": f"04{_digits(rng, 7)}",
                "Расчётный счёт": f"40702810{_digits(rng, 12)}",
            },
            "industry": industry,
            "activity": activity,
            "attributes": {
                "Условия оплаты": rng.choice(_PAYMENT_TERMS),
                "Основной маршрут": f"{region.name} — {destination}",
            },
        }
        return profile, (_latin(brand)[:24] or "company") + ".ru"

    def _sole_trader_profile(self, region: _Region) -> tuple[dict[str, Any], str]:
        rng = self.rng
        industry, activity = rng.choice(_INDUSTRIES[:4])
        profile = {
            "legal_form": LegalForm.PERSON.value,
            "name": f"ИП {_person_name(rng).short}",
            "tax_id": self._unique_inn(region, person=True),
            "requisites": {"ОГРНИП": f"3{_digits(rng, 14)}", "Банк": rng.choice(_BANKS)},
            "industry": industry,
            "activity": activity,
            "attributes": {"Условия оплаты": "Предоплата 100%"},
        }
        return profile, rng.choice(_MAIL_SERVICES)

    def _private_person_profile(self, region: _Region) -> tuple[dict[str, Any], str]:
        rng = self.rng
        profile = {
            "legal_form": LegalForm.PERSON.value,
            "name": _person_name(rng).full,
            "tax_id": self._unique_inn(region, person=True) if rng.random() < 0.3 else None,
            "activity": rng.choice(_PRIVATE_ACTIVITIES),
        }
        return profile, rng.choice(_MAIL_SERVICES)

    def _decide_admission(self, counterparty: Counterparty, client: _Client) -> None:
        """The first decision comes within weeks of registration, any later one in the last
        stretch of the history, so barred clients have a working past behind them."""
        rng = self.rng
        path = rng.choices(_ADMISSION_PATHS, weights=_ADMISSION_PATH_WEIGHTS)[0]
        if not path:
            return
        lifetime = self.now - client.registered_at
        moments = [client.registered_at + lifetime * rng.uniform(0.01, 0.1)]
        moments += sorted(client.registered_at + lifetime * rng.uniform(0.7, 0.97) for _ in path[1:])
        for moment, admission in zip(moments, path, strict=True):
            reinstated = client.decisions and admission == Admission.ACTIVE
            reason = rng.choice(_REINSTATEMENT_REASONS if reinstated else _REASONS[admission])
            counterparty.decide_admission(self._stamp(client.manager.id, moment), admission, reason)
            client.decisions.append((moment, admission))
        self.admission_decisions += len(path)
        if path[0] == Admission.ACTIVE and rng.random() < 0.7:
            rated_at = min(moments[0] + timedelta(days=rng.randrange(1, 30)), self.now)
            counterparty.rate(self._stamp(client.manager.id, rated_at), rng.randrange(1, 6))

    # Contacts ----------------------------------------------------------------------------

    def _register_people(self) -> Iterator[Contact]:
        """Every organisation gets someone to talk to, the busier ones more people; a few
        people are private clients of their own."""
        rng = self.rng
        on_their_own = self.size.contacts // 50
        organisations = [c for c in self.clients if c.organisation]
        employers = organisations[: self.size.contacts - on_their_own]
        remaining = self.size.contacts - on_their_own - len(employers)
        if organisations and remaining > 0:
            employers += rng.choices(organisations, weights=[c.weight for c in organisations], k=remaining)
        for client in employers:
            contact = self._new_contact(client.manager, client, client.registered_at, client.mail_domain)
            client.people.append(_person_of(contact))
            yield contact
        for _ in range(self.size.contacts - len(employers)):
            manager = rng.choice(self.managers)
            region = rng.choices(_REGIONS, weights=_REGION_WEIGHTS)[0]
            contact = self._new_contact(manager, None, self.start, rng.choice(_MAIL_SERVICES))
            self.private_clients.append(_PrivateClient(manager, region, _person_of(contact)))
            yield contact

    def _new_contact(
        self, manager: _Staff, employer: _Client | None, known_since: datetime, mail_domain: str
    ) -> Contact:
        rng = self.rng
        name = _person_name(rng)
        if mail_domain in _MAIL_SERVICES:
            login = f"{_latin(name.surname)}{rng.randrange(60, 99)}"
        else:
            login = f"{_latin(name.first)[0]}.{_latin(name.surname)}"
        phones = [_mobile(rng)]
        if employer and rng.random() < 0.5:
            phones.append(rng.choice(employer.phones))
        notable_dates = []
        if employer and rng.random() < 0.15:
            founded = date(rng.randrange(1995, 2020), rng.randrange(1, 13), rng.randrange(1, 29))
            notable_dates.append({"date": founded.isoformat(), "label": "День основания компании"})
        birthday = date(rng.randrange(1962, 2001), rng.randrange(1, 13), rng.randrange(1, 29))
        role: dict[str, Any] = {}
        if employer:
            position, decides, influence, _ = rng.choices(_POSITIONS, weights=_POSITION_WEIGHTS)[0]
            role = {"position": position, "role": decides, "influence": influence.value}
        registered_at = self._moment(known_since, min(known_since + timedelta(days=60), self.now))
        self.contacts_registered += 1
        return Contact.register(
            self._stamp(manager.id, registered_at),
            id=self._id(),
            counterparty_id=employer.id if employer else None,
            manager_id=manager.id,
            full_name=name.full,
            phones=phones,
            emails=[f"{login}@{mail_domain}"] if rng.random() < 0.85 else [],
            birthday=birthday.isoformat() if rng.random() < 0.6 else None,
            notable_dates=notable_dates,
            interests=rng.sample(_HOBBIES, rng.randrange(0, 3)),
            **role,
        )

    # Interactions ---------------------------------------------------------------------------

    def _interactions(self) -> Iterator[Interaction]:
        rng = self.rng
        cumulative = list(accumulate(c.weight for c in self.clients))
        for _ in range(self.size.interactions):
            self.interactions_logged += 1
            if self.private_clients and rng.random() < 0.01:
                yield self._private_interaction(rng.choice(self.private_clients))
            else:
                yield self._client_interaction(rng.choices(self.clients, cum_weights=cumulative)[0])

    def _client_interaction(self, client: _Client) -> Interaction:
        """What happened is chosen knowing the client's admission at that moment: a barred
        client only reaches us, by call, e-mail or message."""
        rng = self.rng
        moment = self._moment(client.registered_at, self.now)
        admission = client.admission_at(moment)
        kind: InteractionKind
        direction: Direction | None
        if admission in BARRED:
            kind, direction = rng.choice(_DIRECTED_KINDS), Direction.INCOMING
        else:
            kind = rng.choices(_INTERACTION_KINDS, weights=_INTERACTION_WEIGHTS)[0]
            direction = rng.choice(_DIRECTIONS) if kind in _DIRECTED_KINDS else None
        people = rng.sample(client.people, min(len(client.people), rng.choice((0, 1, 1, 1, 2))))
        occasion = _Occasion(client.manager, client.region, moment, client.phones, people)
        subject, details = self._content(kind, direction, occasion)
        return Interaction.log(
            self._stamp(client.manager.id, moment),
            id=self._id(),
            admission=admission,
            counterparty_id=client.id,
            contact_ids=[p.id for p in people],
            kind=kind,
            direction=direction,
            subject=subject,
            details=details,
        )

    def _private_interaction(self, client: _PrivateClient) -> Interaction:
        rng = self.rng
        kind = rng.choice(_DIRECTED_KINDS)
        direction = rng.choice(_DIRECTIONS)
        moment = self._moment(self.start, self.now)
        occasion = _Occasion(client.manager, client.region, moment, [], [client.person])
        subject, details = self._content(kind, direction, occasion)
        return Interaction.log(
            self._stamp(client.manager.id, moment),
            id=self._id(),
            admission=None,
            counterparty_id=None,
            contact_ids=[client.person.id],
            kind=kind,
            direction=direction,
            subject=subject,
            details=details,
        )

    def _content(
        self, kind: InteractionKind, direction: Direction | None, occasion: _Occasion
    ) -> tuple[str, dict[str, Any]]:
        """Subject and details, shaped by the models that validate them at the API."""
        rng = self.rng
        incoming = direction == Direction.INCOMING
        people = occasion.people
        ours = [occasion.manager.name.full]
        details: BaseModel
        if kind == InteractionKind.CALL:
            subject = self._fill(rng.choice(_INCOMING_CALLS if incoming else _OUTGOING_CALLS), occasion)
            numbers = [p.phone for p in people if p.phone] or occasion.phones
            recorded = rng.random() < 0.4
            details = CallDetails(
                direction=Direction.INCOMING if incoming else Direction.OUTGOING,
                phone=rng.choice(numbers) if numbers else None,
                duration_seconds=rng.randrange(20, 1_800),
                recording_url=f"https://pbx.translogistic.ru/rec/{rng.getrandbits(64):016x}.mp3"
                if recorded
                else None,
                notes=rng.choice(_CALL_NOTES),
            )
        elif kind == InteractionKind.EMAIL:
            subject = self._fill(rng.choice(_INCOMING_MAILS if incoming else _OUTGOING_MAILS), occasion)
            addresses = [p.email for p in people if p.email]
            details = EmailDetails(
                direction=Direction.INCOMING if incoming else Direction.OUTGOING,
                address=rng.choice(addresses) if addresses else None,
                body=f"Добрый день!\n\n{subject}.\n\nС уважением",
            )
        elif kind == InteractionKind.MESSAGE:
            subject = self._fill(rng.choice(_MESSAGES), occasion)
            details = MessageDetails(
                direction=Direction.INCOMING if incoming else Direction.OUTGOING,
                channel=rng.choice(_MESSAGE_CHANNELS),
                body=subject,
            )
        elif kind == InteractionKind.MEETING:
            subject = self._fill(rng.choice(_MEETING_AGENDAS), occasion)
            details = MeetingDetails(
                location=self._fill(rng.choice(_MEETING_PLACES), occasion),
                participants_ours=ours,
                participants_theirs=[p.full_name for p in people],
                agenda=subject,
                result=rng.choice(_MEETING_RESULTS),
            )
        elif kind == InteractionKind.NEGOTIATION:
            subject = self._fill("Переговоры об условиях на {year} год", occasion)
            details = NegotiationDetails(
                participants_ours=ours,
                participants_theirs=[p.full_name for p in people],
                agenda=subject,
                result="Условия согласованы" if rng.random() < 0.7 else "Клиент взял паузу",
                agreements=[self._fill(a, occasion) for a in rng.sample(_AGREEMENTS, rng.randrange(1, 4))],
            )
        else:
            subject = "Выезд к клиенту"
            details = ServiceVisitDetails(
                work_done=rng.choice(_VISIT_WORKS),
                time_spent_minutes=rng.randrange(30, 300, 15),
                follow_ups=rng.sample(_FOLLOW_UPS, rng.randrange(0, 3)),
            )
        return subject, details.model_dump(mode="json", exclude={"kind", "direction"})

    # Sales ---------------------------------------------------------------------------------

    def _sales(self) -> Iterator[list[Aggregate]]:
        """The sales side: its reference data first, then inquiries, deals and contracts with
        their orders and payments, each sold only to a client admitted at the time."""
        head = next(s for s in self.staff if s.role == Role.HEAD_OF_SALES)
        analyst = next(s for s in self.staff if s.role == Role.ANALYST)
        set_up_at = self.start - timedelta(days=20)
        items = []
        for name, unit, category, price in _CATALOGUE:
            listed = CatalogueItem.list_item(
                self._stamp(head.id, set_up_at),
                kind=ItemKind.SERVICE,
                name=name,
                unit=unit,
                category=category,
                price=Money(Decimal(price), "RUB"),
                id=self._id(),
            )
            items.append(_Item(str(listed.id), name, unit, Decimal(price)))
            self.sales.catalogue_items += 1
            yield [listed]
        pipeline = SalesPipeline.define(
            self._stamp(head.id, set_up_at),
            name=_PIPELINE_NAME,
            stages=[{"name": name, "probability": probability} for name, probability in _PIPELINE_STAGES],
            id=self._id(),
        )
        reasons = RefusalReasons.start(self._stamp(head.id, set_up_at))
        for code, label, _, _ in _REFUSAL_REASONS:
            reasons.add(self._stamp(head.id, set_up_at), code, label)
        yield [pipeline, reasons]
        for currency, rate in _RATES:
            yield [self._rate_history(analyst, currency, rate)]
        customers = [c for c in self.clients if c.customer] or self.clients
        cumulative = list(accumulate(c.weight for c in customers))
        for _ in range(self.size.inquiries):
            yield self._inquiry(customers, cumulative, items, pipeline)
        for _ in range(max(self.size.deals - self.sales.deals, 0)):
            sale = self._sale(customers, cumulative, self.start, self.now - timedelta(days=1))
            yield [self._deal(sale, pipeline, self._lines(items), None)]
        orders = [0] * self.size.contracts
        if orders:
            for _ in range(self.size.orders):
                orders[self.rng.randrange(len(orders))] += 1
        paid = set(self.rng.sample(range(sum(orders)), min(self.size.payments, sum(orders))))
        first_order = 0
        for number, order_count in enumerate(orders, start=1):
            yield self._contract(customers, cumulative, items, number, order_count, first_order, paid)
            first_order += order_count

    def _rate_history(self, analyst: _Staff, currency: str, rate: float) -> ExchangeRate:
        """Weekly rates, each recorded on its Monday at noon."""
        history = ExchangeRate.start(self._stamp(analyst.id, self.start - timedelta(days=20)), currency)
        day = self.start.astimezone(MOSCOW).date()
        day -= timedelta(days=day.weekday())
        while (moment := datetime.combine(day, time(12), MOSCOW)) <= self.now:
            rate *= 1 + self.rng.gauss(0, 0.015)
            history.record(
                self._stamp(analyst.id, moment), currency, Decimal(f"{rate:.4f}"), day, _RATE_SOURCE
            )
            self.sales.exchange_rates += 1
            day += timedelta(days=7)
        return history

    def _sale(
        self,
        customers: list[_Client],
        cumulative: list[float],
        earliest: datetime,
        latest: datetime,
        room: timedelta = timedelta(0),
    ) -> _Sale:
        """A client and a moment at which the client is admitted, with at least ``room`` ahead."""
        for _ in range(10_000):
            client = self.rng.choices(customers, cum_weights=cumulative)[0]
            start = max(client.registered_at, earliest)
            if start >= latest:
                continue
            moment = self._moment(start, latest).astimezone(MOSCOW)
            until = client.admitted_until(moment, self.now)
            if until is not None and until - moment >= room:
                return _Sale(client, moment, until)
        raise RuntimeError("no client may be sold to in the demo history")

    def _lines(self, items: list[_Item]) -> list[dict[str, Any]]:
        return [
            {
                "item_id": item.id,
                "name": item.name,
                "unit": item.unit,
                "unit_price": item.price,
                "currency": "RUB",
                "quantity": Decimal(self.rng.randrange(1, 6)),
            }
            for item in self.rng.sample(items, self.rng.choice((1, 1, 2, 3)))
        ]

    def _later(self, moment: datetime, min_hours: float, max_hours: float) -> datetime:
        return moment + timedelta(hours=self.rng.uniform(min_hours, max_hours))

    def _refusal(self) -> tuple[str, str]:
        code, _, _, texts = self.rng.choices(_REFUSAL_REASONS, weights=_REFUSAL_WEIGHTS)[0]
        return code, self.rng.choice(texts)

    def _inquiry(
        self, customers: list[_Client], cumulative: list[float], items: list[_Item], pipeline: SalesPipeline
    ) -> list[Aggregate]:
        """An inquiry taken as far as time and the client's admission allow: quote tasks
        answered, a price, a proposal, and the client's yes (a deal) or no."""
        rng = self.rng
        sale = self._sale(customers, cumulative, self.start, self.now - timedelta(hours=1))
        client, manager = sale.client, sale.client.manager
        origin = rng.choice([o for o in _ORIGINS if o != client.region.name])
        route, cargo = f"{origin} — {client.region.name}", rng.choice(_CARGO)
        inquiry = Inquiry.register(
            self._stamp(manager.id, sale.moment),
            admission=client.admission_at(sale.moment),
            counterparty_id=client.id,
            responsible_id=manager.id,
            request={"Маршрут": route, "Груз": cargo},
            deadline=sale.moment + timedelta(days=rng.randrange(1, 6)),
            currency="RUB",
            id=self._id(),
        )
        self.sales.inquiries += 1
        group: list[Aggregate] = [inquiry]
        moment = sale.moment
        if rng.random() < 0.6:
            for _ in range(rng.choice((1, 1, 2))):
                expert = rng.choice(self.managers)
                task_id = str(self._id())
                moment = self._later(moment, 1, 8)
                if moment > self.now:
                    return group
                inquiry.assign_quote_task(
                    self._stamp(manager.id, moment),
                    task_id=task_id,
                    department=rng.choice(_QUOTE_DEPARTMENTS),
                    assignee_id=expert.id,
                    question=f"Рассчитать ставку: {route}, {cargo}",
                    due=moment + timedelta(days=2),
                )
                moment = self._later(moment, 4, 72)
                if moment > self.now:
                    return group
                names = rng.sample(_COST_NAMES, rng.randrange(1, 4))
                costs = [Money(Decimal(rng.randrange(50, 4_000) * 100), "RUB") for _ in names]
                inquiry.answer_quote_task(self._stamp(expert.id, moment), task_id, costs, names)
            moment = self._later(moment, 1, 24)
            if moment > self.now:
                return group
            inquiry.set_price(self._stamp(manager.id, moment), Decimal(rng.randrange(8, 30)))
        if rng.random() < 0.75:
            moment = self._later(moment, 2, 48)
            if moment > self.now:
                return group
            valid_days = rng.choice((7, 14, 14, 30))
            valid_until = moment.date() + timedelta(days=valid_days)
            inquiry.issue_proposal(
                self._stamp(manager.id, moment),
                self._lines(items),
                Decimal(rng.choice((0, 0, 0, 3, 5, 10))),
                valid_until,
            )
            answer = rng.random()
            answered_at = moment + timedelta(days=rng.uniform(0.1, valid_days - 0.5))
            if answered_at > self.now:
                return group
            proposal = inquiry.proposal
            if proposal and answer < 0.4 and answered_at <= sale.until and self.sales.deals < self.size.deals:
                opened = _Sale(client, answered_at, sale.until)
                deal = self._deal(opened, pipeline, proposal["lines"], str(inquiry.id), proposal["total"])
                inquiry.accept(self._stamp(manager.id, answered_at), "deal", str(deal.id))
                group.append(deal)
                return group
            if answer < 0.85:
                inquiry.refuse(self._stamp(manager.id, answered_at), *self._refusal())
            return group
        if rng.random() < 0.3:
            moment = self._later(moment, 24, 240)
            if moment <= self.now:
                inquiry.refuse(self._stamp(manager.id, moment), *self._refusal())
        return group

    def _deal(
        self,
        sale: _Sale,
        pipeline: SalesPipeline,
        lines: list[dict[str, Any]],
        inquiry_id: str | None,
        amount: Money | None = None,
    ) -> Deal:
        """A deal moved stage by stage while time and the client's admission allow, then
        won, lost with a reason, or still open."""
        rng = self.rng
        client, manager = sale.client, sale.client.manager
        if amount is None:
            gross = sum((line["unit_price"] * line["quantity"] for line in lines), Decimal(0))
            amount = Money(gross.quantize(_CENT), "RUB")
        deal = Deal.open(
            self._stamp(manager.id, sale.moment),
            admission=client.admission_at(sale.moment),
            counterparty_id=client.id,
            manager_id=manager.id,
            pipeline_id=str(pipeline.id),
            stage=pipeline.first_stage,
            amount=amount,
            expected_close_on=sale.moment.date() + timedelta(days=rng.randrange(30, 120)),
            lines=lines,
            lead_source=rng.choice(_LEAD_SOURCES),
            inquiry_id=inquiry_id,
            id=self._id(),
        )
        self.sales.deals += 1
        recent = self.now - sale.moment < timedelta(days=90)
        fate = rng.choices(("won", "lost", "open"), weights=(15, 15, 70) if recent else (35, 45, 20))[0]
        stages = pipeline.stages
        target = len(stages) - 1 if fate == "won" else rng.randrange(len(stages))
        moment, reached = sale.moment, 0
        for index in range(1, target + 1):
            step = self._later(moment, 48, 600)
            if step > sale.until:
                break
            moment, reached = step, index
            deal.move_to(self._stamp(manager.id, moment), client.admission_at(moment), stages[index])
        if fate == "won" and reached == target and rng.random() < 0.3:
            moment = self._later(moment, 1, 48)
            if moment <= sale.until:
                deal.change_amount(
                    self._stamp(manager.id, moment),
                    Money((deal.amount.amount * Decimal(rng.uniform(0.85, 1.15))).quantize(_CENT), "RUB"),
                )
        end = self._later(moment, 24, 360)
        if fate == "won" and reached == target and end <= sale.until:
            deal.win(self._stamp(manager.id, end), client.admission_at(end))
        elif fate == "lost" and end <= self.now:
            deal.lose(self._stamp(manager.id, end), *self._refusal())
        elif sale.until < self.now:
            # The client was barred while the deal was open: the deal is closed as lost.
            barred_at = self._later(sale.until, 1, 72)
            if barred_at <= self.now:
                deal.lose(self._stamp(manager.id, barred_at), "other", _BARRED_LOSS)
        return deal

    def _contract(
        self,
        customers: list[_Client],
        cumulative: list[float],
        items: list[_Item],
        number: int,
        order_count: int,
        first_order: int,
        paid: set[int],
    ) -> list[Aggregate]:
        """A contract with what happened under it, done in the order it happened: originals,
        stages, orders booked within the validity and the remaining amount, payments of
        them, and for a few a prolongation or a termination after everything else."""
        rng = self.rng
        sale = self._sale(
            customers, cumulative, self.start, self.now - timedelta(days=14), room=timedelta(days=7)
        )
        client, manager = sale.client, sale.client.manager
        signed_on = sale.moment.date()
        valid_until = signed_on + timedelta(days=rng.choice((180, 365, 365, 730)))
        amount = Money(Decimal(rng.randrange(20, 600) * 50_000), "RUB")
        work_from = signed_on + timedelta(days=15)
        papers_from = valid_until - timedelta(days=30)
        plan: list[dict[str, Any]] = [
            {
                "name": _CONTRACT_STAGES[0],
                "planned_start": signed_on,
                "planned_end": work_from - timedelta(days=1),
            },
            {"name": _CONTRACT_STAGES[1], "planned_start": work_from, "planned_end": papers_from},
            {"name": _CONTRACT_STAGES[2], "planned_start": papers_from, "planned_end": valid_until},
        ]
        stamp = self._stamp(manager.id, sale.moment)
        contract = Contract.sign(
            stamp,
            number=f"ТЛ-{signed_on.year}/{number:05d}",
            counterparty_id=client.id,
            manager_id=manager.id,
            signed_on=signed_on,
            valid_from=signed_on,
            valid_until=valid_until,
            amount=amount,
            stages=plan,
            id=self._id(),
        )
        claim = ContractNumber.claim(stamp, contract.number, str(contract.id))
        self.sales.contracts += 1
        steps: list[tuple[datetime, int, Callable[[datetime], None]]] = []

        def at(moment: datetime, action: Callable[[datetime], None]) -> None:
            if moment <= self.now:
                steps.append((moment, len(steps), action))

        def on_day(day: date) -> datetime:
            return datetime.combine(day, time(9), MOSCOW) + timedelta(minutes=rng.randrange(540))

        if rng.random() < 0.8:
            received = self._later(sale.moment, 24, 960)
            at(received, lambda m: contract.receive_originals(self._stamp(manager.id, m), m.date()))
        for stage in plan:
            started = on_day(stage["planned_start"] + timedelta(days=rng.randrange(-1, 6)))
            started = max(started, sale.moment)
            completed = on_day(stage["planned_end"] + timedelta(days=rng.randrange(-5, 25)))
            completed = max(completed, self._later(started, 1, 24))
            at(started, _stage_step(contract.start_stage, self._stamp, manager.id, stage["name"]))
            if started <= self.now:
                at(completed, _stage_step(contract.complete_stage, self._stamp, manager.id, stage["name"]))
        group: list[Aggregate] = [contract, claim]
        latest = min(datetime.combine(valid_until, time(18), MOSCOW), sale.until, self.now)
        weights = [rng.random() + 0.1 for _ in range(order_count)]
        fill = amount.amount * Decimal(rng.uniform(0.3, 0.95)) / Decimal(sum(weights) or 1)
        for index, weight in enumerate(weights):
            placed_at = self._moment(sale.moment, latest).astimezone(MOSCOW)
            order_amount = Money(max((fill * Decimal(weight)).quantize(_CENT, ROUND_DOWN), _CENT), "RUB")
            lines = [
                {"name": item.name, "quantity": Decimal(rng.randrange(1, 5)), "unit": item.unit}
                for item in rng.sample(items, rng.choice((1, 1, 2)))
            ]
            pays = first_order + index in paid
            at(placed_at, self._order_step(client, contract, group, order_amount, lines, pays))
        if steps and rng.random() < 0.06:
            last = max(moment for moment, _, _ in steps)
            # After the last payment too: one comes at most 45 days after its order.
            ended = self._later(last, 1_100, 1_800)
            reason = rng.choice(_TERMINATION_REASONS)
            at(ended, lambda m: contract.terminate(self._stamp(manager.id, m), m.date(), reason))
        elif datetime.combine(valid_until, time(9), MOSCOW) < self.now and rng.random() < 0.3:
            prolonged = on_day(valid_until - timedelta(days=rng.randrange(1, 20)))
            extended = valid_until + timedelta(days=365)
            at(prolonged, lambda m: contract.prolong(self._stamp(manager.id, m), extended))
        for moment, _, action in sorted(steps, key=lambda step: step[:2]):
            action(moment)
        return group

    def _order_step(
        self,
        client: _Client,
        contract: Contract,
        group: list[Aggregate],
        amount: Money,
        lines: list[dict[str, Any]],
        pays: bool,
    ) -> Callable[[datetime], None]:
        """Placing an order booked on the contract; moving it on and paying it as time allows."""
        rng = self.rng
        manager = client.manager

        def place(moment: datetime) -> None:
            recent = self.now - moment < timedelta(days=20)
            status = OrderStatus.FORECAST if recent and rng.random() < 0.4 else OrderStatus.RECEIVED
            stamp = self._stamp(manager.id, moment)
            order = Order.place(
                stamp,
                admission=client.admission_at(moment),
                counterparty_id=client.id,
                contract_id=str(contract.id),
                manager_id=manager.id,
                status=status,
                amount=amount,
                expected_on=moment.date() + timedelta(days=rng.randrange(3, 30)),
                lines=lines,
                id=self._id(),
            )
            contract.book_order(stamp, str(order.id), amount, moment.date())
            self.sales.orders += 1
            group.append(order)
            step = moment
            if status == OrderStatus.RECEIVED:
                for next_status, hours in (
                    (OrderStatus.IN_WORK, (4, 120)),
                    (OrderStatus.COMPLETED, (48, 720)),
                ):
                    step = self._later(step, *hours)
                    if step > self.now:
                        break
                    order.advance(self._stamp(manager.id, step), next_status, step.date())
            if pays:
                received = min(self._later(moment, 1, 1_080), self.now)
                share = Decimal(1) if rng.random() < 0.75 else Decimal(rng.randrange(30, 90)) / 100
                payment = Payment.receive(
                    self._stamp(manager.id, received),
                    contract=contract,
                    order_id=str(order.id),
                    amount=Money(max((amount.amount * share).quantize(_CENT), _CENT), "RUB"),
                    received_on=received.date(),
                    id=self._id(),
                )
                self.sales.payments += 1
                refunded = self._later(received, 24, 720)
                if rng.random() < 0.02 and refunded <= self.now:
                    payment.refund(
                        self._stamp(manager.id, refunded),
                        Money((payment.amount.amount / 4).quantize(_CENT), "RUB"),
                        refunded.date(),
                        rng.choice(_REFUND_REASONS),
                    )
                group.append(payment)

        return place


def _stage_step(
    mark: Callable[[Stamp, str, date], None],
    stamp: Callable[[str, datetime], Stamp],
    actor: str,
    stage: str,
) -> Callable[[datetime], None]:
    """Starting or completing one contract stage on the day it happens."""

    def step(moment: datetime) -> None:
        mark(stamp(actor, moment), stage, moment.date())

    return step


def _person_of(contact: Contact) -> _Person:
    phones, emails = contact.details["phones"], contact.details["emails"]
    return _Person(
        id=str(contact.id),
        full_name=contact.full_name,
        phone=phones[0] if phones else None,
        email=emails[0] if emails else None,
    )
