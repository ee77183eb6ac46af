"""The users every test database starts with: who the tests' ``--by`` and factories name.

Officers make (draft, import, bill, record payments), supervisors check (approve) and may make too,
the administrator manages users. A sponsor's staff and a regional viewer are scoped, so their sponsor
or region must exist: tests add them (``add_user``) where they need them.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from lindung.kit import db as kitdb
from lindung.kit.auth import Actor
from lindung.users import service as users
from lindung.users.schemas import UserCreate

ADMIN = "admin"
OFFICERS = ("ani", "cici", "dedi", "ani.petugas", "citra.petugas", "someone.else", "kasir")
SUPERVISORS = ("budi", "citra", "auditor", "budi.supervisor", "citra.supervisor")
DEFAULT_USER = "budi.supervisor"
"""LINDUNG_USER in CLI tests: a supervisor, who may read everything a command shows."""


def seed(engine: Engine) -> None:
    with kitdb.session_scope(engine) as s:
        users.add_user(s, UserCreate(username=ADMIN, role="administrator"), by=None)
        admin = users.acting(s, ADMIN)
        for name in OFFICERS:
            users.add_user(s, UserCreate(username=name, role="officer"), by=admin)
        for name in SUPERVISORS:
            users.add_user(s, UserCreate(username=name, role="supervisor"), by=admin)


def actor(s: Session, name: str) -> Actor:
    """The active user ``name`` as services take them."""
    return users.acting(s, name)


def add_user(s: Session, name: str, role: str, *, sponsor: str | None = None, region: str | None = None) -> Actor:
    """A user added by the administrator (a sponsor's staff, a viewer, another officer)."""
    users.add_user(s, UserCreate(username=name, role=role, sponsor=sponsor, region=region), by=actor(s, ADMIN))
    return actor(s, name)
