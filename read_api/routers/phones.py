"""/phones: who is calling? Any spelling of a stored number finds its card."""

from typing import Annotated

from fastapi import APIRouter, Query

from aggregates.errors import InvalidValue
from aggregates.phone import normalize_phone
from commands.fields import SearchText
from projections.phone_lookup import lookup_phone
from read_api.deps import BackendDep, CurrentActor, ReadAfter
from read_api.schemas import PhoneMatch

router = APIRouter(prefix="/phones", tags=["phones"])


@router.get("", response_model=list[PhoneMatch], dependencies=[ReadAfter])
def look_up_phone(
    number: Annotated[SearchText, Query(max_length=40, description="Any format: +7 (495) 123-45-67, 8495…")],
    backend: BackendDep,
    actor: CurrentActor,
) -> list[PhoneMatch]:
    try:
        phone = normalize_phone(number, "number")
    except InvalidValue as invalid:
        raise InvalidValue(invalid.field, invalid.message, location="query") from None
    with backend.views.reading() as cursor:
        return [PhoneMatch(**match) for match in lookup_phone(cursor, actor, phone)]
