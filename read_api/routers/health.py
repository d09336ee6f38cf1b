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


class ViewRebuild(BaseModel):
    version: int = Field(description="The version being built")
    position: int = Field(description="The log position the build reached")
    error: str | None = Field(description="Why the build stopped, if an event stopped it; it is tried again")
    failed_position: int | None = Field(description="The log position of that event")


class ViewHealth(BaseModel):
    name: str
    position: int = Field(description="The log position the view reflects")
    state: Literal["running", "stopped", "rebuilding"] = Field(
        description="rebuilding: a new build fills beside the live tables, which answer until it takes "
        "their place"
    )
    version: int = Field(description="The version the answering tables were built by")
    behind: int = Field(description="Log positions left to apply (to the build, while one runs)")
    events_per_second: float | None = Field(description="How fast the view last moved along the log")
    eta_seconds: float | None = Field(description="At that pace, how long until nothing is left to apply")
    failure: ViewFailure | None = Field(description="Why a stopped view stopped; null while it runs")
    rebuild: ViewRebuild | None = Field(description="A build under way beside the view")


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
            version=view.version,
            behind=view.behind(log_head),
            events_per_second=view.pace,
            eta_seconds=view.eta_seconds(log_head),
            failure=None if view.failure is None else ViewFailure(**vars(view.failure)),
            rebuild=None
            if view.build is None
            else ViewRebuild(
                version=view.build.version,
                position=view.build.position,
                error=view.build.error,
                failed_position=view.build.failed_position,
            ),
        )
        for view in runner.status()
    ]
    stopped = any(view.failure for view in views)
    return Health(status="degraded" if stopped else "ok", log_head=log_head, views=views)
