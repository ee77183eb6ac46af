"""What the user use cases take and give (the CLI's ``--json``; the API's bodies)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict


class UserCreate(BaseModel):
    model_config = ConfigDict(frozen=True)

    username: str
    role: str
    full_name: str | None = None
    sponsor: str | None = None
    """The sponsor's code, for a sponsor's staff."""
    region: str | None = None
    """A Kemendagri code of any level, for a regional viewer."""


class UserRead(BaseModel):
    model_config = ConfigDict(frozen=True)

    username: str
    full_name: str | None
    role: str
    sponsor: str | None
    """The sponsor's code the user is bound to."""
    region: str | None
    active: bool
    created_by: str | None
    created_at: dt.datetime
    permissions: list[str]
    password_changed_at: dt.datetime | None = None
    """When the user's password was last set; None: they have none (they cannot sign in with one)."""
    locked_until: dt.datetime | None = None
    """Until when sign-in is refused after too many wrong passwords (may lie in the past: a lock over)."""


class RoleChanged(BaseModel):
    model_config = ConfigDict(frozen=True)

    before: str
    """The role the user had."""
    user: UserRead


class Labels(BaseModel):
    """A label in both languages."""

    model_config = ConfigDict(frozen=True)

    id: str
    en: str


class PermissionRead(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    label: Labels


class RoleRead(BaseModel):
    """A role of the catalogue (``roles.yaml``)."""

    model_config = ConfigDict(frozen=True)

    role: str
    label: Labels
    scope: str
    """``none``; ``sponsor``: its users are bound to one sponsor; ``region``: to one region (figures only)."""
    permissions: list[str]
    """The permissions' codes, sorted (what each means: ``RolesCatalogue.permissions``)."""


class RolesCatalogue(BaseModel):
    """The roles and every permission, labelled in both languages."""

    model_config = ConfigDict(frozen=True)

    roles: list[RoleRead]
    permissions: list[PermissionRead]


TokenStatus = Literal["active", "expired", "revoked"]


class TokenRead(BaseModel):
    """An API token as lists show it: never its secret, which is shown once, when it is made."""

    model_config = ConfigDict(frozen=True)

    id: int
    user: str
    """The username the token acts as."""
    name: str
    """What the token is for, as its maker wrote it (e.g. 'sistem keuangan Kadin')."""
    prefix: str
    """The secret's first characters (``lind_AbCd1234``): enough to tell tokens apart, not to use one."""
    created_at: dt.datetime
    created_by: str
    expires_at: dt.datetime
    """The first instant the token no longer works (the end of its last day in the branch's zone)."""
    valid_through: dt.date
    """The last day the token works, in the branch's zone."""
    last_used_at: dt.datetime | None
    """Recorded at most once a minute."""
    revoked_at: dt.datetime | None
    revoked_by: str | None
    status: TokenStatus
    """Its state at the moment it was read."""


class Attention(BaseModel):
    """What waits for an administrator: users, who is locked out, tokens about to expire."""

    model_config = ConfigDict(frozen=True)

    users: int
    active: int
    locked: list[str]
    """Usernames whose sign-in is refused now after too many wrong passwords."""
    tokens_expiring: list[TokenRead]
    """Tokens neither revoked nor expired that stop working within ``days``, soonest first."""
    days: int
