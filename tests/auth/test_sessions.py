"""Web sessions (``users.sessions``; issue 21, Sign-in), on both engines: a session opens only with the
right password (and the sign-in's lock counts), keeps only the secret's SHA-256, ends at sign-out, after
its idle time, after its life, when its user is disabled, and when its user changes their password
elsewhere; its last use is written at most once a minute; the language chosen is kept."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select

from lindung.audit.models import AuditEntry
from lindung.users import credentials, sessions
from lindung.users import service as users
from lindung.users.credentials import LoginFailed
from lindung.users.models import WebSession
from lindung.users.sessions import SessionInvalid
from tests.auth.test_credentials import GOOD, cheap
from tests.users import ADMIN, actor, add_user

NOW = dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(credentials, "HASHER", cheap())


@pytest.fixture
def ani(database):  # type: ignore[no-untyped-def]
    with database.session() as s:
        add_user(s, "ani.web", "officer")
        credentials.set_password(s, "ani.web", GOOD, by=actor(s, "ani.web"), now=NOW)
    return database


def _start(database, password: str = GOOD, now: dt.datetime = NOW, lang: str = "id"):  # type: ignore[no-untyped-def]
    with database.session() as s:
        return sessions.start(s, "ani.web", password, client="10.0.0.9", now=now, lang=lang)


def _resume(database, secret: str, now: dt.datetime, idle: dt.timedelta = sessions.IDLE):  # type: ignore[no-untyped-def]
    """As the pages do: read the session; write its last use when it is due."""
    with database.session(readonly=True) as s:
        found = sessions.resume(s, secret, now=now, idle=idle)
    if found.use_due:
        with database.session() as s:
            sessions.touch(s, found.id, now=now)
    return found


def test_a_session_opens_with_the_right_password_and_keeps_only_the_secrets_digest(ani) -> None:  # type: ignore[no-untyped-def]
    opened, secret = _start(ani, lang="en")
    assert opened.actor.username == "ani.web" and opened.actor.role == "officer" and opened.lang == "en"
    assert len(secret) >= 40 and len(opened.csrf_token) >= 40 and secret != opened.csrf_token
    with ani.session() as s:
        row = s.scalars(select(WebSession)).one()
        assert row.secret_sha256 == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in {row.secret_sha256, row.csrf_token}
        assert row.expires_at == NOW + sessions.LIFE
        started = s.scalars(select(AuditEntry).where(AuditEntry.action == "auth.session_started")).one()
        assert secret not in str(started.data)
    again = _resume(ani, secret, NOW + dt.timedelta(minutes=5))
    assert again.id == opened.id and again.csrf_token == opened.csrf_token and again.lang == "en"


def test_a_wrong_password_opens_nothing_and_counts_toward_the_lock(ani) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(LoginFailed):
        _start(ani, "bukan kata sandinya")
    with ani.session() as s:
        assert s.scalars(select(WebSession)).all() == []
        assert users.acting(s, "ani.web") is not None
        failures = s.scalar(select(credentials.User.failed_logins).where(credentials.User.username == "ani.web"))
    assert failures == 1


def test_idle_life_sign_out_and_garbage_are_one_answer(ani) -> None:  # type: ignore[no-untyped-def]
    _opened, secret = _start(ani)
    idle = dt.timedelta(minutes=30)
    assert _resume(ani, secret, NOW + dt.timedelta(minutes=29), idle)  # used: the idle clock starts again
    assert _resume(ani, secret, NOW + dt.timedelta(minutes=58), idle)
    with pytest.raises(SessionInvalid):
        _resume(ani, secret, NOW + dt.timedelta(minutes=58 + 30), idle)
    with pytest.raises(SessionInvalid):
        _resume(ani, "bukan-rahasia", NOW, idle)
    with pytest.raises(SessionInvalid):
        _resume(ani, "", NOW, idle)

    _opened, busy = _start(ani)
    moment = NOW
    while moment < NOW + sessions.LIFE - dt.timedelta(minutes=20):
        moment += dt.timedelta(minutes=20)
        _resume(ani, busy, moment, idle)
    with pytest.raises(SessionInvalid):  # busy all day, but a session lives 12 hours at most
        _resume(ani, busy, NOW + sessions.LIFE, idle)

    _opened, leaving = _start(ani)
    with ani.session() as s:
        assert sessions.end(s, leaving, now=NOW + dt.timedelta(minutes=1)) is True
        assert sessions.end(s, leaving, now=NOW + dt.timedelta(minutes=2)) is False
    with pytest.raises(SessionInvalid):
        _resume(ani, leaving, NOW + dt.timedelta(minutes=3), idle)


def test_last_use_is_written_at_most_once_a_minute(ani) -> None:  # type: ignore[no-untyped-def]
    _opened, secret = _start(ani)
    assert _resume(ani, secret, NOW + dt.timedelta(seconds=30)).use_due is False
    with ani.session() as s:
        assert s.scalars(select(WebSession.last_seen_at)).one() == NOW
    _resume(ani, secret, NOW + dt.timedelta(seconds=90))
    with ani.session() as s:
        assert s.scalars(select(WebSession.last_seen_at)).one() == NOW + dt.timedelta(seconds=90)


def test_a_disabled_user_and_a_password_change_end_sessions(ani) -> None:  # type: ignore[no-untyped-def]
    here, kept = _start(ani)
    _there, other = _start(ani)
    with ani.session() as s:
        assert sessions.end_others(s, here.actor.user_id, keep=here.id, now=NOW + dt.timedelta(minutes=1)) == 1
    assert _resume(ani, kept, NOW + dt.timedelta(minutes=2)).id == here.id
    with pytest.raises(SessionInvalid):
        _resume(ani, other, NOW + dt.timedelta(minutes=2))
    with ani.session() as s:
        users.set_active(s, "ani.web", False, by=actor(s, ADMIN))
    with pytest.raises(SessionInvalid):
        _resume(ani, kept, NOW + dt.timedelta(minutes=3))


def test_the_language_is_kept_and_old_sessions_are_deleted(ani) -> None:  # type: ignore[no-untyped-def]
    opened, secret = _start(ani)
    with ani.session() as s:
        sessions.set_lang(s, opened.id, "en")
        sessions.set_lang(s, opened.id, "fr")  # not a language of Lindung's: Indonesian
    assert _resume(ani, secret, NOW).lang == "id"
    with ani.session() as s:
        sessions.set_lang(s, opened.id, "en")
    assert _resume(ani, secret, NOW).lang == "en"
    later = NOW + sessions.LIFE + sessions.KEPT_FOR + dt.timedelta(days=1)
    _start(ani, now=later)
    with ani.session() as s:
        assert [r.created_at for r in s.scalars(select(WebSession))] == [later], "the old one was deleted"
