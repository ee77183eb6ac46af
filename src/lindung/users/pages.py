"""Users as pages, for an administrator (``user.admin``; the services check): the list (``/pengguna``),
adding a user with their role and the sponsor or region it binds them to (``/pengguna/baru``), and a
user's page (``/pengguna/{username}``: enable or disable, set a password, lift a lock, their API tokens,
made — the secret shown once, on the answer, never again — and revoked). Anyone manages their own
tokens at ``/akun/token``. A password is never shown back: a refused form comes back without it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from lindung.api.deps import DbSession, ReadSession, RowId
from lindung.kit import clock
from lindung.kit.errors import LindungError
from lindung.kit.paging import Window
from lindung.users import credentials
from lindung.users import service as users
from lindung.users.schemas import UserCreate
from lindung.web.context import Page, SignedIn
from lindung.web.forms import FormValues, Offset, day, field_errors

router = APIRouter()

PAGE_SIZE = 50
Username = Annotated[str, Path(max_length=200)]
_SCOPE_FIELD = {"scope_sponsor": "sponsor", "scope_region": "region", "scope_none": "role"}
"""A refused scope said at the field to correct, in the page's words (not the command line's)."""


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


def _roles(page: Page) -> list[tuple[str, str]]:
    return [(r.role, r.label.id if page.lang == "id" else r.label.en) for r in users.roles().roles]


def _errors(exc: Exception, page: Page) -> dict[str, str]:
    if isinstance(exc, LindungError) and exc.code.startswith("invalid.scope_"):
        reason = exc.code.removeprefix("invalid.")
        return {_SCOPE_FIELD[reason]: page.t(f"page.users.{reason}")}
    found = field_errors(exc, page.lang)
    if isinstance(exc, LindungError) and exc.code == "user.exists":
        return {"username": exc.message(page.lang)}
    return found


@router.get("/pengguna", response_class=HTMLResponse)
def user_list(page: SignedIn, session: ReadSession, offset: Offset = 0
              ) -> Response:
    found = users.users_page(session, by=page.actor, window=Window(limit=PAGE_SIZE, offset=offset))
    waiting = credentials.attention(session, by=page.actor, now=clock.now())
    return page.render("users/list.html", heading=page.t("page.users.title"), users=found, roles=dict(_roles(page)),
                       waiting=waiting, now=clock.now())


def _new_form(page: Page, values: dict[str, str], errors: dict[str, str], status: int = 200) -> HTMLResponse:
    return page.render("users/new.html", status=status, heading=page.t("page.users.new_title"), values=values,
                       errors=errors, roles=_roles(page))


@router.get("/pengguna/baru", response_class=HTMLResponse)
def new_user_form(page: SignedIn) -> Response:
    page.actor.require("user.admin")
    return _new_form(page, {"role": "officer"}, {})


@router.post("/pengguna/baru", response_class=HTMLResponse)
def add_user(page: SignedIn, session: DbSession, values: FormValues) -> Response:
    kept = {k: values.get(k, "") for k in ("username", "full_name", "role", "sponsor", "region")}
    try:
        made = users.add_user(session, UserCreate(
            username=kept["username"], role=kept["role"], full_name=kept["full_name"] or None,
            sponsor=kept["sponsor"] or None, region=kept["region"] or None), by=page.actor)
    except (ValidationError, LindungError) as exc:
        if isinstance(exc, LindungError) and not exc.code.startswith(("invalid", "user.exists", "sponsor.not_found")):
            raise
        errors = _errors(exc, page)
        if isinstance(exc, LindungError) and exc.code == "sponsor.not_found":
            errors = {"sponsor": exc.message(page.lang)}
        raise page.refused("users/new.html", heading=page.t("page.users.new_title"), values=kept, errors=errors,
                           roles=_roles(page)) from None
    return page.redirect(f"/pengguna/{made.username}", said="page.users.added")


def _user_page(page: Page, session: Any, username: str, *, own: bool = False) -> HTMLResponse:
    return page.render("users/user.html", **_again(page, session, username, {}, own))


@router.get("/pengguna/{username}", response_class=HTMLResponse)
def user_page(username: Username, page: SignedIn, session: ReadSession) -> Response:
    page.actor.require("user.admin")
    return _user_page(page, session, username)


@router.get("/akun/token", response_class=HTMLResponse)
def own_tokens(page: SignedIn, session: ReadSession) -> Response:
    return _user_page(page, session, page.actor.username, own=True)


@router.post("/pengguna/{username}/nonaktifkan")
def disable(username: Username, page: SignedIn, session: DbSession) -> Response:
    return _act(page, session, username, lambda: users.set_active(session, username, False, by=page.actor),
                "page.users.disabled")


@router.post("/pengguna/{username}/aktifkan")
def enable(username: Username, page: SignedIn, session: DbSession) -> Response:
    return _act(page, session, username, lambda: users.set_active(session, username, True, by=page.actor),
                "page.users.enabled")


@router.post("/pengguna/{username}/buka-kunci")
def unlock(username: Username, page: SignedIn, session: DbSession) -> Response:
    return _act(page, session, username,
                lambda: credentials.unlock(session, username, by=page.actor, now=clock.now()), "page.users.unlocked")


def _act(page: Page, session: Any, username: str, action: Any, said: str) -> Response:
    try:
        done = action()
    except LindungError as exc:
        if not exc.code.startswith(("invalid", "user.last_administrator")):
            raise
        raise page.refused("users/user.html", **_again(page, session, username, {"_": exc.message(page.lang)})
                           ) from None
    return page.redirect(f"/pengguna/{done.username}", said=said)


def _again(page: Page, session: Any, username: str, errors: dict[str, str], own: bool = False) -> dict[str, Any]:
    """What the user's page shows, for a form sent back (the unit of work rolls back after)."""
    shown = users.show_user(session, username, by=page.actor)
    return {"heading": page.t("page.users.own_tokens_title") if own else shown.username, "shown": shown,
            "tokens": credentials.list_tokens(session, shown.username, by=page.actor, now=clock.now()),
            "roles": dict(_roles(page)), "errors": errors, "values": {}, "own": own,
            "base": "/akun/token" if own else f"/pengguna/{shown.username}", "now": clock.now(),
            "locked": shown.locked_until is not None and shown.locked_until > clock.now()}


@router.post("/pengguna/{username}/sandi")
def set_password(username: Username, request: Request, page: SignedIn, session: DbSession, values: FormValues
                 ) -> Response:
    password, repeat = values.get("password", ""), values.get("repeat", "")
    if password != repeat:
        raise page.refused("users/user.html", **_again(page, session, username,
                                                        {"repeat": page.t("page.password.mismatch")}))
    try:
        done = credentials.change_password(session, username, password, current=None, by=page.actor,
                                           client=_client(request), now=clock.now())
    except LindungError as exc:
        if not exc.code.startswith("invalid"):
            raise
        errors = field_errors(exc, page.lang)
        errors = {"password": next(iter(errors.values()))}
        raise page.refused("users/user.html", **_again(page, session, username, errors)) from None
    return page.redirect(f"/pengguna/{done.username}", said="page.users.password_set")


def _token(page: Page, session: Any, username: str, values: dict[str, str], own: bool) -> Response:
    try:
        expires = day(values.get("expires"), "expires")
        token, secret = credentials.create_token(session, username, name=values.get("name", ""), expires=expires,
                                                 by=page.actor, now=clock.now())
    except LindungError as exc:
        if not exc.code.startswith("invalid"):
            raise
        found = field_errors(exc, page.lang)
        renamed = {"token_name": "name", "date": "expires"}  # forms.day names its error "date"
        errors = {renamed.get(k, k): v for k, v in found.items()}
        again = _again(page, session, username, errors, own)
        again["values"] = {"name": values.get("name", ""), "expires": values.get("expires", "")}
        raise page.refused("users/user.html", **again) from None
    answer = page.render("users/token_made.html", heading=page.t("page.users.token_made_title"), token=token,
                         secret=secret, back="/akun/token" if own else f"/pengguna/{token.user}")
    answer.headers["Cache-Control"] = "no-store"
    return answer


@router.post("/pengguna/{username}/token", response_class=HTMLResponse)
def create_token(username: Username, page: SignedIn, session: DbSession, values: FormValues) -> Response:
    return _token(page, session, username, values, own=False)


@router.post("/akun/token", response_class=HTMLResponse)
def create_own_token(page: SignedIn, session: DbSession, values: FormValues) -> Response:
    return _token(page, session, page.actor.username, values, own=True)


def _revoke(page: Page, session: Any, username: str, token_id: int, own: bool) -> Response:
    try:
        done = credentials.revoke_token(session, token_id, by=page.actor, now=clock.now())
    except LindungError as exc:
        if not exc.code.startswith("invalid"):
            raise
        raise page.refused("users/user.html", **_again(page, session, username, {"_": exc.message(page.lang)},
                                                        own)) from None
    return page.redirect("/akun/token" if own else f"/pengguna/{done.user}", said="page.users.token_revoked")


@router.post("/pengguna/{username}/token/{token_id}/cabut")
def revoke_token(username: Username, token_id: RowId, page: SignedIn, session: DbSession) -> Response:
    return _revoke(page, session, username, token_id, own=False)


@router.post("/akun/token/{token_id}/cabut")
def revoke_own_token(token_id: RowId, page: SignedIn, session: DbSession) -> Response:
    return _revoke(page, session, page.actor.username, token_id, own=True)
