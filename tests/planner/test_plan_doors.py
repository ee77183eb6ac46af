"""The planner's doors on both engines: ``lindung plan``, ``POST /api/v1/planner`` and the ``/rencana``
page give the service's answer, and refuse bad input by its field (422, exit 2), never a 500."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lindung.api.app import create_app
from lindung.users import credentials
from tests.api.support import Api, assert_problem, make_tokens
from tests.conftest import TestDatabase
from tests.users import actor
from tests.web.support import PageClient

FULL = 10_000 + 6_800
HALF = FULL // 2
PASSWORD = "rencana-anggaran-kadin-2026"


def test_the_command_line_plans_a_budget(cli: Any, database: TestDatabase) -> None:
    r = cli("plan", "--budget", "201.600.000", "--from", "2025-01", "--to", "2025-12", "--funding", "kadin",
            "--mix", "lainnya", "--json", "--by", "ani")
    assert r.exit_code == 0, r.stderr
    out = r.json()
    assert (out["workers"], out["worker_months"], out["left"]) == (1_000, 12_000, 0)
    r = cli("plan", "--workers", "1000", "--from", "2026-01", "--months", "12", "--funding", "kadin",
            "--mix", "petani=1", "--by", "ani")
    assert r.exit_code == 0, r.stderr
    assert "Rp8.400" in r.out and f"Rp{1_000 * (3 * FULL + 9 * HALF):,}".replace(",", ".") in r.out


@pytest.mark.parametrize(("args", "word"), [
    (["--budget", "seribu"], "Anggaran"),
    (["--budget", "-5"], "Anggaran"),
    (["--budget", "1", "--to", "2024-01"], "lebih awal"),
    (["--budget", "1", "--funding", "dermawan"], "Sumber dana"),
    (["--budget", "1", "--mix", ""], "Komposisi"),
])
def test_the_command_line_refuses_bad_input(cli: Any, database: TestDatabase, args: list[str], word: str) -> None:
    base = {"--from": "2025-01", "--to": "2025-12", "--funding": "kadin", "--mix": "lainnya"}
    given = dict(zip(args[::2], args[1::2], strict=True))
    flat = [x for k, v in {**base, **given}.items() for x in (k, v)]
    r = cli("plan", *flat, "--by", "ani")
    assert r.exit_code == 2, r.stdout + r.stderr
    assert word in r.stderr + r.stdout


@pytest.fixture
def api(database: TestDatabase) -> Iterator[Api]:
    with Session(database.engine) as s:
        tokens = make_tokens(s, ["ani", "admin"])
        s.commit()
    with TestClient(create_app(database.engine)) as client:
        yield Api(client, tokens)


BODY = {"first_month": "2026-01", "last_month": "2026-12", "funding": "kadin", "budget": 201_600_000,
        "mix": [{"occupation": "lainnya"}]}


def test_the_api_plans_with_plan_use(api: Api) -> None:
    answer = api.post("/api/v1/planner", "ani", json=BODY)
    assert answer.status_code == 200, answer.text
    out = answer.json()
    assert out["workers"] == 201_600_000 // (3 * FULL + 9 * HALF) and out["rows"][3]["sectors"][0]["price"] == HALF
    assert_problem(api.post("/api/v1/planner", "admin", json=BODY), 403, "auth.not_permitted")
    assert_problem(api.post("/api/v1/planner", None, json=BODY), 401)


@pytest.mark.parametrize(("change", "field"), [
    ({"budget": "seribu"}, "budget"), ({"budget": -1}, "budget"), ({"last_month": "2025-01"}, "last_month"),
    ({"funding": "dermawan"}, "funding"), ({"mix": []}, "mix"),
])
def test_the_api_refuses_bad_input_by_its_field(api: Api, change: dict[str, Any], field: str) -> None:
    body = assert_problem(api.post("/api/v1/planner", "ani", json={**BODY, **change}), 422)
    assert field in str(body)


@pytest.fixture
def officer(database: TestDatabase) -> Iterator[PageClient]:
    with Session(database.engine) as s:
        credentials.set_password(s, "ani", PASSWORD, by=actor(s, "admin"), now=dt.datetime.now(dt.UTC))
        s.commit()
    with TestClient(create_app(database.engine), follow_redirects=False) as client:
        made = PageClient(client)
        assert made.sign_in("ani", PASSWORD).status_code == 303
        yield made


FORM = {"budget": "201.600.000", "first_month": "2025-01", "last_month": "2025-12", "funding": "kadin",
        "mix_occupation_1": "lainnya", "mix_count_1": "1"}


def test_the_page_plans_a_budget(officer: PageClient) -> None:
    assert officer.get("/rencana").status_code == 200
    answer = officer.post("/rencana", FORM)
    assert answer.status_code == 200, answer.text[-2000:]
    assert "1.000 pekerja × 12 bulan = 12.000 pekerja-bulan" in answer.text


@pytest.mark.parametrize(("change", "field"), [
    ({"budget": "seribu"}, "budget"), ({"budget": "-5"}, "budget"), ({"last_month": "2024-12"}, "last_month"),
    ({"funding": "dermawan"}, "funding"), ({"mix_occupation_1": "", "mix_count_1": ""}, "mix"),
])
def test_the_page_refuses_bad_input_next_to_its_field(officer: PageClient, change: dict[str, str], field: str) -> None:
    answer = officer.post("/rencana", {**FORM, **change})
    assert answer.status_code == 422, answer.text[-1000:]
    assert f'id="e-{field}"' in answer.text


def test_the_page_refuses_a_broken_file(officer: PageClient) -> None:
    answer = officer.post("/rencana", FORM, files={"berkas": ("daftar.xlsx", b"PK\x03\x04rusak", "application/zip")})
    assert answer.status_code == 422 and 'id="e-berkas"' in answer.text
