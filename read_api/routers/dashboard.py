"""/dashboard: the charts page for people in a browser, signed in with their API token.

A page cannot send a bearer header, so the sign-in form posts the token once and the answer
keeps it in a cookie that scripts cannot read (HttpOnly), that no other site's page sends
(SameSite=Strict), that only /dashboard receives (the API itself still reads the bearer
header alone, so the cookie can never authorise a write), and that is Secure over HTTPS.
A token in the address instead would stay in browser history and server logs. Wrong tokens
count against the same per-address limit as the API's. The page and its charts are made on
the server; matplotlib is loaded with the first page drawn, not when the API starts."""

from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from aggregates.scope import Actor
from commands.fields import EntityId
from read_api.deps import BackendDep, actor_for

router = APIRouter(prefix="/dashboard", include_in_schema=False)
COOKIE = "letopis_dashboard"
SIGN_IN = "/dashboard/sign-in"
LONGEST_FORM = 4096


def _html(page: str, status_code: int = 200) -> HTMLResponse:
    from read_api.dashboard.page import SECURITY_HEADERS

    return HTMLResponse(page, status_code, headers=SECURITY_HEADERS)


def _to_sign_in() -> RedirectResponse:
    answer = RedirectResponse(SIGN_IN, status_code=303)
    answer.delete_cookie(COOKIE, path="/dashboard")
    return answer


def _signed_in(request: Request, backend: BackendDep) -> Actor | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        return actor_for(request, backend, token)
    except HTTPException:
        return None


@router.get("", response_model=None)
def show_dashboard(
    request: Request,
    backend: BackendDep,
    pipeline_id: Annotated[EntityId | None, Query()] = None,
    contract_id: Annotated[EntityId | None, Query()] = None,
) -> Response:
    actor = _signed_in(request, backend)
    if actor is None:
        return _to_sign_in()
    from read_api.dashboard.page import dashboard_page
    from read_api.dashboard.panels import choices

    return _html(dashboard_page(backend, actor, choices(backend, actor, pipeline_id, contract_id)))


@router.get("/sign-in", response_model=None)
def show_sign_in() -> Response:
    from read_api.dashboard.page import sign_in_page

    return _html(sign_in_page())


@router.post("/sign-in", response_model=None)
async def sign_in(request: Request, backend: BackendDep) -> Response:
    from read_api.dashboard.page import sign_in_page

    body = await request.body()
    try:
        form = parse_qs(body[:LONGEST_FORM].decode("utf-8", "replace"), max_num_fields=5)
    except ValueError:
        form = {}
    token = (form.get("token") or [""])[0].strip()
    if not token or len(body) > LONGEST_FORM:
        return _html(sign_in_page("Введите токен"), 422)
    try:
        await run_in_threadpool(actor_for, request, backend, token)
    except HTTPException as refused:
        message = "Токен не подходит" if refused.status_code == 401 else str(refused.detail)
        return _html(sign_in_page(message), refused.status_code)
    answer = RedirectResponse("/dashboard", status_code=303)
    answer.set_cookie(
        COOKIE,
        token,
        path="/dashboard",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return answer


@router.post("/sign-out", response_model=None)
def sign_out() -> Response:
    return _to_sign_in()
