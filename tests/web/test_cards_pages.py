"""Membership cards on the pages: quick checks without a browser (an unknown token is the ordinary
"not found", a sponsor's staff print their own workers' cards only, a revocation needs its reason),
then the walk in a real browser (both engines): an officer prints a worker's card from the worker's
page, the QR code in the PDF leads a visitor to the verification page (masked name, today's status),
and after the officer revokes the card the same address says it is revoked."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import zxingcpp
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.web.conftest import Web
from tests.web.support import page_client

pytestmark = pytest.mark.real_clock

FULL_NIK = re.compile(r"\b\d{16}\b")


def _ref(html: str, name: str) -> str:
    found = re.search(r'href="/pekerja/([^"/]+)">' + re.escape(name) + "<", html)
    assert found, f"{name} is not in the results"
    return found.group(1)


def _qr_addresses(pdf: bytes) -> list[str]:
    return [r.text for page in PdfReader(io.BytesIO(pdf)).pages for image in page.images
            for r in zxingcpp.read_barcodes(image.image.convert("L"))]


def test_cards_without_a_browser(demo_app: Any) -> None:
    with page_client(demo_app) as visitor:
        unknown = visitor.get("/kartu/" + "x" * 43)
        assert unknown.status_code == 404 and "Traceback" not in unknown.text
    with page_client(demo_app, "demo.petugas") as officer:
        own = _ref(officer.get("/pekerja", params={"q": "Atikah Ramdani", "perjanjian": "KADIN-2026"}).text,
                   "Atikah Ramdani")
        fisher = _ref(officer.get("/pekerja", params={"q": "Dodi Ramdani", "perjanjian": "CSR-NELAYAN-2026"}).text,
                      "Dodi Ramdani")
    with page_client(demo_app, "demo.kadin") as staff:
        page = staff.get(f"/pekerja/{own}")
        assert "Cetak kartu" in page.text and "Cabut kartu" not in page.text  # staff may print, not revoke
        pdf = staff.post(f"/pekerja/{own}/kartu")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        [address] = _qr_addresses(pdf.content)
        assert urlsplit(address).path.startswith("/kartu/")
        text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
        assert "Atikah Ramdani" in text and not FULL_NIK.search(text)
        assert staff.post(f"/pekerja/{fisher}/kartu").status_code == 404, "another sponsor's worker"
        assert staff.post(f"/pekerja/{own}/kartu/cabut", {"card_reason": "hilang"}).status_code == 403
        assert "Cetak lembar kartu" in staff.get("/perjanjian/KADIN-2026").text
        assert staff.post("/perjanjian/CSR-NELAYAN-2026/kartu").status_code == 404, "another sponsor's sheet"
    with page_client(demo_app) as visitor:
        said = visitor.get(urlsplit(address).path)
        assert said.status_code == 200 and "A***** R******" in said.text and "Atikah" not in said.text
    with page_client(demo_app, "demo.petugas") as officer:
        page = officer.get(f"/pekerja/{own}")
        card = re.search(r'name="card" value="(\d+)"', page.text)
        assert card, "the officer sees the live card and its revoke form"
        empty = officer.post(f"/pekerja/{own}/kartu/cabut", {"card": card.group(1), "card_reason": " "})
        assert empty.status_code == 422 and 'id="e-card_reason"' in empty.text
        assert "Alasan pencabutan kartu wajib diisi" in empty.text


def test_print_verify_and_revoke_in_a_browser(web: Web) -> None:
    officer = web.as_("demo.petugas")
    officer.goto("/pekerja?q=Atikah+Ramdani&perjanjian=KADIN-2026")
    with officer.page.expect_navigation():
        officer.page.get_by_role("link", name="Atikah Ramdani").first.click()
    worker_page = officer.page.url
    with officer.page.expect_download() as download:
        officer.page.get_by_role("button", name="Cetak kartu").click()
    [address] = _qr_addresses(Path(download.value.path()).read_bytes())
    assert address.startswith(web.live.url + "/kartu/"), address

    visitor = web.anonymous()
    visitor.page.goto(address)
    expect(visitor.page.locator("#holder")).to_have_text("A***** R******")
    expect(visitor.page.locator("#state")).to_contain_text("Terlindungi sampai")
    assert not FULL_NIK.search(visitor.text()) and "Atikah" not in visitor.text()
    visitor.check("card-verified")

    officer.page.goto(worker_page)
    expect(officer.page.locator("#kartu")).to_contain_text("demo.petugas")
    officer.page.locator("#f-card_reason").fill("Kartu hilang, dilaporkan pekerja")
    with officer.page.expect_navigation():
        officer.page.get_by_role("button", name="Cabut kartu").click()
    assert "Kartu dicabut" in officer.text()
    officer.check("worker-card-revoked")

    visitor.page.goto(address)
    expect(visitor.page.locator("#state")).to_contain_text("Kartu dicabut")
    visitor.check("card-revoked")
