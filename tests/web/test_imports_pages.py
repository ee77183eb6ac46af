"""The pages of bulk enrolment (``/impor``).

In a real browser, on both engines: an officer sends the regency's follow-up list with its defects,
watches it run, reads the summary, downloads the error report and the refused rows, corrects two rows
and sends them again (enrolled); a proposal made by the officer and approved by the supervisor; Kadin's
staff see only Kadin's imports and proposals.

Without a browser (``page_client``): every bad upload is answered in Indonesian, next to its field or
on the job's page, with nothing imported and never a 500 (no agreement, no file, an empty file, one
over the size limit, a PNG named .csv, a truncated workbook); the same form sent twice is one job; the
proposer is told why they cannot approve their own proposal.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import time
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from openpyxl import Workbook

from lindung.api import limits
from lindung.demo import data, sample_file
from lindung.demo import service as demo
from lindung.enrolment import imports, reports
from lindung.kit import clock
from lindung.kit.paging import Window
from lindung.users.service import acting
from tests.conftest import TestDatabase
from tests.web.conftest import Web
from tests.web.support import PageClient, page_client

pytestmark = pytest.mark.real_clock

REGENCY = data.REGENCY_FARMERS
KADIN = data.KADIN
JOB = re.compile(r"^/impor/(\d+)$")


@pytest.fixture(autouse=True)
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The import jobs' files in a folder of the test's own."""
    folder = tmp_path / "import-reports"
    monkeypatch.setenv(reports.ENV_REPORTS_DIR, str(folder))
    return folder


def sample(database: TestDatabase) -> bytes:
    """The regency's follow-up list: 20 good farmers and one row of each defect (rows 21 to 30)."""
    if clock.today().year > 2026:
        pytest.skip("the demo's sample file is offered while the regency's 2026 agreement has months left")
    return demo.sample(clock.today(), database.engine).data


def send(client: PageClient, content: bytes, *, name: str = "susulan-petani.csv", agreement: str = REGENCY,
         mode: str = "import", key: str | None = None) -> httpx.Response:
    return client.post("/impor", {"agreement": agreement, "mode": mode, "kunci": key or secrets.token_urlsafe(12)},
                       files={"berkas": (name, content, "application/octet-stream")})


def job_of(answer: httpx.Response) -> int:
    assert answer.status_code == 303, answer.text[-800:]
    found = JOB.match(answer.headers["location"])
    assert found, answer.headers["location"]
    return int(found.group(1))


def settled(app: FastAPI) -> None:
    deadline = time.monotonic() + 120
    while not app.state.job_runner.idle():
        assert time.monotonic() < deadline, "the import job did not end"
        time.sleep(0.05)


def imports_made(database: TestDatabase, user: str = "demo.petugas") -> list[Any]:
    with database.session(readonly=True) as s:
        return imports.history_page(s, by=acting(s, user), window=Window(100, 0)).items


def words(html: str) -> str:
    """The words of a page (or of a browser's text of it), without tags, on one line."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def csv_rows(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";" if text.split("\n", 1)[0].count(";") else ","))


# --- without a browser: bad input ------------------------------------------------------------------------


def test_bad_uploads_are_refused_in_indonesian_and_nothing_is_imported(demo_app: FastAPI, demo_database: TestDatabase,
                                                                      monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path) -> None:
    good = sample(demo_database)
    with page_client(demo_app, "demo.petugas") as officer:
        form = officer.get("/impor")
        assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
        assert f'<option value="{REGENCY}"' in form.text

        no_agreement = send(officer, good, agreement="")
        assert no_agreement.status_code == 422
        assert 'id="e-agreement"' in no_agreement.text and "Pilih perjanjian tujuan." in no_agreement.text

        no_file = officer.post("/impor", {"agreement": REGENCY, "mode": "import", "kunci": "a"},
                               files={"berkas": ("", b"", "application/octet-stream")})
        assert no_file.status_code == 422 and "Pilih berkas CSV atau XLSX" in no_file.text
        assert f'<option value="{REGENCY}" selected' in no_file.text, "what was chosen is kept"

        empty = send(officer, b"", name="kosong.csv")
        assert empty.status_code == 422 and "Berkas &#39;kosong.csv&#39; kosong." in empty.text

        monkeypatch.setattr(limits, "UPLOAD_LIMIT", 1024 * 1024)
        large = send(officer, good * (1024 * 1024 // len(good) + 2), name="besar.csv")
        assert large.status_code == 422 and "paling besar 1 MB" in large.text
        monkeypatch.undo()

        unknown = send(officer, good, agreement="TIDAK-ADA-2026")
        assert unknown.status_code == 422 and "TIDAK-ADA-2026" in words(unknown.text)

        png = job_of(send(officer, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8, name="foto.csv"))
        whole = io.BytesIO()
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        for row in csv_rows(good):
            sheet.append(row)
        book.save(whole)
        truncated = job_of(send(officer, whole.getvalue()[: len(whole.getvalue()) // 2], name="petani.xlsx"))
        settled(demo_app)
        shown = officer.get(f"/impor/{png}")
        assert shown.status_code == 200
        assert "Gagal" in shown.text and "bukan CSV atau XLSX" in shown.text
        assert "Tidak ada yang disimpan dari berkas ini" in shown.text
        assert "rusak atau bukan XLSX" in officer.get(f"/impor/{truncated}").text
        assert officer.get(f"/impor/{png}/galat").status_code == 404, "a failed job keeps no report"
        assert officer.get("/impor/999999").status_code == 404
        assert officer.get("/impor/abc").status_code == 404
    assert imports_made(demo_database) == []
    assert zipfile.is_zipfile(io.BytesIO(whole.getvalue()))


def test_the_same_form_sent_twice_is_one_import(demo_app: FastAPI, demo_database: TestDatabase) -> None:
    content = sample(demo_database)
    with page_client(demo_app, "demo.petugas") as officer:
        first = job_of(send(officer, content, key="formulir-1"))
        again = job_of(send(officer, content, key="formulir-1"))
        assert again == first, "a double click: the same job"
        settled(demo_app)
        page = words(officer.get(f"/impor/{first}").text)
        assert "Pekerja didaftarkan 20" in page and "Baris ditolak 10" in page
        # Sent again later from a new form: read again, enrolled already, nothing twice.
        later = job_of(send(officer, content))
        assert later != first
        settled(demo_app)
        page = words(officer.get(f"/impor/{later}").text)
        assert "Pekerja didaftarkan 0" in page and "Sudah terdaftar di perjanjian ini 20" in page
        listed = words(officer.get("/impor").text)
        assert f"No. {later}" in listed and f"No. {first}" in listed
    made = imports_made(demo_database)
    assert [(m.agreement, m.active) for m in made] == [(REGENCY, 20)], "one import; the second enrolled no one"


def test_a_sponsors_staff_see_only_their_sponsors_imports_and_the_proposer_cannot_approve(
        demo_app: FastAPI, demo_database: TestDatabase) -> None:
    content = sample(demo_database)
    with page_client(demo_app, "demo.supervisor") as supervisor:
        regency_job = job_of(send(supervisor, content, mode="propose"))
        kadin_job = job_of(send(supervisor, content, agreement=KADIN, mode="propose", name="kadin.csv"))
        settled(demo_app)
        assert "Berkas disimpan sebagai usulan" in supervisor.get(f"/impor/{regency_job}").text
        listed = supervisor.get("/impor/usulan").text
        numbers = [int(n) for n in re.findall(r'href="/impor/usulan/(\d+)"', listed)]
        assert len(numbers) == 2
        # The two jobs run side by side: which proposal was made first is the jobs' race, so each is told
        # by the agreement its page names.
        kadin_proposal, regency_proposal = sorted(
            numbers, key=lambda n: REGENCY in supervisor.get(f"/impor/usulan/{n}").text)
        assert KADIN in supervisor.get(f"/impor/usulan/{kadin_proposal}").text
        own = supervisor.get(f"/impor/usulan/{regency_proposal}")
        assert "Anda yang mengusulkan berkas ini" in own.text and "/setujui" not in own.text
        refused = supervisor.post(f"/impor/usulan/{regency_proposal}/setujui")
        assert refused.status_code == 409
        assert "yang menyetujui harus orang lain" in words(refused.text)
    with page_client(demo_app, "demo.kadin") as kadin:
        index = kadin.get("/impor")
        assert index.status_code == 200 and 'action="/impor"' not in index.text, "no upload form for a sponsor"
        proposals = kadin.get("/impor/usulan?status=all").text
        assert f"/impor/usulan/{kadin_proposal}" in proposals and f"/impor/usulan/{regency_proposal}" not in proposals
        assert kadin.get(f"/impor/usulan/{regency_proposal}").status_code == 404
        assert kadin.get(f"/impor/usulan/{kadin_proposal}").status_code == 200
        assert kadin.get(f"/impor/{kadin_job}").status_code == 404, "a job is its starter's"
        assert kadin.get(f"/impor/{regency_job}/galat").status_code == 404
        assert send(kadin, content).status_code == 403
    with page_client(demo_app, "demo.petugas") as officer:
        waiting = officer.get(f"/impor/usulan/{regency_proposal}").text
        assert "menunggu persetujuan supervisor" in waiting and "/setujui" not in waiting
    assert imports_made(demo_database) == []
    assert sample_file.GOOD_ROWS == 20


# --- in a browser --------------------------------------------------------------------------------------


SLOW = 60_000
"""How long a browser step may wait (ms): on SQLite an import holds the write lock while it runs, and a
page's session is resumed in a write transaction, so a page asked for meanwhile waits for the import."""


def _patient(visit: Any) -> Any:
    visit.page.set_default_timeout(SLOW)
    visit.page.set_default_navigation_timeout(SLOW)
    return visit


def _send_in_browser(visit: Any, path: Path, *, agreement: str = REGENCY, mode: str = "import") -> int:
    page = _patient(visit).page
    page.select_option("#f-agreement", agreement)
    page.set_input_files("#f-berkas", str(path))
    page.select_option("#f-mode", mode)
    with page.expect_navigation():
        page.get_by_role("button", name="Kirim berkas").click()
    found = re.search(r"/impor/(\d+)$", page.url)
    assert found, page.url
    return int(found.group(1))


def _watch(visit: Any, shot: str) -> None:
    """The job's page shows its progress while it runs, and reaches its summary by itself (htmx)."""
    page = visit.page
    page.locator("#kemajuan progress, #kemajuan h2").first.wait_for()
    if page.locator("#kemajuan progress").count():
        assert page.get_by_role("link", name="Muat ulang").is_visible(), "without JavaScript: a reload link"
        visit.check(f"{shot}-running")
    page.get_by_role("heading", name="Ringkasan").wait_for(timeout=SLOW)
    assert page.locator("#kemajuan[hx-trigger]").count() == 0, "the polling stopped"


def _download(visit: Any, name: str) -> bytes:
    with visit.page.expect_download() as download:
        visit.page.get_by_role("link", name=name).click()
    return Path(download.value.path()).read_bytes()


def test_an_officer_sends_a_file_with_errors_corrects_the_refused_rows_and_sends_them_again(
        web: Web, tmp_path: Path) -> None:
    original = tmp_path / "susulan-petani.csv"
    original.write_bytes(sample(web.live.database))
    officer = web.as_("demo.petugas")
    officer.goto("/impor")
    officer.check("imports-index")
    first = _send_in_browser(officer, original)
    assert "Berkas diterima dan sedang diproses." in officer.text()
    _watch(officer, "imports-job")
    text = words(officer.text())
    for said in ("Baris dibaca 30", "Pekerja didaftarkan 20", "Baris ditolak 10", "NIK bukan 16 digit",
                 "pekerjaan di luar sasaran", "hubungan ahli waris tidak dikenal"):
        assert said in text, said
    officer.check("imports-job-summary")

    report = csv_rows(_download(officer, "Unduh laporan galat (CSV)"))
    assert report[0] == ["baris", "kolom", "nilai", "alasan"]
    first_bad = sample_file.GOOD_ROWS + 2  # the header is row 1: the 21st worker is row 22
    assert {int(line[0]) for line in report[1:]} == set(range(first_bad, first_bad + len(sample_file.DEFECTS)))
    assert any("Atlantis" in line[2] for line in report[1:])

    refused = csv_rows(_download(officer, "Unduh baris yang ditolak (CSV)"))
    header, rows = refused[0], refused[1:]
    assert header[-2:] == ["Baris di berkas asal", "Alasan penolakan"] and len(rows) == len(sample_file.DEFECTS)
    occupation, relationship = header.index("Pekerjaan"), header.index("Hubungan")
    fixed = []
    for row in rows:
        if "di luar sasaran" in row[-1]:
            fixed.append([*row[:occupation], "Petani", *row[occupation + 1:]])
        elif "Tetangga" in row[-1]:
            fixed.append([*row[:relationship], "Anak", *row[relationship + 1:]])
    assert len(fixed) == 2
    corrected = tmp_path / "susulan-petani-perbaikan.csv"
    with corrected.open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out, delimiter=";").writerows([header, *fixed])

    officer.goto("/impor")
    second = _send_in_browser(officer, corrected)
    assert second != first
    _watch(officer, "imports-job-again")
    text = words(officer.text())
    assert "Baris dibaca 2" in text and "Pekerja didaftarkan 2" in text and "Baris ditolak 0" in text
    assert "Unduh laporan galat" not in text, "nothing refused: nothing to correct"
    officer.check("imports-job-corrected")
    officer.goto("/impor")
    listed = officer.text()
    assert f"No. {first}" in listed and f"No. {second}" in listed
    officer.check("imports-index-after")
    with web.live.database.session(readonly=True) as s:
        made = imports.history_page(s, by=acting(s, "demo.petugas"), window=Window(10, 0)).items
    assert [(m.file, m.active) for m in made] == [("susulan-petani-perbaikan.csv", 2), ("susulan-petani.csv", 20)]


def test_a_proposal_is_approved_by_the_supervisor_and_kadin_sees_only_its_own(web: Web, tmp_path: Path) -> None:
    path = tmp_path / "susulan-petani.csv"
    path.write_bytes(sample(web.live.database))
    officer = web.as_("demo.petugas")
    officer.goto("/impor")
    _send_in_browser(officer, path, mode="propose")
    _watch(officer, "imports-propose")
    assert "Berkas disimpan sebagai usulan" in officer.text()
    with officer.page.expect_navigation():
        officer.page.locator("#kemajuan a[href^='/impor/usulan/']").click()
    assert "Usulan ini menunggu persetujuan supervisor." in officer.text()
    assert officer.page.get_by_role("button", name="Setujui dan impor").count() == 0
    number = int(officer.page.url.rsplit("/", 1)[1])

    supervisor = _patient(web.as_("demo.supervisor"))
    supervisor.goto("/impor/usulan")
    supervisor.check("imports-proposals")
    with supervisor.page.expect_navigation():
        supervisor.page.get_by_role("link", name=f"Usulan no. {number}").click()
    text = words(supervisor.text())
    assert "Akan didaftarkan 20" in text and "demo.petugas" in text
    supervisor.check("imports-proposal")
    with supervisor.page.expect_navigation():
        supervisor.page.get_by_role("button", name="Setujui dan impor").click()
    assert "Usulan disetujui; berkasnya sedang diimpor." in supervisor.text()
    _watch(supervisor, "imports-approval")
    assert "Pekerja didaftarkan 20" in words(supervisor.text())
    supervisor.goto(f"/impor/usulan/{number}")
    assert "disetujui" in supervisor.text() and "demo.supervisor" in supervisor.text()
    supervisor.check("imports-proposal-approved")

    kadin = _patient(web.as_("demo.kadin"))
    kadin.goto("/impor")
    text = words(kadin.text())
    assert "Kirim berkas" not in text and REGENCY not in text and "Belum ada impor." in text
    kadin.check("imports-sponsor")
    kadin.goto("/impor/usulan?status=all")
    assert "Tidak ada usulan." in kadin.text()
    assert kadin.goto(f"/impor/usulan/{number}").status == 404
