"""SQL for users."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lindung.users.models import User


def by_username(session: Session, username: str, *, for_update: bool = False) -> User | None:
    stmt = select(User).where(User.username == username)
    if for_update and session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one_or_none()


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(User)) or 0)


def everyone(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def active_with_role(session: Session, role: str) -> int:
    return int(session.scalar(select(func.count()).select_from(User).where(User.role == role, User.active)) or 0)


def usernames(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {int(i): str(n) for i, n in session.execute(select(User.id, User.username).where(User.id.in_(ids)))}
