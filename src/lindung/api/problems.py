"""Errors as problem documents (RFC 9457, ``application/problem+json``).

Every error a user can mend is a ``LindungError`` with its message code: the document's ``code`` is
that code (the CLI's), ``detail`` its message in the reader's language (``Accept-Language``; Indonesian
by default), ``status`` the error's own (``http_status``: one mapping per error class, a business
conflict 409 or 422, never 500). A request the API cannot read (malformed JSON, a wrong type, a missing
field) is 422 with the field errors. Anything else is a bug of ours: 500 with a request id, logged with
that id and every NIK masked, and nothing of the request in the answer.
"""

from __future__ import annotations

import json
import logging
import traceback
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from lindung.api.lang import request_lang
from lindung.kit.db import database_error
from lindung.kit.errors import LindungError
from lindung.kit.i18n import catalogue, t
from lindung.kit.privacy import mask_niks_in_text

PROBLEM = "application/problem+json"
log = logging.getLogger("lindung.api")


class FieldProblem(BaseModel):
    field: str
    code: str
    message: str


class Problem(BaseModel):
    """An error (RFC 9457): ``code`` is the stable message code (the CLI's), ``detail`` its message in
    the reader's language; ``errors`` the fields at fault, when the request could not be read."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    code: str
    detail: str
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldProblem] | None = None


def _described(description: str) -> dict[str, Any]:
    return {"description": description, "model": Problem, "content": {PROBLEM: {}}}


RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _described("The body could not be parsed (a broken form or multipart body)"),
    401: _described("No token, or a token that does not work"),
    403: _described("The user's role may not do this"),
    404: _described("Not found (also what another sponsor's resource answers)"),
    409: _described("A business conflict: the resource's state does not allow it"),
    413: _described("The body is larger than allowed"),
    422: _described("The request could not be read, or a value is not valid"),
    429: _described("Too many attempts: try again after Retry-After seconds"),
    503: _described("The database cannot be reached"),
}
"""What every ``/api/v1`` operation may answer besides its success, declared once for the OpenAPI
document (in place of FastAPI's own 422 shape)."""


class ProblemResponse(JSONResponse):
    """A problem document, written in ASCII (non-ASCII characters as JSON ``\\u`` escapes): whatever a
    refused value held (a lone surrogate, a control character) the answer can always be written."""

    media_type = PROBLEM

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def problem(request: Request, status: int, code: str, detail: str, **extra: Any) -> JSONResponse:
    lang = request_lang(request)
    body: dict[str, Any] = {"type": "about:blank", "title": t(f"problem.{status}", lang), "status": status,
                            "code": code, "detail": detail, "instance": str(request.url.path)}
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    body.update(extra)
    return ProblemResponse(body, status_code=status)


def _field(loc: tuple[Any, ...]) -> str:
    """A validation error's location without FastAPI's ``body``/``query`` prefix: ``children.0.level``."""
    parts = [str(p) for p in loc]
    return ".".join(parts[1:] if parts and parts[0] in ("body", "query", "path", "header") else parts)


def _validation(request: Request, exc: Exception) -> JSONResponse:
    """Each field error with its location and pydantic's error type (``missing``, ``int_parsing``,
    ``json_invalid`` …), said in the reader's language where the catalogue knows the type."""
    assert isinstance(exc, RequestValidationError)
    lang = request_lang(request)
    errors = []
    for e in exc.errors():
        kind = str(e.get("type", "invalid"))
        key = f"problem.field.{kind}" if f"problem.field.{kind}" in catalogue() else "problem.field.invalid"
        errors.append({"field": _field(tuple(e.get("loc", ()))), "code": kind, "message": t(key, lang)})
    return problem(request, 422, "invalid_request", t("problem.detail.invalid_request", lang), errors=errors)


def _lindung(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, LindungError)
    lang = request_lang(request)
    extra: dict[str, Any] = {}
    field = exc.context.get("field")
    if field is not None and exc.code.startswith("invalid."):
        extra["errors"] = [{"field": str(field), "code": exc.code, "message": exc.message(lang)}]
    response = problem(request, exc.http_status, exc.code, exc.message(lang), **extra)
    for name, value in getattr(exc, "headers", {}).items():
        response.headers[name] = value
    retry_after = getattr(exc, "retry_after", None)
    if isinstance(retry_after, int):
        response.headers["Retry-After"] = str(retry_after)
    return response


def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    lang = request_lang(request)
    status = exc.status_code
    code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(status, "http_error")
    return problem(request, status, code, t(f"problem.detail.{code}", lang))


def _unstorable_text(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is text the database cannot take: a NUL, which PostgreSQL
    refuses in any text, or a lone surrogate, which no UTF-8 encoder writes."""
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, UnicodeEncodeError) and "surrogate" in str(seen):
            return True
        if isinstance(seen, ValueError | DBAPIError) and "NUL (0x00)" in str(seen):
            return True
        seen = getattr(seen, "orig", None) or seen.__cause__ or seen.__context__
    return False


def unexpected(request: Request, exc: Exception) -> JSONResponse:
    """The answer to an exception no handler took: a 503 for the database, a 422 for text it cannot
    store, else a 500 with the request id (the traceback logged with every NIK masked)."""
    said = database_error(exc)
    if said is not None:  # the database down or misconfigured: not a bug, and said
        return problem(request, 503, said.code, said.message(request_lang(request)))
    if _unstorable_text(exc):  # a value no service looked at reached the database: bad input, not a bug
        lang = request_lang(request)
        return problem(request, 422, "invalid.control_characters", t("invalid.control_characters", lang))
    request_id = getattr(request.state, "request_id", "-")
    trace = "".join(traceback.format_exception(exc))
    log.error("request %s failed:\n%s", request_id, mask_niks_in_text(trace))
    return problem(request, 500, "internal_error", t("problem.detail.internal_error", request_lang(request)))


def problem_media_types(document: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI ``document`` with each error response's schema under ``application/problem+json``
    only (FastAPI puts a response ``model`` under ``application/json``)."""
    for item in document.get("paths", {}).values():
        for operation in item.values():
            for response in operation.get("responses", {}).values():
                content = response.get("content", {})
                if PROBLEM in content and "application/json" in content:
                    content[PROBLEM] = content.pop("application/json")
    return document


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(LindungError, _lindung)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, unexpected)
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = problem_media_types(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
