"""The workers' pages and the coverage check: quick checks without a browser (bad input said next to its
field with nothing lost and nothing written, scope, refusals), then the walks an officer, a sponsor's
staff and a regional viewer take in a real browser (both engines)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from lindung.audit.models import AuditEntry
from lindung.kit import clock
from lindung.workers.models import Worker
from tests.web.conftest import Web
from tests.web.support import PageClient, page_client

pytestmark = pytest.mark.real_clock

FULL_NIK = re.compile(r"\b\d{16}\b")
NEW_NIK = "3216015708950003"  # a woman born 17 August 1995 in Kec. Tarumajaya, Kab. Bekasi
NEW_DESA = "32.16.01.2001"


def _ref(html: str, name: str) -> str:
    """The ref of the worker named ``name`` in a list of results."""
    found = re.search(r'href="/pekerja/([^"/]+)">' + re.escape(name) + "<", html)
    assert found, f"{name} is not in the results"
    return found.group(1)


def _workers(demo_app: Any) -> int:
    with demo_app.state.engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(Worker)).scalar_one())


def _field_error(html: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="e-{field}">([^<]*)</p>', html)
    return found.group(1) if found else ""


def _register(client: PageClient, **fields: str) -> Any:
    data = {"nik": NEW_NIK, "name": "Siti Rahmawati", "domicile": NEW_DESA, "occupation": "pedagang",
            "income": "1.500.000", "phone": "0812 3456 7890", "heir_name_1": "Ujang Rahmat",
            "heir_relationship_1": "spouse", **fields}
    return client.post("/pekerja/baru", data)


def test_bad_input_is_said_next_to_its_field_and_nothing_is_written(demo_app: Any) -> None:
    before = _workers(demo_app)
    with page_client(demo_app, "demo.petugas") as officer:
        cases = {
            "nik": ({"nik": "32160157O8950003"}, "NIK tidak valid"),
            "birth_date": ({"birth_date": "2026-02-30"}, "Tanggal tidak valid"),
            "income": ({"income": "satu juta"}, "Penghasilan tidak valid"),
            "occupation": ({"occupation": "astronot"}, "astronot"),
            "domicile": ({"domicile": "Desa Entah Berantah, Kecamatan Tidak Ada"}, "Entah Berantah"),
            "heirs": ({"heir_relationship_1": "tetangga"}, "tetangga"),
        }
        for field, (change, said) in cases.items():
            answer = _register(officer, **change)
            assert answer.status_code == 422, (field, answer.text[-300:])
            assert said in _field_error(answer.text, field), (field, _field_error(answer.text, field))
            assert 'value="Siti Rahmawati"' in answer.text, "what was typed is kept"
            assert "Traceback" not in answer.text
        short = _register(officer, nik=NEW_NIK[:15])
        assert short.status_code == 422 and "16 digit" in _field_error(short.text, "nik")
        both = _register(officer, income="1,5", birth_date="31/02/1995")
        assert _field_error(both.text, "income") and _field_error(both.text, "birth_date"), "all at once"
        mismatch = _register(officer, sex="L")
        assert "Jenis kelamin tidak sesuai" in _field_error(mismatch.text, "sex")
        assert _workers(demo_app) == before, "nothing was registered"
        first = _register(officer)
        assert first.status_code == 303 and first.headers["location"].startswith("/pekerja/")
        again = _register(officer)  # the same form sent twice (a double click, a reload)
        assert again.status_code == 422 and "sudah terdaftar" in again.text
        assert _workers(demo_app) == before + 1

        ref = first.headers["location"].rsplit("/", 1)[1]
        form = officer.get(f"/pekerja/{ref}/ubah")
        shown = dict(re.findall(r'name="([a-z_0-9]+)" type="[a-z]+" value="([^"]*)"', form.text))
        assert shown["income"] == "1.500.000" and shown["phone"] == "0812****7890", "masked, as on the page"
        assert not FULL_NIK.search(form.text)
        kept = {**shown, "occupation": "pedagang", "heir_relationship_1": "spouse"}
        for field, change, said in (("domicile", "Desa Entah Berantah", "Entah Berantah"),
                                    ("income", "1,5 juta", "Penghasilan tidak valid"),
                                    ("phone", "telepon", "Nomor telepon tidak valid"),
                                    ("heirs", "3216********9999", "NIK ahli waris")):
            refused = officer.post(f"/pekerja/{ref}/ubah", {**kept, "name": "Siti R. Baru",
                                                            field if field != "heirs" else "heir_nik_1": change})
            assert refused.status_code == 422 and said in _field_error(refused.text, field), field
            assert 'value="Siti R. Baru"' in refused.text, "what was typed is kept"
        same = officer.post(f"/pekerja/{ref}/ubah", kept)
        assert same.status_code == 303 and "Tidak ada yang berubah." in officer.get(same.headers["location"]).text
        with demo_app.state.engine.connect() as c:
            row = c.execute(select(Worker.name, Worker.phone, Worker.domicile_code, Worker.declared_income)
                            .where(Worker.nik == NEW_NIK)).one()
        assert tuple(row) == ("Siti Rahmawati", "081234567890", NEW_DESA, 1_500_000), "nothing changed"


def test_search_and_coverage_refuse_what_they_cannot_take(demo_app: Any) -> None:
    with page_client(demo_app, "demo.petugas") as officer:
        found = officer.get("/pekerja", params={"q": "Atikah Ramdani", "perjanjian": "KADIN-2026"})
        assert found.status_code == 200 and "3216********0042" in found.text
        assert not FULL_NIK.search(found.text), "no full NIK in a list"
        part = officer.get("/pekerja", params={"q": "Atikah Ramdani", "perjanjian": "KADIN-2026"},
                           headers={"HX-Request": "true", "HX-Target": "hasil"})
        assert part.status_code == 200 and "<html" not in part.text and "Atikah Ramdani" in part.text
        full = officer.get("/pekerja", params={"q": "3216101101730042"},
                           headers={"HX-Request": "true", "HX-Target": "hasil"})
        assert full.status_code == 422 and "NIK lengkap" in full.text
        assert full.headers.get("HX-Push-Url") == "false", "a NIK is not pushed into the history"
        assert officer.get("/pekerja", params={"q": "12"}).status_code == 422
        assert officer.get("/pekerja", params={"perjanjian": "TIDAK-ADA"}).status_code == 422
        assert officer.get("/pekerja/bukan-rujukan").status_code == 404
        nobody = officer.post("/cakupan", {"nik": "3216101101739999", "tanggal": "2026-06-01"})
        assert nobody.status_code == 422 and "tidak ditemukan" in _field_error(nobody.text, "nik")
        letters = officer.post("/cakupan", {"nik": "3216abc", "tanggal": "2026-06-01"})
        assert letters.status_code == 422 and "NIK tidak valid" in _field_error(letters.text, "nik")
        ref = _ref(found.text, "Atikah Ramdani")
        impossible = officer.post("/cakupan", {"ref": ref, "tanggal": "2026-02-30"})
        assert impossible.status_code == 422 and "Tanggal tidak valid" in _field_error(impossible.text, "tanggal")
        empty = officer.post("/cakupan", {"nik": "", "tanggal": ""})
        assert empty.status_code == 422 and "Isi NIK" in _field_error(empty.text, "nik")
        reasonless = officer.post(f"/pekerja/{ref}/nik", {"reason": "   "})
        assert reasonless.status_code == 422 and "Alasan" in _field_error(reasonless.text, "reason")
        assert not FULL_NIK.search(reasonless.text)
    with page_client(demo_app, "demo.admin") as admin:  # reads workers, may not see a full NIK
        page = admin.get(f"/pekerja/{ref}")
        assert page.status_code == 200 and 'action="/pekerja/' + ref + '/nik"' not in page.text
        assert admin.post(f"/pekerja/{ref}/nik", {"reason": "ingin tahu"}).status_code == 403
        assert admin.get("/pekerja/baru").status_code == 403
        assert admin.post(f"/pekerja/{ref}/ubah", {"name": "Nama Lain"}).status_code == 403
    with demo_app.state.engine.connect() as c:
        unmasked = c.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "worker.unmask")).scalar_one()
    assert unmasked == 0, "a refused unmask is not in the log"


def test_sponsor_staff_reach_only_their_sponsors_workers_and_a_viewer_none(demo_app: Any) -> None:
    with page_client(demo_app, "demo.petugas") as officer:
        farmer = _ref(officer.get("/pekerja", params={"q": "Ade Gunawan", "perjanjian": "BEKASI-TANI-2026"}).text,
                      "Ade Gunawan")
        own = _ref(officer.get("/pekerja", params={"q": "Atikah Ramdani", "perjanjian": "KADIN-2026"}).text,
                   "Atikah Ramdani")
        fisher = _ref(officer.get("/pekerja", params={"q": "Dodi Ramdani", "perjanjian": "CSR-NELAYAN-2026"}).text,
                      "Dodi Ramdani")
        assert '<a href="/klaim/KL-2026-000002">' in officer.get(f"/pekerja/{fisher}").text
        widows = re.findall(r'href="/pekerja/([^"/]+)">Hendra Nuraeni<',
                            officer.get("/pekerja", params={"q": "Hendra Nuraeni"}).text)
        pages = {ref: officer.get(f"/pekerja/{ref}").text for ref in widows}
        died = [ref for ref, html in pages.items() if "/klaim/KL-2026-000001" in html]
        assert len(died) == 1, "the demo's JKM is on the page of the worker who died"
        row = re.search(r"KL-2026-000001</a></td>(.*?)</tr>", pages[died[0]], re.S)
        assert row and "Jaminan Kematian (JKM)" in row.group(1) and "Rp42.000.000" in row.group(1)
        assert "dibayar" in row.group(1) and "10 Mei 2026" in row.group(1)
    with page_client(demo_app, "demo.kadin") as kadin:
        assert kadin.get(f"/pekerja/{farmer}").status_code == 404
        assert kadin.get(f"/pekerja/{fisher}").status_code == 404
        assert "/klaim/KL-2026-000001" in kadin.get(f"/pekerja/{died[0]}").text, "Kadin's own worker's claim"
        assert kadin.get("/cakupan", params={"ref": farmer}).status_code == 422
        mine = kadin.get(f"/pekerja/{own}")
        assert mine.status_code == 200 and "Atikah Ramdani" in mine.text and "/nik" not in mine.text
        listed = kadin.get("/pekerja", params={"q": "Ade Gunawan"})
        assert listed.status_code == 200 and f"/pekerja/{farmer}" not in listed.text
        assert kadin.get("/pekerja/baru").status_code == 403
    with page_client(demo_app, "demo.kadin", lang="en") as english:
        read = english.get(f"/pekerja/{own}").text
        assert 'lang="en"' in read and "Protection month by month" in read and "January 2026" in read
        assert "Perlindungan bulan demi bulan" not in read and "Januari 2026" not in read
    with page_client(demo_app, "demo.disnaker") as viewer:
        for path in ("/pekerja", f"/pekerja/{own}", f"/pekerja/{own}/ubah", "/cakupan"):
            answer = viewer.get(path, params={"q": "Atikah"} if path == "/pekerja" else None)
            assert answer.status_code in (403, 404), path
            assert "Atikah" not in answer.text.replace('value="Atikah"', "") and not FULL_NIK.search(answer.text)


# --- in a browser ---------------------------------------------------------------------------------------


def test_an_officer_finds_unmasks_registers_and_edits_a_worker(web: Web) -> None:
    officer = web.as_("demo.petugas")
    officer.goto("/pekerja")
    officer.check("workers-search-empty")
    officer.page.get_by_label("Perjanjian").select_option("KADIN-2026")
    officer.page.get_by_label("Nama atau digit terakhir NIK").fill("Atikah Ramdani")
    officer.page.locator("#hasil").get_by_text("1 pekerja cocok.").wait_for()  # htmx: the results as one types
    asked = parse_qs(urlsplit(officer.page.url).query)
    assert asked["q"] == ["Atikah Ramdani"], "the search is in the address (to go back to)"
    assert "3216********0042" in officer.text() and not FULL_NIK.search(officer.text())
    officer.check("workers-search-results")
    with officer.page.expect_navigation():
        officer.page.get_by_role("link", name="Atikah Ramdani").click()
    assert officer.page.locator("h1").inner_text() == "Atikah Ramdani"
    months = officer.page.locator("ol.strip > li")
    assert months.count() >= 11
    first = months.first
    assert first.get_attribute("data-month") == "2026-01" and first.get_attribute("class") == "paid"
    assert "Januari 2026" in first.inner_text() and "dibayar" in first.inner_text()
    assert {months.nth(i).get_attribute("class") for i in range(months.count())} <= {
        "paid", "paid_late", "grace", "lapsed", "not_due"}
    assert "TERLINDUNGI" in officer.text() and not FULL_NIK.search(officer.text())
    officer.check("worker")
    ref = officer.page.url.rsplit("/", 1)[1]

    officer.page.get_by_label("Alasan").fill("Klaim JKM: mencocokkan dengan KTP ahli waris")
    with officer.page.expect_navigation():
        officer.page.get_by_role("button", name="Tampilkan NIK lengkap").click()
    shown = officer.page.locator("#nik").inner_text()
    assert FULL_NIK.fullmatch(shown.strip()) and shown.strip().endswith("0042")
    assert shown.strip() not in officer.page.url
    officer.check("worker-unmasked")
    with web.live.database.session(readonly=True) as s:
        entry = s.execute(select(AuditEntry.actor, AuditEntry.data).where(AuditEntry.action == "worker.unmask")
                          .order_by(AuditEntry.id.desc())).first()
    assert entry is not None and entry.actor == "demo.petugas"
    assert entry.data["reason"] == "Klaim JKM: mencocokkan dengan KTP ahli waris"
    officer.goto(f"/pekerja/{ref}")
    assert not FULL_NIK.search(officer.text()), "shown once: the page is masked again"

    officer.goto("/pekerja/baru")
    officer.check("worker-new")
    officer.page.get_by_label("NIK (16 digit)").fill("3216O15708950003")
    officer.page.get_by_label("Nama lengkap").fill("Siti Rahmawati")
    officer.page.get_by_label("Desa/kelurahan domisili").fill(NEW_DESA)
    officer.page.get_by_label("Pekerjaan").select_option("pedagang")
    officer.page.get_by_label("Penghasilan sebulan (Rp)").fill("Rp1.750.000")
    officer.page.locator("#f-heir_name_1").fill("Ujang Rahmat")
    officer.page.locator("#f-heir_relationship_1").select_option("spouse")
    with officer.page.expect_navigation():
        officer.page.get_by_role("button", name="Daftarkan").click()
    assert "NIK tidak valid" in officer.page.locator("#e-nik").inner_text()
    assert officer.page.get_by_label("Nama lengkap").input_value() == "Siti Rahmawati", "nothing lost"
    assert officer.page.locator("#f-heir_name_1").input_value() == "Ujang Rahmat"
    assert officer.page.get_by_label("Penghasilan sebulan (Rp)").input_value() == "Rp1.750.000"
    officer.check("worker-new-refused")
    officer.page.get_by_label("NIK (16 digit)").fill(NEW_NIK)
    with officer.page.expect_navigation():
        officer.page.get_by_role("button", name="Daftarkan").click()
    assert "Pekerja sudah didaftarkan." in officer.text()
    assert officer.page.locator("h1").inner_text() == "Siti Rahmawati"
    assert "Ujang Rahmat" in officer.text() and "Belum pernah didaftarkan" in officer.text()

    with officer.page.expect_navigation():
        officer.page.get_by_role("link", name="Ubah data").click()
    officer.check("worker-edit")
    officer.page.get_by_label("Nama lengkap").fill("Siti Rahmawati Dewi")
    officer.page.locator("#f-heir_name_2").fill("Neng Rahmawati")
    officer.page.locator("#f-heir_relationship_2").select_option("child")
    with officer.page.expect_navigation():
        officer.page.get_by_role("button", name="Simpan perubahan").click()
    assert "Perubahan data pekerja sudah disimpan." in officer.text()
    assert officer.page.locator("h1").inner_text() == "Siti Rahmawati Dewi"
    assert "Neng Rahmawati" in officer.text() and "Ujang Rahmat" in officer.text()
    with web.live.database.session(readonly=True) as s:
        saved = s.scalars(select(Worker).where(Worker.nik == NEW_NIK)).one()
        assert saved.name == "Siti Rahmawati Dewi" and saved.declared_income == 1_750_000
        assert [h.name for h in saved.heirs] == ["Ujang Rahmat", "Neng Rahmawati"]


def test_the_coverage_check_says_covered_or_not_and_why(web: Web) -> None:
    officer = web.as_("demo.petugas")
    officer.goto("/pekerja?q=Ade+Gunawan&perjanjian=BEKASI-TANI-2026")
    with officer.page.expect_navigation():
        officer.page.get_by_role("link", name="Ade Gunawan").first.click()
    ref = officer.page.url.rsplit("/", 1)[1]
    officer.page.get_by_label("Alasan").fill("Cek perlindungan atas laporan kecelakaan")
    with officer.page.expect_navigation():
        officer.page.get_by_role("button", name="Tampilkan NIK lengkap").click()
    full = officer.page.locator("#nik").inner_text().strip()

    officer.goto("/cakupan")
    officer.check("coverage-form")
    officer.page.get_by_label("NIK pekerja (16 digit)").fill(full)
    officer.page.get_by_label("Tanggal").fill(clock.today().isoformat())
    with officer.page.expect_navigation():
        officer.page.get_by_role("button", name="Periksa").click()
    assert officer.page.url.endswith("/cakupan") and full not in officer.page.url
    text = officer.text()
    assert "Terlindungi" in text and "TERLINDUNGI" in text and full not in text
    assert "Maret 2026" in text and "dibayar terlambat" in text
    assert officer.page.locator("ol.strip > li[data-month='2026-03']").get_attribute("class") == "paid_late"
    assert "Rp16.800" in text
    officer.check("coverage-covered")

    # The regency paid March five weeks late: an accident between its due date and that payment is not covered.
    officer.page.get_by_label("Tanggal").fill("2026-03-25")
    with officer.page.expect_navigation():
        officer.page.get_by_role("button", name="Periksa").click()
    text = officer.text()
    assert "Tidak terlindungi" in text and "TIDAK terlindungi pada 25 Maret 2026" in text
    assert "tidak melindungi peristiwa ini" in text
    officer.check("coverage-not-covered")
    assert officer.page.get_by_role("link", name="Buka halaman pekerja").get_attribute("href") == f"/pekerja/{ref}"
    assert dt.date.fromisoformat(officer.page.get_by_label("Tanggal").input_value()) == dt.date(2026, 3, 25)


def test_a_sponsors_staff_and_a_viewer_see_only_what_they_may(web: Web) -> None:
    officer = web.as_("demo.petugas")
    officer.goto("/pekerja?q=Ade+Gunawan&perjanjian=BEKASI-TANI-2026")
    farmer = officer.page.get_by_role("link", name="Ade Gunawan").first.get_attribute("href")
    officer.goto("/pekerja?q=Atikah+Ramdani&perjanjian=KADIN-2026")
    own = officer.page.get_by_role("link", name="Atikah Ramdani").get_attribute("href")
    assert farmer and own

    kadin = web.as_("demo.kadin")
    assert kadin.goto(farmer).status == 404
    assert "Ade Gunawan" not in kadin.text()
    kadin.check("worker-other-sponsor")
    assert kadin.goto(own).status == 200
    assert kadin.page.locator("h1").inner_text() == "Atikah Ramdani"
    assert kadin.page.get_by_role("button", name="Tampilkan NIK lengkap").count() == 0
    assert kadin.page.get_by_role("link", name="Ubah data").count() == 0
    assert kadin.page.locator("ol.strip > li").count() >= 11
    kadin.check("worker-sponsor")

    viewer = web.as_("demo.disnaker")
    for path in ("/pekerja", own):
        answer = viewer.goto(path)
        assert answer.status in (403, 404), path
        assert "Atikah" not in viewer.text() and not FULL_NIK.search(viewer.text())
    assert viewer.page.get_by_role("link", name="Pekerja").count() == 0, "not in the viewer's menu"
    viewer.check("workers-viewer-refused")
