"""The pages inside ``lindung serve``'s app: every router of ``PAGE_ROUTERS`` (the frame's ``account`` and
``home``, then each domain's ``pages.py``), the vendored static files under ``/static``, and errors
answered as pages.

``install(app)`` is called by ``api.app.create_app`` after the API's routers: a path under ``/api/`` (and
``/healthz``, ``/readyz``) keeps its problem documents; any other path's error is a page in the reader's
language (``is_page``): a person not signed in is sent to sign in; a refusal, a record not found (also
another sponsor's), a form token missing, each says so; an unexpected error is logged (NIKs masked)
and the page shows only its request id. Never a traceback.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from lindung.approvals.pages import router as approvals_pages
from lindung.audit.pages import router as audit_pages
from lindung.billing.pages import router as billing_pages
from lindung.cards.pages import router as cards_pages
from lindung.claims.pages import router as claims_pages
from lindung.enrolment.pages import router as imports_pages
from lindung.insight.pages import router as insight_pages
from lindung.kit.db import database_error
from lindung.kit.errors import LindungError
from lindung.kit.i18n import catalogue, t
from lindung.kit.privacy import mask_niks_in_text
from lindung.planner.pages import router as planner_pages
from lindung.public.pages import router as public_pages
from lindung.reports.pages import router as reports_pages
from lindung.simulator.pages import router as simulator_pages
from lindung.sponsors.pages import router as sponsors_pages
from lindung.users.pages import router as users_pages
from lindung.users.sessions import SessionInvalid
from lindung.web import account, home
from lindung.web.context import FORM_COOKIE, FormRefused, Page, SignInNeeded, reader_lang, sign_in_address
from lindung.web.templating import render
from lindung.workers.pages import router as workers_pages

log = logging.getLogger("lindung.web")

STATIC = Path(__file__).parent / "static"
PAGE_ROUTERS: tuple[APIRouter, ...] = (
    account.router, home.router, workers_pages, sponsors_pages, approvals_pages, imports_pages, billing_pages,
    claims_pages, simulator_pages, audit_pages, users_pages, reports_pages, insight_pages, planner_pages, public_pages,
    cards_pages,
)
"""Every router of pages, in the order their paths are tried."""

PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
            "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
"""A page loads nothing but Lindung's own files: no inline script, no other site."""
NOT_PAGES = ("/api/", "/healthz", "/readyz")


def is_page(request: Request) -> bool:
    path = request.url.path
    return not any(path == p.rstrip("/") or path.startswith(p) for p in NOT_PAGES)


def _page_of(request: Request) -> Page:
    page = getattr(request.state, "page", None)
    if isinstance(page, Page):
        return page
    return Page(request, reader_lang(request), request.cookies.get(FORM_COOKIE, ""), None)


def error_page(request: Request, status: int, message: str, *, request_id: str | None = None) -> Response:
    page = _page_of(request)
    if request.headers.get("hx-request") == "true":  # a fragment: the message alone, where it was asked
        return HTMLResponse(f'<p class="notice error" role="alert">{_escape(message)}</p>', status_code=status)
    body = render("web/error.html", page.context(status=status, message=message, request_id=request_id,
                                                 known=catalogue(), heading=message))
    return HTMLResponse(body, status_code=status)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _sign_in(request: Request) -> Response:
    target = sign_in_address(request)
    if request.headers.get("hx-request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _lindung(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LindungError)
    if isinstance(exc, SignInNeeded | SessionInvalid):
        return _sign_in(request)
    return error_page(request, exc.http_status, exc.message(_page_of(request).lang))


def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, FormRefused)
    return exc.response


def _validation(request: Request, exc: Exception) -> Response:
    lang = _page_of(request).lang
    return error_page(request, 422 if request.method != "GET" else 404,
                      t("page.error.unreadable" if request.method != "GET" else "problem.detail.not_found", lang))


def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    lang = _page_of(request).lang
    code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(exc.status_code, "http_error")
    return error_page(request, exc.status_code, t(f"problem.detail.{code}", lang))


def unexpected(request: Request, exc: Exception) -> Response:
    """A page's answer to an exception no handler took: the database down (503) said, anything else a
    500 that shows the request id and logs the traceback with every NIK masked."""
    lang = _page_of(request).lang
    said = database_error(exc)
    if said is not None:
        return error_page(request, 503, said.message(lang))
    request_id = getattr(request.state, "request_id", "-")
    log.error("page %s failed:\n%s", request_id, mask_niks_in_text("".join(traceback.format_exception(exc))))
    return error_page(request, 500, t("problem.detail.internal_error", lang), request_id=request_id)


Handler = Callable[[Request, Exception], Any]


def _either(api: Handler, page: Handler) -> Handler:
    def handle(request: Request, exc: Exception) -> Any:
        return page(request, exc) if is_page(request) else api(request, exc)

    return handle


class Static(StaticFiles):
    """The vendored files, cached a day by the browser (they change only with Lindung's version)."""

    async def get_response(self, path: str, scope: Any) -> Response:
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response


def install(app: FastAPI) -> None:
    """Add the pages to ``app`` (after the API's routes and error handlers)."""
    api = dict(app.exception_handlers)
    app.add_exception_handler(FormRefused, _refused)
    pages: dict[Any, Handler] = {RequestValidationError: _validation, LindungError: _lindung,
                                 StarletteHTTPException: _http, Exception: unexpected}
    for kind, handler in pages.items():
        app.add_exception_handler(kind, _either(api[kind], handler) if kind in api else handler)
    app.mount("/static", Static(directory=STATIC), name="static")
    for router in PAGE_ROUTERS:
        app.include_router(router, include_in_schema=False)
