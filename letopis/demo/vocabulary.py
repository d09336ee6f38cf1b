"""The words the demo company's world is made of: regions, firms' names and trades, what
clients care about, admission decisions and their reasons, the positions of their people."""

import random
from dataclasses import dataclass

from aggregates.contact import Influence
from aggregates.counterparty import Admission
from aggregates.counterparty_profile import CounterpartyKind


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


@dataclass(frozen=True)
class Region:
    name: str
    weight: int
    tax_code: str
    phone_codes: tuple[str, ...]
    north_west: bool = False


REGIONS = (
    Region("Москва", 30, "77", ("495", "499")),
    Region("Московская область", 8, "50", ("498", "496")),
    Region("Санкт-Петербург", 15, "78", ("812",), north_west=True),
    Region("Ленинградская область", 2, "47", ("813",), north_west=True),
    Region("Калининград", 1, "39", ("4012",), north_west=True),
    Region("Новосибирск", 5, "54", ("383",)),
    Region("Екатеринбург", 6, "66", ("343",)),
    Region("Казань", 5, "16", ("843",)),
    Region("Нижний Новгород", 4, "52", ("831",)),
    Region("Самара", 3, "63", ("846",)),
    Region("Ростов-на-Дону", 4, "61", ("863",)),
    Region("Краснодар", 4, "23", ("861",)),
    Region("Красноярск", 2, "24", ("391",)),
    Region("Владивосток", 3, "25", ("423",)),
    Region("Челябинск", 3, "74", ("351",)),
    Region("Пермь", 2, "59", ("342",)),
    Region("Воронеж", 2, "36", ("473",)),
    Region("Тюмень", 1, "72", ("3452",)),
    Region("Омск", 1, "55", ("3812",)),
)
REGION_WEIGHTS = tuple(r.weight for r in REGIONS)
FOREIGN_HUBS = ("Шанхай", "Гуанчжоу", "Нинбо", "Стамбул", "Алматы", "Минск", "Ташкент", "Мерсин")
CITIES = tuple(r.name for r in REGIONS if "область" not in r.name)
ORIGINS = FOREIGN_HUBS + CITIES
BRAND_HEADS = words(
    "Сиб Волга Урал Нева Балт Евро Рус Дон Кама Восток Север Юг Центр Гранд Мега Интер Профи Альфа"
)
BRAND_MIDDLES = words("Агро Строй Пром Техно Металл Хим Лес Нефте Энерго Фарм Пласт Авто Электро")
BRAND_TAILS = words("Трейд Снаб Комплект Сервис Торг Маш Импорт Холдинг Групп Маркет Лайн Продукт Ресурс")
BRAND_WORDS = words(
    "Меридиан Гранит Вектор Оникс Альянс Стандарт Прогресс Сфера Горизонт Магистраль Кристалл "
    "Монолит Кедр Берёзка Фаворит Атлант Орион Сигма Ладога Байкал Алтай Бриз Квадрат Эталон"
)
PLANT_ADJECTIVES = words(
    "Сибирский Уральский Волжский Московский Казанский Кубанский Северный Балтийский Донской"
)
PLANTS = (
    "завод металлоконструкций",
    "комбинат хлебопродуктов",
    "завод упаковки",
    "мясокомбинат",
    "завод ЖБИ",
    "трубный завод",
    "деревообрабатывающий комбинат",
    "завод бытовой химии",
)


def company_brand(rng: random.Random, region: Region) -> str:
    style = rng.random()
    if style < 0.5:
        middle = rng.choice(BRAND_MIDDLES) if rng.random() < 0.6 else ""
        return rng.choice(BRAND_HEADS) + middle + rng.choice(BRAND_TAILS)
    if style < 0.8:
        word = rng.choice(BRAND_WORDS)
        suffix = rng.choice(("", "-М", " Плюс", f"-{rng.randrange(1, 99)}", f"-{region.name.split('-')[0]}"))
        return word + suffix
    return f"{rng.choice(PLANT_ADJECTIVES)} {rng.choice(PLANTS)}"


INDUSTRIES = (
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
TRANSPORT_MODES = (
    "Автоперевозки FTL",
    "Сборные грузы LTL",
    "Железнодорожные перевозки",
    "Морские контейнеры",
    "Авиаперевозки",
    "Мультимодальные перевозки",
)
VOLUMES = ("до 10 т в месяц", "10–100 т в месяц", "100–500 т в месяц", "свыше 500 т в месяц")
LEAD_SOURCES = (
    "Рекомендация клиента",
    "Сайт",
    "Холодный звонок",
    "Выставка «ТрансРоссия»",
    "Яндекс Директ",
    "Тендерная площадка",
    "Входящий звонок",
    "Партнёр",
)
LOYALTY_REASONS = (
    "Сроки доставки",
    "Цена",
    "Персональный менеджер",
    "Страхование грузов",
    "Отслеживание груза онлайн",
    "Отсрочка платежа",
    "Давние отношения",
)
CLIENT_INTERESTS = (
    "Контейнерные перевозки из Китая",
    "Таможенное оформление",
    "Складское хранение",
    "Рефрижераторные перевозки",
    "Негабаритные грузы",
    "Доставка последней мили",
    "Ж/д перевозки в Центральную Азию",
)
COMPETITOR_PRODUCTS = (
    "Экспресс-доставка",
    "Сборные грузы",
    "Ж/д контейнеры",
    "Таможенный брокер",
    "Ответственное хранение",
)
PAYMENT_TERMS = ("Предоплата 100%", "Отсрочка 14 дней", "Отсрочка 30 дней", "Отсрочка 45 дней")
BANKS = ("ПАО Сбербанк", "Банк ВТБ (ПАО)", "АО «Альфа-Банк»", "АО «ТБанк»", "ПАО «Промсвязьбанк»")
PRIVATE_ACTIVITIES = (
    "Переезд",
    "Доставка личного автомобиля",
    "Перевозка мебели",
    "Доставка стройматериалов",
)

KINDS = (
    CounterpartyKind.CUSTOMER,
    CounterpartyKind.PARTNER,
    CounterpartyKind.DEALER,
    CounterpartyKind.SUPPLIER,
    CounterpartyKind.COMPETITOR,
)
KIND_WEIGHTS = (82, 5, 4, 6, 3)
# Category, its share of clients, and how much more often than a C client it is in touch.
CATEGORIES = (("A", 15, 8.0), ("B", 35, 3.0), ("C", 50, 1.0))
CATEGORY_WEIGHTS = tuple(c[1] for c in CATEGORIES)

ACTIVE, PASSIVE = Admission.ACTIVE, Admission.PASSIVE
BANNED, SUSPENDED = Admission.FORBIDDEN, Admission.TEMPORARILY_FORBIDDEN
# The admission decisions a card goes through, and how many cards in a hundred go that way.
ADMISSION_PATHS: tuple[tuple[Admission, ...], ...] = (
    (),
    (ACTIVE,),
    (ACTIVE, PASSIVE),
    (ACTIVE, SUSPENDED),
    (ACTIVE, SUSPENDED, ACTIVE),
    (ACTIVE, BANNED),
    (BANNED,),
)
ADMISSION_PATH_WEIGHTS = (15, 59, 17, 4, 2, 2, 1)
REASONS = {
    ACTIVE: ("Договор подписан", "Проверка контрагента пройдена", "Первая перевозка оплачена"),
    PASSIVE: ("Нет отгрузок более полугода", "Сезонный клиент: перевозки приостановлены до весны"),
    SUSPENDED: (
        "Просроченная дебиторская задолженность свыше 60 дней",
        "Претензия по утрате груза на рассмотрении",
        "Договор истёк, новый не подписан",
    ),
    BANNED: (
        "Отказ от оплаты оказанных услуг, дело передано в арбитраж",
        "Проверка службы безопасности: признаки фирмы-однодневки",
        "Попытка отправить запрещённый к перевозке груз",
    ),
}
REINSTATEMENT_REASONS = ("Задолженность погашена", "Претензия урегулирована", "Подписан новый договор")

POSITIONS = (
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
POSITION_WEIGHTS = tuple(p[3] for p in POSITIONS)
HOBBIES = (
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
MAIL_SERVICES = ("mail.ru", "yandex.ru", "gmail.com", "bk.ru", "inbox.ru")
