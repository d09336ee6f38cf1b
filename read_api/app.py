"""The web API: thin routes over commands and projection queries, under /api/v1."""

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from functools import cache
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from projections.worker import ProjectionWorker
from read_api import errors
from read_api.dashboard import routes as dashboard
from read_api.deps import Backend
from read_api.routers import (
    activities,
    analytics,
    audit,
    bonuses,
    calendar,
    catalogue,
    contacts,
    contracts,
    counterparties,
    deals,
    employees,
    exchange_rates,
    financial_positions,
    forecasts,
    funnel,
    health,
    history,
    imports,
    inquiries,
    interactions,
    internal_meetings,
    orders,
    payments,
    phones,
    pipelines,
    plan_forms,
    plan_vs_actual,
    refusals,
    reminders,
    resources,
    sales_plans,
    tasks,
    time_audit,
    today,
)
from read_api.schemas import EVERY_REQUEST
from read_api.sign_ins import SignInLimit

API_ROUTERS = (
    counterparties,
    contacts,
    interactions,
    history,
    phones,
    employees,
    catalogue,
    inquiries,
    refusals,
    contracts,
    orders,
    payments,
    exchange_rates,
    financial_positions,
    pipelines,
    deals,
    funnel,
    audit,
    analytics,
    calendar,
    activities,
    tasks,
    time_audit,
    reminders,
    resources,
    internal_meetings,
    today,
    sales_plans,
    plan_vs_actual,
    forecasts,
    plan_forms,
    bonuses,
    imports,
)
"""The resources under /api/v1, each a router of its own."""


def _operation_id(route: APIRoute) -> str:
    """Each route's function name, so a generated client reads ``list_counterparties()``."""
    return route.name


@cache
def _routes() -> tuple[BaseRoute, ...]:
    """Every route, built once per process: building one analyses each of its parameters into
    validators (about a second for them all), and nothing in a route depends on the backend,
    which a request finds in ``app.state``. Each app (one per backend) shares them."""
    return _built_routes(None)


def _built_routes(overridden_by: FastAPI | None) -> tuple[BaseRoute, ...]:
    """Every route; ``overridden_by``: the app whose ``dependency_overrides`` they follow (a
    route takes the app it follows when it is built, so routes shared by every app follow none)."""
    every = APIRouter(generate_unique_id_function=_operation_id, dependency_overrides_provider=overridden_by)
    api = APIRouter(prefix="/api/v1", responses=EVERY_REQUEST)
    for module in API_ROUTERS:
        api.include_router(module.router)
    every.include_router(api)
    every.include_router(health.router)
    every.include_router(dashboard.router)
    return tuple(every.routes)


def create_app(
    backend: Backend,
    sign_ins: SignInLimit | None = None,
    projection_interval: float | None = 0.2,
    dependency_overrides: Mapping[Callable[..., Any], Callable[..., Any]] | None = None,
) -> FastAPI:
    """The app over a backend. While it serves, a projection worker in the same process keeps
    the views current, polling every ``projection_interval`` seconds and woken at once by the
    app's own writes; None leaves that to a worker of its own (``crm projections run``).
    ``dependency_overrides``: FastAPI's, for this app alone, which then builds routes of its own."""

    @asynccontextmanager
    async def keep_views_current(app: FastAPI) -> AsyncIterator[None]:
        if projection_interval is None:
            yield
            return
        worker = ProjectionWorker(backend.runner, projection_interval, after_catch_up=backend.background_jobs)
        worker.start()
        try:
            yield
        finally:
            worker.stop()
            # What a job started reads the store and the views, which close after the app.
            for job in backend.background_jobs:
                job.wait()

    app = FastAPI(
        lifespan=keep_views_current,
        title="Letopis CRM",
        version="1.0.0",
        description=(
            "Every interaction with a client is an immutable event. Writes return the log "
            "position they reached; pass it as `?after=` to any read to see your own write. "
            "Every error answers with the same body: `detail`, `code` and `errors`."
        ),
    )
    app.state.backend = backend
    app.state.sign_ins = sign_ins or SignInLimit(failures=20, window_seconds=60)
    if dependency_overrides:
        app.dependency_overrides.update(dependency_overrides)
        app.router.routes.extend(_built_routes(app))
    else:
        app.router.routes.extend(_routes())
    errors.install(app)
    return app
