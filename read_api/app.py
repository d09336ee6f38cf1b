"""The web API: thin routes over commands and projection queries, under /api/v1."""

from fastapi import APIRouter, FastAPI

from read_api import errors
from read_api.deps import Backend
from read_api.routers import (
    catalogue,
    contacts,
    contracts,
    counterparties,
    deals,
    employees,
    exchange_rates,
    financial_positions,
    funnel,
    health,
    history,
    inquiries,
    interactions,
    orders,
    payments,
    phones,
    pipelines,
    refusals,
)
from read_api.schemas import problems


def create_app(backend: Backend) -> FastAPI:
    app = FastAPI(
        title="Letopis CRM",
        version="1.0.0",
        description=(
            "Every interaction with a client is an immutable event. Writes return the log "
            "position they reached; pass it as `?after=` to any read to see your own write."
        ),
    )
    app.state.backend = backend
    api = APIRouter(prefix="/api/v1", responses=problems(401, 422, 503))
    for module in (
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
    ):
        api.include_router(module.router)
    app.include_router(api)
    app.include_router(health.router)
    errors.install(app)
    return app
