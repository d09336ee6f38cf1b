"""Domain errors become HTTP answers with a clear message and a stable code."""

from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from aggregates.errors import (
    AccessDenied,
    ConcurrentChange,
    DomainError,
    InvalidValue,
    NotFound,
    RuleViolated,
)
from projections.runner import ProjectionLag

_STATUS: dict[type[DomainError], int] = {
    NotFound: 404,
    AccessDenied: 403,
    ConcurrentChange: 409,
    RuleViolated: 409,
}


def _domain_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    if isinstance(error, InvalidValue):
        return JSONResponse(
            status_code=422,
            content={"detail": [{"loc": ["body", error.field], "msg": error.message, "type": error.code}]},
        )
    return JSONResponse(
        status_code=_STATUS.get(type(error), 400),
        content={"detail": error.message, "code": error.code},
    )


def _lag(_request: Request, error: Exception) -> JSONResponse:
    return JSONResponse(
        status_code=503,
        content={"detail": str(error), "code": "projection_lag"},
        headers={"Retry-After": "1"},
    )


def _http_error(_request: Request, error: Exception) -> JSONResponse:
    """Refusals raised before the domain is reached (no token, no such route) get a code too,
    so that every error body is a Problem."""
    assert isinstance(error, HTTPException)
    return JSONResponse(
        status_code=error.status_code,
        content={
            "detail": error.detail,
            "code": HTTPStatus(error.status_code).phrase.lower().replace(" ", "_"),
        },
        headers=error.headers,
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(ProjectionLag, _lag)
