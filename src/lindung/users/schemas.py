"""What the user use cases take and give (the CLI's ``--json``; the API's bodies)."""

from __future__ import annotations

import datetime as dt

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


class RoleChanged(BaseModel):
    model_config = ConfigDict(frozen=True)

    before: str
    """The role the user had."""
    user: UserRead
