"""Passwords, sign-in and API tokens: how a door (the API, later the pages) knows who acts.

Decision 0035 says why each number and choice; in short:

- **Passwords** are hashed with argon2id through pwdlib (``HASHER``, its default cost: about a quarter
  of a second and 64 MiB per hash). A user sets their own, an administrator (``user.admin``) anyone's
  (``set_password``). A password has ``PASSWORD_MIN_LENGTH`` to ``PASSWORD_MAX_LENGTH`` characters, is
  not the username, and is not one of the most common passwords nor a simple variation of one
  (``check_password``). It is compared in Unicode NFKC form, so that the same password typed on
  another keyboard or system still matches.
- **Sign-in** (``authenticate``) gives one answer, ``LoginFailed``, whatever went wrong: no such user,
  a disabled one, one without a password, a locked one, a wrong password. An unknown user's password
  is checked against a dummy hash, so that the answer takes as long either way. After
  ``MAX_FAILED_LOGINS`` wrong passwords in a row an account is locked for ``LOCK_DURATION``; a client
  address with ``CLIENT_MAX_FAILURES`` failures within ``CLIENT_WINDOW``, across any accounts, is
  refused before anything is checked (``TooManyAttempts``, HTTP 429) until its oldest failures age out.
- **API tokens** (``create_token``) are ``lind_`` and 32 random bytes (``secrets.token_urlsafe``),
  shown once and kept as their SHA-256 only: a secret that long cannot be guessed, so a fast hash
  suffices and a request needs no quarter-second argon2 check. A token works until its expiry
  (``TOKEN_DEFAULT_DAYS``, at most ``TOKEN_MAX_DAYS``) or its revocation, and only while its user is
  active; its last use is written at most once per ``TOKEN_USE_RECORDED_EVERY``.

Every password set, sign-in, failure, lock, throttled client, token made, used (at most once a minute)
and revoked is in the audit log, as facts; never a password, a secret or a hash.

``HASHER`` is a module-level setting so that tests can make hashing cheap (``Argon2Hasher`` with a
small cost); Lindung itself never changes it. A hash made with other parameters than ``HASHER``'s is
replaced at the next successful sign-in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import secrets
import unicodedata
from functools import cache
from typing import ClassVar

from pwdlib import PasswordHash
from pwdlib.exceptions import PwdlibError
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from lindung.audit import service as audit
from lindung.kit import clock
from lindung.kit.auth import NO_USER, Actor
from lindung.kit.errors import Forbidden, InvalidInput, NotFound
from lindung.kit.privacy import mask_niks_in_text
from lindung.users import repository
from lindung.users.models import CLIENT_MAX, TOKEN_NAME_MAX, ApiToken, User
from lindung.users.schemas import Attention, TokenRead, TokenStatus, UserRead
from lindung.users.service import actor_of, normalize_username, read

# --- the numbers ------------------------------------------------------------------------------

PASSWORD_MIN_LENGTH = 12
"""The shortest password accepted, in characters (NIST SP 800-63B asks at least 8 when a password is
the only factor and allows more; 12 makes a phrase of two or three words the easy choice)."""
PASSWORD_MAX_LENGTH = 128
"""The longest: long enough for any passphrase, short enough that hashing one costs nothing extra."""

MAX_FAILED_LOGINS = 5
"""Wrong passwords in a row that lock an account."""
LOCK_DURATION = dt.timedelta(minutes=15)
"""How long a locked account refuses every password, the right one too."""

CLIENT_MAX_FAILURES = 20
"""Failed sign-ins of one client address, across any accounts, within ``CLIENT_WINDOW``, after which
the address is refused before anything is checked. Four times an account's lock: a branch office
behind one address, with a few people mistyping, stays far below it; guessing across accounts does
not."""
CLIENT_WINDOW = dt.timedelta(minutes=15)
"""The window the failures of a client address are counted over (a sliding one)."""

TOKEN_PREFIX = "lind_"
"""How every token's secret starts (so that a secret scanner, and a person, knows one when seen)."""
TOKEN_RANDOM_BYTES = 32
"""The secret's randomness: 256 bits, ``secrets.token_urlsafe(32)`` (43 characters)."""
TOKEN_SHOWN_CHARACTERS = 8
"""Characters of the secret after ``TOKEN_PREFIX`` kept in clear to name the token in lists."""
TOKEN_DEFAULT_DAYS = 90
"""A token's life when its maker names no expiry."""
TOKEN_MAX_DAYS = 365
"""The longest life a token may be given."""
SIGN_IN_TOKEN_LIFE = dt.timedelta(hours=12)
"""How long the token a password sign-in gives works: a working day and its evening, never overnight
into the next one; a person signs in again the next morning."""
TOKEN_USE_RECORDED_EVERY = dt.timedelta(minutes=1)
"""A token's last use (and its audit entry) is written at most this often, not on every request."""

HASHER = PasswordHash((Argon2Hasher(),))
"""How passwords are hashed: argon2id with pwdlib's default cost. Tests replace it with a cheaper
``Argon2Hasher``; nothing else should."""

NOBODY = Actor(user_id=NO_USER, username="-", role="")
"""Who acts in the audit entry of a failed sign-in: not the user it named (somebody else may have tried)."""

# --- errors -----------------------------------------------------------------------------------


class LoginFailed(Forbidden):
    """The one answer to every failed sign-in (no such user, disabled, no password, locked, wrong
    password): its message and context never say which."""

    code = "auth.login_failed"
    http_status = 401

    def __init__(self) -> None:
        super().__init__(failures=MAX_FAILED_LOGINS, minutes=_minutes(LOCK_DURATION))


class TooManyAttempts(Forbidden):
    """A client address failed too often lately, on any accounts: refused before anything is checked.
    ``retry_after``: seconds until it may try again (the API's ``Retry-After``)."""

    code = "auth.too_many_attempts"
    http_status = 429

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(minutes=max(1, math.ceil(retry_after / 60)))


class TokenInvalid(Forbidden):
    """The one answer to a token that does not work: unknown, expired, revoked, or its user disabled."""

    code = "auth.token_invalid"
    http_status = 401
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": 'Bearer realm="lindung", error="invalid_token"'}
    """RFC 6750: a token given and refused."""

    def __init__(self) -> None:
        super().__init__()


def _minutes(span: dt.timedelta) -> int:
    return int(span.total_seconds() // 60)


# --- passwords --------------------------------------------------------------------------------

SERVICE_WORDS = frozenset({
    "lindung", "bpjs", "bpjstk", "bpjsketenagakerjaan", "ketenagakerjaan", "jamsostek", "jaminansosial",
    "indonesia", "katasandi", "sandi", "rahasia", "merdeka", "pancasila", "garuda", "administrator", "admin",
    "petugas", "supervisor", "sponsor", "kadin",
})
"""Words of this service and its country that a guesser tries first, beside the common passwords:
our own short list (not from a corpus), checked like them."""

_SEQUENCES = ("0123456789" * 3, "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm",
              "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "qazwsxedcrfvtgbyhnujmikolp")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})
_AFFIXES = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_NOT_ALNUM = re.compile(r"[\W_]+")


@cache
def common_passwords() -> frozenset[str]:
    """The 30.000 most common passwords of zxcvbn's frequency list (Dropbox's zxcvbn, MIT licence,
    drawn from leaked password sets; the ``zxcvbn`` package's ``FREQUENCY_LISTS["passwords"]``), lower
    case, with ``SERVICE_WORDS``. Loaded once, on first use (about 50 ms)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(str(word).casefold() for word in FREQUENCY_LISTS["passwords"]) | SERVICE_WORDS


def normal(password: str) -> str:
    """A password as it is hashed and measured: Unicode NFKC (a full-width 'Ａ' is 'A', a composed 'é'
    the same as 'e' and its accent), nothing trimmed."""
    return unicodedata.normalize("NFKC", password)


def _shortest_unit(text: str) -> str:
    """'abc123abc123' -> 'abc123': the text's shortest repeating unit (itself if none)."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return text


def _guessable(password: str) -> bool:
    """Whether a password is one of the most common, or a simple variation of one: with digits or
    signs before or after it, letters swapped for look-alikes (p@ssw0rd), repeated (abc123abc123),
    too few different characters, or a run of the keyboard or the alphabet."""
    folded = password.casefold()
    bare = _NOT_ALNUM.sub("", folded)
    if len(set(folded)) < 4 or any(f and (f in run or f in run[::-1]) for f in (folded, bare) for run in _SEQUENCES):
        return True
    forms = {folded, bare}
    forms |= {_shortest_unit(f) for f in forms}
    forms |= {_AFFIXES.sub("", f) for f in forms}
    forms |= {f.translate(_LEET) for f in forms}
    forms |= {_AFFIXES.sub("", f) for f in forms}
    forms |= {_NOT_ALNUM.sub("", f) for f in forms}
    common = common_passwords()
    return any(f in common for f in forms if f)


def check_password(password: str, username: str) -> None:
    """``InvalidInput`` (field ``password``, never repeating it) unless ``password`` may be
    ``username``'s: ``PASSWORD_MIN_LENGTH`` to ``PASSWORD_MAX_LENGTH`` characters, not the username nor
    containing it (for a username of four letters or digits or more), not common (``_guessable``)."""
    text = normal(password)
    if len(text) < PASSWORD_MIN_LENGTH:
        raise InvalidInput("password", "", reason="password_too_short", minimum=PASSWORD_MIN_LENGTH)
    if len(text) > PASSWORD_MAX_LENGTH:
        raise InvalidInput("password", "", reason="password_too_long", maximum=PASSWORD_MAX_LENGTH)
    folded, name = text.casefold(), username.casefold()
    bare_password, bare_name = _NOT_ALNUM.sub("", folded), _NOT_ALNUM.sub("", name)
    if name in (folded, _AFFIXES.sub("", folded)) or (len(bare_name) >= 4 and bare_name in bare_password):
        raise InvalidInput("password", "", reason="password_has_username")
    if _guessable(text):
        raise InvalidInput("password", "", reason="password_common")


def _target(session: Session, username: str, by: Actor) -> User:
    """The user ``by`` acts on: themself, or (an administrator, ``user.admin``) anyone. The permission
    is checked first, so that someone without it learns nothing of who exists."""
    try:
        name = normalize_username(username)
    except InvalidInput:
        name = ""
    if name != by.username:
        by.require("user.admin")
    user = repository.by_username(session, name, for_update=True) if name else None
    if user is None:
        raise NotFound("user.not_found", user=name or str(username).strip()[:64])
    return user


def set_password(session: Session, username: str, password: str, *, by: Actor, now: dt.datetime) -> UserRead:
    """Give ``username`` a new password (``check_password``): their own, or anyone's for an
    administrator (``user.admin``); ``NotPermitted`` otherwise. The count of wrong passwords and any
    lock are cleared: an administrator unlocks an account by setting a password. Audited
    (``auth.password_set``), without the password."""
    user = _target(session, username, by)
    check_password(password, user.username)
    user.password_hash = HASHER.hash(normal(password))
    user.password_changed_at = now
    user.failed_logins, user.locked_until = 0, None
    session.flush()
    audit.record(session, actor=by, action="auth.password_set", subject_type="user", subject_id=user.id,
                 data={"user": user.username})
    return read(session, user)


# --- signing in -------------------------------------------------------------------------------

_dummy: dict[PasswordHash, str] = {}


def _dummy_hash() -> str:
    """A hash of a random password made by the current ``HASHER``: what an unknown user's password is
    checked against, so that the answer takes as long as for a known one."""
    if HASHER not in _dummy:
        _dummy.clear()
        _dummy[HASHER] = HASHER.hash(secrets.token_urlsafe(16))
    return _dummy[HASHER]


def _verify(password: str, stored: str | None) -> tuple[bool, str | None]:
    """(whether ``password`` matches ``stored``, a new hash when the old one's parameters are outdated).
    Without a stored hash, or for a password longer than any accepted, the dummy is checked instead."""
    if stored is None or len(password) > PASSWORD_MAX_LENGTH:
        HASHER.verify(password[:PASSWORD_MAX_LENGTH + 1], _dummy_hash())
        return False, None
    try:
        return HASHER.verify_and_update(password, stored)
    except PwdlibError:  # a hash no hasher reads: nothing matches it
        return False, None


def _client(client: str | None) -> str | None:
    text = str(client).strip() if client is not None else ""
    return text[:CLIENT_MAX] or None


def _refuse_a_guessing_client(session: Session, client: str, now: dt.datetime) -> None:
    failures = repository.client_failures(session, client, now - CLIENT_WINDOW)
    if len(failures) >= CLIENT_MAX_FAILURES:
        # It may try again once enough of its failures have left the window to bring it under the limit.
        frees_at = failures[len(failures) - CLIENT_MAX_FAILURES] + CLIENT_WINDOW
        raise TooManyAttempts(max(1, math.ceil((frees_at - now).total_seconds())))


def authenticate(session: Session, username: str, password: str, *, client: str | None,
                 now: dt.datetime) -> Actor:
    """The active user ``username`` whose password ``password`` is, as an ``Actor``; ``LoginFailed``
    otherwise, the same whatever the reason; ``TooManyAttempts`` before anything is checked when the
    ``client`` address (the API's remote address; None: no address, not counted) failed
    ``CLIENT_MAX_FAILURES`` times within ``CLIENT_WINDOW``.

    A failure is written (the count of wrong passwords, a lock, the client's failure, the audit
    entries) and **committed** before ``LoginFailed`` is raised, so that the caller's unit of work,
    rolled back by the raise, cannot undo it: call this alone in its own transaction, first. A success
    clears the count, replaces an outdated hash, and is audited; it is committed with the caller's
    unit of work.
    """
    user, where = _check(session, username, password, client=client, now=now)
    actor = actor_of(user)
    audit.record(session, actor=actor, action="auth.login", subject_type="user", subject_id=user.id,
                 data={"user": user.username, "client": where})
    return actor


def _check(session: Session, username: str, password: str, *, client: str | None, now: dt.datetime
           ) -> tuple[User, str | None]:
    """``authenticate`` without its audit entry of a success: the user and the client as recorded."""
    where = _client(client)
    if where is not None:
        _refuse_a_guessing_client(session, where, now)
    try:
        name = normalize_username(username)
    except InvalidInput:
        name = ""
    user = repository.by_username(session, name, for_update=True) if name else None
    text = normal(password)
    if user is not None and user.locked_until is not None and user.locked_until <= now:
        user.failed_logins, user.locked_until = 0, None  # the lock is over: the count starts again
    matched, rehashed = _verify(text, user.password_hash if user is not None else None)
    if user is None:
        reason = "unknown_user"
    elif not user.active:
        reason = "disabled"
    elif user.password_hash is None:
        reason = "no_password"
    elif user.locked_until is not None:
        reason = "locked"
    elif not matched:
        reason = "wrong_password"
    else:
        user.failed_logins, user.locked_until = 0, None
        if rehashed is not None:
            user.password_hash = rehashed
        session.flush()
        return user, where
    _fail(session, user, reason, where, now)
    session.commit()
    raise LoginFailed()


def _fail(session: Session, user: User | None, reason: str, client: str | None, now: dt.datetime) -> None:
    """Write down a failed sign-in: the user's count (and lock), the client's failure, the audit entries."""
    if user is not None and reason == "wrong_password":
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCK_DURATION
        session.flush()
    subject = ("user", user.id) if user is not None else ("login", 0)
    facts: dict[str, object] = {"variant": reason, "client": client}
    if user is not None:
        facts["user"] = user.username
    if reason == "wrong_password" and user is not None:
        facts["failures"] = user.failed_logins
    audit.record(session, actor=NOBODY, action="auth.login_failed", subject_type=subject[0], subject_id=subject[1],
                 data=facts)
    if user is not None and reason == "wrong_password" and user.locked_until is not None:
        audit.record(session, actor=NOBODY, action="auth.locked", subject_type="user", subject_id=user.id,
                     data={"user": user.username, "failures": user.failed_logins,
                           "minutes": _minutes(LOCK_DURATION), "client": client})
    if client is not None:
        repository.add_client_failure(session, client, now, forget_before=now - CLIENT_WINDOW)
        if len(repository.client_failures(session, client, now - CLIENT_WINDOW)) == CLIENT_MAX_FAILURES:
            audit.record(session, actor=NOBODY, action="auth.client_throttled", subject_type="login", subject_id=0,
                         data={"client": client, "failures": CLIENT_MAX_FAILURES,
                               "minutes": _minutes(CLIENT_WINDOW)})


# --- API tokens -------------------------------------------------------------------------------


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _status(token: ApiToken, now: dt.datetime) -> TokenStatus:
    if token.revoked_at is not None:
        return "revoked"
    return "expired" if token.expires_at <= now else "active"


def _reads(session: Session, tokens: list[ApiToken], now: dt.datetime) -> list[TokenRead]:
    names = repository.usernames(session, {i for t in tokens for i in (t.user_id, t.created_by_id, t.revoked_by_id)
                                           if i is not None})
    return [TokenRead(id=t.id, user=names.get(t.user_id, "?"), name=t.name, prefix=t.prefix, created_at=t.created_at,
                      created_by=names.get(t.created_by_id, "?"), expires_at=t.expires_at,
                      valid_through=_valid_through(t),
                      last_used_at=t.last_used_at, revoked_at=t.revoked_at,
                      revoked_by=names.get(t.revoked_by_id) if t.revoked_by_id is not None else None,
                      status=_status(t, now)) for t in tokens]


def _token_name(name: str) -> str:
    text = mask_niks_in_text(" ".join(str(name).split()))
    if not text or len(text) > TOKEN_NAME_MAX:
        raise InvalidInput("token_name", name, reason="token_name", maximum=TOKEN_NAME_MAX)
    return text


def _last_day(expires: dt.date | None, now: dt.datetime) -> dt.date:
    """The last day (the branch's) a token made ``now`` works: ``expires``, or ``TOKEN_DEFAULT_DAYS``
    from today when None; from today to ``TOKEN_MAX_DAYS`` ahead."""
    today = clock.local(now).date()
    last_day = expires if expires is not None else today + dt.timedelta(days=TOKEN_DEFAULT_DAYS)
    latest = today + dt.timedelta(days=TOKEN_MAX_DAYS)
    if not today <= last_day <= latest:
        raise InvalidInput("expires", last_day.isoformat(), reason="token_expires", earliest=today.isoformat(),
                           latest=latest.isoformat(), days=TOKEN_MAX_DAYS)
    return last_day


def _valid_through(token: ApiToken) -> dt.date:
    """The last day a token works: the day before the one its expiry begins (in the branch's zone)."""
    return (clock.local(token.expires_at) - dt.timedelta(microseconds=1)).date()


def create_token(session: Session, username: str, *, name: str, expires: dt.date | None, by: Actor,
                 now: dt.datetime) -> tuple[TokenRead, str]:
    """A new API token acting as ``username`` (themself, or anyone for an administrator), working
    through the day ``expires`` (``TOKEN_DEFAULT_DAYS`` from today when None; today to
    ``TOKEN_MAX_DAYS`` ahead). Returns the token as lists show it and its secret, which is not kept and
    cannot be shown again. Audited (``auth.token_created``), without the secret."""
    user = _target(session, username, by)
    label = _token_name(name)
    last_day = _last_day(expires, now)
    expires_at = clock.day_start(last_day + dt.timedelta(days=1))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_RANDOM_BYTES)
    token = ApiToken(user_id=user.id, name=label, prefix=secret[:len(TOKEN_PREFIX) + TOKEN_SHOWN_CHARACTERS],
                     secret_sha256=_digest(secret), created_at=now, created_by_id=by.user_id, expires_at=expires_at)
    session.add(token)
    session.flush()
    audit.record(session, actor=by, action="auth.token_created", subject_type="api_token", subject_id=token.id,
                 data={"token": token.id, "name": label, "user": user.username,
                       "expires": last_day.isoformat()})
    return _reads(session, [token], now)[0], secret


def authenticate_token(session: Session, secret: str, *, now: dt.datetime, client: str | None = None) -> Actor:
    """The user a token's ``secret`` acts as, as an ``Actor`` (their role and scope now);
    ``TokenInvalid`` for an unknown, expired or revoked token or a disabled user, one answer for all.
    The token's last use is written, and audited (``auth.token_used``, naming ``client``), at most once
    per ``TOKEN_USE_RECORDED_EVERY``: call it in a writable transaction."""
    text = str(secret).strip()
    if not text.startswith(TOKEN_PREFIX) or len(text) > 200:
        raise TokenInvalid()
    token = repository.token_by_digest(session, _digest(text))
    if token is None or _status(token, now) != "active":
        raise TokenInvalid()
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        raise TokenInvalid()
    actor = actor_of(user)
    if repository.note_token_use(session, token.id, now, TOKEN_USE_RECORDED_EVERY):
        set_committed_value(token, "last_used_at", now)  # written already: no second UPDATE
        audit.record(session, actor=actor, action="auth.token_used", subject_type="api_token", subject_id=token.id,
                     data={"token": token.id, "user": user.username, "client": _client(client)})
    return actor


def sign_in(session: Session, username: str, password: str, *, client: str | None, now: dt.datetime
            ) -> tuple[TokenRead, str]:
    """Sign in with a password (``authenticate``: its one answer to every failure, its lock and its
    client throttle) and get a short-lived API token for the user, working ``SIGN_IN_TOKEN_LIFE`` from
    ``now``: what a door that has a person at a keyboard (the web pages, a script run by hand) holds
    instead of the password. The same token as ``create_token`` makes (listed, revocable, audited:
    ``auth.login`` then ``auth.token_created``), named after the sign-in. Call it alone in its unit of
    work, first (``authenticate`` commits a failure before it raises)."""
    actor = authenticate(session, username, password, client=client, now=now)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_RANDOM_BYTES)
    expires_at = now + SIGN_IN_TOKEN_LIFE
    label = _token_name(f"sign-in {clock.format_stamp(now)}")
    token = ApiToken(user_id=actor.user_id, name=label, prefix=secret[:len(TOKEN_PREFIX) + TOKEN_SHOWN_CHARACTERS],
                     secret_sha256=_digest(secret), created_at=now, created_by_id=actor.user_id, expires_at=expires_at)
    session.add(token)
    session.flush()
    audit.record(session, actor=actor, action="auth.token_created", subject_type="api_token", subject_id=token.id,
                 data={"token": token.id, "name": label, "user": actor.username,
                       "expires": clock.format_stamp(expires_at)})
    return _reads(session, [token], now)[0], secret


def change_password(session: Session, username: str, password: str, *, current: str | None, by: Actor,
                    client: str | None, now: dt.datetime) -> UserRead:
    """``set_password`` as a signed-in door does it: one's own password only with the current one
    (checked as a sign-in is, so that wrong guesses count toward the lock, and the answer to a wrong
    one is ``invalid.current_password``), anyone else's by an administrator (``user.admin``) without
    it. The new password is checked before the current one, so that a refused one costs no guess."""
    user = _target(session, username, by)
    check_password(password, user.username)
    if user.id == by.user_id:
        if not current:
            raise InvalidInput("current_password", "", reason="current_password_missing")
        try:
            _check(session, user.username, current, client=client, now=now)
        except LoginFailed:
            raise InvalidInput("current_password", "", reason="current_password_wrong") from None
    return set_password(session, user.username, password, by=by, now=now)


def list_tokens(session: Session, username: str | None, *, by: Actor, now: dt.datetime) -> list[TokenRead]:
    """A user's tokens, oldest first (their own, or anyone's for an administrator); every user's for
    ``username`` None (an administrator only). Never a secret."""
    if username is None:
        by.require("user.admin")
        return _reads(session, repository.tokens(session, None), now)
    user = _target(session, username, by)
    return _reads(session, repository.tokens(session, user.id), now)


def revoke_token(session: Session, token_id: int, *, by: Actor, now: dt.datetime) -> TokenRead:
    """Revoke a token for good: one's own, or anyone's for an administrator. Another user's token is
    *not found* for whoever may not revoke it, so that its existence is not told. Revoking a revoked
    token is refused; an expired one may still be revoked. Audited (``auth.token_revoked``)."""
    token = repository.token_by_id(session, token_id, for_update=True)
    if token is None or (token.user_id != by.user_id and not by.can("user.admin")):
        raise NotFound("token.not_found", token=token_id)
    if token.revoked_at is not None:
        raise InvalidInput("token", token_id, reason="token_already_revoked")
    token.revoked_at, token.revoked_by_id = now, by.user_id
    session.flush()
    found = _reads(session, [token], now)[0]
    audit.record(session, actor=by, action="auth.token_revoked", subject_type="api_token", subject_id=token.id,
                 data={"token": token.id, "name": token.name, "user": found.user})
    return found


# --- what an administrator looks after -------------------------------------------------------------

TOKENS_EXPIRING_DAYS = 14
"""How far ahead an administrator is told of tokens about to expire."""


def unlock(session: Session, username: str, *, by: Actor, now: dt.datetime) -> UserRead:
    """Lift a lock after too many wrong passwords (``user.admin``) without setting a password: the
    count of wrong passwords starts again. A user who is not locked is refused
    (``invalid.user_not_locked``). Audited (``auth.unlocked``)."""
    by.require("user.admin")
    user = _target(session, username, by)
    if user.locked_until is None or user.locked_until <= now:
        raise InvalidInput("user", user.username, reason="user_not_locked")
    user.failed_logins, user.locked_until = 0, None
    session.flush()
    audit.record(session, actor=by, action="auth.unlocked", subject_type="user", subject_id=user.id,
                 data={"user": user.username})
    return read(session, user)


def attention(session: Session, *, by: Actor, now: dt.datetime, days: int = TOKENS_EXPIRING_DAYS) -> Attention:
    """What waits for an administrator (``user.admin``): how many users (and active), who is locked
    out now, and the tokens that stop working within ``days`` (never a secret)."""
    by.require("user.admin")
    return Attention(users=repository.count(session), active=repository.count_active(session),
                     locked=[u.username for u in repository.locked(session, now)],
                     tokens_expiring=_reads(session, repository.tokens_expiring(
                         session, now, now + dt.timedelta(days=days)), now), days=days)
