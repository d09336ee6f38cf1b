"""/health: is every view keeping up with the log? For a container's healthcheck and for
monitoring, so it asks for no token and sits outside /api/v1."""

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from read_api.deps import BackendDep

router = APIRouter(tags=["health"])


class ViewFailure(BaseModel):
    position: int = Field(description="Log position of the event the view could not apply")
    topic: str = Field(
        description="That event's name", examples=["aggregates.interaction:Interaction.Logged"]
    )
    error_type: str = Field(examples=["OverflowError"])
    message: str = Field(description="The error, shortened")
    failed_at: datetime = Field(description="When the view first failed on this event")
    attempts: int = Field(description="How many times the event was tried; it is tried again with backoff")


class ViewHealth(BaseModel):
    name: str
    position: int = Field(description="The log position the view reflects")
    state: Literal["running", "stopped"]
    failure: ViewFailure | None = Field(description="Why a stopped view stopped; null while it runs")


class Health(BaseModel):
    status: Literal["ok", "degraded"] = Field(
        description="degraded while any view is stopped: the others and the writes still work"
    )
    log_head: int = Field(description="The last position in the log")
    views: list[ViewHealth]


@router.get("/health", response_model=Health)
def health(backend: BackendDep) -> Health:
    runner = backend.runner
    log_head = runner.source.head()
    views = [
        ViewHealth(
            name=view.name,
            position=view.position,
            state=view.state,
            failure=None if view.failure is None else ViewFailure(**vars(view.failure)),
        )
        for view in runner.status()
    ]
    stopped = any(view.failure for view in views)
    return Health(status="degraded" if stopped else "ok", log_head=log_head, views=views)
