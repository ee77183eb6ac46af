"""Users over HTTP: who am I (``/api/v1/me``), signing in with a password (``/api/v1/auth/token``),
users and roles (``/api/v1/users``, ``/api/v1/roles``) and API tokens (``/api/v1/users/{username}/tokens``,
``/api/v1/tokens``): the services of ``lindung user …``. An administrator (``user.admin``) manages
users; a user reads themself, sets their own password (with the current one) and manages their own
tokens. Another user's token is not found."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request
from fastapi.exceptions import RequestValidationError
from pydantic import Field, ValidationError

from lindung.api.auth import CurrentUser, requires
from lindung.api.deps import DbSession, RowId
from lindung.api.paging import Page, PageWindow
from lindung.kit.clock import now as clock_now
from lindung.kit.schemas import Schema
from lindung.users import credentials
from lindung.users import service as users
from lindung.users.schemas import RoleChanged, RolesCatalogue, TokenRead, UserCreate, UserRead

router = APIRouter(tags=["users"])

Username = Annotated[str, Path(max_length=200, description="A username, e.g. ani.petugas")]


class Me(Schema):
    username: str
    role: str
    permissions: list[str]
    scoped: bool
    """True for a sponsor's staff or a regional viewer (their reach is their sponsor's or region's)."""


class TokenRequest(Schema):
    name: str
    expires: dt.date | None = None


class NewToken(Schema):
    token: TokenRead
    secret: str
    """Shown this once; Lindung keeps only its SHA-256."""


@router.get("/me", dependencies=[requires()], summary="The user the token acts as")
def me(by: CurrentUser) -> Me:
    return Me(username=by.username, role=by.role, permissions=sorted(by.permissions), scoped=not by.scope.unlimited)


@router.post("/users/{username}/tokens", status_code=201, dependencies=[requires()],
             summary="Make an API token (one's own; anyone's for an administrator)")
def create_token(username: str, body: TokenRequest, session: DbSession, by: CurrentUser) -> NewToken:
    token, secret = credentials.create_token(session, username, name=body.name, expires=body.expires, by=by,
                                             now=clock_now())
    return NewToken(token=token, secret=secret)


@router.get("/users/{username}/tokens", dependencies=[requires()], summary="A user's tokens (never a secret)")
def user_tokens(username: str, session: DbSession, by: CurrentUser) -> list[TokenRead]:
    return credentials.list_tokens(session, username, by=by, now=clock_now())


@router.get("/tokens", dependencies=[requires("user.admin")], summary="Every user's tokens (administrator)")
def all_tokens(session: DbSession, by: CurrentUser) -> list[TokenRead]:
    return credentials.list_tokens(session, None, by=by, now=clock_now())


@router.delete("/tokens/{token_id}", dependencies=[requires()], summary="Revoke a token for good")
def revoke(token_id: RowId, session: DbSession, by: CurrentUser) -> TokenRead:
    return credentials.revoke_token(session, token_id, by=by, now=clock_now())


# --- signing in with a password ---------------------------------------------------------------


class SignIn(Schema):
    username: str = Field(max_length=200)
    password: str = Field(max_length=1024)


class SignedIn(Schema):
    """A short-lived API token (OAuth2's token answer): send ``Authorization: Bearer <access_token>``."""

    access_token: str
    """The token's secret, shown this once (Lindung keeps its SHA-256)."""
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    """Seconds it works for (12 hours)."""
    token: TokenRead


_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
_SIGN_IN_SCHEMA = SignIn.model_json_schema()


def _invalid(errors: list[Any]) -> RequestValidationError:
    return RequestValidationError([{**e, "loc": ("body", *e.get("loc", ()))} for e in errors])


async def _sign_in_body(request: Request) -> SignIn:
    """The username and password, as JSON or as an HTML form / OAuth2 password grant
    (``grant_type=password`` may be given; nothing else is read)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in _FORMS:
        form = await request.form()
        grant = form.get("grant_type")
        if grant is not None and grant != "password":
            raise _invalid([{"type": "literal_error", "loc": ("grant_type",), "msg": "password"}])
        data: Any = {key: form[key] for key in ("username", "password") if key in form}
    else:
        try:
            data = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError, RecursionError):  # a body nested past any reason: not JSON to us
            raise _invalid([{"type": "json_invalid", "loc": (), "msg": "JSON"}]) from None
    try:
        return SignIn.model_validate(data)
    except ValidationError as e:
        raise _invalid(list(e.errors(include_url=False, include_context=False, include_input=False))) from None


@router.post("/auth/token", summary="Sign in with a password: a 12-hour API token (public)",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": _SIGN_IN_SCHEMA},
                 "application/x-www-form-urlencoded": {"schema": _SIGN_IN_SCHEMA}}}},
             responses={401: {"description": "Sign-in failed (one answer, whatever the reason)"},
                        429: {"description": "Too many failures from this address: see Retry-After"}})
def sign_in(request: Request, body: Annotated[SignIn, Depends(_sign_in_body)], session: DbSession) -> SignedIn:
    client = request.client.host if request.client else None
    now = clock_now()
    token, secret = credentials.sign_in(session, body.username, body.password, client=client, now=now)
    return SignedIn(access_token=secret, expires_in=int((token.expires_at - now).total_seconds()), token=token)


# --- users and roles --------------------------------------------------------------------------


class RoleChange(Schema):
    role: str = Field(max_length=100)
    sponsor: str | None = Field(default=None, max_length=100)
    """The sponsor's code, for a sponsor's staff."""
    region: str | None = Field(default=None, max_length=20)
    """A Kemendagri code, for a regional viewer."""


class PasswordChange(Schema):
    password: str = Field(max_length=1024)
    """The new password: at least 12 characters, not the username, not a common one."""
    current_password: str | None = Field(default=None, max_length=1024)
    """One's own current password (required to change one's own; not for an administrator setting
    another user's)."""


@router.get("/roles", dependencies=[requires()], summary="The roles and their permissions, in both languages")
def roles() -> RolesCatalogue:
    return users.roles()


@router.get("/users", dependencies=[requires("user.admin")], summary="Users, by username")
def list_users(session: DbSession, by: CurrentUser, window: PageWindow) -> Page[UserRead]:
    return Page.of(users.users_page(session, by=by, window=window))


@router.post("/users", status_code=201, dependencies=[requires("user.admin")], summary="Add a user",
             responses={201: {"description": "The user added"}})
def add_user(body: UserCreate, session: DbSession, by: CurrentUser) -> UserRead:
    return users.add_user(session, body, by=by)


@router.get("/users/{username}", dependencies=[requires()],
            summary="A user: role, scope, permissions (oneself; anyone for an administrator)")
def show_user(username: Username, session: DbSession, by: CurrentUser) -> UserRead:
    return users.show_user(session, username, by=by)


@router.post("/users/{username}/disable", dependencies=[requires("user.admin")],
             summary="Disable a user (what they did stays theirs)")
def disable(username: Username, session: DbSession, by: CurrentUser) -> UserRead:
    return users.set_active(session, username, False, by=by)


@router.post("/users/{username}/enable", dependencies=[requires("user.admin")], summary="Enable a user again")
def enable(username: Username, session: DbSession, by: CurrentUser) -> UserRead:
    return users.set_active(session, username, True, by=by)


@router.put("/users/{username}/role", dependencies=[requires("user.admin")],
            summary="Another role, with the sponsor or region it is bound to")
def change_role(username: Username, body: RoleChange, session: DbSession, by: CurrentUser) -> RoleChanged:
    return users.change_role(session, username, body.role, sponsor=body.sponsor, region=body.region, by=by)


@router.put("/users/{username}/password", dependencies=[requires()],
            summary="Set a password: one's own with the current one; anyone's for an administrator")
def set_password(username: Username, body: PasswordChange, request: Request, session: DbSession,
                 by: CurrentUser) -> UserRead:
    client = request.client.host if request.client else None
    return credentials.change_password(session, username, body.password, current=body.current_password, by=by,
                                       client=client, now=clock_now())
