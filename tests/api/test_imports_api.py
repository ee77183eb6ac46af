"""Bulk imports and proposals over HTTP, on both engines: a sponsor's file uploaded as multipart and
carried out as a job (202, then the job's summary), its error report and refused rows downloaded after
it; broken files (a truncated workbook, a file that is no spreadsheet, an empty one) failing the job
with nothing imported; an ``Idempotency-Key`` answering a retry with the first job; maker-checker
over HTTP; and every refusal a problem document with the CLI's code (the wrong role 403, another
sponsor's agreement, import or proposal 404, input the API cannot read 422)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from lindung.api.app import create_app
from lindung.enrolment import jobs as import_jobs
from lindung.enrolment import reports
from lindung.enrolment.schemas import ImportJob
from tests.api.support import Api, assert_problem, make_tokens
from tests.conftest import TestDatabase
from tests.enrolment.import_files import HEADER, cells, person, write_csv, write_xlsx
from tests.factories import make_agreement
from tests.users import actor, add_user

USERS = ("ani", "cici", "budi", "admin", "staf.kadin", "staf.desa", "disnaker")
UPLOAD = "/api/v1/agreements/KADIN-2026/imports"
FORMULA = "=cmd|' /C calc'!A0"
YEAR = 3 * 16_800 + 9 * 8_400
"""A worker's 2026 under KADIN-2026: Rp16.800 a month, halved April–December (PP 50/2025): Rp126.000."""


@pytest.fixture
def api(database: TestDatabase, tmp_path: Path) -> Iterator[Api]:
    """KADIN-2026 (Kadin's staff) and DESA-2026 (the village's staff), a regional viewer, a token for
    each user; the reports kept in a folder of the test's own (``LINDUNG_IMPORT_REPORTS_DIR``)."""
    with database.session() as s:
        make_agreement(s)
        make_agreement(s, "DESA-2026", sponsor="DESA", funding="apbdes")
        add_user(s, "staf.kadin", "sponsor", sponsor="KADIN")
        add_user(s, "staf.desa", "sponsor", sponsor="DESA")
        add_user(s, "disnaker", "viewer", region="32.16")
        tokens = make_tokens(s, USERS)
    with TestClient(create_app(database.engine)) as client:
        yield Api(client, tokens)


@pytest.fixture(autouse=True)
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "reports"
    monkeypatch.setenv(reports.ENV_REPORTS_DIR, str(folder))
    return folder


def csv_bytes(rows: list[dict[str, Any]], tmp_path: Path, name: str = "kadin.csv") -> bytes:
    return write_csv(tmp_path / name, rows).read_bytes()


def send(api: Api, user: str, content: bytes, *, name: str = "kadin.csv", mode: str = "import",
         path: str = UPLOAD, **headers: str) -> httpx.Response:
    return api.post(path, user, files={"file": (name, content, "application/octet-stream")},
                    data={"mode": mode}, headers=headers)


def table(answer: httpx.Response) -> list[list[str]]:
    assert answer.status_code == 200, answer.text
    return list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))


def spooled(store: Path) -> list[Path]:
    return list((store / reports.SPOOL).glob("*")) if (store / reports.SPOOL).exists() else []


# --- an upload, its job and its files -------------------------------------------------------------------


def test_a_file_with_errors_is_imported_as_a_job_and_its_refusals_come_back(api: Api, tmp_path: Path,
                                                                           store: Path) -> None:
    good = [person(name="Asep Saputra"), person(name="Budi Santoso"), person(name="Cecep Gunawan")]
    bad = [person(name="Dedi Kurnia", occupation="Astronot"), person(name="Euis Lestari", nik_text="32160117059OO01"),
           person(name=FORMULA)]
    started = send(api, "ani", csv_bytes(good + bad, tmp_path))
    assert started.status_code == 202 and started.headers["Location"] == f"/api/v1/jobs/{started.json()['id']}"
    assert started.json()["params"] == {"mode": "import", "agreement": "KADIN-2026", "file": "kadin.csv",
                                        "sheet": None, "proposal": None}
    job = api.wait_job(started, "ani")
    assert job["status"] == "done", job
    summary = job["result"]
    assert (summary["read"], summary["enrolled"], summary["refused"]) == (6, 3, 3)
    assert summary["committed_cost"] == 3 * YEAR == 378_000
    assert summary["refused_by_reason"] == {"occupation_unknown": 1, "nik_format": 1, "name_formula": 1}
    assert not spooled(store)  # the upload is removed once its job has run

    errors = table(api.get(f"/api/v1/imports/jobs/{job['id']}/errors", "ani"))
    assert errors[0] == ["baris", "kolom", "nilai", "alasan"]
    reasons = {line[0]: line[3] for line in errors[1:]}
    assert set(reasons) == {"5", "6", "7"}
    assert "NIK harus 16 digit angka" in reasons["6"] and "rumus spreadsheet" in reasons["7"]
    assert "Astronot" in reasons["5"]
    assert all(not line[2].startswith("=") for line in errors[1:])  # a formula goes back as text
    english = table(api.get(f"/api/v1/imports/jobs/{job['id']}/errors", "ani", headers={"Accept-Language": "en"}))
    assert english[0] == ["baris", "kolom", "nilai", "alasan"]  # the job's language: the uploader's

    refused = api.get(f"/api/v1/imports/jobs/{job['id']}/refused", "ani")
    assert refused.headers["content-type"].startswith("text/csv")
    assert "impor-" in refused.headers["content-disposition"]
    rows = table(refused)
    assert rows[0] == [*HEADER, "Baris di berkas asal", "Alasan penolakan"]
    assert [r[2] for r in rows[1:]] == ["Dedi Kurnia", "Euis Lestari", "'" + FORMULA]
    assert [r[-2] for r in rows[1:]] == ["5", "6", "7"]

    history = api.get("/api/v1/imports?agreement=kadin-2026", "ani").json()
    assert history["total"] == 1
    record = history["items"][0]
    assert record["id"] == summary["import_id"]
    assert (record["file"], record["agreement"], record["active"], record["committed_cost"]) == (
        "kadin.csv", "KADIN-2026", 3, 378_000)
    assert api.get(f"/api/v1/imports/{record['id']}", "staf.kadin").json() == record


def test_an_xlsx_is_checked_and_its_refused_rows_come_back_as_a_workbook(api: Api, tmp_path: Path) -> None:
    rows = cells([person(name="Asep Saputra"), person(name="Dedi Kurnia", occupation="Astronot")])
    content = write_xlsx(tmp_path / "kadin.xlsx", rows).read_bytes()
    job = api.wait_job(send(api, "ani", content, name="C:\\Users\\kadin\\kadin.xlsx", mode="check"), "ani")
    assert job["status"] == "done" and job["params"]["file"] == "kadin.xlsx"
    assert job["result"]["dry_run"] is True and job["result"]["import_id"] is None
    assert (job["result"]["enrolled"], job["result"]["refused"], job["result"]["committed_cost"]) == (1, 1, 126_000)
    refused = api.get(f"/api/v1/imports/jobs/{job['id']}/refused", "ani")
    assert refused.status_code == 200 and refused.headers["content-type"] == reports.XLSX_TYPE
    sheet = load_workbook(io.BytesIO(refused.content), read_only=True).active
    assert sheet is not None
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][-1] == "Alasan penolakan" and values[1][2] == "Dedi Kurnia" and len(values) == 2
    assert api.get("/api/v1/imports", "ani").json()["total"] == 0  # a check keeps nothing


@pytest.mark.parametrize(("name", "content"), [
    ("kadin.xlsx", "truncated"),
    ("kadin.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4),
    ("kadin.csv", b""),
    ("kadin.csv", "header only"),
])
def test_a_file_that_cannot_be_read_fails_its_job_and_nothing_is_imported(api: Api, tmp_path: Path, store: Path,
                                                                         name: str, content: Any) -> None:
    if content == "truncated":
        whole = write_xlsx(tmp_path / "whole.xlsx", cells([person() for _ in range(50)])).read_bytes()
        content = whole[: len(whole) // 2]
    elif content == "header only":
        content = (",".join(HEADER) + "\r\n").encode()
    job = api.wait_job(send(api, "ani", content, name=name), "ani")
    if job["status"] == "failed":
        assert job["error_code"].startswith("import."), job
        assert_problem(api.get(f"/api/v1/imports/jobs/{job['id']}/errors", "ani"), 404, "import.report_missing")
    else:  # a header and no row: read, nothing enrolled
        assert job["status"] == "done" and job["result"]["read"] == 0, job
    assert api.get("/api/v1/imports", "ani").json()["total"] == 0
    assert not spooled(store)


def test_a_report_is_not_there_before_its_job_has_run(api: Api, database: TestDatabase) -> None:
    with database.session() as s:
        queued = import_jobs.start(s, ImportJob(mode="check", agreement="KADIN-2026", file="kadin.csv"),
                                   by=actor(s, "ani"))
    assert_problem(api.get(f"/api/v1/imports/jobs/{queued.id}/errors", "ani"), 409, "import.report_pending")
    assert_problem(api.get(f"/api/v1/imports/jobs/{queued.id}/refused", "admin"), 409, "import.report_pending")
    assert_problem(api.get(f"/api/v1/imports/jobs/{queued.id}/errors", "staf.kadin"), 404, "job.not_found")
    assert_problem(api.get("/api/v1/imports/jobs/999999/errors", "ani"), 404, "job.not_found")


# --- Idempotency-Key ---------------------------------------------------------------------------------


def test_the_same_idempotency_key_twice_is_one_job(api: Api, tmp_path: Path, store: Path) -> None:
    content = csv_bytes([person(), person()], tmp_path)
    first = send(api, "ani", content, **{"Idempotency-Key": "kadin-2026-batch-1"})
    again = send(api, "ani", content, **{"Idempotency-Key": "kadin-2026-batch-1"})
    assert again.status_code == 202 and again.json()["id"] == first.json()["id"]
    assert again.headers["Location"] == first.headers["Location"]
    job = api.wait_job(first, "ani")
    assert job["result"]["enrolled"] == 2
    later = send(api, "ani", content, **{"Idempotency-Key": "kadin-2026-batch-1"})
    assert later.status_code == 202 and later.json()["id"] == job["id"] and later.json()["status"] == "done"
    assert [j["id"] for j in api.get("/api/v1/jobs", "ani").json()["items"]] == [job["id"]]
    assert api.get("/api/v1/imports", "ani").json()["total"] == 1

    other = send(api, "ani", csv_bytes([person()], tmp_path, "other.csv"), **{"Idempotency-Key": "kadin-2026-batch-1"})
    body = assert_problem(other, 422, "invalid.idempotency_key_reused")
    assert body["errors"][0]["field"] == "idempotency_key"
    english = send(api, "ani", content, mode="check", **{"Idempotency-Key": "kadin-2026-batch-1",
                                                         "Accept-Language": "en"})
    assert "another request" in assert_problem(english, 422, "invalid.idempotency_key_reused")["detail"]
    assert not spooled(store)

    someone_else = send(api, "cici", content, mode="check", **{"Idempotency-Key": "kadin-2026-batch-1"})
    assert someone_else.status_code == 202 and someone_else.json()["id"] != job["id"]  # a key is its user's
    api.wait_job(someone_else, "cici")
    too_long = send(api, "ani", content, **{"Idempotency-Key": "k" * 201})
    assert assert_problem(too_long, 422, "invalid_request")["errors"][0]["field"] == "Idempotency-Key"


# --- proposals, approval, undo -------------------------------------------------------------------------


def test_a_proposal_is_approved_by_a_second_person_over_http(api: Api, tmp_path: Path) -> None:
    content = csv_bytes([person(), person(), person(occupation="Astronot")], tmp_path)
    proposed = api.wait_job(send(api, "ani", content, mode="propose"), "ani")
    number = proposed["result"]["proposal_id"]
    assert proposed["status"] == "done" and number is not None
    waiting = api.get("/api/v1/proposals?status=proposed", "staf.kadin").json()
    assert [p["id"] for p in waiting["items"]] == [number] and waiting["total"] == 1
    view = api.get(f"/api/v1/proposals/{number}", "budi").json()
    assert (view["would_enrol"], view["would_cost"], view["refused"], view["status"]) == (
        2, 2 * YEAR, 1, "proposed")

    assert_problem(api.post(f"/api/v1/proposals/{number}/approve", "ani"), 403, "auth.not_permitted")
    checked = api.wait_job(api.post(f"/api/v1/proposals/{number}/approve?check=true", "budi"), "budi")
    assert checked["result"]["dry_run"] is True and checked["result"]["enrolled"] == 2
    approved = api.wait_job(api.post(f"/api/v1/proposals/{number}/approve", "budi"), "budi")
    assert approved["status"] == "done", approved
    assert (approved["result"]["enrolled"], approved["result"]["committed_cost"]) == (2, 252_000)
    refused = table(api.get(f"/api/v1/imports/jobs/{approved['id']}/refused", "budi"))
    assert len(refused) == 2 and "Astronot" in refused[1]
    assert api.get(f"/api/v1/proposals/{number}", "ani").json()["status"] == "approved"
    assert_problem(api.post(f"/api/v1/proposals/{number}/approve", "budi"), 409, "import.proposal_decided")
    assert_problem(api.post(f"/api/v1/proposals/{number}/reject", "ani"), 409, "import.proposal_decided")

    import_id = approved["result"]["import_id"]
    assert_problem(api.post(f"/api/v1/imports/{import_id}/undo", "staf.kadin"), 403, "auth.not_permitted")
    undone = api.post(f"/api/v1/imports/{import_id}/undo", "ani")
    assert undone.status_code == 200, undone.text
    assert (undone.json()["cancelled"], undone.json()["released_cost"]) == (2, 252_000)
    assert api.get(f"/api/v1/imports/{import_id}", "ani").json()["active"] == 0
    assert_problem(api.post(f"/api/v1/imports/{import_id}/undo", "ani"), 409, "import.undo_nothing")


def test_the_proposer_may_not_approve_and_may_withdraw(api: Api, tmp_path: Path) -> None:
    proposed = api.wait_job(send(api, "budi", csv_bytes([person()], tmp_path), mode="propose"), "budi")
    number = proposed["result"]["proposal_id"]
    before = api.get("/api/v1/jobs", "budi").json()["total"]
    assert_problem(api.post(f"/api/v1/proposals/{number}/approve", "budi"), 409, "import.self_approval")
    assert api.get("/api/v1/jobs", "budi").json()["total"] == before  # refused before any job
    withdrawn = api.post(f"/api/v1/proposals/{number}/reject", "budi")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "rejected"
    assert api.get("/api/v1/proposals?status=proposed", "budi").json()["total"] == 0
    assert api.get("/api/v1/proposals", "budi").json()["total"] == 1


# --- the template -----------------------------------------------------------------------------------------


def test_the_template_as_xlsx_or_csv(api: Api) -> None:
    xlsx = api.get("/api/v1/imports/template?agreement=KADIN-2026", "staf.kadin")
    assert xlsx.status_code == 200 and xlsx.headers["content-type"] == reports.XLSX_TYPE
    assert 'filename="templat-peserta-KADIN-2026.xlsx"' in xlsx.headers["content-disposition"]
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames[0] == "Data" and book["Data"]["A1"].value == "NIK"
    plain = api.get("/api/v1/imports/template?format=csv", "ani")
    assert plain.status_code == 200 and plain.headers["content-type"].startswith("text/csv")
    assert plain.content.decode("utf-8-sig").splitlines()[0].startswith("NIK,Nama Lengkap,Tgl Lahir")
    assert_problem(api.get("/api/v1/imports/template?agreement=KADIN-2026", "staf.desa"), 404)
    assert_problem(api.get("/api/v1/imports/template?format=pdf", "ani"), 422, "invalid_request")
    assert_problem(api.get("/api/v1/imports/template", "disnaker"), 403, "auth.not_permitted")


# --- who may, and what the API cannot read ----------------------------------------------------------------


def test_each_role_reaches_only_what_it_may(api: Api, tmp_path: Path) -> None:
    content = csv_bytes([person()], tmp_path)
    job = api.wait_job(send(api, "ani", content), "ani")
    import_id = job["result"]["import_id"]
    for user in ("staf.kadin", "disnaker", "admin"):
        assert_problem(send(api, user, content, mode="check"), 403, "auth.not_permitted")
    assert_problem(send(api, "ani", content, path="/api/v1/agreements/NOPE-1/imports"), 404)
    assert_problem(api.get("/api/v1/imports", None), 401, "auth.not_signed_in")
    assert_problem(api.get("/api/v1/imports", "disnaker"), 403, "auth.not_permitted")
    # another sponsor's agreement, import, proposal and job: not found, as if they did not exist
    assert_problem(api.get("/api/v1/imports?agreement=KADIN-2026", "staf.desa"), 404)
    assert api.get("/api/v1/imports", "staf.desa").json()["total"] == 0
    assert api.get("/api/v1/imports", "staf.kadin").json()["total"] == 1
    assert_problem(api.get(f"/api/v1/imports/{import_id}", "staf.desa"), 404, "import.not_found")
    assert_problem(api.get(f"/api/v1/imports/jobs/{job['id']}/errors", "staf.kadin"), 404, "job.not_found")
    assert api.get(f"/api/v1/imports/jobs/{job['id']}/errors", "admin").status_code == 200  # unscoped
    assert api.get(f"/api/v1/imports/jobs/{job['id']}/errors", "cici").status_code == 200
    proposed = api.wait_job(send(api, "ani", csv_bytes([person()], tmp_path, "p.csv"), mode="propose"), "ani")
    number = proposed["result"]["proposal_id"]
    assert_problem(api.get(f"/api/v1/proposals/{number}", "staf.desa"), 404, "import.proposal_not_found")
    assert_problem(api.post(f"/api/v1/proposals/{number}/reject", "staf.kadin"), 403, "auth.not_permitted")
    assert api.get("/api/v1/proposals?agreement=KADIN-2026", "staf.kadin").json()["total"] == 1
    assert_problem(api.get("/api/v1/proposals?agreement=KADIN-2026", "staf.desa"), 404)


def test_input_the_api_cannot_read_is_a_problem_with_field_errors(api: Api, tmp_path: Path) -> None:
    def fields(answer: httpx.Response) -> set[str]:
        return {e["field"] for e in assert_problem(answer, 422, "invalid_request")["errors"]}

    content = csv_bytes([person()], tmp_path)
    assert "file" in fields(api.post(UPLOAD, "ani", data={"mode": "import"}))
    assert "mode" in fields(api.post(UPLOAD, "ani", files={"file": ("k.csv", content, "text/csv")}))
    assert "mode" in fields(send(api, "ani", content, mode="approve"))
    assert "file" in fields(api.post(UPLOAD, "ani", json={"mode": "import"}))
    assert "file" in fields(api.post(UPLOAD, "ani", content=b"{not json", headers={"Content-Type": "application/json"}))
    assert "import_id" in fields(api.get("/api/v1/imports/abc", "ani"))
    assert "import_id" in fields(api.get("/api/v1/imports/99999999999", "ani"))
    assert "proposal_id" in fields(api.post("/api/v1/proposals/0/approve", "budi"))
    assert "job_id" in fields(api.get("/api/v1/imports/jobs/x/errors", "ani"))
    assert "limit" in fields(api.get("/api/v1/imports?limit=501", "ani"))
    assert "status" in fields(api.get("/api/v1/proposals?status=waiting", "ani"))
    assert "check" in fields(api.post("/api/v1/proposals/1/approve?check=maybe", "budi"))
    assert_problem(api.get("/api/v1/imports/12345", "ani"), 404, "import.not_found")
    assert_problem(api.get("/api/v1/proposals/12345", "ani"), 404, "import.proposal_not_found")
    english = assert_problem(api.get("/api/v1/imports/12345", "ani", headers={"Accept-Language": "en"}), 404)
    assert english["detail"].startswith("There is no import number")
