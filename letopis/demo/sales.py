"""The sales side: the catalogue, the pipeline, the refusal reasons and the exchange rates,
then inquiries taken as far as time allows, deals moved through the funnel, and contracts."""

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any

from eventsourcing.domain import Aggregate

from aggregates.catalogue_item import CatalogueItem, ItemKind
from aggregates.deal import Deal
from aggregates.employee import Role
from aggregates.exchange_rate import ExchangeRate
from aggregates.inquiry import Inquiry, accept_into_deal
from aggregates.money import Money
from aggregates.refusal_reasons import RefusalReasons
from aggregates.sales_pipeline import SalesPipeline
from letopis.demo.chronicle import MOSCOW, Chronicle, Client, Sale, Staff
from letopis.demo.contracts import CENT, contract_history
from letopis.demo.interactions import CARGO
from letopis.demo.vocabulary import LEAD_SOURCES, ORIGINS

# Name, unit, category and the price in roubles of the services the company sells.
CATALOGUE = (
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
PIPELINE_NAME = "Продажи ТрансЛогистик"
PIPELINE_STAGES = (
    ("Квалификация", 10),
    ("Расчёт ставки", 30),
    ("КП отправлено", 50),
    ("Переговоры", 70),
    ("Согласование договора", 90),
)
REFUSAL_REASONS = (
    ("price", "Высокая цена", 40, ("Ставка выше, чем у текущего перевозчика", "Бюджет клиента урезан")),
    ("competitor", "Ушёл к конкуренту", 25, ("Выбрали другого экспедитора по тендеру", "Остались со старым")),
    ("timing", "Не устроили сроки", 15, ("Нужна доставка быстрее", "Не успеваем к открытию сезона")),
    ("service", "Нет нужной услуги", 10, ("Нужна доставка до двери в Европе", "Нужен опасный груз класса 1")),
    ("other", "Другое", 10, ("Клиент не выходит на связь", "Перевозка отменена клиентом")),
)
REFUSAL_WEIGHTS = tuple(r[2] for r in REFUSAL_REASONS)
# A currency and its rate in roubles two years ago; the rates then walk week by week.
RATES = (("USD", 90.0), ("EUR", 98.0), ("CNY", 12.5))
RATE_SOURCE = "ЦБ РФ"
QUOTE_DEPARTMENTS = (
    "Отдел морских перевозок",
    "Отдел ЖД перевозок",
    "Таможенный отдел",
    "Автоотдел",
    "Склад",
)
COST_NAMES = ("Фрахт", "Терминальная обработка", "Автодоставка", "Таможенные сборы", "Страховка", "Хранение")
BARRED_LOSS = "Контрагенту закрыт допуск"


def sales(chronicle: Chronicle) -> Iterator[list[Aggregate]]:
    """The sales side: its reference data first, then inquiries, deals and contracts with
    their orders and payments, each sold only to a client admitted at the time."""
    head = next(s for s in chronicle.staff if s.role == Role.HEAD_OF_SALES)
    analyst = next(s for s in chronicle.staff if s.role == Role.ANALYST)
    set_up_at = chronicle.start - timedelta(days=20)
    items = []
    for name, unit, category, price in CATALOGUE:
        listed = CatalogueItem.list_item(
            chronicle.stamp(head.id, set_up_at),
            kind=ItemKind.SERVICE,
            name=name,
            unit=unit,
            category=category,
            price=Money(Decimal(price), "RUB"),
            id=chronicle.new_id(),
        )
        items.append(listed)
        chronicle.sales.catalogue_items += 1
        yield [listed]
    pipeline = SalesPipeline.define(
        chronicle.stamp(head.id, set_up_at),
        name=PIPELINE_NAME,
        stages=[{"name": name, "probability": probability} for name, probability in PIPELINE_STAGES],
        id=chronicle.new_id(),
    )
    reasons = RefusalReasons.start(chronicle.stamp(head.id, set_up_at))
    for code, label, _, _ in REFUSAL_REASONS:
        reasons.add(chronicle.stamp(head.id, set_up_at), code, label)
    yield [pipeline, reasons]
    for currency, rate in RATES:
        yield [_rate_history(chronicle, analyst, currency, rate)]
    customers = [c for c in chronicle.clients if c.customer] or chronicle.clients
    cumulative = list(accumulate(c.weight for c in customers))
    for _ in range(chronicle.size.inquiries):
        yield _inquiry(chronicle, customers, cumulative, items, pipeline)
    for _ in range(max(chronicle.size.deals - chronicle.sales.deals, 0)):
        sale = chronicle.sale(customers, cumulative, chronicle.start, chronicle.now - timedelta(days=1))
        yield [_open_deal(chronicle, sale, pipeline, _lines(chronicle, items))]
    orders = [0] * chronicle.size.contracts
    if orders:
        for _ in range(chronicle.size.orders):
            orders[chronicle.rng.randrange(len(orders))] += 1
    paid = set(chronicle.rng.sample(range(sum(orders)), min(chronicle.size.payments, sum(orders))))
    first_order = 0
    for number, order_count in enumerate(orders, start=1):
        yield contract_history(
            chronicle, customers, cumulative, items, number, order_count, first_order, paid
        )
        first_order += order_count


def _rate_history(chronicle: Chronicle, analyst: Staff, currency: str, rate: float) -> ExchangeRate:
    """Weekly rates, each recorded on its Monday at noon."""
    history = ExchangeRate.start(chronicle.stamp(analyst.id, chronicle.start - timedelta(days=20)), currency)
    day = chronicle.start.astimezone(MOSCOW).date()
    day -= timedelta(days=day.weekday())
    while (moment := datetime.combine(day, time(12), MOSCOW)) <= chronicle.now:
        rate *= 1 + chronicle.rng.gauss(0, 0.015)
        history.record(
            chronicle.stamp(analyst.id, moment), currency, Decimal(f"{rate:.4f}"), day, RATE_SOURCE
        )
        chronicle.sales.exchange_rates += 1
        day += timedelta(days=7)
    return history


def _lines(chronicle: Chronicle, items: list[CatalogueItem]) -> list[dict[str, Any]]:
    rng = chronicle.rng
    return [item.quote(Decimal(rng.randrange(1, 6))) for item in rng.sample(items, rng.choice((1, 1, 2, 3)))]


def _refusal(chronicle: Chronicle) -> tuple[str, str]:
    code, _, _, texts = chronicle.rng.choices(REFUSAL_REASONS, weights=REFUSAL_WEIGHTS)[0]
    return code, chronicle.rng.choice(texts)


def _inquiry(
    chronicle: Chronicle,
    customers: list[Client],
    cumulative: list[float],
    items: list[CatalogueItem],
    pipeline: SalesPipeline,
) -> list[Aggregate]:
    """An inquiry taken as far as time and the client's admission allow: quote tasks
    answered, a price, a proposal, and the client's yes (a deal) or no."""
    rng = chronicle.rng
    sale = chronicle.sale(customers, cumulative, chronicle.start, chronicle.now - timedelta(hours=1))
    client, manager = sale.client, sale.client.manager
    origin = rng.choice([o for o in ORIGINS if o != client.region.name])
    route, cargo = f"{origin} — {client.region.name}", rng.choice(CARGO)
    inquiry = Inquiry.register(
        chronicle.stamp(manager.id, sale.moment),
        admission=client.admission_at(sale.moment),
        counterparty_id=client.id,
        responsible_id=manager.id,
        request={"Маршрут": route, "Груз": cargo},
        deadline=sale.moment + timedelta(days=rng.randrange(1, 6)),
        currency="RUB",
        id=chronicle.new_id(),
    )
    chronicle.sales.inquiries += 1
    group: list[Aggregate] = [inquiry]
    moment = sale.moment
    if rng.random() < 0.6:
        for _ in range(rng.choice((1, 1, 2))):
            expert = rng.choice(chronicle.managers)
            task_id = str(chronicle.new_id())
            moment = chronicle.later(moment, 1, 8)
            if moment > chronicle.now:
                return group
            inquiry.assign_quote_task(
                chronicle.stamp(manager.id, moment),
                task_id=task_id,
                department=rng.choice(QUOTE_DEPARTMENTS),
                assignee_id=expert.id,
                question=f"Рассчитать ставку: {route}, {cargo}",
                due=moment + timedelta(days=2),
            )
            moment = chronicle.later(moment, 4, 72)
            if moment > chronicle.now:
                return group
            names = rng.sample(COST_NAMES, rng.randrange(1, 4))
            costs = [Money(Decimal(rng.randrange(50, 4_000) * 100), "RUB") for _ in names]
            inquiry.answer_quote_task(chronicle.stamp(expert.id, moment), task_id, costs, names)
        moment = chronicle.later(moment, 1, 24)
        if moment > chronicle.now:
            return group
        inquiry.set_price(chronicle.stamp(manager.id, moment), Decimal(rng.randrange(8, 30)))
    if rng.random() < 0.75:
        moment = chronicle.later(moment, 2, 48)
        if moment > chronicle.now:
            return group
        valid_days = rng.choice((7, 14, 14, 30))
        valid_until = moment.date() + timedelta(days=valid_days)
        inquiry.issue_proposal(
            chronicle.stamp(manager.id, moment),
            _lines(chronicle, items),
            Decimal(rng.choice((0, 0, 0, 3, 5, 10))),
            valid_until,
        )
        answer = rng.random()
        answered_at = moment + timedelta(days=rng.uniform(0.1, valid_days - 0.5))
        if answered_at > chronicle.now:
            return group
        if answer < 0.4 and answered_at <= sale.until and chronicle.sales.deals < chronicle.size.deals:
            deal = accept_into_deal(
                inquiry,
                chronicle.stamp(manager.id, answered_at),
                admission=client.admission_at(answered_at),
                manager_id=manager.id,
                pipeline=pipeline,
                expected_close_on=answered_at.date() + timedelta(days=rng.randrange(30, 120)),
                lead_source=rng.choice(LEAD_SOURCES),
                deal_id=chronicle.new_id(),
            )
            chronicle.sales.deals += 1
            _work_deal(chronicle, Sale(client, answered_at, sale.until), pipeline, deal)
            group.append(deal)
            return group
        if answer < 0.85:
            inquiry.refuse(chronicle.stamp(manager.id, answered_at), *_refusal(chronicle))
        return group
    if rng.random() < 0.3:
        moment = chronicle.later(moment, 24, 240)
        if moment <= chronicle.now:
            inquiry.refuse(chronicle.stamp(manager.id, moment), *_refusal(chronicle))
    return group


def _open_deal(
    chronicle: Chronicle, sale: Sale, pipeline: SalesPipeline, lines: list[dict[str, Any]]
) -> Deal:
    """A deal opened without an inquiry, for the catalogue lines' value."""
    rng = chronicle.rng
    client, manager = sale.client, sale.client.manager
    gross = sum((line["unit_price"] * line["quantity"] for line in lines), Decimal(0))
    deal = Deal.open(
        chronicle.stamp(manager.id, sale.moment),
        admission=client.admission_at(sale.moment),
        counterparty_id=client.id,
        manager_id=manager.id,
        pipeline_id=str(pipeline.id),
        stage=pipeline.first_stage,
        amount=Money(gross.quantize(CENT), "RUB"),
        expected_close_on=sale.moment.date() + timedelta(days=rng.randrange(30, 120)),
        lines=lines,
        lead_source=rng.choice(LEAD_SOURCES),
        inquiry_id=None,
        id=chronicle.new_id(),
    )
    chronicle.sales.deals += 1
    _work_deal(chronicle, sale, pipeline, deal)
    return deal


def _work_deal(chronicle: Chronicle, sale: Sale, pipeline: SalesPipeline, deal: Deal) -> None:
    """The deal moved stage by stage while time and the client's admission allow, then
    won, lost with a reason, or left open."""
    rng = chronicle.rng
    client, manager = sale.client, sale.client.manager
    recent = chronicle.now - sale.moment < timedelta(days=90)
    fate = rng.choices(("won", "lost", "open"), weights=(15, 15, 70) if recent else (35, 45, 20))[0]
    stages = pipeline.stages
    target = len(stages) - 1 if fate == "won" else rng.randrange(len(stages))
    moment, reached = sale.moment, 0
    for index in range(1, target + 1):
        step = chronicle.later(moment, 48, 600)
        if step > sale.until:
            break
        moment, reached = step, index
        deal.move_to(chronicle.stamp(manager.id, moment), client.admission_at(moment), stages[index])
    if fate == "won" and reached == target and rng.random() < 0.3:
        moment = chronicle.later(moment, 1, 48)
        if moment <= sale.until:
            deal.change_amount(
                chronicle.stamp(manager.id, moment),
                Money((deal.amount.amount * Decimal(rng.uniform(0.85, 1.15))).quantize(CENT), "RUB"),
            )
    end = chronicle.later(moment, 24, 360)
    if fate == "won" and reached == target and end <= sale.until:
        deal.win(chronicle.stamp(manager.id, end), client.admission_at(end))
    elif fate == "lost" and end <= chronicle.now:
        deal.lose(chronicle.stamp(manager.id, end), *_refusal(chronicle))
    elif sale.until < chronicle.now:
        # The client was barred while the deal was open: the deal is closed as lost.
        barred_at = chronicle.later(sale.until, 1, 72)
        if barred_at <= chronicle.now:
            deal.lose(chronicle.stamp(manager.id, barred_at), "other", BARRED_LOSS)
