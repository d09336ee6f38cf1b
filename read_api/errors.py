"""Every refusal, whoever raises it, answers with one body: ``Problem``.

``{"detail": "…", "code": "…", "errors": [{"loc": [...], "msg": "…", "type": "…"}]}``:
``detail`` is a sentence for people, ``code`` a stable word for programs, and ``errors``
names each invalid value by where it was (``query``, ``path``, ``body`` or ``header``,
then the field), empty when the refusal is not about one value."""

import logging
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
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
from event_store.errors import DatabaseUnavailable
from projections.runner import ProjectionLag

logger = logging.getLogger(__name__)

# About what a server takes to restart; each request while it is away costs the database timeout.
_DATABASE_RETRY_AFTER = "5"

_STATUS: dict[type[DomainError], int] = {
    NotFound: 404,
    AccessDenied: 403,
    ConcurrentChange: 409,
    RuleViolated: 409,
}


def problem(
    status: int,
    code: str,
    detail: str,
    errors: Iterable[Mapping[str, Any]] = (),
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The one way an error answer is made."""
    return JSONResponse(
        status_code=status,
        content=jsonable_encoder({"detail": detail, "code": code, "errors": list(errors)}),
        headers=dict(headers) if headers else None,
    )


def _invalid(errors: list[dict[str, Any]]) -> JSONResponse:
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"])
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return problem(422, InvalidValue.code, f"{where}: {first['msg']}{more}", errors)


def _domain_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    if isinstance(error, InvalidValue):
        loc = [error.location, *error.field.split(".")]
        return _invalid([{"loc": loc, "msg": error.message, "type": error.code}])
    return problem(_STATUS.get(type(error), 400), error.code, error.message)


def _request_invalid(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    return _invalid(
        [{"loc": list(found["loc"]), "msg": found["msg"], "type": found["type"]} for found in error.errors()]
    )


def _lag(_request: Request, error: Exception) -> JSONResponse:
    return problem(503, "projection_lag", str(error), headers={"Retry-After": "1"})


def _database_unavailable(_request: Request, error: Exception) -> JSONResponse:
    return problem(503, "database_unavailable", str(error), headers={"Retry-After": _DATABASE_RETRY_AFTER})


def _http_error(_request: Request, error: Exception) -> JSONResponse:
    """Refusals raised before the domain is reached (no token, no such route)."""
    assert isinstance(error, HTTPException)
    code = HTTPStatus(error.status_code).phrase.lower().replace(" ", "_")
    return problem(error.status_code, code, str(error.detail), headers=error.headers)


def _unexpected(_request: Request, error: Exception) -> JSONResponse:
    """A fault of the server's own: logged in full, answered without internals."""
    logger.error("request failed", exc_info=error)
    return problem(500, "internal_error", "the server failed to answer; the fault is logged")


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _request_invalid)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(ProjectionLag, _lag)
    app.add_exception_handler(DatabaseUnavailable, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected)
