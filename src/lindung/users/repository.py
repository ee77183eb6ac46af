"""SQL for users, their API tokens and the failed sign-ins of client addresses."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from lindung.kit.paging import Paged, Window, fetch
from lindung.users.models import ApiToken, LoginFailure, User


def by_username(session: Session, username: str, *, for_update: bool = False) -> User | None:
    stmt = select(User).where(User.username == username)
    if for_update and session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one_or_none()


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(User)) or 0)


def everyone(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def page(session: Session, window: Window) -> Paged[User]:
    """One page of the users by username (unique), and how many there are (cut in SQL)."""
    found: Paged[User] = fetch(session, select(User).order_by(User.username), window)
    return found


def active_with_role(session: Session, role: str) -> int:
    return int(session.scalar(select(func.count()).select_from(User).where(User.role == role, User.active)) or 0)


def usernames(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {int(i): str(n) for i, n in session.execute(select(User.id, User.username).where(User.id.in_(ids)))}


def _locked(session: Session) -> bool:
    """Whether ``SELECT … FOR UPDATE`` means anything (SQLite's write transaction locks it all already)."""
    return session.get_bind().dialect.name != "sqlite"


def token_by_digest(session: Session, digest: str) -> ApiToken | None:
    return session.scalars(select(ApiToken).where(ApiToken.secret_sha256 == digest)).one_or_none()


def token_by_id(session: Session, token_id: int, *, for_update: bool = False) -> ApiToken | None:
    stmt = select(ApiToken).where(ApiToken.id == token_id)
    if for_update and _locked(session):
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one_or_none()


def tokens(session: Session, user_id: int | None) -> list[ApiToken]:
    """A user's tokens (everyone's for None), oldest first."""
    stmt = select(ApiToken).order_by(ApiToken.id)
    if user_id is not None:
        stmt = stmt.where(ApiToken.user_id == user_id)
    return list(session.scalars(stmt))


def note_token_use(session: Session, token_id: int, now: dt.datetime, every: dt.timedelta) -> bool:
    """Set the token's ``last_used_at`` to ``now`` unless it was set less than ``every`` ago; True when
    this call set it (one conditional UPDATE: of two requests at once, one writes)."""
    done = session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - every))
        .values(last_used_at=now)
        .execution_options(synchronize_session=False))
    return bool(getattr(done, "rowcount", 0) == 1)


def client_failures(session: Session, client: str, after: dt.datetime) -> list[dt.datetime]:
    """When ``client`` failed to sign in since ``after``, oldest first."""
    return list(session.scalars(select(LoginFailure.at).where(LoginFailure.client == client, LoginFailure.at > after)
                                .order_by(LoginFailure.at)))


def add_client_failure(session: Session, client: str, at: dt.datetime, *, forget_before: dt.datetime) -> None:
    """One more failure of ``client``; every client's failures from before ``forget_before`` go."""
    session.execute(delete(LoginFailure).where(LoginFailure.at <= forget_before))
    session.add(LoginFailure(client=client, at=at))
    session.flush()


def locked(session: Session, now: dt.datetime) -> list[User]:
    """Users whose sign-in is refused now after too many wrong passwords, by username."""
    return list(session.scalars(select(User).where(User.locked_until > now).order_by(User.username)))


def count_active(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(User).where(User.active)) or 0)


def tokens_expiring(session: Session, now: dt.datetime, until: dt.datetime) -> list[ApiToken]:
    """Tokens neither revoked nor expired at ``now`` that expire by ``until``, soonest first."""
    return list(session.scalars(select(ApiToken).where(ApiToken.revoked_at.is_(None), ApiToken.expires_at > now,
                                                       ApiToken.expires_at <= until)
                                .order_by(ApiToken.expires_at, ApiToken.id)))
