"""What every command message carries besides its own fields."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
Text = Annotated[str, StringConstraints(max_length=20_000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000)]
Identifier = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F-]{32,36}$")]
PhoneText = Annotated[str, StringConstraints(max_length=40)]
Email = Annotated[str, StringConstraints(max_length=320)]
Tags = Annotated[list[Line], Field(max_length=100)]


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid")

    command_id: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = Field(
        None, description="Makes the command idempotent: a repeat returns the first result."
    )
    correlation_id: Annotated[str, StringConstraints(max_length=100)] | None = Field(
        None, description="Ties together the commands of one business process."
    )
    occurred_at: datetime | None = Field(
        None, description="Business time, with a time zone; defaults to now."
    )


class Change(Command):
    expected_version: int | None = Field(
        None, ge=1, description="Refuse the change if the record is no longer at this version."
    )
