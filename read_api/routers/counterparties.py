"""/counterparties: the register, the card, and every change to it."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from aggregates.counterparty import Admission, CounterpartyKind
from commands.counterparty_commands import (
    AssignManager,
    ChangeCounterpartyProfile,
    DecideAdmission,
    RateCounterparty,
    RegisterCounterparty,
    assign_manager,
    change_counterparty_profile,
    decide_admission,
    rate_counterparty,
    register_counterparty,
)
from projections.counterparty_register import (
    RegisterFilter,
    search_counterparties,
)
from read_api.access import readable_counterparty
from read_api.deps import (
    BackendDep,
    CurrentActor,
    IdempotencyKey,
    Limit,
    Offset,
    ReadAfter,
    keyed,
    written,
)
from read_api.schemas import CounterpartyCard, Page, WriteResult, problems

router = APIRouter(
    prefix="/counterparties", tags=["counterparties"], responses=problems(400, 403, 404, 409, 503)
)


@router.get("", response_model=Page[CounterpartyCard], dependencies=[ReadAfter])
def search(
    backend: BackendDep,
    actor: CurrentActor,
    q: Annotated[str | None, Query(max_length=200, description="Part of the name, any case")] = None,
    tax_id: Annotated[str | None, Query(max_length=20)] = None,
    admission: Admission | None = None,
    kind: CounterpartyKind | None = None,
    manager_id: Annotated[str | None, Query(max_length=36)] = None,
    region: Annotated[str | None, Query(max_length=300)] = None,
    classifier: Annotated[
        list[str] | None,
        Query(max_length=20, description="name=value; several narrow the search"),
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[CounterpartyCard]:
    classifiers = dict(item.partition("=")[::2] for item in classifier or [])
    criteria = RegisterFilter(
        text=q,
        tax_id=tax_id,
        admission=admission,
        kind=kind,
        manager_id=manager_id,
        region=region,
        classifiers=classifiers,
    )
    with backend.views.reading() as cursor:
        items, total = search_counterparties(cursor, actor, criteria, limit, offset)
    return Page[CounterpartyCard](
        items=[CounterpartyCard(**item) for item in items], total=total, limit=limit, offset=offset
    )


@router.get("/{counterparty_id}", response_model=CounterpartyCard, dependencies=[ReadAfter])
def card(counterparty_id: str, backend: BackendDep, actor: CurrentActor) -> CounterpartyCard:
    return CounterpartyCard(**readable_counterparty(backend, actor, counterparty_id))


@router.post("", status_code=201, response_model=WriteResult)
def register(
    command: RegisterCounterparty,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(register_counterparty(backend.service, actor, keyed(command, key)), response)


@router.patch("/{counterparty_id}", response_model=WriteResult)
def change_profile(
    counterparty_id: str,
    command: ChangeCounterpartyProfile,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    outcome = change_counterparty_profile(backend.service, actor, counterparty_id, keyed(command, key))
    return written(outcome, response)


@router.put("/{counterparty_id}/manager", response_model=WriteResult)
def assign(
    counterparty_id: str,
    command: AssignManager,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    outcome = assign_manager(backend.service, actor, counterparty_id, keyed(command, key))
    return written(outcome, response)


@router.put("/{counterparty_id}/rating", response_model=WriteResult)
def rate(
    counterparty_id: str,
    command: RateCounterparty,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    outcome = rate_counterparty(backend.service, actor, counterparty_id, keyed(command, key))
    return written(outcome, response)


@router.post("/{counterparty_id}/admission", response_model=WriteResult)
def admission_decision(
    counterparty_id: str,
    command: DecideAdmission,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    outcome = decide_admission(backend.service, actor, counterparty_id, keyed(command, key))
    return written(outcome, response)
