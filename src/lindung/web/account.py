"""Signing in and out, the language switch and one's own password: the frame of every page."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from lindung.api.deps import DbSession
from lindung.kit import clock
from lindung.kit.db import session_scope
from lindung.kit.errors import LindungError
from lindung.users import credentials, sessions
from lindung.web.context import FORM_COOKIE, LANG_COOKIE, SESSION_COOKIE, SignedIn, Visitor, safe_next, set_cookie
from lindung.web.forms import field_errors, form_values

router = APIRouter()


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


@router.get("/masuk", response_class=HTMLResponse)
def sign_in_form(page: Visitor, lanjut: str = "") -> Response:
    if page.signed_in:
        return page.redirect(safe_next(lanjut))
    return page.render("web/signin.html", next=safe_next(lanjut), values={}, errors={})


@router.post("/masuk", response_class=HTMLResponse)
async def sign_in(request: Request, page: Visitor) -> Response:
    values = await form_values(request)
    form = await request.form()
    password = form.get("password")
    target = safe_next(values.get("lanjut"))
    try:
        with session_scope(request.app.state.engine) as db:
            opened, secret = sessions.start(db, values.get("username", ""),
                                            password if isinstance(password, str) else "",
                                            client=_client(request), now=clock.now(), lang=page.lang)
    except LindungError as exc:
        errors = {"_": exc.message(page.lang)}
        status = 429 if isinstance(exc, credentials.TooManyAttempts) else 401
        refused: Response = page.render("web/signin.html", status=status, next=target,
                               values={"username": values.get("username", "")}, errors=errors)
        retry = getattr(exc, "retry_after", None)
        if isinstance(retry, int):
            refused.headers["Retry-After"] = str(retry)
        return refused
    response = page.redirect(target)
    set_cookie(response, SESSION_COOKIE, secret)
    set_cookie(response, FORM_COOKIE, secrets.token_urlsafe(32))  # a new form token for the next visitor
    set_cookie(response, LANG_COOKIE, opened.lang)
    return response


@router.post("/keluar")
def sign_out(request: Request, page: SignedIn, session: DbSession) -> Response:
    sessions.end(session, request.cookies.get(SESSION_COOKIE), now=clock.now())
    response = page.redirect("/masuk", said="page.signout.done")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/bahasa")
async def switch_language(request: Request, page: Visitor, session: DbSession) -> Response:
    values = await form_values(request)
    lang = "en" if values.get("lang") == "en" else "id"
    if page.session is not None:
        sessions.set_lang(session, page.session.id, lang)
    response = page.redirect(safe_next(values.get("lanjut")))
    set_cookie(response, LANG_COOKIE, lang)
    return response


@router.get("/akun/sandi", response_class=HTMLResponse)
def password_form(page: SignedIn) -> Response:
    return page.render("web/password.html", errors={}, min_length=credentials.PASSWORD_MIN_LENGTH)


@router.post("/akun/sandi", response_class=HTMLResponse)
async def change_password(request: Request, page: SignedIn) -> Response:
    form = await request.form()
    fields = {k: (v if isinstance(v, str) else "") for k, v in form.items()}
    errors: dict[str, str] = {}
    if fields.get("password", "") != fields.get("repeat", ""):
        errors["repeat"] = page.t("page.password.mismatch")
    else:
        try:
            with session_scope(request.app.state.engine) as db:
                credentials.change_password(db, page.actor.username, fields.get("password", ""),
                                            current=fields.get("current", ""), by=page.actor,
                                            client=_client(request), now=clock.now())
                assert page.session is not None
                sessions.end_others(db, page.actor.user_id, keep=page.session.id, now=clock.now())
        except LindungError as exc:
            errors = field_errors(exc, page.lang)
            if "current_password" in errors:
                errors["current"] = errors.pop("current_password")
    if errors:
        return page.render("web/password.html", status=422, errors=errors,
                           min_length=credentials.PASSWORD_MIN_LENGTH)
    return page.redirect("/", said="page.password.changed")
