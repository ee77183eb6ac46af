"""Passwords, sign-in and API tokens (``users.credentials``; issue 20, Authentication), on both engines
with real argon2id hashes, made cheap here (``cheap_hashing``) as Lindung itself never makes them.

The rules under test: a password is long enough, not the username and not common, and is refused
without being repeated; a user sets their own, an administrator anyone's; sign-in says the same
whatever went wrong, locks an account after five wrong passwords for fifteen minutes and slows an
address that fails across accounts; a token's secret is shown once and kept nowhere, works until it
expires or is revoked or its user is disabled, and its use is written at most once a minute; every one
of these is in the audit log, never with a password, a secret or a hash.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import select, text

from lindung.audit import service as audit
from lindung.audit.models import AuditEntry
from lindung.kit.auth import Actor, NotPermitted
from lindung.kit.errors import InvalidInput, LindungError, NotFound
from lindung.kit.i18n import catalogue
from lindung.users import credentials
from lindung.users.credentials import LoginFailed, TokenInvalid, TooManyAttempts
from lindung.users.models import ApiToken, LoginFailure, User
from tests.factories import make_sponsor
from tests.users import ADMIN, actor, add_user

NOW = dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.UTC)
GOOD = "kopi tubruk di pagi hari"
"""A password every rule accepts: a phrase of a few words."""
OTHER_GOOD = "sepeda motor merah tua 1987"


def cheap() -> PasswordHash:
    """Real argon2id at the smallest cost: a millisecond a hash instead of a quarter second."""
    return PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(credentials, "HASHER", cheap())


def set_password(database, name: str, password: str = GOOD, *, by: str | None = None,
                 now: dt.datetime = NOW) -> None:
    with database.session() as s:
        credentials.set_password(s, name, password, by=actor(s, by or name), now=now)


def sign_in(database, name: str, password: str, *, client: str | None = "10.1.2.3",
            now: dt.datetime = NOW) -> Actor | LindungError:
    """``authenticate`` in its own unit of work, as a door calls it: the Actor, or the error it raised
    (the unit of work rolled back, as a door's does)."""
    try:
        with database.session() as s:
            return credentials.authenticate(s, name, password, client=client, now=now)
    except LindungError as error:
        return error


def entries(database, prefix: str = "auth.") -> list[AuditEntry]:
    with database.session(readonly=True) as s:
        found = list(s.scalars(select(AuditEntry).where(AuditEntry.action.startswith(prefix)).order_by(AuditEntry.id)))
        s.expunge_all()  # readable after the read-only unit of work rolls back
        return found


def user_row(database, name: str) -> User:
    with database.session(readonly=True) as s:
        found = s.scalars(select(User).where(User.username == name)).one()
        s.expunge(found)
        return found


class TestThePasswordRules:
    @pytest.mark.parametrize(("password", "reason"), [
        ("Pendek-12", "password_too_short"),
        ("x" * 7 + "y" * 6 + "z" * 116, "password_too_long"),
        ("password1234", "password_common"),
        ("P@ssw0rd2026!", "password_common"),
        ("qwertyuiop123", "password_common"),
        ("iloveyou1234", "password_common"),
        ("abcabcabcabc", "password_common"),
        ("password password", "password_common"),
        ("1234 5678 9012", "password_common"),
        ("I love you 1234", "password_common"),
        ("123456789012", "password_common"),
        ("Bismillah2026", "password_common"),
        ("lindung12345!", "password_common"),
        ("ani.petugas2026", "password_has_username"),
        ("Ani.Petugas", "password_common"),  # too short to reach the username check: 11
        ("saya ani.petugas dari cabang", "password_has_username"),
    ])
    def test_a_refusal_says_why_in_both_languages_and_never_repeats_the_password(self, password, reason):
        if reason == "password_common" and len(password) < credentials.PASSWORD_MIN_LENGTH:
            reason = "password_too_short"
        with pytest.raises(InvalidInput) as refused:
            credentials.check_password(password, "ani.petugas")
        assert refused.value.code == f"invalid.{reason}"
        for lang in ("id", "en"):
            said = refused.value.message(lang)
            assert said and password not in said and password.casefold() not in said.casefold()
        assert password not in str(refused.value) and password not in repr(refused.value.context)

    def test_the_messages(self):
        with pytest.raises(InvalidInput) as refused:
            credentials.check_password("kopi tubruk", "ani")
        assert refused.value.message("id").startswith("Kata sandi terlalu pendek: paling sedikit 12 karakter.")
        assert refused.value.message("en").startswith("The password is too short: at least 12 characters.")
        with pytest.raises(InvalidInput) as refused:
            credentials.check_password("Password2026!", "ani")
        assert "paling umum" in refused.value.message("id") and "most common" in refused.value.message("en")

    LONGEST = ("hujan turun di sawah " * 7)[:128]

    @pytest.mark.parametrize("password", [GOOD, OTHER_GOOD, "Ｋｏｐｉ ｔｕｂｒｕｋ 2026", "x7#Lq!v9@Pz2", LONGEST])
    def test_a_good_password_passes(self, password):
        credentials.check_password(password, "ani")

    def test_the_common_list_is_zxcvbns_and_ours(self):
        common = credentials.common_passwords()
        assert len(common) > 30_000 - 100
        assert {"123456", "password", "sayang", "lindung", "bpjs"} <= common


class TestSettingAPassword:
    def test_a_user_sets_their_own(self, database):
        set_password(database, "ani")
        row = user_row(database, "ani")
        assert row.password_hash is not None and row.password_hash.startswith("$argon2id$")
        assert GOOD not in row.password_hash
        assert row.password_changed_at == NOW
        assert isinstance(sign_in(database, "ani", GOOD), Actor)

    def test_an_administrator_sets_anyones(self, database):
        set_password(database, "budi", by=ADMIN)
        assert isinstance(sign_in(database, "budi", GOOD), Actor)
        [entry] = entries(database, "auth.password_set")
        assert (entry.actor, entry.data) == (ADMIN, {"user": "budi"})
        assert audit.detail_text(entry, "en") == "password of budi set"
        assert audit.detail_text(entry, "id") == "kata sandi budi ditetapkan"

    def test_an_officer_may_not_set_anothers(self, database):
        with pytest.raises(NotPermitted) as refused:
            set_password(database, "budi", by="ani")
        assert refused.value.context["permission"] == "user.admin"
        with pytest.raises(NotPermitted):  # an unknown name is not told apart from a known one
            set_password(database, "nobody.here", by="ani")
        assert user_row(database, "budi").password_hash is None
        assert entries(database, "auth.password_set") == []

    def test_an_administrator_naming_nobody_is_told_so(self, database):
        with pytest.raises(NotFound):
            set_password(database, "nobody.here", by=ADMIN)

    def test_a_refused_password_changes_nothing(self, database):
        set_password(database, "ani")
        with pytest.raises(InvalidInput):
            set_password(database, "ani", "password1234")
        assert isinstance(sign_in(database, "ani", GOOD), Actor)

    def test_a_new_password_lifts_a_lock(self, database):
        set_password(database, "ani")
        for _ in range(credentials.MAX_FAILED_LOGINS):
            sign_in(database, "ani", "salah sekali ini")
        assert isinstance(sign_in(database, "ani", GOOD), LoginFailed)
        set_password(database, "ani", OTHER_GOOD, by=ADMIN)
        assert isinstance(sign_in(database, "ani", OTHER_GOOD), Actor)


class TestSigningIn:
    def test_the_right_password_gives_the_user_with_their_role_and_scope(self, database):
        with database.session() as s:
            make_sponsor(s)
            add_user(s, "kadin.staf", "sponsor", sponsor="KADIN")
        set_password(database, "kadin.staf", by=ADMIN)
        signed = sign_in(database, " Kadin.Staf ", GOOD)
        assert isinstance(signed, Actor)
        assert (signed.username, signed.role, signed.scope.sponsor_id is not None) == ("kadin.staf", "sponsor", True)
        assert signed.can("bill.read") and not signed.can("worker.write")
        login = entries(database, "auth.login")[-1]
        assert (login.actor, login.data) == ("kadin.staf", {"user": "kadin.staf", "client": "10.1.2.3"})
        assert audit.detail_text(login, "en") == "kadin.staf signed in, client 10.1.2.3"

    def test_every_failure_gives_the_same_answer(self, database):
        set_password(database, "ani")
        set_password(database, "cici")
        with database.session() as s:
            from lindung.users import service as users

            users.set_active(s, "cici", False, by=actor(s, ADMIN))
        answers = {
            "wrong password": sign_in(database, "ani", OTHER_GOOD),
            "unknown user": sign_in(database, "siapa.saja", GOOD),
            "not a username": sign_in(database, "bukan nama!", GOOD),
            "disabled user": sign_in(database, "cici", GOOD),
            "no password": sign_in(database, "dedi", GOOD),
            "empty password": sign_in(database, "ani", ""),
            "far too long": sign_in(database, "ani", GOOD * 100),
        }
        said = {(type(e).__name__, e.code, e.exit_code, e.http_status, e.message("id"), e.message("en"), str(e))
                for e in answers.values() if isinstance(e, LindungError)}
        assert len(said) == 1 and all(isinstance(e, LoginFailed) for e in answers.values()), answers
        (_, code, exit_code, status, in_id, in_en, _) = said.pop()
        assert (code, exit_code, status) == ("auth.login_failed", 7, 401)
        assert in_en == ("Sign-in failed: wrong username or password, or the account cannot sign in now. After 5 "
                         "failures in a row an account is locked for 15 minutes.")
        assert in_id.startswith("Gagal masuk: nama pengguna atau kata sandi salah")
        variants = [e.data["variant"] for e in entries(database, "auth.login_failed")]
        assert variants == ["wrong_password", "unknown_user", "unknown_user", "disabled", "no_password",
                            "wrong_password", "wrong_password"]

    def test_an_unknown_user_costs_a_hash_check_like_a_known_one(self, database, monkeypatch):
        set_password(database, "ani")
        checks: list[str] = []
        hasher = credentials.HASHER

        class Counting(PasswordHash):
            def verify(self, password, hash):
                checks.append("verify")
                return hasher.verify(password, hash)

            def verify_and_update(self, password, hash):
                checks.append("verify")
                return hasher.verify_and_update(password, hash)

        monkeypatch.setattr(credentials, "HASHER", Counting(hasher.hashers))
        for name in ("ani", "siapa.saja", "dedi"):
            checks.clear()
            sign_in(database, name, "bukan kata sandinya")
            assert checks == ["verify"], name

    def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(self, database):
        set_password(database, "ani")
        minute = dt.timedelta(minutes=1)
        for i in range(credentials.MAX_FAILED_LOGINS):
            assert isinstance(sign_in(database, "ani", f"tebakan ke-{i} salah", now=NOW + i * minute), LoginFailed)
        locked_at = NOW + (credentials.MAX_FAILED_LOGINS - 1) * minute
        row = user_row(database, "ani")
        assert (row.failed_logins, row.locked_until) == (5, locked_at + credentials.LOCK_DURATION)
        # The right password fails too, with the same answer, until the lock is over.
        for later in (dt.timedelta(0), dt.timedelta(minutes=14, seconds=59)):
            refused = sign_in(database, "ani", GOOD, now=locked_at + later)
            assert isinstance(refused, LoginFailed), later
        assert isinstance(sign_in(database, "ani", GOOD, now=locked_at + credentials.LOCK_DURATION), Actor)
        row = user_row(database, "ani")
        assert (row.failed_logins, row.locked_until) == (0, None)
        [lock] = entries(database, "auth.locked")
        assert audit.detail_text(lock, "en") == ("ani locked for 15 minutes after 5 wrong passwords in a row, "
                                                 "client 10.1.2.3")
        assert [e.data["variant"] for e in entries(database, "auth.login_failed")][-2:] == ["locked", "locked"]

    def test_a_success_starts_the_count_again(self, database):
        set_password(database, "ani")
        for _ in range(2):
            for _ in range(credentials.MAX_FAILED_LOGINS - 1):
                assert isinstance(sign_in(database, "ani", "salah lagi salah lagi"), LoginFailed)
            assert isinstance(sign_in(database, "ani", GOOD), Actor)
        assert user_row(database, "ani").failed_logins == 0

    def test_a_lock_over_gives_five_more_tries(self, database):
        set_password(database, "ani")
        for _ in range(credentials.MAX_FAILED_LOGINS):
            sign_in(database, "ani", "salah lagi salah lagi")
        later = NOW + credentials.LOCK_DURATION
        assert isinstance(sign_in(database, "ani", "salah lagi salah lagi", now=later), LoginFailed)
        row = user_row(database, "ani")
        assert (row.failed_logins, row.locked_until) == (1, None)

    def test_an_outdated_hash_is_replaced_at_sign_in(self, database, monkeypatch):
        monkeypatch.setattr(credentials, "HASHER", PasswordHash((Argon2Hasher(time_cost=2, memory_cost=1024,
                                                                              parallelism=1),)))
        set_password(database, "ani")
        assert "t=2" in str(user_row(database, "ani").password_hash)
        monkeypatch.setattr(credentials, "HASHER", cheap())
        assert isinstance(sign_in(database, "ani", GOOD), Actor)
        rehashed = str(user_row(database, "ani").password_hash)
        assert rehashed.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
        assert isinstance(sign_in(database, "ani", GOOD), Actor)
        assert str(user_row(database, "ani").password_hash) == rehashed  # current: left alone


class TestAGuessingClient:
    CLIENT = "203.0.113.9"

    def test_an_address_failing_across_accounts_is_refused_early_then_let_in_again(self, database):
        set_password(database, "ani")
        second = dt.timedelta(seconds=10)
        for i in range(credentials.CLIENT_MAX_FAILURES):
            failed = sign_in(database, f"tebak{i}", GOOD, client=self.CLIENT, now=NOW + i * second)
            assert isinstance(failed, LoginFailed), i
        last = NOW + (credentials.CLIENT_MAX_FAILURES - 1) * second
        refused = sign_in(database, "ani", GOOD, client=self.CLIENT, now=last + second)
        assert isinstance(refused, TooManyAttempts)
        assert (refused.code, refused.http_status, refused.exit_code) == ("auth.too_many_attempts", 429, 7)
        # The first failure leaves the window 15 minutes after it was made.
        assert refused.retry_after == (NOW + credentials.CLIENT_WINDOW - (last + second)).total_seconds()
        assert refused.message("en") == ("Too many failed sign-in attempts from this address. "
                                         "Try again in 12 minutes.")
        assert refused.message("id").startswith("Terlalu banyak percobaan masuk yang gagal dari alamat ini.")
        # Refused before anything was checked: no failure counted, nothing written.
        assert user_row(database, "ani").failed_logins == 0
        # Another address is not held back, nor is this one once its oldest failure has aged out.
        assert isinstance(sign_in(database, "ani", GOOD, client="198.51.100.7", now=last + second), Actor)
        assert isinstance(sign_in(database, "ani", GOOD, client=self.CLIENT, now=NOW + credentials.CLIENT_WINDOW
                                  + second), Actor)
        [held] = entries(database, "auth.client_throttled")
        assert audit.detail_text(held, "en") == f"client {self.CLIENT} held back: 20 failed sign-ins within 15 minutes"

    def test_old_failures_are_forgotten(self, database):
        for i in range(3):
            sign_in(database, "siapa.saja", GOOD, client=f"192.0.2.{i}")
        sign_in(database, "siapa.saja", GOOD, client="192.0.2.99", now=NOW + credentials.CLIENT_WINDOW)
        with database.session(readonly=True) as s:
            assert [f.client for f in s.scalars(select(LoginFailure))] == ["192.0.2.99"]

    def test_without_an_address_nothing_is_counted(self, database):
        for _ in range(3):
            sign_in(database, "siapa.saja", GOOD, client=None)
        assert database.scalar("SELECT count(*) FROM login_failures") == 0


def make_token(database, name: str = "ani", *, by: str | None = None, expires: dt.date | None = None,
               label: str = "sistem keuangan", now: dt.datetime = NOW) -> tuple[int, str]:
    with database.session() as s:
        token, secret = credentials.create_token(s, name, name=label, expires=expires, by=actor(s, by or name), now=now)
    return token.id, secret


def use_token(database, secret: str, *, now: dt.datetime = NOW) -> Actor | LindungError:
    try:
        with database.session() as s:
            return credentials.authenticate_token(s, secret, now=now, client="10.9.8.7")
    except LindungError as error:
        return error


def all_values(database, table: str) -> list[str]:
    """Every value of every row of ``table``, as text (what a database dump would show)."""
    with database.engine.connect() as conn:
        return [str(v) for row in conn.execute(text(f"SELECT * FROM {table}")) for v in row]


class TestApiTokens:
    def test_the_secret_acts_as_its_user_with_their_role_and_scope(self, database):
        with database.session() as s:
            make_sponsor(s)
            add_user(s, "kadin.staf", "sponsor", sponsor="KADIN")
        token_id, secret = make_token(database, "kadin.staf", by=ADMIN)
        assert secret.startswith("lind_") and len(secret) == len("lind_") + 43
        signed = use_token(database, secret)
        assert isinstance(signed, Actor)
        assert (signed.username, signed.role, signed.scope.sponsor_id is not None) == ("kadin.staf", "sponsor", True)
        with database.session(readonly=True) as s:
            [shown] = credentials.list_tokens(s, "kadin.staf", by=actor(s, ADMIN), now=NOW)
        assert (shown.id, shown.user, shown.created_by, shown.status) == (token_id, "kadin.staf", ADMIN, "active")
        assert shown.prefix == secret[:13] and secret not in shown.model_dump_json()

    def test_the_database_holds_no_secret(self, database):
        _, secret = make_token(database)
        use_token(database, secret)
        for table in ("api_tokens", "audit_log"):
            values = all_values(database, table)
            assert values and not [v for v in values if secret in v or secret[13:] in v], table
        [digest] = [v for v in all_values(database, "api_tokens") if len(v) == 64]
        import hashlib

        assert digest == hashlib.sha256(secret.encode()).hexdigest()  # the secret is checked by its hash

    def test_a_token_expires_after_its_last_day(self, database, monkeypatch):
        monkeypatch.setenv("LINDUNG_TIMEZONE", "Asia/Jakarta")
        last_day = dt.date(2026, 12, 31)
        _, secret = make_token(database, expires=last_day)
        end = dt.datetime(2027, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=7)))  # midnight WIB
        assert isinstance(use_token(database, secret, now=end - dt.timedelta(seconds=1)), Actor)
        assert isinstance(use_token(database, secret, now=end), TokenInvalid)

    def test_default_and_longest_lives(self, database):
        with database.session() as s:
            ani = actor(s, "ani")
            token, _ = credentials.create_token(s, "ani", name="x", expires=None, by=ani, now=NOW)
            assert token.valid_through == dt.date(2026, 12, 7) + dt.timedelta(days=credentials.TOKEN_DEFAULT_DAYS)
            longest = dt.date(2026, 12, 7) + dt.timedelta(days=credentials.TOKEN_MAX_DAYS)
            assert credentials.create_token(s, "ani", name="x", expires=longest, by=ani, now=NOW)[0].status == "active"
            for wrong in (longest + dt.timedelta(days=1), dt.date(2026, 12, 6)):
                with pytest.raises(InvalidInput) as refused:
                    credentials.create_token(s, "ani", name="x", expires=wrong, by=ani, now=NOW)
                assert refused.value.code == "invalid.token_expires"
                assert "2027-12-07" in refused.value.message("en")
            with pytest.raises(InvalidInput) as refused:
                credentials.create_token(s, "ani", name="  ", expires=None, by=ani, now=NOW)
            assert refused.value.code == "invalid.token_name"

    def test_a_name_with_a_nik_keeps_it_masked(self, database):
        make_token(database, label="untuk 3216014107950001")
        assert "untuk 3216********0001" in all_values(database, "api_tokens")
        assert not [v for v in all_values(database, "audit_log") if "3216014107950001" in v]

    def test_revoked_expired_unknown_and_disabled_users_tokens_give_one_answer(self, database):
        revoked_id, revoked = make_token(database, "ani")
        _, expired = make_token(database, "ani", expires=dt.date(2026, 12, 7))
        _, disabled = make_token(database, "cici")
        with database.session() as s:
            credentials.revoke_token(s, revoked_id, by=actor(s, "ani"), now=NOW)
            from lindung.users import service as users

            users.set_active(s, "cici", False, by=actor(s, ADMIN))
        answers = [use_token(database, revoked), use_token(database, expired, now=NOW + dt.timedelta(days=1)),
                   use_token(database, disabled), use_token(database, "lind_" + "A" * 43), use_token(database, ""),
                   use_token(database, "Bearer " + revoked)]
        assert all(isinstance(a, TokenInvalid) for a in answers), answers
        said = {(a.code, a.http_status, a.message("id"), a.message("en"))
                for a in answers if isinstance(a, TokenInvalid)}
        assert said == {("auth.token_invalid", 401,
                         "Token tidak berlaku: tidak dikenal, kedaluwarsa, dicabut, atau penggunanya nonaktif.",
                         "The token is not valid: unknown, expired, revoked, or its user is disabled.")}

    def test_the_last_use_is_written_at_most_once_a_minute(self, database):
        token_id, secret = make_token(database)

        def last_used() -> dt.datetime | None:
            with database.session(readonly=True) as s:
                return s.get(ApiToken, token_id).last_used_at  # type: ignore[union-attr]

        assert last_used() is None
        for seconds, expected in ((0, 0), (30, 0), (59, 0), (60, 60), (61, 60), (125, 125)):
            assert isinstance(use_token(database, secret, now=NOW + dt.timedelta(seconds=seconds)), Actor)
            assert last_used() == NOW + dt.timedelta(seconds=expected), seconds
        used = entries(database, "auth.token_used")
        assert len(used) == 3
        assert audit.detail_text(used[0], "en") == f"token {token_id} used by ani, client 10.9.8.7"

    def test_who_may_make_see_and_revoke_tokens(self, database):
        with pytest.raises(NotPermitted):
            make_token(database, "budi", by="ani")
        budi_id, _ = make_token(database, "budi", by=ADMIN)
        ani_id, _ = make_token(database, "ani")
        with database.session() as s:
            ani, admin = actor(s, "ani"), actor(s, ADMIN)
            assert [t.id for t in credentials.list_tokens(s, "ani", by=ani, now=NOW)] == [ani_id]
            with pytest.raises(NotPermitted):
                credentials.list_tokens(s, "budi", by=ani, now=NOW)
            with pytest.raises(NotPermitted):
                credentials.list_tokens(s, None, by=ani, now=NOW)
            assert [t.id for t in credentials.list_tokens(s, None, by=admin, now=NOW)] == [budi_id, ani_id]
            with pytest.raises(NotFound):  # another's token is not found, not forbidden
                credentials.revoke_token(s, budi_id, by=ani, now=NOW)
        with database.session() as s:
            revoked = credentials.revoke_token(s, budi_id, by=actor(s, ADMIN), now=NOW)
            assert (revoked.status, revoked.revoked_by, revoked.revoked_at) == ("revoked", ADMIN, NOW)
            with pytest.raises(InvalidInput) as again:
                credentials.revoke_token(s, budi_id, by=actor(s, ADMIN), now=NOW)
            assert again.value.message("en") == f"Token number {budi_id} is revoked already."
        with database.session() as s:
            assert credentials.revoke_token(s, ani_id, by=actor(s, "ani"), now=NOW).status == "revoked"
        said = [audit.detail_text(e, "en") for e in entries(database, "auth.token_")]
        assert said == [f'token {budi_id} "sistem keuangan" for budi, valid through 2027-03-07',
                        f'token {ani_id} "sistem keuangan" for ani, valid through 2027-03-07',
                        f'token {budi_id} "sistem keuangan" of budi revoked',
                        f'token {ani_id} "sistem keuangan" of ani revoked']


@pytest.fixture
def stdin(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    given = io.StringIO()
    monkeypatch.setattr("sys.stdin", given)
    yield given


class TestTheCommands:
    def test_user_password_reads_one_line_of_stdin(self, database, cli, stdin):
        stdin.write(GOOD + "\n")
        stdin.seek(0)
        r = cli("user", "password", "ani", "--stdin", "--by", "ani", "--lang", "en")
        assert r.exit_code == 0, r.err
        assert r.out == "Password of ani set."
        assert isinstance(sign_in(database, "ani", GOOD), Actor)

    def test_a_refused_password_is_not_repeated(self, database, cli, stdin):
        stdin.write("Password2026!\n")
        stdin.seek(0)
        r = cli("user", "password", "ani", "--stdin", "--by", "ani")
        assert r.exit_code == 2
        assert "paling umum" in r.err and "Password2026!" not in r.err + r.stdout
        assert user_row(database, "ani").password_hash is None

    def test_another_users_password_is_refused_before_it_is_read(self, database, cli, stdin):
        stdin.write(GOOD + "\n")
        stdin.seek(0)
        r = cli("user", "password", "budi", "--stdin", "--by", "ani")
        assert r.exit_code == 7 and "user.admin" in r.err
        assert stdin.read() == GOOD + "\n"  # never read

    def test_typed_twice_at_a_hidden_prompt(self, database, cli, monkeypatch):
        import getpass

        typed: list[str] = []
        monkeypatch.setattr(getpass, "getpass", lambda prompt="", stream=None: typed.pop(0))
        typed[:] = [GOOD, OTHER_GOOD]
        r = cli("user", "password", "ani", "--by", ADMIN, "--lang", "en")
        assert r.exit_code == 2 and "The two passwords typed differ" in r.err
        typed[:] = [GOOD, GOOD]
        r = cli("user", "password", "ani", "--by", ADMIN, "--lang", "en")
        assert r.exit_code == 0, r.err
        assert isinstance(sign_in(database, "ani", GOOD), Actor)

    def test_user_show_says_whether_a_password_is_set(self, database, cli):
        assert "│ Kata sandi │ belum ada" in cli("user", "show", "ani", "--by", "ani").out
        set_password(database, "ani")
        r = cli("user", "show", "ani", "--by", "ani", "--json")
        assert r.json()["password_changed_at"] is not None and "password_hash" not in r.stdout

    def test_a_token_is_shown_once_and_never_listed(self, database, cli):
        r = cli("user", "token", "ani", "--name", "sistem keuangan Kadin", "--by", "ani", "--lang", "en")
        assert r.exit_code == 0, r.err
        secrets = [line for line in r.stdout.splitlines() if line.startswith("lind_")]
        assert len(secrets) == 1 and r.stdout.count(secrets[0]) == 1
        secret = secrets[0]
        assert "it will not be shown again" in r.out
        assert isinstance(use_token(database, secret), Actor)
        for args in (("user", "tokens", "--by", "ani"), ("user", "tokens", "ani", "--by", ADMIN, "--json"),
                     ("user", "tokens", "--all", "--by", ADMIN), ("user", "show", "ani", "--by", "ani", "--json")):
            r = cli(*args)
            assert r.exit_code == 0, (args, r.err)
            assert secret not in r.stdout and secret[13:] not in r.stdout, args
        listed = cli("user", "tokens", "--by", "ani", "--json").json()
        assert [(t["name"], t["prefix"], t["status"]) for t in listed] == [("sistem keuangan Kadin", secret[:13],
                                                                            "active")]
        shown = cli("user", "tokens", "--by", "ani")
        assert shown.exit_code == 0 and "sistem" in shown.out and secret[:13] in shown.out

    def test_a_token_made_for_json(self, database, cli):
        r = cli("user", "token", "budi", "--by", ADMIN, "--json")
        assert r.exit_code == 0, r.err
        made = r.json()
        assert made["token"]["user"] == "budi" and made["token"]["name"].startswith("token ")
        assert isinstance(use_token(database, made["secret"]), Actor)
        assert cli("user", "token", "budi", "--by", "ani").exit_code == 7
        r = cli("user", "token", "ani", "--by", "ani", "--expires", "2020-01-01", "--lang", "en")
        assert r.exit_code == 2 and "not 2020-01-01" in r.err

    def test_revoke_token(self, database, cli):
        token_id, secret = make_token(database, "ani")
        assert cli("user", "revoke-token", str(token_id), "--by", "budi").exit_code == 3
        r = cli("user", "revoke-token", str(token_id), "--by", "ani", "--lang", "en")
        assert r.exit_code == 0, r.err
        assert r.out == f"Token number {token_id} ({secret[:13]}…) of ani revoked: it cannot be used any more."
        assert isinstance(use_token(database, secret), TokenInvalid)
        assert cli("user", "revoke-token", str(token_id), "--by", "ani").exit_code == 2


class TestTheAuditLog:
    def test_every_event_is_there_without_a_password_a_secret_or_a_hash(self, database):
        set_password(database, "ani")
        sign_in(database, "ani", GOOD)
        for _ in range(credentials.MAX_FAILED_LOGINS):
            sign_in(database, "ani", OTHER_GOOD)
        sign_in(database, "siapa.saja", GOOD)
        token_id, secret = make_token(database)
        use_token(database, secret)
        with database.session() as s:
            credentials.revoke_token(s, token_id, by=actor(s, ADMIN), now=NOW)
        found = entries(database)
        assert {e.action for e in found} == {"auth.password_set", "auth.login", "auth.login_failed", "auth.locked",
                                             "auth.token_created", "auth.token_used", "auth.token_revoked"}
        hashes = [v for v in all_values(database, "users") + all_values(database, "api_tokens")
                  if v.startswith("$argon2") or len(v) == 64]
        assert len(hashes) == 2
        dumped = json.dumps([[e.actor, e.action, e.data, e.detail] for e in found], ensure_ascii=False)
        for never in (GOOD, OTHER_GOOD, secret, secret[13:], *hashes):
            assert never not in dumped
            assert not [v for v in all_values(database, "audit_log") if never in v]
        for e in found:
            for lang in ("id", "en"):
                said = audit.detail_text(e, lang)
                assert "{" not in said and GOOD not in said, (e.action, said)
        # A failed sign-in is nobody's act: the name it tried is its subject, never its actor.
        assert {e.actor for e in found if e.action in ("auth.login_failed", "auth.locked")} == {"-"}

    def test_every_audit_action_has_its_message(self):
        import re
        from pathlib import Path

        from lindung.users import sessions

        source = "".join(Path(m.__file__).read_text(encoding="utf-8") for m in (credentials, sessions))
        actions = set(re.findall(r'action="(auth\.[a-z_]+)"', source))
        assert actions == {"auth.client_throttled", "auth.locked", "auth.login", "auth.login_failed",
                           "auth.password_set", "auth.token_created", "auth.token_revoked", "auth.token_used",
                           "auth.unlocked", "auth.session_started", "auth.session_ended"}
        for action in actions - {"auth.login_failed"}:
            assert f"audit.detail.{action}" in catalogue(), action
        for variant in ("unknown_user", "disabled", "no_password", "locked", "wrong_password"):
            assert f"audit.detail.auth.login_failed.{variant}" in catalogue(), variant

    def test_every_card_action_has_its_message(self):
        import re
        from pathlib import Path

        from lindung.cards import service as cards

        actions = set(re.findall(r'action="(card\.[a-z_]+)"', Path(cards.__file__).read_text(encoding="utf-8")))
        assert actions == {"card.issue", "card.sheet", "card.revoke"}
        for action in actions:
            assert f"audit.detail.{action}" in catalogue(), action
