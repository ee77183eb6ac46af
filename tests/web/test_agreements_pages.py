"""The pages of sponsors, agreements and the approvals inbox: the acceptance walks in a real browser
(both engines), and bad input, scope and refusals through a signed-in test client."""

from __future__ import annotations

import re
from typing import Any

import pytest

from lindung.demo.data import KADIN, REGENCY_FARMERS, RENEWAL
from lindung.sponsors import service as sponsors
from tests.users import actor
from tests.web.conftest import Visit, Web
from tests.web.support import page_client

pytestmark = pytest.mark.real_clock

GOOD = {"code": "UJI-2027", "sponsor": "KADIN", "start": "2027-01", "end": "2027-12", "quota": "1.000",
        "budget": "Rp201.600.000", "funding": "", "jht": "0", "billing_cycle": "", "after_death": "credit",
        "occupations": "", "regions": ""}


def _click(visit: Visit, name: str) -> None:
    with visit.page.expect_navigation():
        visit.page.get_by_role("button", name=name).click()


def _terms(visit: Visit, **fields: str) -> None:
    for name, value in fields.items():
        field = visit.page.locator(f"#f-{name}")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def test_drafted_by_an_officer_refused_to_its_maker_approved_by_a_supervisor_activated_and_amended(web: Web) -> None:
    officer = web.as_("demo.petugas")
    officer.goto("/perjanjian")
    officer.check("agreements")
    assert RENEWAL in officer.text() and REGENCY_FARMERS in officer.text()
    with officer.page.expect_navigation():
        officer.page.get_by_role("link", name="Susun perjanjian baru").click()
    officer.check("agreement-draft-form")
    _terms(officer, code="UJI-2027", sponsor="KADIN", start="2027-01", end="2026-12", quota="1.000",
           budget="Rp201.600.000")
    _click(officer, "Simpan draf")
    assert "Bulan terakhir (Desember 2026) lebih awal daripada bulan mulai (Januari 2027)." in officer.text()
    assert officer.page.locator("#f-budget").input_value() == "Rp201.600.000", "nothing typed is lost"
    officer.check("agreement-draft-refused")
    _terms(officer, end="2027-12")
    _click(officer, "Simpan draf")
    assert officer.page.url.endswith("/perjanjian/UJI-2027")
    assert "Draf perjanjian tersimpan" in officer.text()
    assert "1.000 pekerja × Rp16.800 × 12 bulan = Rp201.600.000" in officer.text()
    officer.check("agreement-draft")

    _click(officer, "Setujui perjanjian")  # the maker, an officer, tries: refused, and told why
    said = officer.text()
    assert "tidak berhak melakukan ini" in said and "agreement.approve" in said, said[:800]
    officer.check("agreement-approve-refused")

    supervisor = web.as_("demo.supervisor")
    supervisor.goto("/persetujuan")
    inbox = supervisor.text()
    assert f"Draf perjanjian {RENEWAL} (versi 1)" in inbox and "Draf perjanjian UJI-2027 (versi 1)" in inbox
    assert "Kadin Kabupaten Bekasi" in inbox
    supervisor.check("approvals-inbox")
    with supervisor.page.expect_navigation():
        supervisor.page.locator('a[href="/perjanjian/UJI-2027"]').click()
    _click(supervisor, "Setujui perjanjian")
    assert "Perjanjian sudah disetujui." in supervisor.text()
    assert supervisor.page.locator("h1 + p .badge").inner_text() == "disetujui"

    officer.goto("/perjanjian/UJI-2027")
    _click(officer, "Aktifkan perjanjian")
    assert "Perjanjian sudah aktif." in officer.text()
    assert officer.page.locator("h1 + p .badge").inner_text() == "aktif"
    with officer.page.expect_navigation():
        officer.page.get_by_role("link", name="Ajukan adendum").click()
    officer.check("agreement-addendum-form")
    _terms(officer, quota="1.500", budget="Rp302.400.000", reference="Adendum I No. 1/PKS/2027")
    _click(officer, "Ajukan adendum")
    assert "Adendum diajukan" in officer.text()
    assert officer.page.get_by_role("button", name="Setujui adendum no. 1").count() == 0, "an officer approves none"
    officer.check("agreement-addendum-pending")

    supervisor.goto("/perjanjian/UJI-2027")
    _click(supervisor, "Setujui adendum no. 1")
    assert "Adendum sudah disetujui dan berlaku." in supervisor.text()
    assert "0 dari 1.500 pekerja" in supervisor.text() and "Rp0 dari Rp302.400.000" in supervisor.text()
    supervisor.check("agreement-amended")
    with web.live.database.session(readonly=True) as s:
        stored = sponsors.show_agreement(s, "UJI-2027", by=actor(s, "demo.supervisor"))
    assert (stored.status, stored.quota, stored.budget, stored.approved_by) == (
        "active", 1_500, 302_400_000, "demo.supervisor")
    assert [(m.status, m.proposed_by, m.decided_by) for m in stored.amendments] == [
        ("approved", "demo.petugas", "demo.supervisor")]


def test_a_sponsors_staff_see_their_own_agreements_only(web: Web) -> None:
    kadin = web.as_("demo.kadin")
    kadin.goto("/perjanjian")
    listed = kadin.text()
    assert KADIN in listed and RENEWAL in listed and REGENCY_FARMERS not in listed
    assert "Susun perjanjian baru" not in listed
    kadin.check("agreements-sponsor-staff")
    assert kadin.goto(f"/perjanjian/{REGENCY_FARMERS}").status == 404
    assert kadin.page.locator("h1").inner_text() == "Tidak ditemukan"
    assert kadin.goto(f"/perjanjian/{REGENCY_FARMERS}/pekerja").status == 404
    assert kadin.goto(f"/perjanjian/{KADIN}").status == 200
    assert "dari 1.000 pekerja" in kadin.text(), kadin.text()
    assert kadin.page.get_by_role("button").filter(has_text="Setujui").count() == 0
    kadin.check("agreement-sponsor-staff")
    with kadin.page.expect_navigation():
        kadin.page.get_by_role("link", name=re.compile("Lihat pekerja yang ditanggung")).click()
    roster = kadin.text()
    assert re.search(r"Baris 1–25 dari \d", roster) and "3216********" in roster, roster[:1000]
    kadin.check("agreement-roster")
    assert kadin.goto("/persetujuan").status == 403


def _refused(answer: Any, field: str, said: str) -> None:
    """A 422 with ``said`` next to the form's ``field`` (and in the summary at the top)."""
    assert answer.status_code == 422, answer.text[-1500:]
    text = answer.text.replace("&#39;", "'")
    assert f'<p class="field-error" id="e-{field}">' in text and said in text, (field, said, text[-3000:])


def test_bad_input_is_said_by_its_field_and_nothing_is_saved(demo_app: Any) -> None:
    with page_client(demo_app, "demo.petugas") as officer:
        for path in ("/perjanjian?status=draft", "/perjanjian/baru", f"/perjanjian/{RENEWAL}/ubah",
                     f"/perjanjian/{KADIN}/adendum", f"/perjanjian/{KADIN}/pekerja?status=all", "/sponsor",
                     "/sponsor/baru", "/persetujuan"):
            answer = officer.get(path)
            assert answer.status_code == 200, (path, answer.text[-2000:])
        _refused(officer.post("/perjanjian/baru", {**GOOD, "end": "2026-06"}), "end",
                 "Bulan terakhir (Juni 2026) lebih awal daripada bulan mulai (Januari 2027).")
        _refused(officer.post("/perjanjian/baru", {**GOOD, "sponsor": "TIDAK-ADA"}), "sponsor",
                 "Sponsor TIDAK-ADA tidak ditemukan.")
        _refused(officer.post("/perjanjian/baru", {**GOOD, "quota": "0"}), "quota", "Kuota tidak valid: '0'")
        _refused(officer.post("/perjanjian/baru", {**GOOD, "start": "2026-02-30"}), "start",
                 "Bulan tidak valid: '2026-02-30'")
        _refused(officer.post("/perjanjian/baru", {**GOOD, "budget": "dua ratus juta"}), "budget",
                 "Anggaran tidak valid: 'dua ratus juta'")
        _refused(officer.post("/perjanjian/baru", {**GOOD, "occupations": "astronot"}), "occupations",
                 "Pekerjaan tidak dikenal: 'astronot'")
        kept = officer.post("/perjanjian/baru", {**GOOD, "quota": "0"})
        assert 'value="Rp201.600.000"' in kept.text and 'value="UJI-2027"' in kept.text, "nothing typed is lost"
        assert officer.get("/perjanjian/UJI-2027").status_code == 404, "nothing was saved"

        # The same form sent twice: the second is refused by the code, the first stands as it was.
        first = officer.post("/perjanjian/baru", GOOD)
        assert first.status_code == 303 and first.headers["location"] == "/perjanjian/UJI-2027"
        _refused(officer.post("/perjanjian/baru", GOOD), "code", "Perjanjian UJI-2027 sudah ada.")

        # Its edit: the same checks; nothing changed is said too; a stale version is refused.
        _refused(officer.post("/perjanjian/UJI-2027/ubah", {**GOOD, "version": "1", "end": "2026-01"}), "end",
                 "lebih awal daripada bulan mulai")
        edited = officer.post("/perjanjian/UJI-2027/ubah", {**GOOD, "version": "1", "quota": "800",
                                                             "budget": "161.280.000"})
        assert edited.status_code == 303, edited.text[-2000:]
        stale = officer.post("/perjanjian/UJI-2027/ubah", {**GOOD, "version": "1", "quota": "900"})
        assert stale.status_code == 422 and "kini versi 2, bukan versi 1" in stale.text
        shown = officer.get("/perjanjian/UJI-2027").text
        assert "0 dari 800 pekerja" in shown and "kuota 1.000 → 800; anggaran Rp201.600.000 → Rp161.280.000" in shown

        # Withdrawing needs a reason; ending an agreement that covers workers needs its last month.
        _refused(officer.post("/perjanjian/UJI-2027/tarik", {"reason": ""}), "reason", "")
        ending = officer.post(f"/perjanjian/{KADIN}/akhiri", {"last_month": ""})
        assert ending.status_code == 409 and "isi bulan terakhir yang ditanggung" in ending.text
        _refused(officer.post(f"/perjanjian/{KADIN}/akhiri", {"last_month": "2026-13"}), "last_month",
                 "Bulan tidak valid: '2026-13'")
        # An addendum: amounts as typed, something must change, one waits at a time.
        _refused(officer.post(f"/perjanjian/{KADIN}/adendum", {"quota": "1,5"}), "quota", "Kuota tidak valid")
        _refused(officer.post(f"/perjanjian/{KADIN}/adendum", {"quota": "", "budget": ""}), "quota", "")
        assert officer.post(f"/perjanjian/{KADIN}/adendum", {"quota": "1.200"}).status_code == 303
        waiting = officer.post(f"/perjanjian/{KADIN}/adendum", {"quota": "1.300"})
        assert waiting.status_code == 422 and "sudah punya adendum yang menunggu persetujuan" in waiting.text
        # A sponsor: each field said, a code taken refused.
        _refused(officer.post("/sponsor/baru", {"code": "BARU", "name": "Koperasi Baru", "funding": "emas"}),
                 "funding", "Sumber dana tidak dikenal: 'emas'")
        _refused(officer.post("/sponsor/baru", {"code": "KADIN", "name": "Kadin lagi", "funding": "kadin"}),
                 "code", "Sponsor KADIN sudah ada.")
        added = officer.post("/sponsor/baru", {"code": "kop-tani", "name": "Koperasi Tani Makmur", "funding": "csr"})
        assert added.status_code == 303 and added.headers["location"] == "/perjanjian?sponsor=KOP-TANI"
        assert "Koperasi Tani Makmur" in officer.get("/sponsor").text

    with page_client(demo_app, "demo.supervisor") as supervisor:
        assert supervisor.post("/perjanjian/UJI-2027/setujui", {"version": "2"}).status_code == 303
        again = supervisor.post("/perjanjian/UJI-2027/setujui", {"version": "2"})
        assert again.status_code == 409 and "berstatus disetujui; tidak dapat menjadi disetujui" in again.text
        inbox = supervisor.get("/persetujuan").text
        assert "Adendum no. 1 perjanjian KADIN-2026" in inbox
        own = supervisor.get(f"/perjanjian/{KADIN}").text
        number = re.search(r"/adendum/(\d+)/setujui", own)
        assert number, own[-3000:]
        mine = supervisor.post(f"/perjanjian/{KADIN}/adendum/{number.group(1)}/setujui")
        assert mine.status_code == 303
        assert "1.200 pekerja" in supervisor.get(f"/perjanjian/{KADIN}").text
        # a supervisor who changed a draft may not approve it: the page says why, and nothing changes
        assert supervisor.post(f"/perjanjian/{RENEWAL}/adendum", {"quota": "1.100"}).status_code == 303
        own_edit = supervisor.post(f"/perjanjian/{RENEWAL}/setujui", {"version": "2"})
        assert own_edit.status_code == 409, own_edit.text[-2000:]
        assert f"Draf {RENEWAL} diubah oleh demo.supervisor" in own_edit.text
        assert "draf" in supervisor.get(f"/perjanjian/{RENEWAL}").text


def test_a_sponsors_staff_reach_neither_another_sponsor_nor_what_only_the_branch_does(demo_app: Any) -> None:
    with page_client(demo_app, "demo.kadin") as kadin:
        assert kadin.get(f"/perjanjian/{KADIN}").status_code == 200
        for path in (f"/perjanjian/{REGENCY_FARMERS}", f"/perjanjian/{REGENCY_FARMERS}/pekerja",
                     f"/perjanjian/{REGENCY_FARMERS}/adendum"):
            assert kadin.get(path).status_code in (403, 404), path
        assert kadin.get(f"/perjanjian/{REGENCY_FARMERS}").status_code == 404
        assert kadin.get("/perjanjian?sponsor=PEMKAB-BEKASI").status_code == 404
        assert kadin.get("/persetujuan").status_code == 403
        assert kadin.get("/perjanjian/baru").status_code == 403
        assert kadin.post(f"/perjanjian/{RENEWAL}/setujui", {}).status_code == 403
        assert "Pemerintah Kabupaten Bekasi" not in kadin.get("/sponsor").text
