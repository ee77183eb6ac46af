"""Signed in to the web pages: a server-side session per sign-in (decision 0037).

``start`` checks the password as every sign-in does (``credentials.authenticate``: one answer to every
failure, the account's lock, the client's throttle) and opens a session: a random secret the browser
keeps in an HttpOnly cookie (Lindung keeps only its SHA-256), a form token (CSRF) that every form and
htmx request of the session sends back, and the language the person reads in. ``resume`` is each
request's check: the session must not be ended, idle longer than ``idle`` (``IDLE`` by default,
``LINDUNG_SESSION_IDLE_MINUTES`` at the door) nor older than ``LIFE``, and its user must still be active;
any of these is the one answer ``SessionInvalid`` (the page sends the person to sign in again). It only
reads; the session's last use is written apart (``touch``), at most once per ``SEEN_RECORDED_EVERY``.

A password change ends the person's other sessions (``end_others``); an administrator disabling a user
ends theirs by ``resume``'s check of the user. Sessions ended or expired more than ``KEPT_FOR`` ago are
deleted at each sign-in, so the table holds about a month of sign-ins.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, replace

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from lindung.audit import service as audit
from lindung.kit.auth import Actor
from lindung.kit.errors import Forbidden
from lindung.users import credentials
from lindung.users.models import User, WebSession
from lindung.users.service import actor_of

IDLE = dt.timedelta(minutes=30)
"""A session unused this long ends: a counter's computer left alone is signed out."""
LIFE = credentials.SIGN_IN_TOKEN_LIFE
"""The longest a session lasts from its sign-in, however busy (the sign-in token's 12 hours)."""
SEEN_RECORDED_EVERY = dt.timedelta(minutes=1)
"""A session's last use is written at most this often."""
KEPT_FOR = dt.timedelta(days=30)
"""Ended and expired sessions are deleted this long after their end."""
SECRET_BYTES = 32
LANGS = ("id", "en")


class SessionInvalid(Forbidden):
    """The one answer to a cookie that does not open a session: unknown, ended, idle too long, expired,
    or its user disabled. The pages send the person to sign in again."""

    code = "auth.session_invalid"
    http_status = 401

    def __init__(self) -> None:
        super().__init__()


@dataclass(frozen=True, slots=True)
class WebSessionRead:
    """A session as a page sees it: who acts, the form token, the language."""

    id: int
    actor: Actor
    csrf_token: str
    lang: str
    full_name: str | None
    expires_at: dt.datetime
    use_due: bool = False
    """Its last use is older than ``SEEN_RECORDED_EVERY``: ``touch`` it (the door does, apart)."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _read(row: WebSession, user: User) -> WebSessionRead:
    return WebSessionRead(id=row.id, actor=actor_of(user), csrf_token=row.csrf_token, lang=row.lang,
                          full_name=user.full_name, expires_at=row.expires_at)


def start(session: Session, username: str, password: str, *, client: str | None, now: dt.datetime,
          lang: str = "id") -> tuple[WebSessionRead, str]:
    """Sign in with a password and open a session: the session and the cookie's secret (shown once).
    Call it alone in its unit of work, first (a failure is committed before ``LoginFailed`` is raised)."""
    actor = credentials.authenticate(session, username, password, client=client, now=now)
    session.execute(delete(WebSession).where(or_(WebSession.ended_at < now - KEPT_FOR,
                                                 WebSession.expires_at < now - KEPT_FOR)))
    secret = secrets.token_urlsafe(SECRET_BYTES)
    row = WebSession(user_id=actor.user_id, secret_sha256=_digest(secret),
                     csrf_token=secrets.token_urlsafe(SECRET_BYTES), lang=lang if lang in LANGS else "id",
                     client=(client or "")[:100] or None, created_at=now, last_seen_at=now, expires_at=now + LIFE)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="auth.session_started", subject_type="web_session", subject_id=row.id,
                 data={"user": actor.username, "client": row.client})
    user = session.get(User, actor.user_id)
    assert user is not None
    return _read(row, user), secret


def _live(session: Session, secret: str | None, now: dt.datetime, idle: dt.timedelta) -> tuple[WebSession, User]:
    text = (secret or "").strip()
    if not text or len(text) > 100:
        raise SessionInvalid()
    row = session.scalars(select(WebSession).where(WebSession.secret_sha256 == _digest(text))).one_or_none()
    if row is None or row.ended_at is not None or row.expires_at <= now or row.last_seen_at + idle <= now:
        raise SessionInvalid()
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise SessionInvalid()
    return row, user


def resume(session: Session, secret: str | None, *, now: dt.datetime, idle: dt.timedelta = IDLE) -> WebSessionRead:
    """The session a cookie's ``secret`` opens, as it is now (the user's role and scope today);
    ``SessionInvalid`` otherwise. It only reads (a page is never held up by another transaction's write
    lock, as an import's on SQLite); ``use_due`` says when its last use should be written (``touch``),
    at most once per ``SEEN_RECORDED_EVERY``."""
    row, user = _live(session, secret, now, idle)
    read = _read(row, user)
    if now - row.last_seen_at >= SEEN_RECORDED_EVERY:
        read = replace(read, use_due=True)
    return read


def touch(session: Session, session_id: int, *, now: dt.datetime) -> None:
    """Write a session's last use (``now``), unless a later one is written already or it has ended."""
    session.execute(update(WebSession).where(WebSession.id == session_id, WebSession.ended_at.is_(None),
                                             WebSession.last_seen_at < now).values(last_seen_at=now))


def end(session: Session, secret: str | None, *, now: dt.datetime) -> bool:
    """Sign out: end the session (True), or nothing when it was not open (False). Audited."""
    try:
        row, user = _live(session, secret, now, LIFE)
    except SessionInvalid:
        return False
    row.ended_at = now
    session.flush()
    audit.record(session, actor=actor_of(user), action="auth.session_ended", subject_type="web_session",
                 subject_id=row.id, data={"user": user.username})
    return True


def end_others(session: Session, user_id: int, *, keep: int | None, now: dt.datetime) -> int:
    """End every open session of a user but ``keep`` (after a password change); how many ended."""
    statement = (update(WebSession).where(WebSession.user_id == user_id, WebSession.ended_at.is_(None),
                                          WebSession.expires_at > now).values(ended_at=now))
    if keep is not None:
        statement = statement.where(WebSession.id != keep)
    return int(session.execute(statement).rowcount or 0)  # type: ignore[attr-defined]


def set_lang(session: Session, session_id: int, lang: str) -> None:
    """Keep the language a person chose for the rest of their session."""
    session.execute(update(WebSession).where(WebSession.id == session_id).values(lang=lang if lang in LANGS else "id"))
