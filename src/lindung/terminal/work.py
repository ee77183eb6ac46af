"""A command's unit of work and who does it.

``with work(by) as w:`` opens the command's one transaction and names its actor: ``--by``, else
``LINDUNG_USER``, else the login name, which must be an active user of the database
(``users.service.acting``); an unknown or disabled user is refused before anything is read or written.
The service the command calls then checks that user's permission and scope.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.orm import Session

from lindung.kit.auth import Actor
from lindung.kit.db import unit_of_work
from lindung.users import service as users

ENV_USER = "LINDUNG_USER"


def default_actor() -> str:
    """Who runs the command when ``--by`` is not given: LINDUNG_USER, else the login name."""
    env = os.environ.get(ENV_USER, "").strip()
    if env:
        return env
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no login name in some containers
        return "unknown"


def actor_name(by: str | None) -> str:
    return by.strip() if by and by.strip() else default_actor()


@dataclass(frozen=True, slots=True)
class Work:
    session: Session
    actor: Actor


@contextmanager
def work(by: str | None, *, readonly: bool = False, dry_run: bool = False) -> Iterator[Work]:
    """The command's transaction (``kit.db.unit_of_work``) with its actor resolved in it."""
    with unit_of_work(readonly=readonly, dry_run=dry_run) as session:
        yield Work(session, users.acting(session, actor_name(by)))
