"""The public checks' doors without a browser: ``/cek``, ``/cek-klaim`` (as a visitor) and
``/api/v1/public/…`` (without a token): the same answers, bad input a 422 by its field in Indonesian
(English on request), too many checks a 429 with ``Retry-After``, never a 500, never the full NIK back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from lindung.api.app import create_app
from lindung.public import service
from tests.billing import factories as bf
from tests.conftest import TestDatabase
from tests.public.world import World, build
from tests.web.support import page_client

COVERAGE, CLAIM = "/api/v1/public/coverage-check", "/api/v1/public/claim-status"
BAD = [
    ({"nik": "32160141079500AB", "birth_date": "1990-01-01"}, "nik"),
    ({"nik": "321601410795000", "birth_date": "1990-01-01"}, "nik"),
    ({"nik": "3216014107950001", "birth_date": "2026-02-30"}, "birth_date"),
]


@pytest.fixture
def app(sqlite_database: TestDatabase) -> FastAPI:
    return create_app(sqlite_database.engine)


@pytest.fixture
def api(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.mark.parametrize(("body", "field"), BAD)
def test_the_api_refuses_bad_input_by_field_in_the_reader_s_language(api: TestClient, body: dict[str, str],
                                                                     field: str) -> None:
    answer = api.post(COVERAGE, json=body)
    assert answer.status_code == 422 and answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert [e["field"] for e in problem["errors"]] == [field]
    assert ("NIK harus 16 angka" if field == "nik" else "Tanggal lahir tidak valid") in problem["detail"]
    english = api.post(COVERAGE, json=body, headers={"Accept-Language": "en"}).json()
    assert ("The NIK must be 16 digits" if field == "nik" else "Invalid birth date") in english["detail"]
    assert body["nik"] not in answer.text


def test_the_api_refuses_a_bad_claim_number_and_payee_nik(api: TestClient) -> None:
    answer = api.post(CLAIM, json={"number": "KL 2026 <script>", "payee_nik": "3216014107950001"})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "number"
    answer = api.post(CLAIM, json={"number": "KL-2026-000001", "payee_nik": "12"})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "payee_nik"
    assert api.post(CLAIM, json={"number": "KL-2026-000001"}).status_code == 422


@pytest.mark.parametrize(("body", "field"), BAD)
def test_the_page_refuses_bad_input_by_field_and_never_echoes_the_nik(app: FastAPI, body: dict[str, str],
                                                                      field: str) -> None:
    with page_client(app) as visitor:
        assert visitor.get("/cek").status_code == 200
        answer = visitor.post("/cek", body)
    assert answer.status_code == 422
    assert 'id="e-' + field + '"' in answer.text and 'href="#f-' + field + '"' in answer.text
    assert body["nik"] not in answer.text


def test_the_claim_page_refuses_bad_input(app: FastAPI) -> None:
    with page_client(app) as visitor:
        answer = visitor.post("/cek-klaim", {"number": "", "payee_nik": "abc"})
    assert answer.status_code == 422 and 'id="e-number"' in answer.text


def _api_check(api: TestClient, nik: str, born: Any, **headers: str) -> Any:
    return api.post(COVERAGE, json={"nik": nik, "birth_date": str(born)}, headers=headers)


def test_the_api_and_the_pages_answer_alike_and_refuse_past_the_limit(database: TestDatabase,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "MIN_SECONDS", 0.0)
    with database.session() as s:
        world: World = build(s)
    app = create_app(database.engine)
    with TestClient(app) as api:
        yes = _api_check(api, world.protected_nik, world.protected_born)
        assert yes.status_code == 200, yes.text
        body = yes.json()
        assert (body["protected"], body["name"]) == (True, "J*** H******")
        assert body["message"].startswith("J*** H****** terlindungi sampai ")
        assert world.protected_nik not in yes.text
        no = _api_check(api, world.lapsed_nik, world.lapsed_born, **{"Accept-Language": "en"}).json()
        assert (no["protected"], no["name"], no["until"], no["message"]) == (False, None, None, "Not protected.")
        assert set(no) == set(body)
        claim = api.post(CLAIM, json={"number": world.claim_number.lower(), "payee_nik": world.payee_nik}).json()
        assert (claim["found"], claim["stage"], claim["stage_label"]) == (True, "paid", "dibayar")
        assert claim["paid_on"] == world.claim_paid_on.isoformat()
        missing = api.post(CLAIM, json={"number": world.claim_number, "payee_nik": world.lapsed_nik}).json()
        assert (missing["found"], missing["stage"], missing["message"]) == (False, None, "Tidak ditemukan.")
    with page_client(app) as visitor:
        page = visitor.post("/cek", {"nik": world.protected_nik, "birth_date": world.protected_born.isoformat()})
        assert page.status_code == 200 and "J*** H****** terlindungi sampai" in page.text
        assert world.protected_nik not in page.text and world.protected_nik[-4:] in page.text
        # the API's four checks and this page's one came from the same test client: 20 in all, then refused
        for _ in range(service.CHECKS_PER_CLIENT.count - 5):
            assert visitor.post("/cek", {"nik": bf.nik(), "birth_date": "1990-01-01"}).status_code == 200
        refused = visitor.post("/cek", {"nik": bf.nik(), "birth_date": "1990-01-01"})
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
        assert "Terlalu banyak pemeriksaan" in refused.text
    with TestClient(app) as api:
        over = _api_check(api, world.protected_nik, world.protected_born)
        assert over.status_code == 429 and over.json()["code"] == "public.too_many_checks"
        assert int(over.headers["Retry-After"]) > 0
