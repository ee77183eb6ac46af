"""The authorisation matrix, generated from the app's route table, on both engines: every route under
``/api/v1`` × every role (administrator, officer, supervisor, a sponsor's staff, a regional viewer), and
no token, an expired token, a revoked token, and another sponsor's staff reaching this sponsor's
resources, against the declared tables in ``tests/api/access/*.yaml``.

- A route missing from the tables fails, and so does a table line naming no route.
- The table is held against the route's declared permissions (``requires``) and the roles catalogue: the
  roles listed are exactly those holding every permission the route declares.
- Each role not listed gets 403 ``auth.not_permitted``; each listed role gets past the gate (neither 401
  nor 403, never a 5xx); without a token, with an expired or a revoked one, 401 (``public`` routes
  excepted).
- Another sponsor's staff asking for KADIN's agreement, worker, bill, import, claim … by its real address
  gets 404, exactly as for an address that does not exist.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from lindung.api.app import API_PREFIX, api_routes, create_app
from lindung.api.auth import declared
from lindung.kit.db import utcnow
from lindung.users import credentials
from lindung.users.roles import catalogue
from lindung.workers.refs import worker_ref
from tests.api.support import Api, make_tokens
from tests.conftest import TestDatabase
from tests.users import actor, add_user

ACCESS = Path(__file__).parent / "access"
ROLES = {"administrator": "admin", "officer": "ani", "supervisor": "budi", "sponsor": "staf.kadin",
         "viewer": "disnaker"}
"""Each role and the user acting in it."""
OTHER_SPONSOR = "staf.desa"
PLACEHOLDER = re.compile(r"\{([a-z_]+)(?::[a-z]+)?\}")


def declared_table() -> dict[str, str | list[str]]:
    table: dict[str, str | list[str]] = {}
    for path in sorted(ACCESS.glob("*.yaml")):
        for route, roles in (yaml.safe_load(path.read_text()) or {}).items():
            assert route not in table, f"{route} is declared twice ({path.name})"
            table[route] = roles
    return table


def route_permissions(route: APIRoute) -> tuple[tuple[str, ...], bool, bool]:
    """The permissions the route's ``requires`` declare, whether it has one at all (a route without
    ``requires`` is public), and whether it is refused to scoped users."""
    found: list[str] = []
    gated = unscoped = False
    for dependency in route.dependant.dependencies:
        if dependency.call is not None and hasattr(dependency.call, "permissions"):
            gated = True
            found.extend(declared(dependency.call))
            unscoped = unscoped or bool(getattr(dependency.call, "unscoped", False))
    return tuple(found), gated, unscoped


def allowed_roles(entry: str | list[str]) -> set[str]:
    return set(ROLES) if entry in ("signed-in", "public") else set(entry)


@pytest.fixture(scope="module")
def route_table(tmp_path_factory: pytest.TempPathFactory) -> dict[str, APIRoute]:
    """The route table, checked against the app's OpenAPI document: no operation escapes it."""
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{tmp_path_factory.mktemp('routes') / 'routes.db'}")
    document = create_app(engine).openapi()
    operations = {f"{method.upper()} {path}" for path, item in document["paths"].items()
                  if path.startswith(API_PREFIX) for method in item}
    routes = api_routes()
    assert set(routes) == operations
    return routes


def test_the_tables_name_every_route_and_nothing_else(route_table: dict[str, APIRoute]) -> None:
    table = declared_table()
    assert sorted(set(route_table) - set(table)) == [], "routes missing from tests/api/access/*.yaml"
    assert sorted(set(table) - set(route_table)) == [], "table lines naming no route"


def test_the_tables_agree_with_each_route_s_declared_permissions(route_table: dict[str, APIRoute]) -> None:
    roles = catalogue().roles
    table = declared_table()
    wrong = {}
    for key, route in route_table.items():
        permissions, gated, unscoped = route_permissions(route)
        entry = table.get(key)
        if entry is None:
            continue
        if entry == "public":
            if gated:
                wrong[key] = "declared public, but the route requires a signed-in user"
            continue
        if not gated:
            wrong[key] = "the route has no requires(...): declare it, or mark it public"
            continue
        holding = {code for code in ROLES if set(permissions) <= roles[code].permissions
                   and not (unscoped and roles[code].scope != "none")}
        if holding != allowed_roles(entry):
            wrong[key] = f"table {sorted(allowed_roles(entry))}, permissions {permissions} give {sorted(holding)}"
    assert wrong == {}


# --- the gate, request by request -------------------------------------------------------------------

MISSING = {"int": "999999", "str": "TIDAK-ADA-999"}


def _dummy_path(path: str, route: APIRoute, user: str | None) -> str:
    """The route's path with each parameter an address that names nothing; a ``username`` is the
    acting user's own (a user's own tokens, password: the gate is what is tested here)."""
    kinds = {p.name: ("int" if p.field_info.annotation is int else "str") for p in route.dependant.path_params}

    def value(match: re.Match[str]) -> str:
        if match.group(1) == "username" and user in ROLES.values():
            return str(user)
        return MISSING[kinds.get(match.group(1), "str")]

    return PLACEHOLDER.sub(value, path)


@pytest.fixture
def gate(database: TestDatabase) -> Iterator[tuple[Api, dict[str, APIRoute], dict[str, str]]]:
    """Users in each role (a sponsor's staff for KADIN and for DESA, a viewer of Kabupaten Bekasi) with
    tokens; an expired and a revoked token of the officer."""
    from tests.billing import factories as bf

    with database.session() as s:
        bf.agreement(s)
        bf.agreement(s, "DESA-2026", sponsor="DESA", funding="apbdes")
        add_user(s, "staf.kadin", "sponsor", sponsor="KADIN")
        add_user(s, OTHER_SPONSOR, "sponsor", sponsor="DESA")
        add_user(s, "disnaker", "viewer", region="32.16")
        tokens = make_tokens(s, [*ROLES.values(), OTHER_SPONSOR])
        long_ago = utcnow() - dt.timedelta(days=400)
        _old, tokens["expired"] = credentials.create_token(s, "ani", name="old", expires=None, by=actor(s, "ani"),
                                                           now=long_ago)
        revoked, tokens["revoked"] = credentials.create_token(s, "ani", name="gone", expires=None,
                                                              by=actor(s, "ani"), now=utcnow())
        credentials.revoke_token(s, revoked.id, by=actor(s, "ani"), now=utcnow())
    app = create_app(database.engine)
    with TestClient(app) as client:
        yield Api(client, tokens), api_routes(), {}


def _call(api: Api, key: str, route: APIRoute, user: str | None) -> Any:
    method, path = key.split(" ", 1)
    kwargs: dict[str, Any] = {}
    if method in ("POST", "PUT", "PATCH"):
        kwargs["json"] = {}
    return api.request(method, _dummy_path(path, route, user), user, **kwargs)


def test_each_role_meets_the_gate_its_table_declares(gate: tuple[Api, dict[str, APIRoute], dict[str, str]]
                                                     ) -> None:
    api, routes, _ = gate
    table = declared_table()
    wrong = []
    for key, route in sorted(routes.items()):
        entry = table[key]
        for role, user in ROLES.items():
            answer = _call(api, key, route, user)
            if role in allowed_roles(entry):
                if answer.status_code in (401, 403) or answer.status_code >= 500:
                    wrong.append(f"{key} as {role}: {answer.status_code} {answer.text[:120]}")
            elif answer.status_code != 403 or answer.json().get("code") not in ("auth.not_permitted",
                                                                                 "auth.out_of_scope"):
                wrong.append(f"{key} as {role}: expected 403, got {answer.status_code} {answer.text[:120]}")
    assert wrong == []


def test_no_token_an_expired_or_a_revoked_one_is_401(gate: tuple[Api, dict[str, APIRoute], dict[str, str]]
                                                     ) -> None:
    api, routes, _ = gate
    table = declared_table()
    wrong = []
    for key, route in sorted(routes.items()):
        if table[key] == "public":
            continue
        for user, code in ((None, "auth.not_signed_in"), ("expired", "auth.token_invalid"),
                           ("revoked", "auth.token_invalid")):
            answer = _call(api, key, route, user)
            if answer.status_code != 401 or answer.json().get("code") != code:
                wrong.append(f"{key} with {user or 'no'} token: {answer.status_code} {answer.text[:100]}")
            elif "bearer" not in answer.headers.get("www-authenticate", "").lower():
                wrong.append(f"{key} with {user or 'no'} token: no WWW-Authenticate")
    assert wrong == []


# --- another sponsor's staff ------------------------------------------------------------------------

SAMPLE_BODIES: dict[str, dict[str, Any]] = {
    "POST /api/v1/users/{username}/tokens": {"name": "integrasi"},
    "PUT /api/v1/users/{username}/password": {"password": "kuda laut berenang di senja", "current_password": "x"},
}
"""A valid body for the routes a sponsor's staff may POST to, so that the answer is the service's."""
NOT_MINE = {"GET /api/v1/imports/jobs/{job_id}/errors", "GET /api/v1/imports/jobs/{job_id}/refused"}
"""Routes whose KADIN resource its own staff cannot read either: an import's reports are its starter's
(an officer's), and KADIN's staff started no import."""
OPEN_RESOURCES = {"regions"}
"""What every signed-in user reads alike (the Kemendagri regions): nobody's resource."""


def _kadin_files(database: TestDatabase, folder: Path) -> tuple[int, int]:
    """A file of KADIN's imported, and another proposed: (import id, proposal number)."""
    from lindung.enrolment import importing
    from tests.enrolment.import_files import person, upload, write_csv

    with database.session() as s:
        officer = actor(s, "ani")
    today = dt.date(2026, 11, 20)
    done = importing.import_file(database.engine, upload(write_csv(folder / "kadin.csv", [person()])), "KADIN-2026",
                                 by=officer, today=today)
    kept = importing.propose_file(database.engine, upload(write_csv(folder / "kadin-2.csv", [person()])),
                                  "KADIN-2026", by=officer, today=today)
    assert done.import_id is not None and kept.proposal_id is not None
    return done.import_id, kept.proposal_id


@pytest.fixture
def kadin_world(gate: tuple[Api, dict[str, APIRoute], dict[str, str]], database: TestDatabase, tmp_path: Path
                ) -> tuple[Api, dict[str, APIRoute], dict[str, str]]:
    """KADIN's resources, each by the value its address takes: a claim, an accident, a job and a token
    of KADIN's staff."""
    from lindung.claims import service as claims
    from lindung.jobs import service as jobs
    from tests.claims.factories import enrolled, new, paid_yearly, report

    api, routes, values = gate
    today = dt.date(2026, 11, 20)
    with database.session() as s:
        farmer = enrolled(s, occupation="petani", first="2026-01", name="Ujang Suparman",
                          heirs=[{"name": "Siti Aminah", "relationship": "spouse"}])
        paid_yearly(s, "2026-01", 1)
        claim = new(s, today, nik=farmer.nik, type="jkm", event_date="2026-11-02",
                    claimant={"name": "Siti Aminah", "relationship": "spouse"})
        accident = report(s, farmer.nik, dt.date(2026, 11, 10))
        new(s, today, nik=farmer.nik, type="jkk-stmb", event_date="2026-11-10", accident=accident.id, months=1)
        job = jobs.start(s, kind="import", params={}, by=actor(s, "staf.kadin"))
        token, _secret = credentials.create_token(s, "staf.kadin", name="erp", expires=None,
                                                  by=actor(s, "staf.kadin"), now=utcnow())
        del claims
        ref = worker_ref(farmer.id)
    imported, proposed = _kadin_files(database, tmp_path)
    bill = str(database.scalar("SELECT payment_code FROM bills ORDER BY id LIMIT 1"))
    receipt = str(database.scalar("SELECT receipt_no FROM payments ORDER BY id LIMIT 1"))
    values.update({"claims.number": claim.number, "accidents.accident_id": str(accident.id),
                   "jobs.job_id": str(job.id), "users.username": "staf.kadin", "tokens.token_id": str(token.id),
                   "workers.ref": ref, "agreements.code": "KADIN-2026", "sponsors.code": "KADIN",
                   "bills.code": bill, "receipts.number": receipt, "imports.import_id": str(imported),
                   "imports.job_id": str(job.id), "proposals.proposal_id": str(proposed)})
    return api, routes, values


def test_another_sponsor_s_staff_get_404_for_this_sponsor_s_resources(
        kadin_world: tuple[Api, dict[str, APIRoute], dict[str, str]]) -> None:
    api, routes, values = kadin_world
    table = declared_table()
    wrong, tried = [], 0
    for key in sorted(routes):
        method, path = key.split(" ", 1)
        params = PLACEHOLDER.findall(path)
        if not params or "sponsor" not in allowed_roles(table[key]) or table[key] == "public":
            continue
        resource = path[len(API_PREFIX) + 1:].split("/")[0]
        if resource in OPEN_RESOURCES:
            continue
        missing = [p for p in params if f"{resource}.{p}" not in values]
        if missing:
            wrong.append(f"{key}: no KADIN resource for {missing} in kadin_world")
            continue
        real = PLACEHOLDER.sub(lambda m, r=resource: values[f"{r}.{m.group(1)}"], path)  # type: ignore[misc]
        kwargs: dict[str, Any] = {}
        if method in ("POST", "PUT", "PATCH"):
            kwargs["json"] = SAMPLE_BODIES.get(key, {})
        mine = api.request(method, real, "staf.kadin", **kwargs) if method == "GET" and key not in NOT_MINE else None
        if mine is not None and mine.status_code in (403, 404):
            wrong.append(f"{key}: KADIN's own staff get {mine.status_code} for {real}")
        answer = api.request(method, real, OTHER_SPONSOR, **kwargs)
        tried += 1
        # a user's own things (tokens) are refused to anyone else but an administrator, whoever asks
        expected = 403 if resource == "users" else 404
        if answer.status_code != expected:
            wrong.append(f"{key} as DESA's staff: {answer.status_code} {answer.text[:120]}")
    assert wrong == [], "\n".join(wrong)
    assert tried >= 5
