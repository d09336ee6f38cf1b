"""/phones: who is calling? Any spelling of a stored number finds its card."""

from typing import Annotated

from fastapi import APIRouter, Query

from projections.phone_lookup import lookup_phone
from read_api.deps import BackendDep, CurrentActor, ReadAfter
from read_api.schemas import PhoneMatch, problems

router = APIRouter(prefix="/phones", tags=["phones"], responses=problems(503))


@router.get("", response_model=list[PhoneMatch], dependencies=[ReadAfter])
def lookup(
    number: Annotated[str, Query(max_length=40, description="Any format: +7 (495) 123-45-67, 8495…")],
    backend: BackendDep,
    actor: CurrentActor,
) -> list[PhoneMatch]:
    with backend.views.reading() as cursor:
        return [PhoneMatch(**match) for match in lookup_phone(cursor, actor, number)]
