"""The people who use Lindung: branch officers and supervisors, administrators, a sponsor's staff
(bound to that sponsor) and a region's viewers (bound to that region, aggregates only); their
passwords, their API tokens, and the failed sign-ins of each client address (``users.credentials``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lindung.kit.db import Base, UtcDateTime

USERNAME_MAX = 64
TOKEN_NAME_MAX = 100
CLIENT_MAX = 100
"""The longest client address kept (an IPv6 address with its zone is under 64 characters)."""


class User(Base):
    """One person. ``username`` is their name at the terminal and in every record they leave: lower
    case, unique, never renamed (a different person is another user), so that the name recorded
    beside a user's id keeps naming them. Nobody is deleted: a user who leaves is disabled."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("sponsor_id IS NULL OR region_code IS NULL", name="one_scope"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(USERNAME_MAX), unique=True)
    full_name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    sponsor_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("sponsors.id"))
    region_code: Mapped[str | None] = mapped_column(String(13), ForeignKey("regions.code"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))
    """Who added the user; None for the first administrator of a database."""
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    """The password as pwdlib writes its argon2id hash (``$argon2id$v=19$m=…``); None: the user
    cannot sign in with a password (``users.credentials``)."""
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Wrong passwords in a row since the last sign-in (or the last lock's end)."""
    locked_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    """No password is accepted before this instant (after too many wrong ones in a row)."""


class ApiToken(Base):
    """A secret an integration presents instead of a password (``Authorization: Bearer lind_…``),
    acting as its user. Only the SHA-256 of the secret is kept (``secret_sha256``), and its first
    characters (``prefix``) to tell it apart in lists; the secret itself is shown once, when made.
    A token is never deleted: it is revoked, or it expires."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint("revoked_at IS NULL OR revoked_by_id IS NOT NULL", name="revoked_by"),
        CheckConstraint("expires_at > created_at", name="expires"),
        Index("ix_api_tokens_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(TOKEN_NAME_MAX))
    prefix: Mapped[str] = mapped_column(String(16))
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    created_by_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"))
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    """Written at most once a minute (``credentials.TOKEN_USE_RECORDED_EVERY``), not on every request."""
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))


class LoginFailure(Base):
    """One failed sign-in from a client address, whatever account it tried: counted over a window to
    slow an address that guesses across accounts (``credentials.CLIENT_MAX_FAILURES``). Rows older
    than the window are deleted as new ones come, so the table stays small."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_client_at", "client", "at"),
        Index("ix_login_failures_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client: Mapped[str] = mapped_column(String(CLIENT_MAX))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class WebSession(Base):
    """A person signed in to the web pages (``users.sessions``): the browser holds a random secret in an
    HttpOnly cookie, Lindung keeps its SHA-256 only, with the form token (CSRF) every form and htmx
    request of the session must send back, the language chosen, and when it was last used (at most once
    a minute). A session ends at sign-out, after ``sessions.IDLE`` without use, or ``sessions.LIFE`` after
    sign-in, whichever comes first; ended rows are deleted some days later."""

    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_user_id", "user_id"), Index("ix_web_sessions_expires_at", "expires_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"))
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(2), default="id")
    client: Mapped[str | None] = mapped_column(String(CLIENT_MAX))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
