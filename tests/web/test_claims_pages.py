"""The claims pages: a JKM from its entry with every document to the heir's payment and the decision
letter, in a real browser on both engines (the officer who entered it cannot approve it and is told
why; the supervisor approves it); the demo's JKK STMB case in progress with its missing documents; a
sponsor's staff kept to their own claims; and bad input answered with a message next to its field,
nothing written twice, never a 500."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import text

from lindung.kit import clock
from tests.conftest import TestDatabase
from tests.web.conftest import Web
from tests.web.support import page_client

pytestmark = pytest.mark.real_clock

JKM_TOTAL = "Rp42.000.000"
"""20.000.000 lump sum + 24 × 500.000 periodic + 10.000.000 funeral (PP 82/2019)."""
JKM_DOCUMENTS = ("ktp", "kk", "akta_kematian", "sk_ahli_waris", "ktp_ahli_waris", "buku_tabungan")
DEMO_JKM, DEMO_STMB = "KL-2026-000001", "KL-2026-000002"


def png(seed: int = 0) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (seed % 256, 80, 160)).save(out, format="PNG")
    return out.getvalue()


def kadin_worker(database: TestDatabase) -> str:
    """A Kadin worker enrolled for the whole year (so covered on a day of last month) without any claim."""
    with database.session() as s:
        nik: str = s.execute(text(
            "SELECT w.nik FROM workers w JOIN enrolments e ON e.worker_id = w.id "
            "JOIN agreements a ON a.id = e.agreement_id WHERE a.code = 'KADIN-2026' AND e.status = 'active' "
            "AND e.last_month = e.first_month + 11 "
            "AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.worker_id = w.id) ORDER BY w.id")).scalars().first()
    return nik


def event_day() -> dt.date:
    """A day of last month: paid by Kadin long before its due date."""
    first = clock.today().replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=10)


def counts(database: TestDatabase) -> tuple[int, int, int]:
    with database.session() as s:
        return (int(s.execute(text("SELECT count(*) FROM claims")).scalar_one()),
                int(s.execute(text("SELECT count(*) FROM claim_documents")).scalar_one()),
                int(s.execute(text("SELECT count(*) FROM claim_payments")).scalar_one()))


def plain(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- in a browser ------------------------------------------------------------------------------------


def test_a_jkm_from_entry_with_every_document_to_payment_and_letter(web: Web, tmp_path: Path) -> None:
    nik = kadin_worker(web.live.database)
    officer = web.as_("demo.petugas")
    officer.goto("/klaim")
    officer.check("claims-list")
    with officer.page.expect_navigation():
        officer.page.get_by_role("link", name="Catat klaim baru").click()
    officer.page.get_by_label("Jenis klaim").select_option("jkm")
    with officer.page.expect_navigation():
        officer.page.get_by_role("button", name="Lanjut").click()
    p = officer.page
    p.get_by_label("NIK pekerja").fill(nik)
    p.get_by_label("Tanggal meninggal dunia").fill(event_day().isoformat())
    p.get_by_label("Nama pemohon").fill("Sumarni")
    p.get_by_label("Hubungan dengan peserta").select_option("spouse")
    p.locator("#f-bank").fill("BRI")
    p.get_by_label("Nomor rekening").fill("0123 0100 0999 501")
    p.get_by_label("Atas nama").fill("Sumarni")
    for i, code in enumerate((*JKM_DOCUMENTS, "buku_nikah")):  # the payee is the widow: her marriage book too
        p.locator(f"#f-dok_{code}").set_input_files(
            {"name": f"{code}.png", "mimeType": "image/png", "buffer": png(i)})
    officer.check("claims-new-jkm")
    with p.expect_navigation():
        p.get_by_role("button", name="Simpan klaim").click()
    number = p.locator("h1").inner_text().removeprefix("Klaim ").strip()
    assert re.fullmatch(r"KL-\d{4}-\d{6}", number), number
    body = officer.text()
    assert "Klaim sudah dicatat." in body and "Layak" in body
    assert "Semua dokumen wajib sudah diterima." in body
    assert JKM_TOTAL in body and "empat puluh dua juta rupiah" in body
    assert "24 × Rp500.000" in body and "PP 82/2019" in body, "each component's arithmetic and legal basis"
    assert nik not in body, "the worker's NIK is masked"
    officer.check("claims-claim-draft")
    for button, said in (("Ajukan klaim", "Klaim sudah diajukan."), ("Verifikasi klaim", "Klaim sudah diverifikasi.")):
        with p.expect_navigation():
            p.get_by_role("button", name=button).click()
        assert said in officer.text()
    assert "Anda tidak berwenang menyetujui klaim" in officer.text(), "the officer is told why not"
    assert p.get_by_role("button", name=re.compile("Setujui klaim")).count() == 0
    officer.check("claims-claim-verified-officer")

    supervisor = web.as_("demo.supervisor")
    supervisor.goto(f"/klaim/{number}")
    supervisor.check("claims-claim-verified-supervisor")
    with supervisor.page.expect_navigation():
        supervisor.page.get_by_role("button", name=f"Setujui klaim ({JKM_TOTAL})").click()
    assert "Klaim sudah disetujui." in supervisor.text()

    officer.goto(f"/klaim/{number}")
    p.get_by_label("Referensi transfer bank").fill(f"BRI-{number}")
    p.get_by_label("Tanggal bayar").fill(clock.today().isoformat())
    officer.check("claims-claim-approved")
    with p.expect_navigation():
        p.get_by_role("button", name="Catat pembayaran").click()
    body = officer.text()
    assert "Pembayaran klaim sudah dicatat." in body and f"Dibayar {JKM_TOTAL}" in body
    officer.check("claims-claim-paid")
    with p.expect_download() as download:
        p.get_by_role("link", name="Unduh surat penetapan (PDF)").click()
    letter = "\n".join(page.extract_text() for page in PdfReader(str(download.value.path())).pages)
    assert number in letter and JKM_TOTAL in letter and "SURAT PENETAPAN MANFAAT" in letter
    assert counts(web.live.database)[2] == 2, "the demo's JKM and this one: each paid once"


def test_the_stmb_case_in_progress_the_accidents_and_a_sponsor_kept_to_its_own(web: Web) -> None:
    officer = web.as_("demo.petugas")
    officer.goto(f"/klaim/{DEMO_STMB}")
    body = officer.text()
    assert "2 dokumen wajib belum diterima" in body
    assert "Surat keterangan dokter" in body and "Buku tabungan penerima" in body
    assert "santunan sementara tidak mampu bekerja" in body.lower() and "100%" in body
    officer.check("claims-stmb-in-progress")
    officer.goto("/klaim?status=submitted")
    assert DEMO_STMB in officer.text() and DEMO_JKM not in officer.text()
    officer.goto("/klaim/kecelakaan")
    officer.check("claims-accidents")
    with officer.page.expect_navigation():
        officer.page.get_by_role("link", name="Kecelakaan nomor 1").click()
    assert DEMO_STMB in officer.text() and "Muara Gembong" in officer.text()
    officer.check("claims-accident")
    officer.goto("/klaim/kecelakaan/baru")
    officer.check("claims-report-accident")

    kadin = web.as_("demo.kadin")
    kadin.goto("/klaim")
    assert DEMO_JKM in kadin.text() and DEMO_STMB not in kadin.text()
    assert kadin.page.get_by_role("link", name="Catat klaim baru").count() == 0
    kadin.check("claims-list-kadin")
    kadin.goto(f"/klaim/{DEMO_JKM}")
    assert JKM_TOTAL in kadin.text()
    answer = kadin.goto(f"/klaim/{DEMO_STMB}")
    assert answer.status == 404 and "tidak ditemukan" in kadin.text()
    kadin.check("claims-other-sponsor-404")


# --- without a browser ---------------------------------------------------------------------------------


def _jkm_form(nik: str, **changes: str) -> dict[str, Any]:
    return {"jenis": "jkm", "nik": nik, "event_date": event_day().isoformat(), "claimant_name": "Sumarni",
            "claimant_relationship": "spouse", "bank": "BRI", "account_number": "0123456789",
            "holder": "Sumarni", **changes}


def test_bad_intake_is_refused_next_to_its_field_and_nothing_is_kept(demo_app: Any, demo_database: TestDatabase
                                                                      ) -> None:
    nik = kadin_worker(demo_database)
    before = counts(demo_database)
    future = (clock.today() + dt.timedelta(days=3)).isoformat()
    cases = [
        (_jkm_form(nik, event_date=future), "ada di masa depan", "f-event_date"),
        (_jkm_form(nik, event_date="2026-02-30"), "Tanggal tidak valid: &#39;2026-02-30&#39;", "f-event_date"),
        (_jkm_form("32160644128100"), "NIK", "f-nik"),
        (_jkm_form("3216010101010001"), "tidak ditemukan", "f-nik"),
        (_jkm_form(nik, claimant_name="Sumarni", claimant_relationship=""), "nama dan hubungannya", None),
    ]
    with page_client(demo_app, "demo.petugas") as officer:
        for form, said, field in cases:
            answer = officer.post("/klaim/baru", form)
            assert answer.status_code == 422, (form, answer.text[-800:])
            assert said in answer.text, (said, plain(answer.text)[-1500:])
            if field:
                assert f'id="{field}"' in answer.text and 'aria-invalid="true"' in answer.text
        refused_files = [
            ({"dok_ktp": ("ktp.pdf", b"ini bukan PDF, hanya teks", "application/pdf")}, "bukan PDF, JPEG atau PNG"),
            ({"dok_kk": ("kk.png", b"\x89PNG\r\n\x1a\n rusak", "image/png")}, "bukan PDF, JPEG atau PNG"),
        ]
        for files, said in refused_files:
            given = {"dok_ktp": ("a.png", png(1), "image/png"), **files}
            answer = officer.post("/klaim/baru", _jkm_form(nik), files=given)
            assert answer.status_code == 422 and said in answer.text, plain(answer.text)[-1500:]
            assert "pilih lagi berkas-berkasnya" in answer.text
        assert officer.post("/klaim/baru", {"jenis": "klaim-palsu", "nik": nik}).status_code == 422
        assert counts(demo_database) == before, "no claim, no document kept of a refused form"
        listed = officer.get("/klaim?status=tidak-ada&jenis=jkm")
        assert listed.status_code == 422 and "Status klaim tidak dikenal" in listed.text

        made = officer.post("/klaim/baru", _jkm_form(nik), files={"dok_ktp": ("ktp.png", png(2), "image/png")})
        assert made.status_code == 303, plain(made.text)[-1500:]
        number = made.headers["location"].rsplit("/", 1)[-1]
        empty = officer.post(f"/klaim/{number}/dokumen", {"code": "kk"},
                             files={"file": ("kk.pdf", b"", "application/pdf")})
        assert empty.status_code == 422 and "Berkas &#39;kk.pdf&#39; kosong." in empty.text
        none = officer.post(f"/klaim/{number}/dokumen", {"code": "kk"}, files={"file": ("", b"", "application/pdf")})
        assert none.status_code == 422 and "Pilih berkas dokumennya dahulu." in none.text
        verify = officer.post(f"/klaim/{number}/ajukan")
        assert verify.status_code == 303
        early = officer.post(f"/klaim/{number}/verifikasi")
        assert early.status_code == 409 and "belum lengkap" in early.text and "Kartu Keluarga" in early.text
    assert counts(demo_database)[:2] == (before[0] + 1, before[1] + 1)


def test_approving_and_paying_twice_and_the_makers_approval_are_refused_with_the_reason(
        demo_app: Any, demo_database: TestDatabase) -> None:
    nik = kadin_worker(demo_database)
    with page_client(demo_app, "demo.supervisor") as supervisor:
        files = {f"dok_{c}": (f"{c}.png", png(i), "image/png") for i, c in enumerate((*JKM_DOCUMENTS, "buku_nikah"))}
        made = supervisor.post("/klaim/baru", _jkm_form(nik), files=files)
        assert made.status_code == 303, plain(made.text)[-1500:]
        number = made.headers["location"].rsplit("/", 1)[-1]
        for step in ("ajukan", "verifikasi"):
            assert supervisor.post(f"/klaim/{number}/{step}").status_code == 303
        page = supervisor.get(f"/klaim/{number}")
        assert "persetujuannya harus oleh supervisor lain" in page.text
        refused = supervisor.post(f"/klaim/{number}/setujui")
        assert refused.status_code == 403
        assert "persetujuan harus oleh orang lain" in refused.text and number in refused.text
        again = supervisor.post(f"/klaim/{DEMO_JKM}/setujui")
        assert again.status_code == 409 and "berstatus dibayar" in again.text
    before = counts(demo_database)
    with page_client(demo_app, "demo.petugas") as officer:
        future = (clock.today() + dt.timedelta(days=1)).isoformat()
        late = officer.post(f"/klaim/{DEMO_JKM}/bayar", {"reference": "BRI-LAGI", "paid_on": future})
        assert late.status_code == 422 and "ada di masa depan" in late.text
        today = clock.today().isoformat()
        twice = officer.post(f"/klaim/{DEMO_JKM}/bayar", {"reference": "BRI-LAGI", "paid_on": today})
        assert twice.status_code == 409 and "sudah dibayar; klaim dibayar satu kali saja" in twice.text
        assert officer.post(f"/klaim/{number}/setujui").status_code == 403, "an officer may not approve"
        letter = officer.get(f"/klaim/{number}/surat")
        assert letter.status_code == 409, "no decision letter before a decision"
    assert counts(demo_database) == before
    with page_client(demo_app, "demo.kadin") as kadin:
        assert kadin.get("/klaim/baru").status_code == 403
        assert kadin.get(f"/klaim/{DEMO_STMB}").status_code == 404
        assert kadin.get(f"/klaim/{DEMO_STMB}/surat").status_code == 404
        paying = kadin.post(f"/klaim/{DEMO_STMB}/bayar", {"reference": "X", "paid_on": "2026-12-01"})
        assert paying.status_code == 404, "another sponsor's claim stays not found, also to a step"
        assert kadin.get(f"/klaim/{DEMO_JKM}/surat").headers["content-type"] == "application/pdf"
