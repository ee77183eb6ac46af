"""The FastAPI app: the pages (``lindung.web``), ``/api/v1`` (OpenAPI at ``/api/v1/openapi.json``, docs
at ``/api/v1/docs``), ``/healthz`` and ``/readyz``, problem documents for every error of the API, a
request id and security headers on every answer.

``create_app(engine)`` migrates a new database first (``kit.db.ensure_database``, as every command
does) and serves that engine; ``lindung serve`` runs it under uvicorn.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib.metadata import version

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy import Engine

from lindung.api import problems
from lindung.api.jobs import JobRunner
from lindung.api.jobs import router as jobs_router
from lindung.api.limits import BODY_LIMIT, TooLargeAsProblem
from lindung.approvals.api import router as approvals_router
from lindung.audit.api import router as audit_router
from lindung.billing.api import router as billing_router
from lindung.claims.api import router as claims_router
from lindung.enrolment.api import router as imports_router
from lindung.insight.api import router as insight_router
from lindung.kit import db
from lindung.planner.api import router as planner_router
from lindung.public.api import router as public_router
from lindung.regions.api import router as regions_router
from lindung.reports.api import router as reports_router
from lindung.simulator.api import router as simulator_router
from lindung.sponsors.api import router as sponsors_router
from lindung.system import service as system
from lindung.users.api import router as users_router
from lindung.web import app as pages
from lindung.workers.api import router as workers_router

API_PREFIX = "/api/v1"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}
"""An API answer is data, never a page to frame or cache (personal data). ``/api/v1/docs`` loosens the
content policy for its own page only."""
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https:")

ROUTERS = (users_router, jobs_router, regions_router, workers_router, sponsors_router, approvals_router,
           imports_router, billing_router, claims_router, simulator_router, audit_router, reports_router,
           insight_router, planner_router, public_router)
"""Each domain's ``api.py`` router, under ``/api/v1``."""


def api_routes() -> dict[str, APIRoute]:
    """Every route under ``/api/v1`` by ``"METHOD /api/v1/path"``: the route table a test holds against
    the declared access tables (FastAPI keeps included routers whole, so they are read here)."""
    found: dict[str, APIRoute] = {}
    for router in ROUTERS:
        for route in router.routes:
            if isinstance(route, APIRoute):
                for method in sorted((route.methods or set()) - {"HEAD"}):
                    found[f"{method} {API_PREFIX}{route.path_format}"] = route
    return found

health = APIRouter(tags=["health"])


@health.get("/healthz", summary="The process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@health.get("/readyz", summary="The database answers and its schema is current",
            responses={503: {"description": "Not ready"}})
def readyz(request: Request) -> JSONResponse:
    try:
        status = system.database_status(request.app.state.engine)
    except Exception as exc:  # the database down is "not ready", said, never a 500
        said = db.database_error(exc)
        if said is None:
            raise
        return JSONResponse({"status": "unavailable", "code": said.code}, status_code=503)
    body = {"status": "ready" if status.up_to_date else "outdated", "schema": status.current, "head": status.head}
    return JSONResponse(body, status_code=200 if status.up_to_date else 503)


def cors_origins() -> list[str]:
    """``LINDUNG_CORS_ORIGINS``: the web origins allowed to call the API from a browser, separated by
    commas (``https://dashboard.bekasikab.go.id``). None by default: CORS stays off."""
    return [origin.strip() for origin in os.environ.get("LINDUNG_CORS_ORIGINS", "").split(",") if origin.strip()]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    app.state.job_runner.shutdown()


def create_app(engine: Engine | None = None, *, max_body_size: int = BODY_LIMIT) -> FastAPI:
    app = FastAPI(lifespan=lifespan, title="Lindung", version=version("lindung"),
                  description="Perlindungan BPJS Ketenagakerjaan (JKK, JKM) untuk pekerja rentan yang dibiayai "
                              "sponsor. Sponsored BPJS Ketenagakerjaan coverage for vulnerable informal workers.",
                  openapi_url=f"{API_PREFIX}/openapi.json", docs_url=f"{API_PREFIX}/docs", redoc_url=None)
    app.state.engine = db.ensure_database(engine or db.get_engine())
    app.state.job_runner = JobRunner()
    problems.install(app)

    @app.middleware("http")
    async def request_id_and_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]
                                     ) -> Response:
        request.state.request_id = uuid.uuid4().hex[:16]
        try:
            response = await call_next(request)
        except Exception as exc:  # answered and logged here (NIKs masked), not re-raised to the server's log
            response = pages.unexpected(request, exc) if pages.is_page(request) else problems.unexpected(request, exc)
        response.headers["X-Request-ID"] = request.state.request_id
        if pages.is_page(request):
            response.headers.setdefault("Content-Security-Policy", pages.PAGE_CSP)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path == f"{API_PREFIX}/docs":
            response.headers["Content-Security-Policy"] = DOCS_CSP
        return response

    app.add_middleware(TooLargeAsProblem)
    origins = cors_origins()
    if origins:
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_credentials=False,
                           allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
                           allow_headers=["Authorization", "Content-Type", "Accept-Language", "Idempotency-Key"],
                           expose_headers=["Location", "X-Request-ID", "Retry-After"])
    app.include_router(health)
    api = APIRouter(prefix=API_PREFIX, max_body_size=max_body_size, responses=problems.RESPONSES)
    for router in ROUTERS:
        api.include_router(router)
    app.include_router(api)
    pages.install(app)
    return app
