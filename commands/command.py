"""What every command message carries besides its own fields."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from commands.fields import Key, Moment


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid")

    command_id: Key | None = Field(
        None, description="Makes the command idempotent: a repeat returns the first result."
    )
    correlation_id: Key | None = Field(
        None, description="Ties together the commands of one business process."
    )
    occurred_at: Moment | None = Field(
        None, description="When it happened in the business, with a time zone; defaults to now."
    )


class Change(Command):
    """A command on a record that exists: it may name the version the caller saw."""

    expected_version: Annotated[int, Field(ge=1, le=2**31)] | None = Field(
        None, description="Refuse the change if the record is no longer at this version."
    )
