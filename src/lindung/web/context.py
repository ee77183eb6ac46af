"""What a page handler asks for: the signed-in person (``SignedIn``) or anyone (``Visitor``), as a ``Page``
that knows its reader's language and form token and renders a template.

    @router.get("/pekerja/{ref}")
    def worker(ref: str, page: SignedIn, session: ReadSession) -> HTMLResponse:
        found = workers.view_by_ref(session, ref, by=page.actor)     # the service checks and scopes
        return page.render("workers/worker.html", worker=found)

Every request that is not a GET or HEAD is checked for its form token before the handler runs: the
``csrf_token`` field of the form, or the ``X-CSRF-Token`` header that htmx sends (the layout sets it on
``<body hx-headers>``). For a signed-in person it is their session's; before sign-in it is a random value
in a cookie of its own that the form repeats (double submit). Either missing or different is
``CsrfRefused`` (403), and the handler never runs.

The session is read in a short read-only unit of work of its own, so that a page never waits for it nor
holds a lock for it; its last use (at most once a minute) is written by a thread the request does not
wait for (on SQLite an import holds the write lock for its whole merge: a page, and its progress bar,
must not wait for that).
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import os
import secrets
import threading
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine
from starlette.datastructures import FormData

from lindung.api.lang import parse_accept_language
from lindung.kit import clock
from lindung.kit.auth import Actor
from lindung.kit.db import session_scope
from lindung.kit.errors import Forbidden, LindungError
from lindung.kit.i18n import catalogue, t
from lindung.users import sessions
from lindung.users.sessions import WebSessionRead
from lindung.web import nav
from lindung.web.templating import render

log = logging.getLogger("lindung.web")

SESSION_COOKIE = "lindung_session"
LANG_COOKIE = "lindung_lang"
FORM_COOKIE = "lindung_form"
FLASH_COOKIE = "lindung_flash"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class SignInNeeded(LindungError):
    """A page for signed-in people asked without a (working) session: the person is sent to sign in."""

    code = "auth.sign_in_needed"
    http_status = 401


class FormRefused(Exception):
    """A form sent back with its errors (``Page.refused``): raised, so that the request's unit of work
    rolls back whatever the service had written before it refused; answered with ``response``."""

    def __init__(self, response: Response) -> None:
        super().__init__("form refused")
        self.response = response


class CsrfRefused(Forbidden):
    """A form or htmx request without its form token, or with another session's."""

    code = "auth.csrf_refused"


def idle_timeout() -> dt.timedelta:
    """``LINDUNG_SESSION_IDLE_MINUTES`` (1 … 720), else ``sessions.IDLE`` (30 minutes)."""
    text = os.environ.get("LINDUNG_SESSION_IDLE_MINUTES", "").strip()
    if text.isdigit() and 1 <= int(text) <= 720:
        return dt.timedelta(minutes=int(text))
    return sessions.IDLE


def secure_cookies() -> bool:
    """``LINDUNG_SECURE_COOKIES=1`` when the pages are served over HTTPS: cookies are sent over HTTPS only."""
    return os.environ.get("LINDUNG_SECURE_COOKIES", "").strip().lower() in ("1", "true", "yes")


def set_cookie(response: Response, name: str, value: str, *, max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="lax", secure=secure_cookies(),
                        path="/")


def reader_lang(request: Request) -> str:
    """The language before sign-in: the switch's cookie, else the browser's ``Accept-Language``."""
    chosen = request.cookies.get(LANG_COOKIE, "")
    return chosen if chosen in ("id", "en") else parse_accept_language(request.headers.get("accept-language"))


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this site only (never another site's address)."""
    text = (target or "").strip()
    if not text.startswith("/") or text.startswith("//") or "\\" in text or text.startswith("/masuk"):
        return "/"
    return text


@dataclass
class Page:
    """One request of a page: who reads it (``session``: None before sign-in), in which language, with
    which form token; ``render`` writes a template with what every page needs."""

    request: Request
    lang: str
    csrf: str
    session: WebSessionRead | None
    cookies: dict[str, str] = field(default_factory=dict)
    flash: str | None = None

    @property
    def actor(self) -> Actor:
        if self.session is None:
            raise SignInNeeded()
        return self.session.actor

    @property
    def signed_in(self) -> bool:
        return self.session is not None

    def can(self, permission: str) -> bool:
        return self.session is not None and self.session.actor.can(permission)

    def t(self, code: str, /, **fields: Any) -> str:
        return t(code, self.lang, **fields)

    def context(self, **values: Any) -> dict[str, Any]:
        def say(code: str, /, **fields: Any) -> str:
            return t(code, self.lang, **fields)

        return {"request": self.request, "page": self, "lang": self.lang, "t": say, "csrf": self.csrf,
                "user": self.session.actor if self.session else None, "flash": self.flash,
                "nav": nav.items(self.session.actor if self.session else None, self.request.url.path),
                "today": clock.today(), **values}

    def _finish(self, response: Response) -> Response:
        for name, value in self.cookies.items():
            set_cookie(response, name, value)
        if self.flash is not None:
            response.delete_cookie(FLASH_COOKIE, path="/")
        return response

    def render(self, template: str, *, status: int = 200, **values: Any) -> HTMLResponse:
        """The template as an HTML answer (``status`` 422 for a form sent back with its errors)."""
        response = HTMLResponse(render(template, self.context(**values)), status_code=status)
        self._finish(response)
        return response

    def refused(self, template: str, *, status: int = 422, **values: Any) -> FormRefused:
        """The form shown again with its errors, to ``raise``: the unit of work rolls back.

            except (ValidationError, LindungError) as exc:
                raise page.refused("workers/new.html", values=values, errors=field_errors(exc, page.lang)) from None
        """
        return FormRefused(self.render(template, status=status, **values))

    def redirect(self, url: str, *, said: str | None = None) -> Response:
        """303 to ``url`` (after a form: the browser GETs the result, a reload does not send it twice);
        ``said``: a message code the next page shows once (no personal data: a code only). An htmx
        request is told to go there with ``HX-Redirect``."""
        if self.request.headers.get("hx-request") == "true":
            response: Response = Response(status_code=204, headers={"HX-Redirect": url})
        else:
            response = RedirectResponse(url, status_code=303)
        self._finish(response)
        if said is not None and said in catalogue():
            set_cookie(response, FLASH_COOKIE, said, max_age=60)
        return response


def sign_in_address(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/masuk" if target == "/" else f"/masuk?lanjut={quote(target, safe='')}"


def _touch(engine: Engine, session_id: int, now: dt.datetime) -> None:
    try:
        with session_scope(engine) as db:
            sessions.touch(db, session_id, now=now)
    except Exception as exc:  # a last use not written is no reason to fail anything: said in the log
        log.warning("session %s: last use not written: %s", session_id, type(exc).__name__)


def _resumed(request: Request) -> WebSessionRead | None:
    """The session of the request's cookie, read only (a page never waits for another transaction's write
    lock); its last use, when due, is written by a thread of its own that the request does not wait for."""
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        return None
    now = clock.now()
    try:
        with session_scope(request.app.state.engine, readonly=True) as db:
            found = sessions.resume(db, secret, now=now, idle=idle_timeout())
    except sessions.SessionInvalid:
        return None
    if found.use_due:
        threading.Thread(target=_touch, args=(request.app.state.engine, found.id, now), daemon=True,
                         name="lindung-session-use").start()
    return found


async def _sent_token(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form: FormData = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def _page(request: Request, resumed: WebSessionRead | None) -> Page:
    flash = request.cookies.get(FLASH_COOKIE)
    flash = flash if flash and flash in catalogue() else None
    if resumed is not None:
        page = Page(request, resumed.lang, resumed.csrf_token, resumed, flash=flash)
    else:
        token = request.cookies.get(FORM_COOKIE, "")
        page = Page(request, reader_lang(request), token or secrets.token_urlsafe(32), None, flash=flash)
        if not token:
            page.cookies[FORM_COOKIE] = page.csrf
    request.state.page = page
    if request.method not in SAFE_METHODS:
        sent = await _sent_token(request)
        expected = resumed.csrf_token if resumed is not None else request.cookies.get(FORM_COOKIE, "")
        if not sent or not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
            raise CsrfRefused()
    return page


async def _visitor(request: Request, resumed: Annotated[WebSessionRead | None, Depends(_resumed)]) -> Page:
    return await _page(request, resumed)


async def _signed_in(request: Request, resumed: Annotated[WebSessionRead | None, Depends(_resumed)]) -> Page:
    if resumed is None:
        request.state.page = Page(request, reader_lang(request), "", None)
        raise SignInNeeded()
    return await _page(request, resumed)


Visitor = Annotated[Page, Depends(_visitor)]
"""Anyone, signed in or not (the sign-in page, the simulator)."""
SignedIn = Annotated[Page, Depends(_signed_in)]
"""A signed-in person; anyone else is sent to sign in (and back here after)."""
