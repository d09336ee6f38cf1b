"""Seeding the demo company: its history generated in the order it happened and appended in
large batches, each one transaction."""

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import chain

from eventsourcing.domain import Aggregate

from aggregates.counterparty import BARRED
from aggregates.employee import Role
from letopis.demo.bonuses import approvals, bonus_aggregate_count, bonus_rules
from letopis.demo.calendar_feeds import FEED_COUNT, calendar_feeds
from letopis.demo.chronicle import Chronicle, DemoSize
from letopis.demo.company import STAFF_COUNT, hire_staff, register_clients, register_people
from letopis.demo.interactions import interactions
from letopis.demo.planning import open_activities, with_planned_activities
from letopis.demo.plans import plan_aggregate_count, plans
from letopis.demo.sales import CATALOGUE, RATES, sales
from letopis.demo.teamwork import teamwork
from letopis.wiring import Letopis
from projections.reading import Progress

# Big enough to amortise a transaction, small enough to keep a batch's memory modest.
BATCH_SIZE = 1_000


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
    planning_records: int
    """Planned activities, tasks, timesheets, rates, reminders, resources and internal meetings."""
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
    position = letopis.store.append(*approvals(company.chronicle, position)) or position
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


class DemoCompany:
    """The demo company's history, generated lazily: staff, clients, their people, interactions, sales."""

    def __init__(self, rng: random.Random, now: datetime, size: DemoSize) -> None:
        self.chronicle = Chronicle(rng, now, size)

    @property
    def aggregate_count(self) -> int:
        size = self.chronicle.size
        return (
            STAFF_COUNT
            + FEED_COUNT
            + size.counterparties
            + 2 * size.counterparties  # the claims of their ИНН and ИНН/КПП, most of them
            + size.contacts
            + size.interactions
            + len(CATALOGUE)
            + 2  # the pipeline and the list of refusal reasons
            + len(RATES)
            + bonus_aggregate_count(self.chronicle)
            + size.inquiries
            + size.deals
            + 2 * size.contracts  # each with its number claim
            + size.orders
            + min(size.payments, size.orders)
            # Planning, estimated: about a quarter of the interactions were planned ahead or
            # planned and not held; the tasks with their timesheet days; the monthly meetings.
            + size.interactions // 4
            + 2 * size.deals
            + 100
            + plan_aggregate_count(self.chronicle)
        )

    def aggregates(self) -> Iterator[Aggregate]:
        return chain.from_iterable(self.groups())

    def groups(self) -> Iterator[list[Aggregate]]:
        """The history in the order it is appended; each group goes into one append."""
        chronicle = self.chronicle
        people = chain(hire_staff(chronicle), register_clients(chronicle), register_people(chronicle))
        return chain(
            ([aggregate] for aggregate in people),
            with_planned_activities(chronicle, interactions(chronicle)),
            sales(chronicle),
            open_activities(chronicle),
            teamwork(chronicle),
            ([feed] for feed in calendar_feeds(chronicle)),
            plans(chronicle),
            bonus_rules(chronicle),
        )

    def summary(self, position: int) -> DemoSummary:
        chronicle = self.chronicle
        head = next(s for s in chronicle.staff if s.role == Role.HEAD_OF_SALES)
        manager = chronicle.managers[0]
        showcase = max(
            chronicle.clients,
            key=lambda c: (c.manager == manager, c.admission_at(chronicle.now) not in BARRED, c.weight),
        )
        return DemoSummary(
            employees=len(chronicle.staff),
            counterparties=len(chronicle.clients),
            contacts=chronicle.contacts_registered,
            interactions=chronicle.interactions_logged,
            admission_decisions=chronicle.admission_decisions,
            catalogue_items=chronicle.sales.catalogue_items,
            inquiries=chronicle.sales.inquiries,
            deals=chronicle.sales.deals,
            contracts=chronicle.sales.contracts,
            orders=chronicle.sales.orders,
            payments=chronicle.sales.payments,
            exchange_rates=chronicle.sales.exchange_rates,
            planning_records=chronicle.planning.records,
            showcase=Showcase(head_of_sales_id=head.id, manager_id=manager.id, counterparty_id=showcase.id),
            position=position,
        )
