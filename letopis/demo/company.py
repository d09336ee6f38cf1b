"""The company and its clients: the sales department's staff, the counterparties with their
profiles and admission decisions, and the people at them to talk to."""

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from aggregates.contact import Contact
from aggregates.counterparty import Admission, Counterparty
from aggregates.counterparty_profile import CounterpartyKind, LegalForm
from aggregates.employee import Employee, Role
from aggregates.requisites import account_control_key, kpp_of, ogrn_control_digit
from aggregates.stamp import Stamp
from aggregates.tax_id_claim import TaxIdClaim, tax_id_claim_keys
from letopis.demo.chronicle import Chronicle, Client, Person, PrivateClient, Staff
from letopis.demo.duplicates import duplicate_count, duplicate_profile
from letopis.demo.people import digits, latin, mobile, person_name, phone, random_inn
from letopis.demo.vocabulary import (
    ADMISSION_PATH_WEIGHTS,
    ADMISSION_PATHS,
    BANKS,
    CATEGORIES,
    CATEGORY_WEIGHTS,
    CITIES,
    CLIENT_INTERESTS,
    COMPETITOR_PRODUCTS,
    HOBBIES,
    INDUSTRIES,
    KIND_WEIGHTS,
    KINDS,
    LEAD_SOURCES,
    LOYALTY_REASONS,
    MAIL_SERVICES,
    PAYMENT_TERMS,
    POSITION_WEIGHTS,
    POSITIONS,
    PRIVATE_ACTIVITIES,
    REASONS,
    REGION_WEIGHTS,
    REGIONS,
    REINSTATEMENT_REASONS,
    TRANSPORT_MODES,
    VOLUMES,
    Region,
    company_brand,
)
from letopis.wiring import CONSOLE

DEPARTMENT = "Продажи"
NORTH_WEST_TEAM = "Санкт-Петербург"
TEAMS = {"Москва-1": 7, "Москва-2": 7, NORTH_WEST_TEAM: 6}
# The head of sales, the managers, an auditor, an analyst and an administrator.
STAFF_COUNT = 1 + sum(TEAMS.values()) + 3


def hire_staff(chronicle: Chronicle) -> Iterator[Employee]:
    yield _hire(chronicle, Role.HEAD_OF_SALES, None, DEPARTMENT)
    for team, headcount in TEAMS.items():
        for _ in range(headcount):
            yield _hire(chronicle, Role.MANAGER, team, DEPARTMENT)
    for role in (Role.AUDITOR, Role.ANALYST, Role.ADMIN):
        yield _hire(chronicle, role, None, None)


def _hire(chronicle: Chronicle, role: Role, team: str | None, department: str | None) -> Employee:
    staff = Staff(str(chronicle.new_id()), person_name(chronicle.rng), role, team)
    chronicle.staff.append(staff)
    if role == Role.MANAGER:
        chronicle.managers.append(staff)
    hired_at = chronicle.moment(chronicle.start - timedelta(days=60), chronicle.start - timedelta(days=30))
    return Employee.hire(
        chronicle.stamp(CONSOLE.employee_id, hired_at),
        id=UUID(staff.id),
        full_name=staff.name.full,
        role=role,
        team=team,
        department=department,
    )


def _manager_for(chronicle: Chronicle, region: Region) -> Staff:
    """The Saint Petersburg team serves the north-west; the Moscow teams everyone else."""
    return chronicle.rng.choice(
        [m for m in chronicle.managers if (m.team == NORTH_WEST_TEAM) == region.north_west]
    )


def register_clients(chronicle: Chronicle) -> Iterator[Counterparty | TaxIdClaim]:
    """The clients, each with the claims of its ИНН as a registration by command appends them;
    the last few are second cards of others (``letopis.demo.duplicates``), which claim nothing:
    the one with its original's ИНН came over from the old CRM before the rule."""
    originals: list[tuple[Client, Counterparty]] = []
    seconds = duplicate_count(chronicle.size)
    for _ in range(chronicle.size.counterparties - seconds):
        counterparty, stamp = _register_client(chronicle)
        client = chronicle.clients[-1]
        if client.organisation and client.customer and len(originals) < seconds:
            originals.append((client, counterparty))
        yield counterparty
        yield from _claims(counterparty, stamp)
    for variant, (client, original) in enumerate(originals):
        yield _register_second_card(chronicle, variant % 3, client, original)
    for _ in range(seconds - len(originals)):  # a tiny demo may lack organisations to copy
        counterparty, stamp = _register_client(chronicle)
        yield counterparty
        yield from _claims(counterparty, stamp)


def _claims(counterparty: Counterparty, stamp: Stamp) -> Iterator[TaxIdClaim]:
    for key in tax_id_claim_keys(
        counterparty.profile["tax_id"], kpp_of(counterparty.profile["requisites"]), branch=False
    ):
        yield TaxIdClaim.claim(stamp, key, str(counterparty.id), counterparty.name)


def _register_second_card(
    chronicle: Chronicle, variant: int, original: Client, card: Counterparty
) -> Counterparty:
    rng = chronicle.rng
    profile = duplicate_profile(variant, card.profile)
    if "phones" not in profile:
        profile["phones"] = [phone(rng, rng.choice(original.region.phone_codes))]
    # The card with the original's tax id came over from the old CRM in the first weeks.
    registered_at = (
        _registered_at(chronicle)
        if variant
        else chronicle.moment(chronicle.start, chronicle.start + timedelta(days=45))
    )
    counterparty = Counterparty.register(
        chronicle.stamp(original.manager.id, registered_at),
        id=chronicle.new_id(),
        manager_id=original.manager.id,
        **profile,
    )
    client = Client(
        id=str(counterparty.id),
        manager=original.manager,
        region=original.region,
        registered_at=registered_at,
        phones=counterparty.profile["phones"],
        weight=original.weight / 4,
        organisation=True,
        mail_domain=original.mail_domain,
        customer=True,
    )
    _decide_admission(chronicle, counterparty, client)
    chronicle.clients.append(client)
    return counterparty


def _register_client(chronicle: Chronicle) -> tuple[Counterparty, Stamp]:
    rng = chronicle.rng
    region = rng.choices(REGIONS, weights=REGION_WEIGHTS)[0]
    kind = rng.choices(KINDS, weights=KIND_WEIGHTS)[0]
    category, _, weight = rng.choices(CATEGORIES, weights=CATEGORY_WEIGHTS)[0]
    form = rng.random()
    if kind == CounterpartyKind.CUSTOMER and form < 0.04:
        profile, mail_domain = _private_person_profile(chronicle, region)
        weight = 0.5
    elif kind in (CounterpartyKind.CUSTOMER, CounterpartyKind.SUPPLIER) and form < 0.12:
        profile, mail_domain = _sole_trader_profile(chronicle, region)
    else:
        profile, mail_domain = _organisation_profile(chronicle, region)
    if kind == CounterpartyKind.COMPETITOR:
        weight = 0.2
        profile["competitor_products"] = rng.sample(COMPETITOR_PRODUCTS, rng.randrange(1, 4))
    else:
        profile["classifiers"] = {
            "Категория": [category],
            "Объём перевозок": [rng.choice(VOLUMES)],
            "Вид перевозок": rng.sample(TRANSPORT_MODES, rng.randrange(1, 3)),
        }
        profile["loyalty_reasons"] = rng.sample(LOYALTY_REASONS, rng.randrange(0, 3))
        profile["interests"] = rng.sample(CLIENT_INTERESTS, rng.randrange(0, 3))
    manager = _manager_for(chronicle, region)
    registered_at = _registered_at(chronicle)
    stamp = chronicle.stamp(manager.id, registered_at)
    counterparty = Counterparty.register(
        stamp,
        id=chronicle.new_id(),
        manager_id=manager.id,
        kind=kind.value,
        region=region.name,
        phones=[phone(rng, rng.choice(region.phone_codes)) for _ in range(rng.choice((1, 1, 2)))],
        lead_source=rng.choice(LEAD_SOURCES),
        **profile,
    )
    client = Client(
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
        _decide_admission(chronicle, counterparty, client)
    chronicle.clients.append(client)
    return counterparty, stamp


def _registered_at(chronicle: Chronicle) -> datetime:
    # The first weeks carry the client base moved over from the old CRM.
    if chronicle.rng.random() < 0.4:
        return chronicle.moment(chronicle.start, chronicle.start + timedelta(days=45))
    return chronicle.moment(chronicle.start, chronicle.now - timedelta(days=7))


def _unique_inn(chronicle: Chronicle, region: Region, person: bool) -> str:
    inn = random_inn(chronicle.rng, region, person)
    while inn in chronicle.used_tax_ids:
        inn = random_inn(chronicle.rng, region, person)
    chronicle.used_tax_ids.add(inn)
    return inn


def _organisation_profile(chronicle: Chronicle, region: Region) -> tuple[dict[str, Any], str]:
    rng = chronicle.rng
    brand = company_brand(rng, region)
    legal = rng.choices(("ООО", "АО", "ПАО", "ЗАО"), weights=(82, 12, 1, 5))[0]
    industry, activity = rng.choice(INDUSTRIES)
    inn = _unique_inn(chronicle, region, person=False)
    destination = rng.choice([c for c in CITIES if c != region.name])
    ogrn = f"1{digits(rng, 2)}{inn[:2]}{digits(rng, 8)}"
    bank = rng.choice(BANKS)
    bik = f"04{digits(rng, 7)}"
    account = f"40702810{digits(rng, 12)}"
    profile = {
        "legal_form": LegalForm.ORGANISATION.value,
        "name": f"{legal} «{brand}»",
        "tax_id": inn,
        "requisites": {
            "КПП": f"{inn[:4]}01001",
            "ОГРН": ogrn[:-1] + ogrn_control_digit(ogrn[:-1]),
            "Банк": bank,
            "БИК": bik,
            "Расчётный счёт": account[:8] + account_control_key(account, bik) + account[9:],
        },
        "industry": industry,
        "activity": activity,
        "attributes": {
            "Условия оплаты": rng.choice(PAYMENT_TERMS),
            "Основной маршрут": f"{region.name} — {destination}",
        },
    }
    return profile, (latin(brand)[:24] or "company") + ".ru"


def _ogrnip(drawn: str) -> str:
    return drawn[:-1] + ogrn_control_digit(drawn[:-1])


def _sole_trader_profile(chronicle: Chronicle, region: Region) -> tuple[dict[str, Any], str]:
    rng = chronicle.rng
    industry, activity = rng.choice(INDUSTRIES[:4])
    profile = {
        "legal_form": LegalForm.PERSON.value,
        "name": f"ИП {person_name(rng).short}",
        "tax_id": _unique_inn(chronicle, region, person=True),
        "requisites": {"ОГРНИП": _ogrnip(f"3{digits(rng, 14)}"), "Банк": rng.choice(BANKS)},
        "industry": industry,
        "activity": activity,
        "attributes": {"Условия оплаты": "Предоплата 100%"},
    }
    return profile, rng.choice(MAIL_SERVICES)


def _private_person_profile(chronicle: Chronicle, region: Region) -> tuple[dict[str, Any], str]:
    rng = chronicle.rng
    profile = {
        "legal_form": LegalForm.PERSON.value,
        "name": person_name(rng).full,
        "tax_id": _unique_inn(chronicle, region, person=True) if rng.random() < 0.3 else None,
        "activity": rng.choice(PRIVATE_ACTIVITIES),
    }
    return profile, rng.choice(MAIL_SERVICES)


def _decide_admission(chronicle: Chronicle, counterparty: Counterparty, client: Client) -> None:
    """The first decision comes within weeks of registration, any later one in the last
    stretch of the history, so barred clients have a working past behind them."""
    rng = chronicle.rng
    path = rng.choices(ADMISSION_PATHS, weights=ADMISSION_PATH_WEIGHTS)[0]
    if not path:
        return
    lifetime = chronicle.now - client.registered_at
    moments = [client.registered_at + lifetime * rng.uniform(0.01, 0.1)]
    moments += sorted(client.registered_at + lifetime * rng.uniform(0.7, 0.97) for _ in path[1:])
    for moment, admission in zip(moments, path, strict=True):
        reinstated = client.decisions and admission == Admission.ACTIVE
        reason = rng.choice(REINSTATEMENT_REASONS if reinstated else REASONS[admission])
        counterparty.decide_admission(chronicle.stamp(client.manager.id, moment), admission, reason)
        client.decisions.append((moment, admission))
    chronicle.admission_decisions += len(path)
    if path[0] == Admission.ACTIVE and rng.random() < 0.7:
        rated_at = min(moments[0] + timedelta(days=rng.randrange(1, 30)), chronicle.now)
        counterparty.rate(chronicle.stamp(client.manager.id, rated_at), rng.randrange(1, 6))


def register_people(chronicle: Chronicle) -> Iterator[Contact]:
    """Every organisation gets someone to talk to, the busier ones more people; a few
    people are private clients of their own."""
    rng = chronicle.rng
    on_their_own = chronicle.size.contacts // 50
    organisations = [c for c in chronicle.clients if c.organisation]
    employers = organisations[: chronicle.size.contacts - on_their_own]
    remaining = chronicle.size.contacts - on_their_own - len(employers)
    if organisations and remaining > 0:
        employers += rng.choices(organisations, weights=[c.weight for c in organisations], k=remaining)
    for client in employers:
        contact = _new_contact(chronicle, client.manager, client, client.registered_at, client.mail_domain)
        client.people.append(_person_of(contact))
        yield contact
    for _ in range(chronicle.size.contacts - len(employers)):
        manager = rng.choice(chronicle.managers)
        region = rng.choices(REGIONS, weights=REGION_WEIGHTS)[0]
        contact = _new_contact(chronicle, manager, None, chronicle.start, rng.choice(MAIL_SERVICES))
        chronicle.private_clients.append(PrivateClient(manager, region, _person_of(contact)))
        yield contact


def _new_contact(
    chronicle: Chronicle, manager: Staff, employer: Client | None, known_since: datetime, mail_domain: str
) -> Contact:
    rng = chronicle.rng
    name = person_name(rng)
    if mail_domain in MAIL_SERVICES:
        login = f"{latin(name.surname)}{rng.randrange(60, 99)}"
    else:
        login = f"{latin(name.first)[0]}.{latin(name.surname)}"
    phones = [mobile(rng)]
    if employer and rng.random() < 0.5:
        phones.append(rng.choice(employer.phones))
    notable_dates = []
    if employer and rng.random() < 0.15:
        founded = date(rng.randrange(1995, 2020), rng.randrange(1, 13), rng.randrange(1, 29))
        notable_dates.append({"date": founded.isoformat(), "label": "День основания компании"})
    birthday = date(rng.randrange(1962, 2001), rng.randrange(1, 13), rng.randrange(1, 29))
    role: dict[str, Any] = {}
    if employer:
        position, decides, influence, _ = rng.choices(POSITIONS, weights=POSITION_WEIGHTS)[0]
        role = {"position": position, "role": decides, "influence": influence.value}
    registered_at = chronicle.moment(known_since, min(known_since + timedelta(days=60), chronicle.now))
    chronicle.contacts_registered += 1
    return Contact.register(
        chronicle.stamp(manager.id, registered_at),
        id=chronicle.new_id(),
        counterparty_id=employer.id if employer else None,
        manager_id=manager.id,
        full_name=name.full,
        phones=phones,
        emails=[f"{login}@{mail_domain}"] if rng.random() < 0.85 else [],
        birthday=birthday.isoformat() if rng.random() < 0.6 else None,
        notable_dates=notable_dates,
        interests=rng.sample(HOBBIES, rng.randrange(0, 3)),
        **role,
    )


# Interactions ---------------------------------------------------------------------------
def _person_of(contact: Contact) -> Person:
    phones, emails = contact.details["phones"], contact.details["emails"]
    return Person(
        id=str(contact.id),
        full_name=contact.full_name,
        phone=phones[0] if phones else None,
        email=emails[0] if emails else None,
    )
