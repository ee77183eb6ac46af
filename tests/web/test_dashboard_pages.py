"""The dashboard and the coverage targets as pages. In a real browser on both engines: the officer's
dashboard draws its charts from its tables, the viewer's shows no count under 5 and no person; without
a browser: the CSV of each table equals the service's figures, and bad input is said by its field."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest

from lindung.insight import service
from lindung.kit import clock
from lindung.users import service as users
from tests.web.conftest import Web
from tests.web.support import page_client

pytestmark = pytest.mark.real_clock

NIK = re.compile(r"(?<!\d)\d{16}(?!\d)")
MASKED = re.compile(r"\d{4}\*{8}\d{4}")


def read_csv(answer: Any) -> list[list[str]]:
    assert answer.status_code == 200, answer.text[-400:]
    assert answer.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))


def test_the_officer_sees_charts_drawn_from_the_tables_and_the_viewer_no_small_count(web: Web) -> None:
    officer = web.as_("demo.petugas")
    officer.goto("/dasbor")
    page = officer.page
    page.wait_for_selector("div.chart canvas")
    assert page.locator("div.chart canvas").count() >= 6, "one chart per table that has one"
    text = officer.text()
    assert "Per kecamatan" in text and "Target" in text and "Klaim menurut jenis" in text
    assert not NIK.search(text) and not MASKED.search(text)
    officer.check("dashboard-officer")
    with page.expect_download() as got:
        page.get_by_role("link", name="Unduh CSV: Per kecamatan").click()
    rows = list(csv.reader(io.StringIO(got.value.path().read_text(encoding="utf-8-sig"))))
    assert rows[0][:2] == ["Kecamatan", "Terlindungi"] and len(rows) > 10

    viewer = web.as_("demo.disnaker")
    viewer.goto("/dasbor")
    viewer.page.wait_for_selector("div.chart canvas")
    text = viewer.text()
    assert "<5" in text, "some counts are withheld"
    assert "Tagihan menurut status" not in text, "bills are a sponsor's, not a region's"
    assert not NIK.search(text) and not MASKED.search(text)
    for cell in viewer.page.locator("td[data-value]").all():
        label = cell.get_attribute("data-value") or ""
        if "Rp" not in (cell.text_content() or "") and "%" not in (cell.text_content() or ""):
            assert float(label) >= 5, label
    viewer.check("dashboard-viewer")


def test_each_csv_is_the_services_figures(demo_app: Any, demo_database: Any) -> None:
    today = clock.today()
    with demo_database.session(readonly=True) as s:
        expected = service.dashboard(s, by=users.acting(s, "demo.petugas"), today=today)
    with page_client(demo_app, "demo.petugas") as client:
        rows = read_csv(client.get("/dasbor.csv", params={"bagian": "kecamatan"}))
        assert [(r[0], int(r[1]), int(r[2])) for r in rows[1:]] == [
            (k.name or k.key, k.protected, k.enrolled) for k in expected.by_kecamatan]
        months = read_csv(client.get("/dasbor.csv", params={"bagian": "months"}))
        assert [int(r[1]) for r in months[1:]] == [m.protected for m in expected.months]
        assert client.get("/dasbor.csv", params={"bagian": "tidak-ada"}).status_code == 404
        bad = client.get("/dasbor", params={"wilayah": "99.99"})
        assert bad.status_code == 422 and "Kode wilayah" in bad.text
    with page_client(demo_app, "demo.disnaker") as client:
        other = client.get("/dasbor", params={"wilayah": "31"})
        assert other.status_code == 403 and "Di luar cakupan Anda" in other.text
        for section in ("kecamatan", "desa", "occupation", "sex", "age", "months", "claims"):
            for row in read_csv(client.get("/dasbor.csv", params={"bagian": section}))[1:]:
                for value in row[1:]:
                    if value.isdigit():
                        assert int(value) >= 5, (section, row)
    with page_client(demo_app, "demo.kadin") as client:
        assert client.get("/dasbor", params={"sponsor": "PEMKAB-BEKASI"}).status_code == 403
        mine = client.get("/dasbor")
        assert mine.status_code == 200 and "Kadin Kabupaten Bekasi (KADIN)" in mine.text


def test_an_administrator_sets_and_loads_targets_and_is_told_what_is_wrong(demo_app: Any) -> None:
    year = str(dt.date.today().year)
    with page_client(demo_app, "demo.admin") as client:
        done = client.post("/target", {"tahun": year, "wilayah": "32.16.02", "pekerjaan": "nelayan",
                                       "target": "1.500"})
        assert done.status_code == 303, done.text[-300:]
        listed = client.get(f"/target?tahun={year}").text
        assert "1.500" in listed and "Nelayan" in listed
        for form, field, said in (
                ({"tahun": "20x6", "wilayah": "32.16", "target": "10"}, "tahun", "Tahun target"),
                ({"tahun": year, "wilayah": "99.99", "target": "10"}, "wilayah", "Kode wilayah"),
                ({"tahun": year, "wilayah": "32.16", "target": "seribu"}, "target", "Jumlah pekerja")):
            refused = client.post("/target", form)
            assert refused.status_code == 422 and said in refused.text and f'id="e-{field}"' in refused.text, form
        broken = "tahun,wilayah,pekerjaan,target\n2026,32.16.03,,100\n2026,32.16.04,astronot,50\n"
        sent = client.post("/target/unggah", {"tahun": year},
                           files={"berkas": ("target.csv", broken.encode(), "text/csv")})
        assert sent.status_code == 422 and "Baris 3" in sent.text and "Tidak ada target yang disimpan" in sent.text
        assert "32.16.03" not in client.get("/target?tahun=2026").text, "nothing of a refused file is saved"
        good = "year,region,occupation,workers\n2026,32.16.03,,100\n2026,32.16.04,petani,50\n"
        sent = client.post("/target/unggah", {"tahun": year}, files={"berkas": ("t.csv", good.encode(), "text/csv")})
        assert sent.status_code == 303
        listed = client.get("/target?tahun=2026").text
        assert "32.16.03" in listed and "32.16.04" in listed
    with page_client(demo_app, "demo.petugas") as client:
        assert client.post("/target", {"tahun": year, "wilayah": "32.16", "target": "5"}).status_code == 403
