"""The home page per role, the figures and the public simulator, in a real browser on both engines;
and, without a browser, the simulator's and the figures' refusals.

The regional viewer (demo.disnaker) must meet no person anywhere: every menu link they have is walked
and no NIK (16 digits, or masked ``3216********0009``) and none of the demo's workers' names appears;
the pages of people answer them 403 or 404."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import select

from lindung.workers.models import Worker
from tests.web.conftest import Web
from tests.web.support import page_client

pytestmark = pytest.mark.real_clock

NIK = re.compile(r"(?<!\d)\d{16}(?!\d)")
MASKED = re.compile(r"\d{4}\*{8}\d{4}")
PEOPLE_PAGES = ("/pekerja", "/tagihan", "/klaim", "/impor", "/perjanjian", "/persetujuan", "/audit", "/pengguna",
                "/pengguna/demo.kadin", "/akun/token/1/cabut", "/cakupan")


def test_home_says_what_waits_for_each_role(web: Web) -> None:
    officer = web.as_("demo.petugas")
    officer.goto("/")
    text = officer.text()
    assert "Tagihan lewat jatuh tempo" in text and "Klaim melewati batas layanan" in text
    assert "Menunggu persetujuan" not in text, "an officer approves nothing"
    assert officer.page.locator("a[href^='/tagihan/']").count() >= 1, "each overdue bill links to its page"
    assert not NIK.search(text), "no full NIK on the home page"
    officer.check("home-officer-waiting")

    supervisor = web.as_("demo.supervisor")
    supervisor.goto("/")
    card = supervisor.page.get_by_role("region", name="Menunggu persetujuan", exact=True)
    assert "KADIN-2027" in card.inner_text(), "Kadin's renewal waits for the supervisor"
    assert card.get_by_role("link", name="Buka persetujuan").get_attribute("href") == "/persetujuan"
    supervisor.check("home-supervisor")

    kadin = web.as_("demo.kadin")
    kadin.goto("/")
    text = kadin.text()
    assert "Tagihan belum lunas" in text and "Klaim pekerja Anda" in text
    for other in ("BEKASI-TANI-2026", "CSR-NELAYAN-2026", "PEMKAB-BEKASI"):
        assert other not in text, f"a sponsor's staff sees only their own: {other}"
    kadin.check("home-kadin")

    admin = web.as_("demo.admin")
    admin.goto("/")
    text = admin.text()
    assert "Akun terkunci" in text and "Token API berakhir dalam 14 hari" in text
    assert admin.page.get_by_role("region", name="Pengguna", exact=True).locator(".big").inner_text() == "5"
    admin.check("home-admin")

    viewer = web.as_("demo.disnaker")
    viewer.goto("/")
    assert "Pekerja terdaftar" in viewer.text()
    viewer.check("home-viewer")


def test_the_regional_viewer_meets_no_person_anywhere(web: Web) -> None:
    with web.live.database.session(readonly=True) as s:
        names = list(s.scalars(select(Worker.name).order_by(Worker.id).limit(300)))
    assert len(names) == 300
    viewer = web.as_("demo.disnaker")
    viewer.goto("/")
    links = [a.get_attribute("href") for a in viewer.page.locator("nav.menu a").all()]
    assert set(links) == {"/", "/dasbor", "/simulasi", "/rencana"}, links
    for path in [*links, "/angka?bulan=2026-06", "/angka?wilayah=32.16.01", "/akun/sandi", "/akun/token"]:
        viewer.goto(path)
        html = viewer.page.content()
        assert not NIK.search(html) and not MASKED.search(html), path
        shown = [n for n in names if n in html]
        assert not shown, f"{path} names {shown[:3]}"
    viewer.goto("/angka")
    assert "<5" in viewer.text(), "small counts are withheld"
    viewer.check("figures-viewer")
    with viewer.page.expect_download() as download:
        viewer.page.get_by_role("link", name="Unduh CSV").click()
    data = open(download.value.path(), "rb").read()  # noqa: SIM115 - read whole
    assert data.startswith(b"\xef\xbb\xbf") and b"<5" in data
    assert not NIK.search(data.decode()) and not any(n.encode() in data for n in names)
    cookies = {c["name"]: c["value"] for c in viewer.context.cookies()}
    with httpx.Client(base_url=web.live.url, cookies=cookies) as client:
        for path in PEOPLE_PAGES:
            answer = client.get(path)
            assert answer.status_code in (403, 404, 405), f"{path}: {answer.status_code}"
            assert not NIK.search(answer.text) and not MASKED.search(answer.text), path
        other = client.get("/angka", params={"wilayah": "31"})
        assert other.status_code == 403 and "di luar wilayah Anda" in other.text


def test_the_simulator_answers_anyone_to_the_rupiah_as_the_api_does(web: Web) -> None:
    body = {"date": "2026-05-10", "contribution_months": 40, "children": ["sma:3", "smp:1"]}
    api = httpx.post(f"{web.live.url}/api/v1/simulator/benefits/jkm", json=body).json()
    visitor = web.anonymous()
    visitor.goto("/simulasi")
    assert "/masuk" not in visitor.page.url, "the simulator is public"
    visitor.check("simulator")
    visitor.page.get_by_label("Tanggal peristiwa").fill("2026-05-10")
    visitor.page.get_by_label("Masa iur (bulan)").fill("40")
    visitor.page.get_by_label("Jenjang anak 1").select_option("sma")
    visitor.page.get_by_label("Tahun ke- (anak 1)").fill("3")
    visitor.page.get_by_label("Jenjang anak 2").select_option("smp")
    visitor.page.get_by_label("Tahun ke- (anak 2)").fill("1")
    visitor.page.get_by_role("button", name="Hitung").click()
    visitor.page.locator("#total").wait_for()
    shown = visitor.page.locator("#total").inner_text()
    assert shown == "Rp" + f"{api['total']:,}".replace(",", ".") == "Rp42.000.000"
    text = visitor.text()
    assert "Santunan sekaligus" in text and "PP 82/2019" in text and "24 × Rp500.000" in text
    assert "Beasiswa tahun ini" in text
    visitor.check("simulator-jkm")
    visitor.page.get_by_role("link", name="JKK STMB").click()
    visitor.page.get_by_label("Lama tidak mampu bekerja (bulan)").wait_for()  # the STMB form is in place
    visitor.page.get_by_label("Tanggal peristiwa").fill("2026-05-10")
    visitor.page.get_by_label("Lama tidak mampu bekerja (bulan)").fill("6")
    visitor.page.get_by_role("button", name="Hitung").click()
    visitor.page.locator(".field-error").first.wait_for()
    assert "Isi tepat satu: penghasilan sebulan atau dasar iuran." in visitor.text()
    visitor.check("simulator-refused")


def test_the_simulator_says_bad_input_by_its_field(demo_app: object) -> None:
    with page_client(demo_app) as visitor:  # type: ignore[arg-type]
        answer = visitor.post("/simulasi?jenis=jkk-death", {"date": "2026-02-30", "income": "seribu"})
        assert answer.status_code == 422
        assert re.search(r'id="e-date">Tanggal tidak valid: &#39;2026-02-30&#39;', answer.text)
        assert re.search(r'id="e-income">Penghasilan tidak valid: &#39;seribu&#39;', answer.text)
        answer = visitor.post("/simulasi?jenis=jkk-disability-partial",
                              {"date": "2026-02-03", "base": "2.000.000", "percent": "150"})
        assert answer.status_code == 422 and 'id="e-percent">Persentase tidak valid' in answer.text
        answer = visitor.post("/simulasi?jenis=jkm", {"date": "2026-02-03", "child_level_1": "sma",
                                                       "child_year_1": "9"})
        assert answer.status_code == 422 and "Tahun ke-9 tidak ada di jenjang sma" in answer.text
        answer = visitor.post("/simulasi?jenis=iuran", {"income": "1.000.000", "month": "2026-05", "months": "12",
                                                         "occupation": "ojek", "funding": "kadin"})
        assert answer.status_code == 200 and 'id="total">' in answer.text
        answer = visitor.post("/simulasi?jenis=iuran", {"income": "-5", "month": "2026-13"})
        assert answer.status_code == 422 and 'id="e-month">' in answer.text and 'id="e-income">' in answer.text


def test_figures_refuse_a_bad_month_and_a_region_not_the_viewers(demo_app: object) -> None:
    with page_client(demo_app, "demo.disnaker") as viewer:  # type: ignore[arg-type]
        answer = viewer.get("/angka", params={"bulan": "2026-13"})
        assert answer.status_code == 422 and 'id="e-bulan">Bulan tidak valid' in answer.text
        answer = viewer.get("/angka", params={"wilayah": "99.99"})
        assert answer.status_code == 422 and 'id="e-wilayah">' in answer.text
        answer = viewer.get("/angka.csv", params={"wilayah": "31"})
        assert answer.status_code == 403
    with page_client(demo_app, "demo.petugas") as officer:  # type: ignore[arg-type]
        answer = officer.get("/angka")
        assert answer.status_code == 200 and "&lt;5" not in answer.text, "the branch sees every count"
