"""Users, roles, passwords and signing in over HTTP, on both engines: an administrator adds, lists,
disables, enables and re-roles users and sets anyone's password; a user sets their own with the
current one; signing in gives a 12-hour token that works, five wrong passwords lock the account, an
unknown user is answered exactly as a wrong password, a guessing address is held back with
Retry-After; no password or token reaches the audit log or a log line."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import select

from lindung.api.app import create_app
from lindung.audit.models import AuditEntry
from lindung.kit.db import utcnow
from lindung.users import credentials
from tests.api.support import Api, assert_problem, make_tokens
from tests.conftest import TestDatabase
from tests.factories import make_sponsor
from tests.users import ADMIN, actor, add_user

GOOD = "kebun kopi di lereng gunung"
OTHER_GOOD = "perahu nelayan pulang pagi"


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(credentials, "HASHER", PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024,
                                                                          parallelism=1),)))


@pytest.fixture
def api(database: TestDatabase) -> Iterator[Api]:
    with database.session() as s:
        make_sponsor(s)
        make_sponsor(s, "DESA", funding="apbdes")
        add_user(s, "staf.kadin", "sponsor", sponsor="KADIN")
        add_user(s, "disnaker", "viewer", region="32.16")
        credentials.set_password(s, "ani", GOOD, by=actor(s, ADMIN), now=utcnow())
        tokens = make_tokens(s, (ADMIN, "ani", "budi", "staf.kadin", "disnaker"))
    with TestClient(create_app(database.engine)) as client:
        yield Api(client, tokens)


def put(api: Api, path: str, user: str | None, **kwargs: Any) -> httpx.Response:
    return api.request("PUT", path, user, **kwargs)


class Row:
    def __init__(self, e: AuditEntry) -> None:
        self.action, self.data, self.detail = e.action, e.data, e.detail


def audit_rows(database: TestDatabase) -> list[Row]:
    with database.session(readonly=True) as s:
        return [Row(e) for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]


# --- users --------------------------------------------------------------------------------------


def test_an_administrator_adds_lists_disables_enables_and_re_roles(api: Api) -> None:
    added = api.post("/api/v1/users", ADMIN, json={"username": "Staf.Desa", "role": "sponsor", "sponsor": "desa",
                                                   "full_name": "Dewi  Lestari"})
    assert added.status_code == 201, added.text
    assert (added.json()["username"], added.json()["sponsor"], added.json()["full_name"]) == (
        "staf.desa", "DESA", "Dewi Lestari")
    page = api.get("/api/v1/users?limit=3", ADMIN).json()
    assert len(page["items"]) == 3 and page["next_offset"] == 3 and page["total"] > 10
    names = [u["username"] for u in page["items"]]
    assert names == sorted(names)
    rest = api.get(f"/api/v1/users?limit=500&offset={page['total'] - 1}", ADMIN).json()
    assert len(rest["items"]) == 1 and rest["next_offset"] is None
    assert api.get("/api/v1/users/staf.desa", ADMIN).json()["role"] == "sponsor"
    off = api.post("/api/v1/users/staf.desa/disable", ADMIN)
    assert off.status_code == 200 and off.json()["active"] is False
    assert_problem(api.post("/api/v1/users/staf.desa/disable", ADMIN), 422, "invalid.user_already_disabled")
    assert api.post("/api/v1/users/staf.desa/enable", ADMIN).json()["active"] is True
    changed = put(api, "/api/v1/users/staf.desa/role", ADMIN, json={"role": "viewer", "region": "32.16"})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["before"], changed.json()["user"]["role"], changed.json()["user"]["region"]) == (
        "sponsor", "viewer", "32.16")


def test_a_disabled_user_s_token_stops_working(api: Api) -> None:
    assert api.get("/api/v1/me", "staf.kadin").status_code == 200
    assert api.post("/api/v1/users/staf.kadin/disable", ADMIN).status_code == 200
    assert_problem(api.get("/api/v1/me", "staf.kadin"), 401, "auth.token_invalid")


def test_the_last_administrator_stays(api: Api) -> None:
    assert_problem(api.post(f"/api/v1/users/{ADMIN}/disable", ADMIN), 409, "user.last_administrator")
    assert_problem(put(api, f"/api/v1/users/{ADMIN}/role", ADMIN, json={"role": "officer"}), 409,
                   "user.last_administrator")


@pytest.mark.parametrize("user", ["ani", "budi", "staf.kadin", "disnaker"])
def test_only_an_administrator_manages_users(api: Api, user: str) -> None:
    assert_problem(api.get("/api/v1/users", user), 403, "auth.not_permitted")
    assert_problem(api.post("/api/v1/users", user, json={"username": "x.y", "role": "officer"}), 403,
                   "auth.not_permitted")
    assert_problem(api.post("/api/v1/users/cici/disable", user), 403, "auth.not_permitted")
    assert_problem(api.post("/api/v1/users/cici/enable", user), 403, "auth.not_permitted")
    assert_problem(put(api, "/api/v1/users/cici/role", user, json={"role": "supervisor"}), 403,
                   "auth.not_permitted")
    assert_problem(api.get("/api/v1/users/cici", user), 403, "auth.not_permitted")
    assert_problem(put(api, "/api/v1/users/cici/password", user, json={"password": OTHER_GOOD}), 403,
                   "auth.not_permitted")
    assert api.get(f"/api/v1/users/{user}", user).json()["username"] == user  # oneself
    assert api.get("/api/v1/users", None).status_code == 401


def test_the_roles_in_both_languages_for_anyone_signed_in(api: Api) -> None:
    out = api.get("/api/v1/roles", "disnaker").json()
    roles = {r["role"]: r for r in out["roles"]}
    assert roles["viewer"]["permissions"] == ["plan.use", "report.read"] and roles["viewer"]["scope"] == "region"
    assert roles["officer"]["label"] == {"id": "Petugas cabang", "en": "Branch officer"}
    meaning = {p["code"]: p["label"] for p in out["permissions"]}
    assert meaning["audit.read"] == {"id": "Membaca log audit", "en": "Read the audit log"}
    assert api.get("/api/v1/roles", None).status_code == 401


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"username": "ani petugas", "role": "officer"}, 422, "invalid.username"),
    ({"username": "baru", "role": "astronot"}, 422, "invalid.role"),
    ({"username": "baru", "role": "sponsor", "sponsor": "NOPE"}, 404, "sponsor.not_found"),
    ({"username": "baru", "role": "sponsor"}, 422, "invalid.scope_sponsor"),
    ({"username": "baru", "role": "viewer", "region": "99.99"}, 422, "invalid.region_unknown"),
    ({"username": "baru", "role": "officer", "region": "32.16"}, 422, "invalid.scope_none"),
    ({"username": "ani", "role": "officer"}, 409, "user.exists"),
])
def test_adding_a_user_refuses_bad_input_with_the_cli_s_code(api: Api, body: dict[str, Any], status: int,
                                                            code: str) -> None:
    assert_problem(api.post("/api/v1/users", ADMIN, json=body), status, code)


@pytest.mark.parametrize(("raw", "field"), [
    ('{"username": "baru"', None),
    ('{"username": 5, "role": "officer"}', "username"),
    ('{"role": "officer"}', "username"),
])
def test_a_body_the_api_cannot_read(api: Api, raw: str, field: str | None) -> None:
    answer = api.post("/api/v1/users", ADMIN, content=raw, headers={"Content-Type": "application/json"})
    problem = assert_problem(answer, 422, "invalid_request")
    if field is not None:
        assert field in [e["field"] for e in problem["errors"]]


def test_role_changes_refuse_bad_input(api: Api) -> None:
    assert_problem(put(api, "/api/v1/users/cici/role", ADMIN, json={"role": "astronot"}), 422, "invalid.role")
    assert_problem(put(api, "/api/v1/users/cici/role", ADMIN, json={"role": "sponsor", "sponsor": "NOPE"}), 404,
                   "sponsor.not_found")
    assert_problem(put(api, "/api/v1/users/cici/role", ADMIN, json={"role": "officer"}), 422,
                   "invalid.role_unchanged")
    assert_problem(put(api, "/api/v1/users/no.such.user/role", ADMIN, json={"role": "officer"}), 404,
                   "user.not_found")
    assert_problem(api.get("/api/v1/users/ani petugas", ADMIN), 404, "user.not_found")
    assert_problem(put(api, "/api/v1/users/cici/role", ADMIN, json={"rol": "officer"}), 422, "invalid_request")


# --- passwords ----------------------------------------------------------------------------------


def test_an_administrator_sets_anyone_s_password_and_a_user_their_own_with_the_current_one(
        api: Api, database: TestDatabase) -> None:
    set_by_admin = put(api, "/api/v1/users/cici/password", ADMIN, json={"password": OTHER_GOOD})
    assert set_by_admin.status_code == 200 and set_by_admin.json()["password_changed_at"]
    assert_problem(put(api, "/api/v1/users/ani/password", "ani", json={"password": OTHER_GOOD}), 422,
                   "invalid.current_password_missing")
    assert_problem(put(api, "/api/v1/users/ani/password", "ani",
                       json={"password": OTHER_GOOD, "current_password": "bukan yang ini"}), 422,
                   "invalid.current_password_wrong")
    own = put(api, "/api/v1/users/ani/password", "ani", json={"password": OTHER_GOOD, "current_password": GOOD})
    assert own.status_code == 200, own.text
    assert api.post("/api/v1/auth/token", None, json={"username": "ani", "password": OTHER_GOOD}).status_code == 200
    assert api.post("/api/v1/auth/token", None, json={"username": "ani", "password": GOOD}).status_code == 401
    texts = " ".join(str(e.data) + str(e.detail) for e in audit_rows(database))
    assert GOOD not in texts and OTHER_GOOD not in texts


@pytest.mark.parametrize(("password", "code"), [
    ("kopi hitam", "invalid.password_too_short"),
    ("password1234", "invalid.password_common"),
    ("cici.cici.cici.cici", "invalid.password_has_username"),
    ("x" * 129, "invalid.password_too_long"),
])
def test_the_password_policy_s_codes(api: Api, password: str, code: str) -> None:
    problem = assert_problem(put(api, "/api/v1/users/cici/password", ADMIN, json={"password": password}), 422, code)
    assert password not in problem["detail"]


# --- signing in ---------------------------------------------------------------------------------


def sign_in(api: Api, username: str, password: str, *, form: bool = False) -> httpx.Response:
    data = {"username": username, "password": password}
    if form:
        return api.post("/api/v1/auth/token", None, data={**data, "grant_type": "password"})
    return api.post("/api/v1/auth/token", None, json=data)


def same(answer: httpx.Response) -> tuple[int, str, str, str]:
    body = answer.json()
    return answer.status_code, body["code"], body["detail"], body["title"]


def test_signing_in_gives_a_12_hour_token_that_works(api: Api, caplog: pytest.LogCaptureFixture,
                                                     database: TestDatabase) -> None:
    caplog.set_level(logging.DEBUG)
    for form in (False, True):
        answer = sign_in(api, "ani", GOOD, form=form)
        assert answer.status_code == 200, answer.text
        out = answer.json()
        assert out["token_type"] == "bearer" and out["expires_in"] == 12 * 3600
        assert out["token"]["user"] == "ani" and out["token"]["status"] == "active"
        me = api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {out['access_token']}"})
        assert me.json()["username"] == "ani"
    secret = out["access_token"]
    rows = audit_rows(database)
    assert {"auth.login", "auth.token_created", "auth.token_used"} <= {e.action for e in rows}
    logged = caplog.text + " ".join(str(e.data) + str(e.detail) for e in rows)
    assert GOOD not in logged and secret not in logged and secret[5:] not in logged


def test_five_wrong_passwords_lock_the_account_and_an_unknown_user_is_answered_the_same(
        api: Api, database: TestDatabase, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    answers = [sign_in(api, "ani", f"salah sekali nomor {i}") for i in range(5)]
    assert {same(a) for a in answers} == {same(answers[0])}
    assert same(answers[0])[:2] == (401, "auth.login_failed")
    locked = sign_in(api, "ani", GOOD)  # the right password, and still refused
    unknown = sign_in(api, "tidak.ada", GOOD)
    spaced = sign_in(api, "ani petugas", GOOD)
    assert same(locked) == same(unknown) == same(spaced) == same(answers[0])
    assert set(locked.json()) == set(unknown.json())
    assert locked.headers.get("Retry-After") == unknown.headers.get("Retry-After")
    assert_problem(locked, 401, "auth.login_failed")
    rows = audit_rows(database)
    assert [e.action for e in rows if e.action == "auth.locked"] == ["auth.locked"]
    failed = [e.data for e in rows if e.action == "auth.login_failed" and e.data]
    assert {d["variant"] for d in failed} >= {"wrong_password", "locked", "unknown_user"}
    logged = caplog.text + " ".join(str(e.data) + str(e.detail) for e in rows)
    assert GOOD not in logged and "salah sekali" not in logged
    # an administrator unlocks by setting a password
    assert put(api, "/api/v1/users/ani/password", ADMIN, json={"password": OTHER_GOOD}).status_code == 200
    assert sign_in(api, "ani", OTHER_GOOD).status_code == 200


def test_an_address_guessing_across_accounts_is_held_back_with_retry_after(api: Api) -> None:
    for i in range(credentials.CLIENT_MAX_FAILURES):
        assert sign_in(api, f"orang{i}", "tebakan yang salah").status_code == 401
    held = sign_in(api, "ani", GOOD)
    assert_problem(held, 429, "auth.too_many_attempts")
    assert 0 < int(held.headers["Retry-After"]) <= 15 * 60


@pytest.mark.parametrize(("content", "kind", "field"), [
    ('{"username": "ani"', "application/json", None),
    ('{"username": "ani"}', "application/json", "password"),
    ('{"username": 5, "password": "x"}', "application/json", "username"),
    ('["ani", "x"]', "application/json", ""),
    ("username=ani", "application/x-www-form-urlencoded", "password"),
    ("username=ani&password=x&grant_type=client_credentials", "application/x-www-form-urlencoded", "grant_type"),
])
def test_a_sign_in_the_api_cannot_read(api: Api, content: str, kind: str, field: str | None) -> None:
    answer = api.client.post("/api/v1/auth/token", content=content, headers={"Content-Type": kind})
    problem = assert_problem(answer, 422, "invalid_request")
    if field is not None:
        assert field in [e["field"] for e in problem["errors"]], problem
