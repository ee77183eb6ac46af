"""Who acts, and what they may do.

Every service that writes, or reads personal or scoped data, takes the acting user as an ``Actor``:
a known, active user (``users.service.acting`` makes one from a username, in the unit of work the
use case runs in) with the permissions of their role (``users/roles.yaml``) and, for a sponsor's
staff or a regional viewer, their scope. The service checks the permission it needs
(``actor.require("agreement.approve")``) before anything else, and its repository queries apply
the scope (``Scope``): a sponsor's user reaches only that sponsor's agreements, workers, bills and
imports; a region's viewer only aggregates of that region. A door (CLI, API, page) never decides
either: it only says who acts.

Maker-checker compares users by id (``same_user``), so "Ani.Petugas" and "ani.petugas", one user,
can never be the maker and the checker. Rows written before users existed name their person as
text only; those are compared by name, as they were then.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lindung.kit.errors import Forbidden


class NotPermitted(Forbidden):
    """The user's role lacks the permission the use case needs."""

    code = "auth.not_permitted"


class OutOfScope(Forbidden):
    """A scoped user asked for something only an unscoped one may do (e.g. a list of every sponsor's
    bills): refused, where a single record out of scope is simply not found."""

    code = "auth.out_of_scope"


@dataclass(frozen=True, slots=True)
class Scope:
    """What a user may reach: everything (both None), one sponsor's records, or one region's
    aggregates (a Kemendagri code of any level, e.g. ``32.16``)."""

    sponsor_id: int | None = None
    region_code: str | None = None

    @property
    def unlimited(self) -> bool:
        return self.sponsor_id is None and self.region_code is None


EVERYTHING = Scope()


@dataclass(frozen=True, slots=True)
class Actor:
    """An active user acting now, with what their role permits."""

    user_id: int
    username: str
    role: str
    permissions: frozenset[str] = field(default_factory=frozenset)
    sponsor_id: int | None = None
    region_code: str | None = None

    @property
    def scope(self) -> Scope:
        return Scope(self.sponsor_id, self.region_code)

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    def require(self, *permissions: str) -> None:
        """``NotPermitted`` naming the first permission the role lacks."""
        for permission in permissions:
            if permission not in self.permissions:
                raise NotPermitted(user=self.username, role=self.role, permission=permission)

    def require_any(self, *permissions: str) -> None:
        """``NotPermitted`` naming the first of ``permissions`` unless the role has one of them."""
        if not any(p in self.permissions for p in permissions):
            raise NotPermitted(user=self.username, role=self.role, permission=permissions[0])

    def require_unscoped(self, what: str) -> None:
        """``OutOfScope`` for a scoped user: ``what`` reaches every sponsor's or region's records."""
        if not self.scope.unlimited:
            raise OutOfScope(user=self.username, what=what)


NO_USER = 0
"""The ``user_id`` of a person a row names by name only (written before users existed)."""


def recorded(user_id: int | None, username: str) -> Actor:
    """The person a record names (who proposed a file, say), to record as the author of what it becomes:
    no permission of its own (whoever acts now is checked instead). A row from before users existed
    names a person without a user: ``user_id`` is ``NO_USER`` and what is written names them by name."""
    return Actor(user_id=user_id if user_id is not None else NO_USER, username=username, role="")


def same_user(actor: Actor, user_id: int | None, name: str | None) -> bool:
    """Whether a recorded maker (by id; by name for rows from before users existed) is ``actor``."""
    if user_id is not None:
        return user_id == actor.user_id
    return name is not None and " ".join(name.split()).casefold() == actor.username
