"""Tokens over HTTP, on both engines: who the token acts as (``/me``); a user makes, lists and revokes
their own tokens; an administrator anyone's; another user's token is not found; a revoked token stops
working at once; a secret is shown once and never listed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from lindung.api.app import create_app
from lindung.kit.db import utcnow
from lindung.users import credentials
from tests.conftest import TestDatabase
from tests.users import ADMIN, actor

OFFICER, OTHER = "ani.petugas", "cici"


@pytest.fixture
def client(database: TestDatabase) -> Iterator[tuple[TestClient, dict[str, str]]]:
    tokens = {}
    with database.session() as s:
        for user in (OFFICER, OTHER, ADMIN):
            tokens[user] = credentials.create_token(s, user, name="start", expires=None, by=actor(s, user),
                                                    now=utcnow())[1]
    with TestClient(create_app(database.engine)) as c:
        yield c, tokens


def _as(tokens: dict[str, str], user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[user]}"}


def test_me_says_who_the_token_acts_as(client: tuple[TestClient, dict[str, str]]) -> None:
    c, tokens = client
    me = c.get("/api/v1/me", headers=_as(tokens, OFFICER)).json()
    assert (me["username"], me["role"], me["scoped"]) == (OFFICER, "officer", False)
    assert "claim.enter" in me["permissions"] and "claim.approve" not in me["permissions"]
    assert c.get("/api/v1/me").status_code == 401


def test_a_user_makes_lists_and_revokes_their_own_token(client: tuple[TestClient, dict[str, str]]) -> None:
    c, tokens = client
    made = c.post(f"/api/v1/users/{OFFICER}/tokens", headers=_as(tokens, OFFICER),
                  json={"name": "sistem keuangan"})
    assert made.status_code == 201
    secret, token = made.json()["secret"], made.json()["token"]
    assert secret.startswith("lind_") and token["user"] == OFFICER and token["status"] == "active"
    assert c.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).json()["username"] == OFFICER
    listed = c.get(f"/api/v1/users/{OFFICER}/tokens", headers=_as(tokens, OFFICER))
    assert [t["name"] for t in listed.json()] == ["start", "sistem keuangan"]
    assert secret not in listed.text and tokens[OFFICER] not in listed.text
    revoked = c.delete(f"/api/v1/tokens/{token['id']}", headers=_as(tokens, OFFICER))
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    gone = c.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert gone.status_code == 401 and gone.json()["code"] == "auth.token_invalid"


def test_another_user_s_tokens_are_an_administrator_s_only(client: tuple[TestClient, dict[str, str]]) -> None:
    c, tokens = client
    # the permission is checked before the user is looked up: nothing is told of who exists
    theirs = c.get(f"/api/v1/users/{OTHER}/tokens", headers=_as(tokens, OFFICER))
    assert theirs.status_code == 403 and theirs.json()["code"] == "auth.not_permitted"
    nobody = c.get("/api/v1/users/no.such.user/tokens", headers=_as(tokens, OFFICER))
    assert nobody.status_code == 403 and nobody.json()["code"] == "auth.not_permitted"
    made = c.post(f"/api/v1/users/{OTHER}/tokens", headers=_as(tokens, OFFICER), json={"name": "x"})
    assert made.status_code == 403
    everyone = c.get("/api/v1/tokens", headers=_as(tokens, OFFICER))
    assert everyone.status_code == 403 and everyone.json()["code"] == "auth.not_permitted"
    admin_list = c.get("/api/v1/tokens", headers=_as(tokens, ADMIN)).json()
    other_id = next(t["id"] for t in admin_list if t["user"] == OTHER)
    not_theirs = c.delete(f"/api/v1/tokens/{other_id}", headers=_as(tokens, OFFICER))
    assert not_theirs.status_code == 404 and not_theirs.json()["code"] == "token.not_found"
    by_admin = c.post(f"/api/v1/users/{OTHER}/tokens", headers=_as(tokens, ADMIN), json={"name": "for cici"})
    assert by_admin.status_code == 201 and by_admin.json()["token"]["created_by"] == ADMIN
    assert c.delete(f"/api/v1/tokens/{other_id}", headers=_as(tokens, ADMIN)).json()["status"] == "revoked"
    twice = c.delete(f"/api/v1/tokens/{other_id}", headers=_as(tokens, ADMIN))
    assert twice.status_code == 422 and twice.json()["code"] == "invalid.token_already_revoked"
