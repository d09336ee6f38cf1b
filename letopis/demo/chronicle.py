"""The state the demo's writers share: the seeded randomness, the business clock, and
who has been made so far (staff, clients, their people), so that later parts of the
history can refer to earlier ones."""

import random
from dataclasses import dataclass, field, fields
from datetime import datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from aggregates.counterparty import BARRED, Admission
from aggregates.employee import Role
from aggregates.stamp import Stamp
from letopis.demo.people import Name
from letopis.demo.vocabulary import Region

MOSCOW = ZoneInfo("Europe/Moscow")
HISTORY = timedelta(days=730)


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
class Staff:
    id: str
    name: Name
    role: Role
    team: str | None


@dataclass(frozen=True)
class Person:
    id: str
    full_name: str
    phone: str | None
    email: str | None


@dataclass
class Client:
    id: str
    manager: Staff
    region: Region
    registered_at: datetime
    phones: list[str]
    weight: float
    organisation: bool
    mail_domain: str
    customer: bool = False
    decisions: list[tuple[datetime, Admission]] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)

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
class PrivateClient:
    """A person the company serves directly, with no counterparty card."""

    manager: Staff
    region: Region
    person: Person


@dataclass
class SalesTally:
    catalogue_items: int = 0
    inquiries: int = 0
    deals: int = 0
    contracts: int = 0
    orders: int = 0
    payments: int = 0
    exchange_rates: int = 0


@dataclass
class PlanningTally:
    activities: int = 0
    tasks: int = 0
    timesheets: int = 0
    hourly_rates: int = 0
    reminders: int = 0
    resources: int = 0
    internal_meetings: int = 0

    @property
    def records(self) -> int:
        return sum(vars(self).values())


@dataclass(frozen=True)
class Sale:
    """A client that may be sold to at ``moment``, and until when that stays so."""

    client: "Client"
    moment: datetime
    until: datetime


class Chronicle:
    """Everything made so far, and the one seeded generator every choice is drawn from."""

    def __init__(self, rng: random.Random, now: datetime, size: DemoSize) -> None:
        if now.tzinfo is None:
            raise ValueError("now must carry a time zone")
        self.rng = rng
        self.now = now
        self.start = now - HISTORY
        self.size = size
        self.staff: list[Staff] = []
        self.managers: list[Staff] = []
        self.clients: list[Client] = []
        self.private_clients: list[PrivateClient] = []
        self.used_tax_ids: set[str] = set()
        self.contacts_registered = 0
        self.interactions_logged = 0
        self.admission_decisions = 0
        self.sales = SalesTally()
        self.planning = PlanningTally()

    def new_id(self) -> UUID:
        return UUID(int=self.rng.getrandbits(128), version=4)

    def stamp(self, actor: str, moment: datetime) -> Stamp:
        command_id = str(self.new_id())
        return Stamp(actor=actor, occurred_at=moment, command_id=command_id, correlation_id=command_id)

    def moment(self, earliest: datetime, latest: datetime) -> datetime:
        """A moment of a Moscow working day between the bounds, when the bounds leave room for one."""
        moment = earliest + (latest - earliest) * self.rng.random()
        day = moment.astimezone(MOSCOW).date()
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        working = datetime.combine(day, time(9), MOSCOW) + timedelta(minutes=self.rng.randrange(600))
        return working if earliest <= working <= latest else moment

    def sale(
        self,
        customers: list[Client],
        cumulative: list[float],
        earliest: datetime,
        latest: datetime,
        room: timedelta = timedelta(0),
    ) -> Sale:
        """A client and a moment at which the client is admitted, with at least ``room`` ahead."""
        for _ in range(10_000):
            client = self.rng.choices(customers, cum_weights=cumulative)[0]
            start = max(client.registered_at, earliest)
            if start >= latest:
                continue
            moment = self.moment(start, latest).astimezone(MOSCOW)
            until = client.admitted_until(moment, self.now)
            if until is not None and until - moment >= room:
                return Sale(client, moment, until)
        raise RuntimeError("no client may be sold to in the demo history")

    def later(self, moment: datetime, min_hours: float, max_hours: float) -> datetime:
        return moment + timedelta(hours=self.rng.uniform(min_hours, max_hours))
