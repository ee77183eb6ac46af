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


def refused_of(html: str) -> str:
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
        assert unknown.status_code == 422 and "TIDAK-ADA-2026" in refused_of(unknown.text)

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
        page = refused_of(officer.get(f"/impor/{first}").text)
        assert "Pekerja didaftarkan 20" in page and "Baris ditolak 10" in page
        # Sent again later from a new form: read again, enrolled already, nothing twice.
        later = job_of(send(officer, content))
        assert later != first
        settled(demo_app)
        page = refused_of(officer.get(f"/impor/{later}").text)
        assert "Pekerja didaftarkan 0" in page and "Sudah terdaftar di perjanjian ini 20" in page
        listed = refused_of(officer.get("/impor").text)
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
        kadin_proposal, regency_proposal = numbers  # newest first
        own = supervisor.get(f"/impor/usulan/{regency_proposal}")
        assert "Anda yang mengusulkan berkas ini" in own.text and "/setujui" not in own.text
        refused = supervisor.post(f"/impor/usulan/{regency_proposal}/setujui")
        assert refused.status_code == 409
        assert "yang menyetujui harus orang lain" in refused_of(refused.text)
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
