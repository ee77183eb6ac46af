"""Who am I, and API tokens over HTTP (``/api/v1/me``, ``/api/v1/users/{username}/tokens``,
``/api/v1/tokens``): the services of ``lindung user token|tokens|revoke-token``. A user manages their
own tokens; an administrator (``user.admin``) anyone's. Another user's token is not found."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter

from lindung.api.auth import CurrentUser, requires
from lindung.api.deps import DbSession, RowId
from lindung.kit.clock import now as clock_now
from lindung.kit.schemas import Schema
from lindung.users import credentials
from lindung.users.schemas import TokenRead

router = APIRouter(tags=["users"])


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
