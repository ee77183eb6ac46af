"""Claims over HTTP, on both engines: a JKM from entry to payment through ``/api/v1`` with bearer
tokens of an officer, a supervisor and a cashier; the letter as a PDF; and every refusal as a problem
document with the CLI's code: no token, a bad token, the wrong role, another sponsor's staff (404, so
that a claim's existence does not leak), the maker approving, a second payment, a file that is no
document, a request the API cannot read."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from lindung.api.app import create_app
from lindung.claims import documents as store
from lindung.kit import clock
from lindung.kit.db import utcnow
from lindung.users import credentials
from tests.billing import factories as bf
from tests.claims.factories import enrolled, paid_yearly, png
from tests.conftest import TestDatabase
from tests.users import actor, add_user

BRANCH_DAY = dt.date(2026, 11, 20)
OFFICER, SUPERVISOR, CASHIER = "ani.petugas", "budi.supervisor", "kasir"


class Api:
    """A test client and a bearer token per user."""

    def __init__(self, client: TestClient, tokens: dict[str, str], nik: str) -> None:
        self.client, self.tokens, self.nik = client, tokens, nik

    def as_(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}


@pytest.fixture
def api(database: TestDatabase, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Api]:
    """KADIN-2026 paid for 2026, a farmer with his wife recorded as heir; another sponsor's staff and a
    regional viewer; a token for each user the tests act as."""
    monkeypatch.setattr(clock, "today", lambda: BRANCH_DAY)
    monkeypatch.setenv(store.ENV_DOCUMENTS_DIR, str(tmp_path / "documents"))
    with database.session() as s:
        bf.agreement(s)
        bf.agreement(s, "DESA-2026", sponsor="DESA", funding="apbdes")
        farmer = enrolled(s, occupation="petani", first="2026-01", name="Ujang Suparman",
                          heirs=[{"name": "Siti Aminah", "relationship": "spouse"}])
        paid_yearly(s, "2026-01", 1)
        add_user(s, "staf.desa", "sponsor", sponsor="DESA")
        add_user(s, "staf.kadin", "sponsor", sponsor="KADIN")
        add_user(s, "disnaker", "viewer", region="32.16")
        tokens = {}
        for user in (OFFICER, SUPERVISOR, CASHIER, "cici", "staf.desa", "staf.kadin", "disnaker"):
            _read, secret = credentials.create_token(s, user, name="test", expires=None, by=actor(s, user),
                                                     now=utcnow())
            tokens[user] = secret
        nik = farmer.nik
    with TestClient(create_app(database.engine)) as client:
        yield Api(client, tokens, nik)


def _jkm(api: Api) -> str:
    answer = api.client.post("/api/v1/claims", headers=api.as_(OFFICER), json={
        "nik": api.nik, "type": "jkm", "event_date": "2026-11-02",
        "claimant": {"name": "Siti Aminah", "relationship": "spouse"},
        "account": {"bank": "BRI", "number": "0123456789012", "holder": "Siti Aminah"}})
    assert answer.status_code == 201, answer.text
    claim = answer.json()
    assert (claim["status"], claim["total"], claim["eligible"]) == ("draft", 42_000_000, True)
    return str(claim["number"])


def _documents(api: Api, number: str) -> dict[str, object]:
    claim = api.client.get(f"/api/v1/claims/{number}", headers=api.as_(OFFICER)).json()
    for i, d in enumerate(claim["documents"]):
        if d["required"] and not d["received"]:
            answer = api.client.post(f"/api/v1/claims/{number}/documents", headers=api.as_(OFFICER),
                                     data={"code": d["code"]},
                                     files={"file": (f"{d['code']}.png", png(i + 7), "image/png")})
            assert answer.status_code == 200, answer.text
            claim = answer.json()
    return dict(claim)


def test_a_jkm_from_entry_to_payment_over_http(api: Api) -> None:
    number = _jkm(api)
    claim = _documents(api, number)
    assert all(d["received"] for d in claim["documents"] if d["required"])  # type: ignore[attr-defined]
    for step in ("submit", "verify"):
        answer = api.client.post(f"/api/v1/claims/{number}/{step}", headers=api.as_(OFFICER))
        assert answer.status_code == 200, answer.text
    maker = api.client.post(f"/api/v1/claims/{number}/approve", headers=api.as_(OFFICER))
    assert maker.status_code == 403 and maker.json()["code"] == "auth.not_permitted"  # officers never approve
    approved = api.client.post(f"/api/v1/claims/{number}/approve", headers=api.as_(SUPERVISOR))
    assert approved.status_code == 200 and approved.json()["approved_by"] == SUPERVISOR
    paid = api.client.post(f"/api/v1/claims/{number}/pay", headers=api.as_(CASHIER),
                           json={"reference": "TRF-0001", "paid_on": "2026-11-20"})
    assert paid.status_code == 200
    assert paid.json()["payment"]["amount"] == 42_000_000 and paid.json()["status"] == "paid"
    again = api.client.post(f"/api/v1/claims/{number}/pay", headers=api.as_(CASHIER),
                            json={"reference": "TRF-0002", "paid_on": "2026-11-20"})
    assert again.status_code == 409 and again.json()["code"] == "claims.already_paid"
    assert [s["status"] for s in paid.json()["history"]] == ["draft", "submitted", "verified", "approved", "paid"]
    letter = api.client.get(f"/api/v1/claims/{number}/letter", headers={**api.as_(OFFICER), "Accept-Language": "en"})
    assert letter.status_code == 200 and letter.headers["content-type"] == "application/pdf"
    text = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.content)).pages).split())
    assert "Rp42.000.000" in text and "Forty-two million rupiah" in text and "Siti Aminah" in text
    assert api.nik not in text
    page = api.client.get("/api/v1/claims", params={"status": "paid", "limit": 10}, headers=api.as_(OFFICER))
    assert page.status_code == 200
    assert [r["number"] for r in page.json()["items"]] == [number] and page.json()["total"] == 1


def test_the_supervisor_who_entered_a_claim_may_not_approve_it(api: Api, database: TestDatabase) -> None:
    with database.session() as s:
        _read, secret = credentials.create_token(s, "citra.supervisor", name="t", expires=None,
                                                 by=actor(s, "citra.supervisor"), now=utcnow())
    api.tokens["citra.supervisor"] = secret
    answer = api.client.post("/api/v1/claims", headers=api.as_("citra.supervisor"), json={
        "nik": api.nik, "type": "jkm", "event_date": "2026-11-02",
        "claimant": {"name": "Siti Aminah", "relationship": "spouse"},
        "account": {"bank": "BRI", "number": "0123456789012", "holder": "Siti Aminah"}})
    number = answer.json()["number"]
    _documents(api, number)
    api.client.post(f"/api/v1/claims/{number}/submit", headers=api.as_(OFFICER))
    api.client.post(f"/api/v1/claims/{number}/verify", headers=api.as_(OFFICER))
    refused = api.client.post(f"/api/v1/claims/{number}/approve", headers=api.as_("citra.supervisor"))
    assert refused.status_code == 403 and refused.json()["code"] == "claims.four_eyes"
    status = api.client.get(f"/api/v1/claims/{number}", headers=api.as_(OFFICER)).json()["status"]
    assert status == "verified"


def test_who_may_not_is_told_so_and_another_sponsor_s_claim_does_not_exist(api: Api) -> None:
    number = _jkm(api)
    none = api.client.get(f"/api/v1/claims/{number}")
    assert none.status_code == 401 and none.json()["code"] == "auth.not_signed_in"
    assert none.headers["www-authenticate"].startswith("Bearer")
    bad = api.client.get(f"/api/v1/claims/{number}", headers={"Authorization": "Bearer lind_not-a-token"})
    assert bad.status_code == 401 and bad.json()["code"] == "auth.token_invalid"
    other = api.client.get(f"/api/v1/claims/{number}", headers=api.as_("staf.desa"))
    assert other.status_code == 404 and other.json()["code"] == "claims.not_found"
    own = api.client.get(f"/api/v1/claims/{number}", headers=api.as_("staf.kadin"))
    assert own.status_code == 200 and own.json()["nik"].count("*") == 8
    viewer = api.client.get("/api/v1/claims", headers=api.as_("disnaker"))
    assert viewer.status_code == 403 and viewer.json()["code"] == "auth.not_permitted"
    sponsor_writes = api.client.post(f"/api/v1/claims/{number}/submit", headers=api.as_("staf.kadin"))
    assert sponsor_writes.status_code == 403


def test_bad_input_is_a_problem_document_never_a_500(api: Api) -> None:
    number = _jkm(api)
    officer = api.as_(OFFICER)
    not_a_pdf = api.client.post(f"/api/v1/claims/{number}/documents", headers=officer, data={"code": "ktp"},
                                files={"file": ("ktp.pdf", b"just text, not a PDF", "application/pdf")})
    assert not_a_pdf.status_code == 422 and not_a_pdf.json()["code"] == "invalid.document_type"
    too_large = api.client.post(f"/api/v1/claims/{number}/documents", headers=officer, data={"code": "ktp"},
                                files={"file": ("big.png", b"\0" * (store.MAX_BYTES + 1), "image/png")})
    assert too_large.status_code == 422 and too_large.json()["code"] == "invalid.document_too_large"
    unknown_code = api.client.post(f"/api/v1/claims/{number}/documents", headers=officer, data={"code": "nope"},
                                   files={"file": ("ktp.png", png(3), "image/png")})
    assert unknown_code.status_code == 422 and unknown_code.json()["code"] == "invalid.document_code"
    malformed = api.client.post("/api/v1/claims", headers={**officer, "Content-Type": "application/json"},
                                content=b'{"nik": "32', )
    assert malformed.status_code == 422 and malformed.json()["code"] == "invalid_request"
    wrong = api.client.post("/api/v1/claims", headers=officer,
                            json={"nik": api.nik, "type": "jkm", "event_date": "2026-02-30"})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "event_date"
    letters = api.client.post("/api/v1/claims", headers=officer,
                              json={"nik": "32160141O7950001", "type": "jkm", "event_date": "2026-11-02"})
    assert letters.status_code == 422 and letters.json()["code"] == "invalid.nik"
    unknown_type = api.client.post("/api/v1/claims", headers={**officer, "Accept-Language": "en"},
                                   json={"nik": api.nik, "type": "jkx", "event_date": "2026-11-02"})
    assert unknown_type.status_code == 422 and "Unknown claim type" in unknown_type.json()["detail"]
    missing = api.client.get("/api/v1/claims/KL-2026-999999", headers=officer)
    assert missing.status_code == 404 and missing.json()["code"] == "claims.not_found"
    page = api.client.get("/api/v1/claims", params={"limit": 501}, headers=officer)
    assert page.status_code == 422


def test_an_accident_reported_and_its_outcome_over_http(api: Api) -> None:
    officer = api.as_(OFFICER)
    reported = api.client.post("/api/v1/accidents", headers=officer, json={
        "nik": api.nik, "occurred_on": "2026-11-18", "occurred_time": "06:30", "place": "Sawah Karangharja",
        "what": "Terjatuh dari pematang", "reporter": "family", "reported_by": "Siti Aminah"})
    assert reported.status_code == 201, reported.text
    accident = reported.json()["id"]
    outcome = api.client.post(f"/api/v1/accidents/{accident}/outcome", headers=officer,
                              json={"outcome": "disabled", "on": "2026-11-19", "percent": "10",
                                    "assessed_by": "dr. Hasan"})
    assert outcome.status_code == 200 and outcome.json()["percent"] == "10"
    again = api.client.post(f"/api/v1/accidents/{accident}/outcome", headers=officer,
                            json={"outcome": "recovered"})
    assert again.status_code == 409 and again.json()["code"] == "claims.outcome_recorded"
    claim = api.client.post("/api/v1/claims", headers=officer, json={
        "nik": api.nik, "type": "jkk-disability-partial", "event_date": "2026-11-19", "accident": accident})
    assert claim.status_code == 201 and claim.json()["total"] == 8_000_000  # 10% × 80 × Rp1.000.000
