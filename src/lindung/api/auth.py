"""Who acts over HTTP: ``Authorization: Bearer <token>`` (``users.credentials.authenticate_token``), and
the permission each route declares.

``CurrentUser`` resolves the token in the request's own transaction (``DbSession`` is one per request,
shared by every dependency), so the token's last use and the use case commit or roll back together. A
route declares its permission with ``dependencies=[requires("claim.read")]``: checked before the
endpoint runs (the service checks it again, and applies the scope), and listed in ``PERMISSIONS`` by
route so that a test can hold the route table against the roles.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, ClassVar

from fastapi import Depends, Request

from lindung.api.deps import DbSession
from lindung.kit.auth import Actor
from lindung.kit.clock import now as clock_now
from lindung.kit.errors import LindungError
from lindung.users import credentials


class NotSignedIn(LindungError):
    """No bearer token was given (a token given and refused is ``auth.token_invalid``)."""

    code = "auth.not_signed_in"
    exit_code = 7
    http_status = 401
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": 'Bearer realm="lindung"'}


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise NotSignedIn()
    return value.strip()


def current_user(request: Request, session: DbSession) -> Actor:
    client = request.client.host if request.client else None
    return credentials.authenticate_token(session, _bearer(request), now=clock_now(), client=client)


CurrentUser = Annotated[Actor, Depends(current_user)]


def requires(*permissions: str, unscoped: str | None = None) -> Any:
    """A route's permission(s): the user must hold each (``NotPermitted``, 403, otherwise). ``unscoped``:
    what the route reaches across every sponsor and region (``"approvals"``), refused to a sponsor's
    staff and a regional viewer (``OutOfScope``, 403) whatever their permissions."""

    def check(actor: CurrentUser) -> None:
        actor.require(*permissions)
        if unscoped is not None:
            actor.require_unscoped(unscoped)

    check.permissions = permissions  # type: ignore[attr-defined]
    check.unscoped = unscoped is not None  # type: ignore[attr-defined]
    return Depends(check)


def declared(dependency: Callable[..., Any]) -> tuple[str, ...]:
    """The permissions a ``requires`` dependency declares (empty for any other dependency)."""
    found: tuple[str, ...] = getattr(dependency, "permissions", ())
    return found
