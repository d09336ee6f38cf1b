"""What the API returns, described for the OpenAPI document."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, Field, PlainSerializer, WithJsonSchema

from aggregates.counterparty import Admission
from aggregates.counterparty_profile import CounterpartyKind, LegalForm
from aggregates.employee import Role

T = TypeVar("T")

Uuid = Annotated[str, WithJsonSchema({"type": "string", "format": "uuid"})]
"""An id in an answer: a UUID as text."""


def _fixed_point(value: Decimal) -> str:
    return format(value, "f")


DecimalText = Annotated[
    Decimal,
    PlainSerializer(_fixed_point, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "examples": ["1500.00"]}),
]
"""Money, quantities and rates in an answer: exact decimal text, never a float or an exponent."""


class WriteResult(BaseModel):
    id: Uuid = Field(description="The record the command concerned")
    version: int = Field(description="Its version after the change; send it back as expected_version")
    position: int = Field(description="Log position of the change: pass as ?after= to read your write")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class FieldError(BaseModel):
    loc: list[str | int] = Field(
        description="Where the value was (query, path, body or header), then the field",
        examples=[["body", "name"]],
    )
    msg: str
    type: str = Field(description="A stable word for the kind of error")


class Problem(BaseModel):
    """The body of every error answer."""

    detail: str = Field(description="What went wrong, for people")
    code: str = Field(description="A stable word for programs", examples=["access_denied"])
    errors: list[FieldError] = Field(
        description="Each invalid value; empty when the refusal is not about one"
    )


_PROBLEM_MEANINGS = {
    400: "The body is not UTF-8 text",
    401: "No valid bearer token: `crm users create` prints one",
    403: "Outside the employee's scope or role",
    404: "No such record",
    409: "A stale expected_version, a reused Idempotency-Key, or a business rule that forbids the change",
    422: "A value is invalid: each one is named in `errors`",
    429: "Too many failed sign-ins from this address: retry after Retry-After seconds",
    503: "The views have not reached ?after= in time, or the database is unreachable: retry later",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Error answers an operation may give, declared so that clients generated from the
    OpenAPI document know their bodies."""
    return {status: {"model": Problem, "description": _PROBLEM_MEANINGS[status]} for status in statuses}


EVERY_REQUEST = problems(401, 422, 429, 503)
"""What any authenticated operation may answer: no token, a bad value, too many failed
sign-ins, the database or the views unavailable."""
READ_ONE = problems(403, 404)
"""A read of one record: outside the reader's scope, or no such record."""
WRITE = problems(400, 403, 404, 409)
"""A write: a body that is not UTF-8, outside the writer's scope or role, no such record, a
stale version or a rule that forbids it."""


class MergeNote(BaseModel):
    survivor_id: Uuid
    href: str = Field(description="The survivor's card")
    actor: str
    reason: str
    merged_at: datetime


class CounterpartyCard(BaseModel):
    id: Uuid
    name: str
    legal_form: LegalForm
    kind: CounterpartyKind
    tax_id: str | None
    industry: str | None
    region: str | None
    activity: str | None
    manager_id: Uuid
    admission: Admission
    barred: bool = Field(description="Forbidden or temporarily forbidden: no new business")
    rating: int | None
    lead_source: str | None
    requisites: dict[str, str]
    phones: list[str]
    attributes: dict[str, str]
    classifiers: dict[str, list[str]]
    loyalty_reasons: list[str]
    interests: list[str]
    competitor_products: list[str]
    founding_date: date | None = None
    version: int
    registered_at: datetime
    updated_at: datetime
    merged_into: MergeNote | None = Field(
        None, description="Set when this card was merged into another: the survivor, who merged it and why"
    )
    merged_ids: list[Uuid] = Field(default_factory=list, description="The cards merged into this one")


class PairedCard(BaseModel):
    id: Uuid
    name: str


class DuplicateReason(BaseModel):
    rule: str = Field(description="name, tax_id, phone or mail_domain: what the two cards share")
    value: str = Field(description="The shared key: the normalised name, the tax id, the number, the domain")


class DuplicatePair(BaseModel):
    first: PairedCard
    second: PairedCard
    score: float = Field(description="0–1: how likely the two cards are one counterparty")
    reasons: list[DuplicateReason]


class ContactCard(BaseModel):
    id: Uuid
    counterparty_id: Uuid | None
    manager_id: Uuid
    full_name: str
    position: str | None
    role: str | None
    influence: str | None
    phones: list[str]
    emails: list[str]
    birthday: date | None
    notable_dates: list[dict[str, str]]
    interests: list[str]
    version: int
    registered_at: datetime
    updated_at: datetime


class HistoryEntry(BaseModel):
    subject_id: Uuid
    position: int
    counterparty_id: Uuid | None
    source_id: Uuid = Field(description="The record whose event this entry shows")
    source_version: int
    entry_type: str
    event: str
    summary: str
    details: dict[str, Any]
    actor: str
    actor_name: str | None
    occurred_at: datetime = Field(description="When it happened in the business (UTC)")
    recorded_at: datetime = Field(description="When it was recorded (UTC)")
    merged_from: Uuid | None = Field(
        None, description="The card merged into this client that the entry comes from, if any"
    )


class PhoneMatch(BaseModel):
    phone: str
    counterparty_id: Uuid | None
    counterparty_name: str | None
    admission: Admission | None
    contact_id: Uuid | None
    contact_name: str | None
    contact_position: str | None


class Employee(BaseModel):
    id: Uuid
    full_name: str
    role: Role
    team: str | None
    department: str | None
