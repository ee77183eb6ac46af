"""The registry over HTTP, on both engines: regions, occupations and workers through ``/api/v1``.

A worker is addressed by an opaque ref, never by NIK (a NIK travels only in a body); NIKs are masked
except through ``unmask``, which needs a reason and is audited. A sponsor's staff reach only the workers
their sponsor enrolled (another's: 404, as a ref of nobody); a regional viewer no worker at all (403).
Every refusal is a problem document with the CLI's code."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from lindung.api.app import create_app
from lindung.kit import clock
from lindung.kit.privacy import mask_nik
from lindung.workers.refs import worker_ref
from tests import factories as f
from tests.api.support import Api, assert_problem, make_tokens
from tests.conftest import TestDatabase
from tests.users import add_user

TODAY = f.TODAY
OFFICER, SUPERVISOR, ADMIN, KADIN_STAFF, VIEWER = "ani", "budi", "admin", "staf.kadin", "disnaker"
WORKER_ROUTES = (("GET", "/api/v1/workers?q=Asep"), ("POST", "/api/v1/workers"), ("POST", "/api/v1/workers/lookup"),
                 ("GET", "/api/v1/workers/{ref}"), ("PATCH", "/api/v1/workers/{ref}"),
                 ("POST", "/api/v1/workers/{ref}/unmask"), ("GET", "/api/v1/workers/{ref}/history"),
                 ("POST", "/api/v1/agreements/KADIN-2026/enrolments"))


@dataclass
class Registry:
    api: Api
    kadin_nik: str
    kadin_ref: str
    desa_nik: str
    desa_ref: str
    free_nik: str
    free_ref: str


@pytest.fixture
def registry(database: TestDatabase, monkeypatch: pytest.MonkeyPatch) -> Iterator[Registry]:
    """KADIN-2026 with one worker enrolled, DESA-2026 with another, a third enrolled nowhere; the staff of
    KADIN and a regional viewer."""
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    with database.session() as s:
        f.make_agreement(s)
        f.make_agreement(s, "DESA-2026", sponsor="DESA", funding="apbdes")
        kadin = f.make_worker(s, name="Asep Saputra")
        f.enrol(s, kadin)
        desa = f.make_worker(s, name="Asep Sunandar")
        f.enrol(s, desa, "DESA-2026")
        free = f.make_worker(s, name="Ujang Suparman", desa=f.DESA_PEBAYURAN)
        add_user(s, KADIN_STAFF, "sponsor", sponsor="KADIN")
        add_user(s, VIEWER, "viewer", region="32.16")
        tokens = make_tokens(s, (OFFICER, SUPERVISOR, ADMIN, KADIN_STAFF, VIEWER))
        ids = (kadin.nik, worker_ref(kadin.id), desa.nik, worker_ref(desa.id), free.nik, worker_ref(free.id))
    with TestClient(create_app(database.engine)) as client:
        yield Registry(Api(client, tokens), *ids)


NEW = {"nik": f.nik(kecamatan="13", born=dt.date(1985, 3, 9), sex="P"), "name": "Siti Rahayu",
       "domicile": f.DESA_PEBAYURAN, "occupation": "petani", "income": 2_750_000, "phone": "081234567890",
       "heirs": [{"name": "Dedi Kurnia", "relationship": "suami"}]}


# --- workers --------------------------------------------------------------------------------------


def test_a_worker_registered_read_found_and_updated_by_ref(registry: Registry) -> None:
    api = registry.api
    answer = api.post("/api/v1/workers", OFFICER, json=NEW)
    assert answer.status_code == 201, answer.text
    made = answer.json()
    ref = made["ref"]
    assert made["nik"] == mask_nik(NEW["nik"]) and made["masked"] and NEW["nik"] not in answer.text
    assert (made["sex"], made["birth_date"], made["domicile"]["code"]) == ("P", "1985-03-09", f.DESA_PEBAYURAN)
    assert made["declared_income"] == 2_750_000 and made["occupation"]["transport"] is False
    assert made["heirs"] == [{"name": "Dedi Kurnia", "relationship": "spouse", "nik": None}]
    assert made["registered"]["by"] == OFFICER and made["registered"]["source"] == "api"
    assert made["phone"] != NEW["phone"]  # masked too
    shown = api.get(f"/api/v1/workers/{ref}", OFFICER)
    assert shown.status_code == 200 and shown.json() == made
    looked_up = api.post("/api/v1/workers/lookup", KADIN_STAFF, json={"nik": registry.kadin_nik})
    assert looked_up.status_code == 200 and looked_up.json()["ref"] == registry.kadin_ref
    assert looked_up.json()["enrolments"][0]["agreement"] == "KADIN-2026"
    assert api.post("/api/v1/workers/lookup", OFFICER, json={"nik": NEW["nik"]}).json()["ref"] == ref

    changed = api.patch(f"/api/v1/workers/{ref}", OFFICER, json={"name": "Siti Rahayu Ningsih", "income": 3_100_000})
    assert changed.status_code == 200, changed.text
    assert changed.json()["changed"] == ["name", "income"]
    assert changed.json()["declared_income"] == 3_100_000 and changed.json()["ref"] == ref
    same = api.patch(f"/api/v1/workers/{ref}", OFFICER, json={"name": "Siti Rahayu Ningsih"})
    assert same.status_code == 200 and same.json()["changed"] == []
    nothing = api.patch(f"/api/v1/workers/{ref}", OFFICER, json={})
    assert_problem(nothing, 422, "invalid.changes")


def test_a_search_pages_in_the_database_with_refs_and_masked_niks(registry: Registry) -> None:
    api = registry.api
    first = api.get("/api/v1/workers", OFFICER, params={"q": "asep", "limit": 1})
    assert first.status_code == 200, first.text
    page = first.json()
    assert (page["total"], page["offset"], page["limit"], page["next_offset"]) == (2, 0, 1, 1)
    assert [w["name"] for w in page["items"]] == ["Asep Saputra"] and not page["alike"]
    assert page["items"][0]["ref"] == registry.kadin_ref
    assert page["items"][0]["nik"] == mask_nik(registry.kadin_nik)
    second = api.get("/api/v1/workers", OFFICER, params={"q": "asep", "limit": 1, "offset": 1}).json()
    assert [w["ref"] for w in second["items"]] == [registry.desa_ref] and second["next_offset"] is None
    by_region = api.get("/api/v1/workers", OFFICER, params={"region": "32.16.13"}).json()
    assert [w["ref"] for w in by_region["items"]] == [registry.free_ref]
    by_agreement = api.get("/api/v1/workers", OFFICER, params={"agreement": "DESA-2026"}).json()
    assert [w["ref"] for w in by_agreement["items"]] == [registry.desa_ref]
    assert by_agreement["items"][0]["enrolments"] == [{"agreement": "DESA-2026", "from": "2026-01", "to": "2026-12"}]
    digits = api.get("/api/v1/workers", OFFICER, params={"q": registry.free_nik[-4:]}).json()
    assert registry.free_ref in [w["ref"] for w in digits["items"]]
    alike = api.get("/api/v1/workers", OFFICER, params={"q": "Oedjang", "region": "32.16"}).json()
    assert alike["alike"] and [w["ref"] for w in alike["items"]] == [registry.free_ref]
    assert_problem(api.get("/api/v1/workers", OFFICER), 422, "invalid.search_empty")
    assert_problem(api.get("/api/v1/workers", OFFICER, params={"q": "12"}), 422, "invalid.nik_digits")
    assert_problem(api.get("/api/v1/workers", OFFICER, params={"q": "asep", "limit": 501}), 422, "invalid_request")
    assert_problem(api.get("/api/v1/workers", OFFICER, params={"q": "asep", "offset": -1}), 422)
    assert_problem(api.get("/api/v1/workers", OFFICER, params={"region": "99.99"}), 422, "invalid.region_unknown")
    assert_problem(api.get("/api/v1/workers", OFFICER, params={"agreement": "NOPE-1"}), 404, "agreement.not_found")


def test_unmasking_needs_the_permission_and_a_reason_which_the_audit_log_keeps(registry: Registry) -> None:
    api, ref = registry.api, registry.kadin_ref
    reason = f"Klaim JKM: ahli waris membawa KTP {registry.kadin_nik}"
    answer = api.post(f"/api/v1/workers/{ref}/unmask", OFFICER, json={"reason": reason})
    assert answer.status_code == 200, answer.text
    assert answer.json()["nik"] == registry.kadin_nik and not answer.json()["masked"]
    for empty in ("", "   "):
        body = assert_problem(api.post(f"/api/v1/workers/{ref}/unmask", OFFICER, json={"reason": empty}), 422)
        assert body["errors"][0]["field"] == "reason"
    assert_problem(api.post(f"/api/v1/workers/{ref}/unmask", OFFICER, json={"reason": "x" * 501}), 422)
    assert_problem(api.post(f"/api/v1/workers/{ref}/unmask", OFFICER, json={}), 422, "invalid_request")
    assert_problem(api.post(f"/api/v1/workers/{ref}/unmask", KADIN_STAFF, json={"reason": "lihat"}), 403,
                   "auth.not_permitted")
    assert_problem(api.post(f"/api/v1/workers/{ref}/unmask", ADMIN, json={"reason": "lihat"}), 403)

    history = api.get(f"/api/v1/workers/{ref}/history", SUPERVISOR)
    assert history.status_code == 200, history.text
    [entry] = [e for e in history.json()["items"] if e["action"] == "worker.unmask"]
    assert entry["actor"] == OFFICER and entry["data"]["reason"] == reason.replace(
        registry.kadin_nik, mask_nik(registry.kadin_nik))
    assert registry.kadin_nik not in history.text
    assert api.get(f"/api/v1/workers/{ref}/history", ADMIN).status_code == 200
    assert_problem(api.get(f"/api/v1/workers/{ref}/history", OFFICER), 403, "auth.not_permitted")
    assert_problem(api.get(f"/api/v1/workers/{ref}/history", KADIN_STAFF), 403)
    assert_problem(api.get("/api/v1/workers/AAAAAAAA/history", SUPERVISOR), 404, "worker.not_found")


def test_bad_input_is_a_problem_document_naming_the_field(registry: Registry) -> None:
    api = registry.api

    def refused(changes: dict[str, object], code: str, field: str) -> None:
        body = assert_problem(api.post("/api/v1/workers", OFFICER, json={**NEW, **changes}), 422, code)
        assert field in [e["field"] for e in body["errors"]], body

    refused({"name": '=HYPERLINK("http://x.example","klik")'}, "invalid.name_formula", "name")
    refused({"nik": "32160149O3850001"}, "invalid.nik", "nik")
    refused({"domicile": "32.16.99.9999"}, "invalid.region_unknown", "domicile")
    refused({"birth_date": "2026-02-30"}, "invalid_request", "birth_date")
    refused({"income": "banyak"}, "invalid_request", "income")
    refused({"occupation": "astronaut"}, "invalid.occupation", "occupation")
    refused({"heirs": [{"name": "=1+1", "relationship": "anak"}]}, "invalid.name_formula", "heir")
    refused({"extra": 1}, "invalid_request", "extra")
    missing = assert_problem(api.post("/api/v1/workers", OFFICER, json={"nik": NEW["nik"]}), 422, "invalid_request")
    assert {"name", "domicile", "occupation"} <= {e["field"] for e in missing["errors"]}
    malformed = api.post("/api/v1/workers", OFFICER, content=b'{"nik": ', headers={"Content-Type": "application/json"})
    assert_problem(malformed, 422, "invalid_request")
    english = api.post("/api/v1/workers", OFFICER, json={**NEW, "nik": "12ab"}, headers={"Accept-Language": "en"})
    assert "NIK" in assert_problem(english, 422, "invalid.nik")["detail"]
    assert_problem(api.post("/api/v1/workers/lookup", OFFICER, json={"nik": "3216abcd"}), 422, "invalid.nik")
    assert_problem(api.post("/api/v1/workers/lookup", OFFICER, json={"nik": 3216}), 422, "invalid_request")
    assert_problem(api.patch(f"/api/v1/workers/{registry.free_ref}", OFFICER, json={"name": "@SUM(A1)"}), 422,
                   "invalid.name_formula")
    assert_problem(api.patch(f"/api/v1/workers/{registry.free_ref}", OFFICER, json={"income": [1]}), 422,
                   "invalid_request")
    for params in ({"q": "as\x00ep"}, {"agreement": "KADIN\x00"}, {"region": "Suka\x00murni"}):  # PostgreSQL: no NUL
        assert_problem(api.get("/api/v1/workers", OFFICER, params=params), 422, "invalid_request")
    assert_problem(api.post("/api/v1/agreements/KADIN%00/enrolments", OFFICER, json={"nik": registry.free_nik}), 422)
    nul = api.post(f"/api/v1/workers/{registry.free_ref}/unmask", OFFICER, json={"reason": "KTP\x00dicek"})
    assert nul.status_code == 200, nul.text
    again = assert_problem(api.post("/api/v1/workers", OFFICER, json={**NEW, "nik": registry.free_nik}), 409,
                           "worker.exists")
    assert registry.free_nik not in again["detail"]


def test_a_sponsors_staff_reach_only_their_workers_and_a_viewer_none(registry: Registry) -> None:
    api = registry.api
    mine = api.get(f"/api/v1/workers/{registry.kadin_ref}", KADIN_STAFF)
    assert mine.status_code == 200 and [e["agreement"] for e in mine.json()["enrolments"]] == ["KADIN-2026"]
    for ref in (registry.desa_ref, registry.free_ref, "AAAAAAAA", "not-a-ref", registry.kadin_ref + "x"):
        assert_problem(api.get(f"/api/v1/workers/{ref}", KADIN_STAFF), 404, "worker.not_found")
    assert_problem(api.get(f"/api/v1/workers/{registry.kadin_ref}x", OFFICER), 404, "worker.not_found")
    hidden = assert_problem(api.post("/api/v1/workers/lookup", KADIN_STAFF, json={"nik": registry.desa_nik}), 404,
                            "worker.not_found")
    assert registry.desa_nik not in hidden["detail"]
    found = api.get("/api/v1/workers", KADIN_STAFF, params={"q": "asep"}).json()
    assert [w["ref"] for w in found["items"]] == [registry.kadin_ref] and found["total"] == 1
    assert_problem(api.get("/api/v1/workers", KADIN_STAFF, params={"agreement": "DESA-2026"}), 404,
                   "agreement.not_found")
    assert_problem(api.post("/api/v1/workers", KADIN_STAFF, json=NEW), 403, "auth.not_permitted")
    assert_problem(api.patch(f"/api/v1/workers/{registry.kadin_ref}", KADIN_STAFF, json={"name": "X"}), 403)
    for method, path in WORKER_ROUTES:
        answer = api.request(method, path.format(ref=registry.kadin_ref), VIEWER,
                             json={"nik": registry.kadin_nik, "reason": "lihat"})
        body = assert_problem(answer, 403, "auth.not_permitted")
        assert "Asep" not in answer.text and registry.kadin_nik not in answer.text, body
        assert_problem(api.request(method, path.format(ref=registry.kadin_ref), None), 401, "auth.not_signed_in")


def test_one_worker_enrolled_over_http(registry: Registry) -> None:
    api = registry.api
    path = "/api/v1/agreements/KADIN-2026/enrolments"
    answer = api.post(path, OFFICER, json={"nik": registry.free_nik, "first": "2026-03"})
    assert answer.status_code == 201, answer.text
    enrolled = answer.json()
    assert (enrolled["agreement"], enrolled["from"], enrolled["to"], enrolled["sector"]) == (
        "KADIN-2026", "2026-03", "2026-12", "other")
    # JKK 1 % of the lowest base (Rp1.000.000) + JKM Rp6.800: Rp16.800 in March, then Rp8.400 a month
    # at the PP 50/2025 discount for nine months
    assert enrolled["committed_cost"] == 16_800 + 9 * 8_400 == 92_400
    assert enrolled["agreement_use"]["enrolled"] == 2 and enrolled["nik"] == mask_nik(registry.free_nik)
    assert registry.free_nik not in answer.text
    shown = api.get(f"/api/v1/workers/{registry.free_ref}", KADIN_STAFF)  # now KADIN's worker
    assert shown.status_code == 200 and shown.json()["enrolments"][0]["committed_cost"] == 92_400
    assert_problem(api.post(path, OFFICER, json={"nik": registry.free_nik}), 409, "enrolment.already_enrolled")
    assert_problem(api.post(path, OFFICER, json={"nik": registry.free_nik, "first": "2026-13"}), 422,
                   "invalid.month")
    assert_problem(api.post(path, OFFICER, json={"nik": registry.free_nik, "first": 202603}), 422)
    assert_problem(api.post(path, OFFICER, json={"nik": "32160149O3850001"}), 422, "invalid.nik")
    assert_problem(api.post(path, OFFICER, json={"nik": registry.desa_nik, "first": "2027-01"}), 422,
                   "invalid.month_outside")
    assert_problem(api.post("/api/v1/agreements/NOPE-1/enrolments", OFFICER, json={"nik": registry.free_nik}), 404,
                   "agreement.not_found")
    assert_problem(api.post(path, KADIN_STAFF, json={"nik": registry.free_nik}), 403, "auth.not_permitted")


# --- regions and occupations ----------------------------------------------------------------------


def test_regions_are_found_by_name_and_read_by_code_by_every_signed_in_user(registry: Registry) -> None:
    api = registry.api
    found = api.get("/api/v1/regions", VIEWER, params={"q": "Sagara Makmur"})
    assert found.status_code == 200, found.text
    [desa] = found.json()["items"]
    assert (desa["code"], desa["name"], desa["kecamatan"], desa["regency"]) == (
        f.DESA_TARUMAJAYA, "Sagara Makmur", "Tarumajaya", "Kabupaten Bekasi")
    many = api.get("/api/v1/regions", OFFICER, params={"q": "Sukamaju", "limit": 2}).json()
    assert many["total"] > 2 and len(many["items"]) == 2 and many["next_offset"] == 2
    rest = api.get("/api/v1/regions", OFFICER, params={"q": "Sukamaju", "limit": 2, "offset": 2}).json()
    assert not {r["code"] for r in rest["items"]} & {r["code"] for r in many["items"]}
    assert api.get("/api/v1/regions", OFFICER, params={"q": "Tidak Ada Desa Ini"}).json()["total"] == 0
    assert_problem(api.get("/api/v1/regions", OFFICER), 422, "invalid_request")
    assert_problem(api.get("/api/v1/regions", OFFICER, params={"q": "x" * 201}), 422, "invalid_request")

    kecamatan = api.get("/api/v1/regions/321601", VIEWER)
    assert kecamatan.status_code == 200, kecamatan.text
    body = kecamatan.json()
    assert (body["code"], body["name"], body["level"]) == ("32.16.01", "Tarumajaya", 3)
    assert [p["code"] for p in body["parents"]] == ["32", "32.16"]
    assert f.DESA_TARUMAJAYA in [c["code"] for c in body["children"]]
    assert all(c["level"] == 4 for c in body["children"])
    assert api.get(f"/api/v1/regions/{f.DESA_TARUMAJAYA}", KADIN_STAFF).json()["children"] == []
    assert_problem(api.get("/api/v1/regions/99.99", OFFICER), 404, "region.not_found")
    assert_problem(api.get("/api/v1/regions/32.x", OFFICER), 422, "invalid.region")
    assert_problem(api.get("/api/v1/regions/32", None), 401, "auth.not_signed_in")


def test_the_occupation_catalogue_with_both_labels_and_the_transport_flag(registry: Registry) -> None:
    answer = registry.api.get("/api/v1/occupations", VIEWER)
    assert answer.status_code == 200, answer.text
    rows = {o["code"]: o for o in answer.json()}
    assert rows["pedagang"]["label_id"] and rows["pedagang"]["label_en"] and rows["pedagang"]["transport"] is False
    assert any(o["transport"] for o in rows.values())
    assert list(rows) == sorted(rows)
    assert_problem(registry.api.get("/api/v1/occupations", None), 401)
