"""A sponsor's impact report as a page (``/dampak``) and its PDF: Kadin's staff open their own, see the
totals the service counts and download the PDF in Indonesian and English; the branch chooses a
sponsor; a regional viewer is refused; a bad year is said by its field; another sponsor's is not found."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from lindung.insight.impact import impact
from lindung.insight.schemas_impact import Impact
from lindung.kit import clock
from lindung.kit.i18n import format_count
from lindung.rules.money import rp
from lindung.users import service as users
from tests.conftest import TestDatabase
from tests.web.conftest import Web
from tests.web.support import page_client

pytestmark = pytest.mark.real_clock


def _report(db: TestDatabase, sponsor: str, username: str) -> Impact:
    with db.session(readonly=True) as s:
        return impact(s, sponsor, year=clock.today().year, by=users.acting(s, username), today=clock.today())


def _pdf_text(data: bytes) -> str:
    return " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def test_kadin_reads_its_impact_and_downloads_the_pdf(web: Web, demo_database: TestDatabase) -> None:
    expected = _report(demo_database, "KADIN", "demo.kadin")
    assert expected.workers_protected > 0 and expected.paid > 0
    staff = web.as_("demo.kadin")
    staff.goto("/")
    staff.page.get_by_role("link", name="Dampak").first.click()
    expect(staff.page.locator("h1")).to_have_text("Laporan dampak")
    expect(staff.page.locator("#impact-sponsor")).to_have_text(expected.sponsor_name)
    expect(staff.page.locator("#impact-workers")).to_have_text(format_count(expected.workers_protected))
    expect(staff.page.locator("#impact-worker-months")).to_have_text(format_count(expected.worker_months))
    expect(staff.page.locator("#impact-paid")).to_have_text(rp(expected.paid))
    assert staff.page.locator("table[data-chart='bar']").count() >= 3
    staff.check("impact-sponsor")
    with staff.page.expect_download() as download:
        staff.page.get_by_role("link", name="Unduh PDF").click()
    text = _pdf_text(Path(download.value.path()).read_bytes())
    assert expected.sponsor_name in text and rp(expected.paid) in text and rp(expected.budget) in text
    assert "LAPORAN DAMPAK PERLINDUNGAN" in text
    with staff.page.expect_download() as download:
        staff.page.get_by_role("link", name="Download PDF (English)").click()
    english = _pdf_text(Path(download.value.path()).read_bytes())
    assert expected.sponsor_name in english and rp(expected.paid) in english and "Workers protected" in english
    assert re.search(r"\b\d{16}\b", text + english) is None, "no NIK in the PDF"


def test_who_may_open_which_report(demo_app: Any, demo_database: TestDatabase) -> None:
    year = clock.today().year
    with page_client(demo_app, "demo.petugas") as officer:
        page = officer.get("/dampak")
        assert page.status_code == 200 and 'name="sponsor"' in page.text and "KADIN" in page.text
        kadin = officer.get(f"/dampak?sponsor=KADIN&year={year}")
        assert kadin.status_code == 200 and rp(_report(demo_database, "KADIN", "demo.petugas").paid) in kadin.text
        bad = officer.get("/dampak?sponsor=KADIN&year=20x6")
        assert bad.status_code == 422 and "Tahun tidak valid" in bad.text
    with page_client(demo_app, "demo.kadin") as staff:
        assert staff.get(f"/dampak.pdf?sponsor=KADIN&year={year}&lang=en").headers["content-type"] == "application/pdf"
        for code in ("CSR-PESISIR", "PEMKAB-BEKASI"):
            assert staff.get(f"/dampak?sponsor={code}&year={year}").status_code == 404
    with page_client(demo_app, "demo.disnaker") as viewer:
        assert viewer.get(f"/dampak?sponsor=KADIN&year={year}").status_code == 403
        assert 'href="/dampak"' not in viewer.get("/").text
