"""Users: adding them, their roles and scopes, disabling them, and who acts now (``acting``).

- The first user of a database is its first administrator, added without anyone acting
  (``add_user(..., by=None)``, refused once any user exists). Every other change is an
  administrator's (``user.admin``), audited.
- A role's scope is required: a sponsor's staff name their sponsor, a regional viewer their region;
  the other roles neither.
- The last active administrator cannot be disabled or given another role: a database without one
  could never add a user again.
- ``acting`` turns the name a door was given (``--by``, ``LINDUNG_USER``, later a signed-in
  session) into an ``Actor``: an unknown or disabled user acts as nobody, and nothing is done.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy.orm import Session

from lindung.audit import service as audit
from lindung.kit.auth import Actor
from lindung.kit.db import utcnow
from lindung.kit.errors import Conflict, Forbidden, InvalidInput, NotFound
from lindung.kit.paging import Paged, Window
from lindung.regions import service as regions
from lindung.sponsors import repository as sponsors_repo
from lindung.users import repository
from lindung.users.models import USERNAME_MAX, User
from lindung.users.roles import Role, catalogue
from lindung.users.roles import role as find_role
from lindung.users.schemas import Labels, PermissionRead, RoleChanged, RoleRead, RolesCatalogue, UserCreate, UserRead

ADMINISTRATOR = "administrator"
_USERNAME = re.compile(rf"^[a-z0-9][a-z0-9._-]{{0,{USERNAME_MAX - 1}}}$")


class UnknownUser(Forbidden):
    code = "auth.unknown_user"


class UserDisabled(Forbidden):
    code = "auth.user_disabled"


class NoUsersYet(Forbidden):
    """The database has no user at all: its first administrator must be added first."""

    code = "auth.no_users"


class UserExists(Conflict):
    code = "user.exists"


class LastAdministrator(Conflict):
    code = "user.last_administrator"


class FirstUserNotAdministrator(InvalidInput):
    def __init__(self, role: str) -> None:
        super().__init__("role", role, reason="first_user_role")


def normalize_username(text: str, field: str = "username") -> str:
    """A username as recorded: trimmed and lower case ("Ani.Petugas" is ani.petugas), letters, digits,
    '.', '_' and '-', at most ``USERNAME_MAX`` characters; InvalidInput naming ``field`` otherwise."""
    name = str(text).strip().casefold()
    if not _USERNAME.match(name):
        raise InvalidInput(field, text, reason="username", maximum=USERNAME_MAX)
    return name


def actor_of(user: User) -> Actor:
    return Actor(user_id=user.id, username=user.username, role=user.role,
                 permissions=catalogue().roles[user.role].permissions if user.role in catalogue().roles
                 else frozenset(), sponsor_id=user.sponsor_id, region_code=user.region_code)


def acting(session: Session, username: str) -> Actor:
    """The active user named ``username`` (any case), as an ``Actor``; ``UnknownUser``,
    ``UserDisabled``, or ``NoUsersYet`` on a database without users (saying how to add the first)."""
    try:
        name = normalize_username(username, "by")
    except InvalidInput:
        name = ""
    user = repository.by_username(session, name) if name else None
    if user is None:
        if repository.count(session) == 0:
            raise NoUsersYet(user=str(username).strip())
        raise UnknownUser(user=str(username).strip()[:USERNAME_MAX])
    if not user.active:
        raise UserDisabled(user=user.username)
    return actor_of(user)


def no_users_yet(session: Session) -> bool:
    """True on a database whose first administrator is still to be added (``add_user(by=None)``)."""
    return repository.count(session) == 0


def has_no_password(session: Session, username: str) -> bool:
    """True for an existing user who cannot sign in with a password yet (none was ever set)."""
    user = repository.by_username(session, normalize_username(username))
    return user is not None and user.password_hash is None


def _scope(session: Session, role: Role, sponsor: str | None, region: str | None) -> tuple[int | None, str | None]:
    """The sponsor id and region code ``role`` requires, checked."""
    if role.scope == "sponsor":
        if sponsor is None or region is not None:
            raise InvalidInput("scope", role.code, reason="scope_sponsor")
        found = sponsors_repo.sponsor_by_code(session, str(sponsor).strip().upper())
        if found is None:
            raise NotFound("sponsor.not_found", sponsor=sponsor)
        return found.id, None
    if role.scope == "region":
        if region is None or sponsor is not None:
            raise InvalidInput("scope", role.code, reason="scope_region")
        return None, regions.resolve(session, region).code
    if sponsor is not None or region is not None:
        raise InvalidInput("scope", role.code, reason="scope_none")
    return None, None


def _full_name(text: str | None) -> str | None:
    if text is None:
        return None
    name = " ".join(str(text).split())
    if len(name) > 200:
        raise InvalidInput("name", text)
    return name or None


def add_user(session: Session, data: UserCreate, *, by: Actor | None) -> UserRead:
    """A new active user. ``by`` None: the first administrator of a database without users (refused
    once any user exists); otherwise an administrator (``user.admin``)."""
    username = normalize_username(data.username)
    role = find_role(data.role)
    if by is None:
        if not no_users_yet(session):
            raise Forbidden("auth.first_user_exists")
        if role.code != ADMINISTRATOR:
            raise FirstUserNotAdministrator(role.code)
    else:
        by.require("user.admin")
    sponsor_id, region_code = _scope(session, role, data.sponsor, data.region)
    full_name = _full_name(data.full_name)
    if repository.by_username(session, username) is not None:
        raise UserExists(user=username)
    user = User(username=username, full_name=full_name, role=role.code, sponsor_id=sponsor_id,
                region_code=region_code, active=True, created_by_id=by.user_id if by else None, created_at=utcnow())
    session.add(user)
    session.flush()
    audit.record(session, actor=by or actor_of(user), action="user.added", subject_type="user", subject_id=user.id,
                 data={"user": username, "role": role.code, "scope": _scope_text(session, user)})
    return read(session, user)


def _scope_text(session: Session, user: User) -> str:
    if user.sponsor_id is not None:
        sponsor = sponsors_repo.sponsor_by_id(session, user.sponsor_id)
        return sponsor.code if sponsor is not None else str(user.sponsor_id)
    return user.region_code or "-"


def read(session: Session, user: User) -> UserRead:
    return reads(session, [user])[0]


def reads(session: Session, users: Sequence[User]) -> list[UserRead]:
    """Users as they are shown, their sponsors' codes and creators' names looked up once for all."""
    codes: dict[int, str] = {}
    for sponsor_id in {u.sponsor_id for u in users if u.sponsor_id is not None}:
        sponsor = sponsors_repo.sponsor_by_id(session, sponsor_id)
        if sponsor is not None:
            codes[sponsor_id] = sponsor.code
    creators = repository.usernames(session, {u.created_by_id for u in users if u.created_by_id is not None})
    return [UserRead(username=u.username, full_name=u.full_name, role=u.role,
                     sponsor=codes.get(u.sponsor_id) if u.sponsor_id is not None else None, region=u.region_code,
                     active=u.active, created_by=creators.get(u.created_by_id) if u.created_by_id is not None else None,
                     created_at=u.created_at, permissions=sorted(actor_of(u).permissions),
                     password_changed_at=u.password_changed_at, locked_until=u.locked_until) for u in users]


def _get(session: Session, username: str, *, for_update: bool = False) -> User:
    try:
        name = normalize_username(username)
    except InvalidInput:
        raise NotFound("user.not_found", user=username) from None
    user = repository.by_username(session, name, for_update=for_update)
    if user is None:
        raise NotFound("user.not_found", user=name)
    return user


def list_users(session: Session, *, by: Actor) -> list[UserRead]:
    by.require("user.admin")
    return reads(session, repository.everyone(session))


def users_page(session: Session, *, by: Actor, window: Window) -> Paged[UserRead]:
    """One page of the users by username, and how many there are (``user.admin``)."""
    by.require("user.admin")
    found = repository.page(session, window)
    return Paged(reads(session, found.items), found.total, found.window)


def roles() -> RolesCatalogue:
    """The roles catalogue (``roles.yaml``): each role with its labels, scope and permissions, and what
    each permission means, in both languages. Anyone may read it (``lindung user roles``)."""
    cat = catalogue()
    return RolesCatalogue(
        roles=[RoleRead(role=r.code, label=Labels(id=r.label_id, en=r.label_en), scope=r.scope,
                        permissions=sorted(r.permissions)) for r in cat.roles.values()],
        permissions=[PermissionRead(code=p.code, label=Labels(id=p.label_id, en=p.label_en))
                     for p in cat.permissions.values()])


def show_user(session: Session, username: str, *, by: Actor) -> UserRead:
    """A user as an administrator sees them; anyone may see themself (their role and permissions)."""
    user = _get(session, username)
    if user.id != by.user_id:
        by.require("user.admin")
    return read(session, user)


def _keep_an_administrator(session: Session, user: User) -> None:
    if user.role == ADMINISTRATOR and user.active and repository.active_with_role(session, ADMINISTRATOR) <= 1:
        raise LastAdministrator(user=user.username)


def set_active(session: Session, username: str, active: bool, *, by: Actor) -> UserRead:
    """Disable a user (they act as nobody from now on; what they did stays theirs) or enable them again."""
    by.require("user.admin")
    user = _get(session, username, for_update=True)
    if user.active == active:
        raise InvalidInput("user", user.username, reason="user_already_active" if active else "user_already_disabled")
    if not active:
        _keep_an_administrator(session, user)
    user.active = active
    session.flush()
    audit.record(session, actor=by, action="user.enabled" if active else "user.disabled", subject_type="user",
                 subject_id=user.id, data={"user": user.username})
    return read(session, user)


def change_role(session: Session, username: str, role: str, *, sponsor: str | None = None, region: str | None = None,
                by: Actor) -> RoleChanged:
    """Another role (with the scope it requires) for a user, audited with the role before and after."""
    by.require("user.admin")
    user = _get(session, username, for_update=True)
    new = find_role(role)
    sponsor_id, region_code = _scope(session, new, sponsor, region)
    if (new.code, sponsor_id, region_code) == (user.role, user.sponsor_id, user.region_code):
        raise InvalidInput("role", new.code, reason="role_unchanged")
    if new.code != ADMINISTRATOR:
        _keep_an_administrator(session, user)
    before = user.role
    user.role, user.sponsor_id, user.region_code = new.code, sponsor_id, region_code
    session.flush()
    audit.record(session, actor=by, action="user.role_changed", subject_type="user", subject_id=user.id,
                 data={"user": user.username, "before": before, "after": new.code, "scope": _scope_text(session, user)})
    return RoleChanged(before=before, user=read(session, user))
