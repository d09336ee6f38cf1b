"""What the API returns, described for the OpenAPI document."""

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class WriteResult(BaseModel):
    id: str = Field(description="The record the command concerned")
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
    409: "A stale expected_version, or a business rule that forbids the change",
    422: "A value is invalid: each one is named in `errors`",
    503: "The views have not reached ?after= in time: retry after Retry-After seconds",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Error answers an operation may give, declared so that clients generated from the
    OpenAPI document know their bodies."""
    return {status: {"model": Problem, "description": _PROBLEM_MEANINGS[status]} for status in statuses}


class CounterpartyCard(BaseModel):
    id: str
    name: str
    legal_form: str
    kind: str
    tax_id: str | None
    industry: str | None
    region: str | None
    activity: str | None
    manager_id: str
    admission: str
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
    version: int
    registered_at: str
    updated_at: str


class ContactCard(BaseModel):
    id: str
    counterparty_id: str | None
    manager_id: str
    full_name: str
    position: str | None
    role: str | None
    influence: str | None
    phones: list[str]
    emails: list[str]
    birthday: str | None
    notable_dates: list[dict[str, str]]
    interests: list[str]
    version: int
    registered_at: str
    updated_at: str


class HistoryEntry(BaseModel):
    subject_id: str
    position: int
    counterparty_id: str | None
    source_id: str = Field(description="The record whose event this entry shows")
    source_version: int
    entry_type: str
    event: str
    summary: str
    details: dict[str, Any]
    actor: str
    actor_name: str | None
    occurred_at: str = Field(description="When it happened in the business (UTC)")
    recorded_at: str = Field(description="When it was recorded (UTC)")


class PhoneMatch(BaseModel):
    phone: str
    counterparty_id: str | None
    counterparty_name: str | None
    admission: str | None
    contact_id: str | None
    contact_name: str | None
    contact_position: str | None


class Employee(BaseModel):
    id: str
    full_name: str
    role: str
    team: str | None
    department: str | None


class IssuedToken(BaseModel):
    employee_id: str
    token: str = Field(description="Shown once; only its digest is stored")
