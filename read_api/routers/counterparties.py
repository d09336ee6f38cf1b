"""/counterparties: the register, the card, and every change to it."""

from typing import Annotated

from fastapi import APIRouter, Query

from aggregates.counterparty import Admission
from aggregates.counterparty_profile import CounterpartyKind
from aggregates.errors import InvalidValue
from commands.counterparty_commands import (
    AssignManager,
    ChangeCounterpartyProfile,
    DecideAdmission,
    RateCounterparty,
    RegisterCounterparty,
)
from commands.counterparty_merge_commands import MergeCounterparty, SplitCounterparty
from commands.fields import EntityId, SearchText
from letopis.spreadsheets import Column, Kind
from letopis.vocabulary import COUNTERPARTY_KIND
from projections.counterparty_register import RegisterFilter, search_counterparties
from projections.duplicates import duplicate_pairs
from read_api.access import readable_counterparty
from read_api.deps import BackendDep, CurrentActor, Limit, Offset, ReadAfter, RecordId, Write
from read_api.schemas import READ_ONE, WRITE, CounterpartyCard, DuplicatePair, Page, WriteResult
from read_api.spreadsheet_routes import list_sheet, spreadsheet_route

router = APIRouter(prefix="/counterparties", tags=["counterparties"])


def _classifiers(values: list[str]) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, equals, wanted = value.partition("=")
        if not equals or not name:
            raise InvalidValue("classifier", f"{value!r} is not name=value", location="query")
        pairs[name] = wanted
    return pairs


COUNTERPARTIES_SHEET = list_sheet(
    "Контрагенты",
    "counterparties",
    [
        Column("name", "Название"),
        Column("legal_form", "Форма"),
        Column("kind", "Вид", labels=COUNTERPARTY_KIND),
        Column("tax_id", "ИНН"),
        Column("industry", "Отрасль"),
        Column("region", "Регион"),
        Column("manager_id", "Менеджер"),
        Column("admission", "Допуск"),
        Column("barred", "Работа запрещена", Kind.BOOLEAN),
        Column("rating", "Рейтинг", Kind.INTEGER),
        Column("lead_source", "Источник"),
        Column("registered_at", "Зарегистрирован (UTC)", Kind.DATETIME),
        Column("id", "Идентификатор"),
    ],
)


@spreadsheet_route(
    router, "", COUNTERPARTIES_SHEET, response_model=Page[CounterpartyCard], dependencies=[ReadAfter]
)
def list_counterparties(
    backend: BackendDep,
    actor: CurrentActor,
    q: Annotated[SearchText | None, Query(max_length=200, description="Part of the name, any case")] = None,
    tax_id: Annotated[SearchText | None, Query(max_length=20)] = None,
    admission: Admission | None = None,
    kind: CounterpartyKind | None = None,
    manager_id: EntityId | None = None,
    region: SearchText | None = None,
    classifier: Annotated[
        list[SearchText] | None, Query(max_length=20, description="name=value; several narrow the search")
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[CounterpartyCard]:
    criteria = RegisterFilter(
        text=q,
        tax_id=tax_id,
        admission=admission,
        kind=kind,
        manager_id=manager_id,
        region=region,
        classifiers=_classifiers(classifier or []),
    )
    with backend.views.reading() as cursor:
        items, total = search_counterparties(cursor, actor, criteria, limit, offset)
    return Page[CounterpartyCard](
        items=[CounterpartyCard(**item) for item in items], total=total, limit=limit, offset=offset
    )


@router.get("/duplicates", response_model=Page[DuplicatePair], dependencies=[ReadAfter])
def list_duplicates(
    backend: BackendDep, actor: CurrentActor, limit: Limit = 50, offset: Offset = 0
) -> Page[DuplicatePair]:
    """Pairs of cards within the reader's scope that are likely one counterparty, likeliest first."""
    with backend.views.reading() as cursor:
        pairs, total = duplicate_pairs(cursor, actor, limit, offset)
    return Page[DuplicatePair](
        items=[DuplicatePair(**pair) for pair in pairs], total=total, limit=limit, offset=offset
    )


@router.get(
    "/{counterparty_id}", response_model=CounterpartyCard, dependencies=[ReadAfter], responses=READ_ONE
)
def get_counterparty(counterparty_id: RecordId, backend: BackendDep, actor: CurrentActor) -> CounterpartyCard:
    return CounterpartyCard(**readable_counterparty(backend, actor, counterparty_id))


@router.post("", status_code=201, responses=WRITE)
def register_counterparty(command: RegisterCounterparty, write: Write) -> WriteResult:
    return write(command)


@router.patch("/{counterparty_id}", responses=WRITE)
def change_counterparty_profile(
    counterparty_id: RecordId, command: ChangeCounterpartyProfile, write: Write
) -> WriteResult:
    return write(command, counterparty_id)


@router.put("/{counterparty_id}/manager", responses=WRITE)
def assign_counterparty_manager(
    counterparty_id: RecordId, command: AssignManager, write: Write
) -> WriteResult:
    return write(command, counterparty_id)


@router.put("/{counterparty_id}/rating", responses=WRITE)
def rate_counterparty(counterparty_id: RecordId, command: RateCounterparty, write: Write) -> WriteResult:
    return write(command, counterparty_id)


@router.post("/{counterparty_id}/admission", responses=WRITE)
def decide_counterparty_admission(
    counterparty_id: RecordId, command: DecideAdmission, write: Write
) -> WriteResult:
    return write(command, counterparty_id)


@router.post("/{counterparty_id}/merge", responses=WRITE)
def merge_counterparty(counterparty_id: RecordId, command: MergeCounterparty, write: Write) -> WriteResult:
    return write(command, counterparty_id)


@router.post("/{counterparty_id}/split", responses=WRITE)
def split_counterparty(counterparty_id: RecordId, command: SplitCounterparty, write: Write) -> WriteResult:
    return write(command, counterparty_id)
