"""Contracts with what happened under them, in the order it happened: originals, stages,
orders booked on the contract, their payments, and for a few a prolongation or a termination."""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from eventsourcing.domain import Aggregate

from aggregates.catalogue_item import CatalogueItem
from aggregates.contract import Contract, sign_with_number_claim
from aggregates.money import Money
from aggregates.order import OrderStatus, place_and_book_order
from aggregates.payment import receive_under_contract
from aggregates.stamp import Stamp
from letopis.demo.chronicle import MOSCOW, Chronicle, Client

CONTRACT_STAGES = ("Согласование условий", "Перевозки", "Закрывающие документы")
TERMINATION_REASONS = (
    "Клиент прекратил импорт",
    "Расторжение по соглашению сторон",
    "Просроченная задолженность",
)
REFUND_REASONS = ("Переплата по счёту", "Отмена части перевозки", "Компенсация за задержку доставки")
CENT = Decimal("0.01")


def contract_history(
    chronicle: Chronicle,
    customers: list[Client],
    cumulative: list[float],
    items: list[CatalogueItem],
    number: int,
    order_count: int,
    first_order: int,
    paid: set[int],
) -> list[Aggregate]:
    """A contract with what happened under it, done in the order it happened: originals,
    stages, orders booked within the validity and the remaining amount, payments of
    them, and for a few a prolongation or a termination after everything else."""
    rng = chronicle.rng
    sale = chronicle.sale(
        customers, cumulative, chronicle.start, chronicle.now - timedelta(days=14), room=timedelta(days=7)
    )
    client, manager = sale.client, sale.client.manager
    signed_on = sale.moment.date()
    valid_until = signed_on + timedelta(days=rng.choice((180, 365, 365, 730)))
    amount = Money(Decimal(rng.randrange(20, 600) * 50_000), "RUB")
    work_from = signed_on + timedelta(days=15)
    papers_from = valid_until - timedelta(days=30)
    plan: list[dict[str, Any]] = [
        {
            "name": CONTRACT_STAGES[0],
            "planned_start": signed_on,
            "planned_end": work_from - timedelta(days=1),
        },
        {"name": CONTRACT_STAGES[1], "planned_start": work_from, "planned_end": papers_from},
        {"name": CONTRACT_STAGES[2], "planned_start": papers_from, "planned_end": valid_until},
    ]
    stamp = chronicle.stamp(manager.id, sale.moment)
    contract, claim = sign_with_number_claim(
        stamp,
        admission=client.admission_at(sale.moment),
        number_taken=False,  # the demo numbers its contracts in sequence
        number=f"ТЛ-{signed_on.year}/{number:05d}",
        counterparty_id=client.id,
        manager_id=manager.id,
        signed_on=signed_on,
        valid_from=signed_on,
        valid_until=valid_until,
        amount=amount,
        stages=plan,
        id=chronicle.new_id(),
    )
    chronicle.sales.contracts += 1
    steps: list[tuple[datetime, int, Callable[[datetime], None]]] = []

    def at(moment: datetime, action: Callable[[datetime], None]) -> None:
        if moment <= chronicle.now:
            steps.append((moment, len(steps), action))

    def on_day(day: date) -> datetime:
        return datetime.combine(day, time(9), MOSCOW) + timedelta(minutes=rng.randrange(540))

    if rng.random() < 0.8:
        received = chronicle.later(sale.moment, 24, 960)
        at(received, lambda m: contract.receive_originals(chronicle.stamp(manager.id, m), m.date()))
    for stage in plan:
        started = on_day(stage["planned_start"] + timedelta(days=rng.randrange(-1, 6)))
        started = max(started, sale.moment)
        completed = on_day(stage["planned_end"] + timedelta(days=rng.randrange(-5, 25)))
        completed = max(completed, chronicle.later(started, 1, 24))
        at(started, _stage_step(contract.start_stage, chronicle.stamp, manager.id, stage["name"]))
        if started <= chronicle.now:
            at(completed, _stage_step(contract.complete_stage, chronicle.stamp, manager.id, stage["name"]))
    group: list[Aggregate] = [contract, claim]
    latest = min(datetime.combine(valid_until, time(18), MOSCOW), sale.until, chronicle.now)
    weights = [rng.random() + 0.1 for _ in range(order_count)]
    fill = amount.amount * Decimal(rng.uniform(0.3, 0.95)) / Decimal(sum(weights) or 1)
    for index, weight in enumerate(weights):
        placed_at = chronicle.moment(sale.moment, latest).astimezone(MOSCOW)
        order_amount = Money(max((fill * Decimal(weight)).quantize(CENT, ROUND_DOWN), CENT), "RUB")
        lines = [
            {"name": item.name, "quantity": Decimal(rng.randrange(1, 5)), "unit": item.unit}
            for item in rng.sample(items, rng.choice((1, 1, 2)))
        ]
        pays = first_order + index in paid
        at(placed_at, _order_step(chronicle, client, contract, group, order_amount, lines, pays))
    if steps and rng.random() < 0.06:
        last = max(moment for moment, _, _ in steps)
        # After the last payment too: one comes at most 45 days after its order.
        ended = chronicle.later(last, 1_100, 1_800)
        reason = rng.choice(TERMINATION_REASONS)
        at(ended, lambda m: contract.terminate(chronicle.stamp(manager.id, m), m.date(), reason))
    elif datetime.combine(valid_until, time(9), MOSCOW) < chronicle.now and rng.random() < 0.3:
        prolonged = on_day(valid_until - timedelta(days=rng.randrange(1, 20)))
        extended = valid_until + timedelta(days=365)
        at(prolonged, lambda m: contract.prolong(chronicle.stamp(manager.id, m), extended))
    for moment, _, action in sorted(steps, key=lambda step: step[:2]):
        action(moment)
    return group


def _order_step(
    chronicle: Chronicle,
    client: Client,
    contract: Contract,
    group: list[Aggregate],
    amount: Money,
    lines: list[dict[str, Any]],
    pays: bool,
) -> Callable[[datetime], None]:
    """Placing an order booked on the contract; moving it on and paying it as time allows."""
    rng = chronicle.rng
    manager = client.manager

    def place(moment: datetime) -> None:
        recent = chronicle.now - moment < timedelta(days=20)
        status = OrderStatus.FORECAST if recent and rng.random() < 0.4 else OrderStatus.RECEIVED
        stamp = chronicle.stamp(manager.id, moment)
        order = place_and_book_order(
            stamp,
            admission=client.admission_at(moment),
            counterparty_id=client.id,
            manager_id=manager.id,
            contract=contract,
            status=status,
            amount=amount,
            expected_on=moment.date() + timedelta(days=rng.randrange(3, 30)),
            lines=lines,
            id=chronicle.new_id(),
        )
        chronicle.sales.orders += 1
        group.append(order)
        step = moment
        if status == OrderStatus.RECEIVED:
            for next_status, hours in (
                (OrderStatus.IN_WORK, (4, 120)),
                (OrderStatus.COMPLETED, (48, 720)),
            ):
                step = chronicle.later(step, *hours)
                if step > chronicle.now:
                    break
                order.advance(chronicle.stamp(manager.id, step), next_status, step.date())
        if pays:
            received = min(chronicle.later(moment, 1, 1_080), chronicle.now)
            share = Decimal(1) if rng.random() < 0.75 else Decimal(rng.randrange(30, 90)) / 100
            payment = receive_under_contract(
                chronicle.stamp(manager.id, received),
                contract=contract,
                order=order,
                amount=Money(max((amount.amount * share).quantize(CENT), CENT), "RUB"),
                received_on=received.date(),
                id=chronicle.new_id(),
            )
            chronicle.sales.payments += 1
            refunded = chronicle.later(received, 24, 720)
            if rng.random() < 0.02 and refunded <= chronicle.now:
                payment.refund(
                    chronicle.stamp(manager.id, refunded),
                    Money((payment.amount.amount / 4).quantize(CENT), "RUB"),
                    refunded.date(),
                    rng.choice(REFUND_REASONS),
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
