"""People's names, and the numbers that go with a person or a firm: tax ids with correct
check digits, and phone numbers spelt in the ways people actually write them."""

import random
from dataclasses import dataclass

from letopis.demo.vocabulary import Region, words

SURNAMES = words(
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
MALE_NAMES = words(
    "Александр Алексей Андрей Антон Артём Борис Вадим Валерий Василий Виктор Виталий Владимир "
    "Владислав Вячеслав Геннадий Георгий Григорий Денис Дмитрий Евгений Егор Иван Игорь Илья Кирилл "
    "Константин Леонид Максим Михаил Никита Николай Олег Павел Пётр Роман Руслан Сергей Станислав "
    "Степан Тимур Фёдор Юрий Ярослав"
)
FEMALE_NAMES = words(
    "Александра Алина Алла Анастасия Анна Валентина Валерия Вера Виктория Галина Дарья Екатерина "
    "Елена Елизавета Жанна Инна Ирина Карина Кристина Ксения Лариса Любовь Людмила Маргарита Марина "
    "Мария Надежда Наталья Нина Оксана Ольга Полина Светлана София Татьяна Ульяна Юлия Яна"
)
PATRONYMIC_STEMS = words(
    "Александров Алексеев Андреев Анатольев Борисов Викторов Владимиров Васильев Геннадьев "
    "Дмитриев Евгеньев Иванов Игорев Константинов Михайлов Николаев Олегов Павлов Петров "
    "Романов Сергеев Юрьев Фёдоров Валерьев"
)
PATRONYMICS = (
    *((stem + "ич", stem + "на") for stem in PATRONYMIC_STEMS),
    ("Ильич", "Ильинична"),
    ("Никитич", "Никитична"),
)

_LATIN = str.maketrans(
    {
        **dict(
            zip(
                "абвгдеёжзийклмнопрстуфхцчшщыэюя",
                words("a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch y e yu ya"),
                strict=True,
            )
        ),
        "ъ": "",
        "ь": "",
    }
)


def latin(text: str) -> str:
    """A transliteration good enough for e-mail addresses and domains."""
    return "".join(c for c in text.lower().translate(_LATIN) if c.isascii() and c.isalnum())


def feminine(surname: str) -> str:
    if surname.endswith(("ский", "цкий")):
        return surname[:-2] + "ая"
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    return surname


@dataclass(frozen=True)
class Name:
    surname: str
    first: str
    patronymic: str

    @property
    def full(self) -> str:
        return f"{self.surname} {self.first} {self.patronymic}"

    @property
    def short(self) -> str:
        return f"{self.surname} {self.first[0]}. {self.patronymic[0]}."


def person_name(rng: random.Random) -> Name:
    surname = rng.choice(SURNAMES)
    male, female = rng.choice(PATRONYMICS)
    if rng.random() < 0.55:
        return Name(surname, rng.choice(MALE_NAMES), male)
    return Name(feminine(surname), rng.choice(FEMALE_NAMES), female)


_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN11_WEIGHTS = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _check_digit(digits: list[int], weights: tuple[int, ...]) -> int:
    return sum(d * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def random_inn(rng: random.Random, region: Region, person: bool) -> str:
    """An INN with correct check digits: 10 digits for organisations, 12 for people."""
    digits = [int(c) for c in region.tax_code] + [rng.randrange(10) for _ in range(8 if person else 7)]
    if person:
        digits.append(_check_digit(digits, _INN11_WEIGHTS))
        digits.append(_check_digit(digits, _INN12_WEIGHTS))
    else:
        digits.append(_check_digit(digits, _INN10_WEIGHTS))
    return "".join(map(str, digits))


def digits(rng: random.Random, count: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(count))


def phone(rng: random.Random, code: str) -> str:
    """One Russian number, spelt in one of the ways people actually write them."""
    local = digits(rng, 10 - len(code))
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


def mobile(rng: random.Random) -> str:
    return phone(rng, rng.choice(("903", "905", "910", "915", "916", "921", "926", "985", "999", "952")))
