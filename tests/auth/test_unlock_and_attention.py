"""An administrator lifts a lock without setting a password (``credentials.unlock``), and is told what
waits for them (``credentials.attention``): how many users, who is locked out, which tokens expire
within two weeks. Both engines."""

from __future__ import annotations

import datetime as dt

import pytest

from lindung.audit import service as audit
from lindung.kit.auth import Actor, NotPermitted
from lindung.kit.errors import InvalidInput
from lindung.users import credentials
from lindung.users.credentials import LoginFailed
from tests.auth.test_credentials import GOOD, NOW, cheap, entries, set_password, sign_in, user_row
from tests.users import ADMIN, actor


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(credentials, "HASHER", cheap())


def lock(database, name: str) -> None:
    set_password(database, name)
    for _ in range(credentials.MAX_FAILED_LOGINS):
        sign_in(database, name, "salah sekali ini")
    assert isinstance(sign_in(database, name, GOOD), LoginFailed)


def test_an_administrator_unlocks_an_account_and_its_password_works_again(database):
    lock(database, "ani")
    with database.session() as s:
        shown = credentials.unlock(s, "ani", by=actor(s, ADMIN), now=NOW)
    assert shown.locked_until is None
    assert (user_row(database, "ani").failed_logins, user_row(database, "ani").locked_until) == (0, None)
    assert isinstance(sign_in(database, "ani", GOOD), Actor)
    [entry] = entries(database, "auth.unlocked")
    assert entry.actor == ADMIN and audit.detail_text(entry, "id") == "kunci ani dibuka administrator"


def test_unlocking_needs_an_administrator_and_a_locked_account(database):
    lock(database, "ani")
    with database.session() as s, pytest.raises(NotPermitted):
        credentials.unlock(s, "ani", by=actor(s, "budi"), now=NOW)
    with database.session() as s, pytest.raises(InvalidInput) as refused:
        credentials.unlock(s, "cici", by=actor(s, ADMIN), now=NOW)
    assert refused.value.code == "invalid.user_not_locked"
    assert user_row(database, "ani").locked_until is not None, "the refusal changed nothing"


def test_what_waits_for_an_administrator(database):
    lock(database, "ani")
    with database.session() as s:
        admin = actor(s, ADMIN)
        today = NOW.date()
        soon, _ = credentials.create_token(s, "cici", name="laporan harian", expires=today + dt.timedelta(days=10),
                                           by=admin, now=NOW)
        credentials.create_token(s, "cici", name="lama", expires=today + dt.timedelta(days=60), by=admin, now=NOW)
        gone, _ = credentials.create_token(s, "dedi", name="dicabut", expires=today + dt.timedelta(days=3), by=admin,
                                           now=NOW)
        credentials.revoke_token(s, gone.id, by=admin, now=NOW)
    with database.session(readonly=True) as s:
        found = credentials.attention(s, by=actor(s, ADMIN), now=NOW + dt.timedelta(minutes=1))
        with pytest.raises(NotPermitted):
            credentials.attention(s, by=actor(s, "budi"), now=NOW)
    assert found.locked == ["ani"]
    assert [t.id for t in found.tokens_expiring] == [soon.id], "not the one of 60 days, not the revoked one"
    assert found.users >= found.active > 0 and found.days == credentials.TOKENS_EXPIRING_DAYS
