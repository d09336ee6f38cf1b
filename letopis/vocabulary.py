"""Russian names for the codes records keep (statuses, kinds), for what people read: the
spreadsheets' cells. The API's JSON keeps the codes, which programs compare."""

from aggregates.catalogue_item import ItemKind
from aggregates.contract import ContractStatus
from aggregates.counterparty_profile import CounterpartyKind
from aggregates.deal import DealStatus
from aggregates.order import OrderStatus
from aggregates.plan_terms import PlanMeasure

CONTRACT_STATUS: dict[str, str] = {
    ContractStatus.ACTIVE: "Действует",
    ContractStatus.TERMINATED: "Расторгнут",
}
ORDER_STATUS: dict[str, str] = {
    OrderStatus.FORECAST: "Прогноз",
    OrderStatus.RECEIVED: "Получен",
    OrderStatus.IN_WORK: "В работе",
    OrderStatus.COMPLETED: "Выполнен",
}
DEAL_STATUS: dict[str, str] = {
    DealStatus.OPEN: "Открыта",
    DealStatus.WON: "Выиграна",
    DealStatus.LOST: "Проиграна",
}
COUNTERPARTY_KIND: dict[str, str] = {
    CounterpartyKind.CUSTOMER: "Клиент",
    CounterpartyKind.PARTNER: "Партнёр",
    CounterpartyKind.DEALER: "Дилер",
    CounterpartyKind.SUPPLIER: "Поставщик",
    CounterpartyKind.COMPETITOR: "Конкурент",
}
ITEM_KIND: dict[str, str] = {ItemKind.PRODUCT: "Товар", ItemKind.SERVICE: "Услуга"}
LIFE_CYCLE_STAGE: dict[str, str] = {
    "introduction": "Внедрение",
    "growth": "Рост",
    "maturity": "Зрелость",
    "decline": "Спад",
}
"""The product-trend analysis's stages (``analytics.analyses.products``)."""
PLAN_MEASURE: dict[str, str] = {
    PlanMeasure.WON_AMOUNT: "Выиграно сделок на сумму",
    PlanMeasure.WON_DEALS: "Выиграно сделок",
    PlanMeasure.RECEIVED_AMOUNT: "Получено оплат",
}
