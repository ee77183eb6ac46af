"""An import is a job: ``lindung job list`` shows it with its parameters (no personal data), its
progress and its summary; a failed import leaves the job failed with the error's code and nothing
imported; the process is left as it was (the garbage collector on)."""

from __future__ import annotations

import gc
import io
import json
from typing import Any

import pytest

from lindung.enrolment import imports, reports
from lindung.enrolment import jobs as import_jobs
from lindung.enrolment.errors import AgreementNotOpen
from lindung.enrolment.importer_read import ImportFileError
from lindung.enrolment.schemas import ImportJob, Upload
from lindung.jobs import service as jobs
from lindung.kit.auth import NotPermitted
from lindung.kit.errors import InvalidInput, NotFound
from lindung.kit.paging import Window
from tests.enrolment.import_files import person, upload, write_csv
from tests.factories import MAKER, TODAY, make_agreement
from tests.users import actor, add_user


def job_rows(cli: Any) -> list[dict[str, Any]]:
    result = cli("job", "list", "--json")
    assert result.exit_code == 0, result.stderr
    rows: list[dict[str, Any]] = result.json()
    return rows


class TestAnImportJob:
    def test_job_list_shows_each_import_with_its_summary_and_no_personal_data(self, database, cli, tmp_path):
        with database.session() as s:
            make_agreement(s)
        rows = [person(), person(occupation="Astronot"), person()]
        path = write_csv(tmp_path / "kadin.csv", rows)
        checked = cli("import", "workers", str(path), "--agreement", "kadin-2026", "--check", "--by", "ani")
        assert checked.exit_code == 0, checked.stderr
        done = cli("import", "workers", str(path), "--agreement", "kadin-2026", "--by", "ani", "--json").json()
        listed = job_rows(cli)
        assert [(j["kind"], j["status"], j["created_by"], j["params"]) for j in listed] == [
            ("import", "done", "ani", {"mode": "import", "agreement": "KADIN-2026", "file": "kadin.csv",
                                       "sheet": None, "proposal": None}),
            ("import", "done", "ani", {"mode": "check", "agreement": "KADIN-2026", "file": "kadin.csv",
                                       "sheet": None, "proposal": None})]
        newest = listed[0]
        assert (newest["done"], newest["total"]) == (3, 3)
        assert {k: newest["result"][k] for k in ("read", "enrolled", "refused", "import_id")} == {
            "read": 3, "enrolled": 2, "refused": 1, "import_id": done["import_id"]}
        assert listed[1]["result"]["dry_run"] is True and listed[1]["result"]["import_id"] is None
        everything = json.dumps(listed)
        for r in rows:
            assert r["NIK"] not in everything and r["Nama Lengkap"] not in everything
        shown = cli("job", "show", str(newest["id"]), "--lang", "en")
        assert shown.exit_code == 0 and "file import" in shown.out and "done" in shown.out

    def test_a_proposal_and_its_approval_are_jobs_too(self, database, cli, tmp_path):
        with database.session() as s:
            make_agreement(s)
        path = write_csv(tmp_path / "kadin.csv", [person(), person()])
        assert cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--propose", "--by", "ani"
                   ).exit_code == 0
        assert cli("import", "approve", "1", "--check", "--by", "budi").exit_code == 0
        assert cli("import", "approve", "1", "--by", "budi").exit_code == 0
        modes = [(j["params"]["mode"], j["params"]["proposal"], j["params"]["file"], j["result"]["proposal_id"])
                 for j in job_rows(cli)]
        assert modes == [("approve", 1, "kadin.csv", 1), ("check", 1, "kadin.csv", 1),
                         ("propose", None, "kadin.csv", 1)]

    def test_a_failed_import_leaves_the_job_failed_with_its_code_and_nothing_imported(self, database, cli,
                                                                                     tmp_path):
        with database.session() as s:
            make_agreement(s, approve=False)  # a draft takes no enrolment
        path = write_csv(tmp_path / "kadin.csv", [person()])
        errors = tmp_path / "ditolak.csv"
        r = cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--errors", str(errors))
        assert r.exit_code == 4 and "draf" in r.err
        broken = tmp_path / "rusak.xlsx"
        broken.write_bytes(b"PK\x03\x04 not really a workbook")
        assert cli("import", "workers", str(broken), "--agreement", "KADIN-2026").exit_code == 2
        failed = job_rows(cli)
        assert [(j["status"], j["error_code"]) for j in failed] == [
            ("failed", "import.broken_file"), ("failed", "enrolment.agreement_not_open")]
        assert failed[1]["result"] is None
        assert "draf" in cli("job", "show", str(failed[1]["id"])).out
        assert database.scalar("SELECT count(*) FROM workers") == 0
        assert database.scalar("SELECT count(*) FROM enrolments") == 0
        assert not errors.exists() and not errors.with_name(errors.name + ".partial").exists()

    def test_nobody_without_the_permission_starts_one_and_an_unknown_agreement_starts_none(self, database, cli,
                                                                                           tmp_path):
        with database.session() as s:
            make_agreement(s)
        path = write_csv(tmp_path / "kadin.csv", [person()])
        assert cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--by", "admin").exit_code == 7
        assert cli("import", "workers", str(path), "--agreement", "NOPE-2026").exit_code == 3
        assert cli("import", "approve", "1", "--by", "budi").exit_code == 3  # no such proposal
        assert job_rows(cli) == []


class TestRunningAJob:
    def test_its_progress_feeds_the_caller_and_the_process_is_left_as_it_was(self, database):
        with database.session() as s:
            make_agreement(s)
            who = actor(s, MAKER)
            started = import_jobs.start(s, ImportJob(mode="import", agreement="KADIN-2026", file="kadin.csv"),
                                        by=who)
        content = io.BytesIO()
        write_csv_to(content, [person() for _ in range(5)])
        seen: list[tuple[int, int | None, bool]] = []
        summary = import_jobs.run(started.id, Upload("kadin.csv", content), by=who, today=TODAY,
                                  on_progress=lambda done, total: seen.append((done, total, gc.isenabled())),
                                  engine=database.engine)
        assert summary.enrolled == 5
        assert seen and seen[-1][:2] == (5, 5) and all(enabled for *_, enabled in seen)  # never switched off
        assert not content.closed  # the stream stays its owner's
        with database.session(readonly=True) as s:
            job = jobs.get(s, started.id, by=who)
        assert (job.status, job.done, job.total, job.result) == ("done", 5, 5, summary.model_dump(mode="json"))

    def test_a_file_that_cannot_be_read_fails_the_job(self, database):
        with database.session() as s:
            make_agreement(s, approve=False)
            who = actor(s, MAKER)
            started = import_jobs.start(s, ImportJob(mode="check", agreement="KADIN-2026", file="x.csv"), by=who)
        with pytest.raises(AgreementNotOpen):
            import_jobs.run(started.id, Upload("x.csv", b"NIK,Nama,Tgl Lahir,L/P,Pekerjaan,Kode Desa\n"), by=who,
                            today=TODAY, engine=database.engine)
        with database.session() as s:
            again = import_jobs.start(s, ImportJob(mode="check", agreement="KADIN-2026", file="x.pdf"), by=who)
        with pytest.raises(ImportFileError):
            import_jobs.run(again.id, Upload("x.pdf", b"%PDF-1.4\x00\x01"), by=who, today=TODAY,
                            engine=database.engine)
        with database.session(readonly=True) as s:
            assert [(j.status, j.error_code) for j in jobs.newest(s, by=who).items] == [
                ("failed", "import.not_tabular"), ("failed", "enrolment.agreement_not_open")]


def write_csv_to(out: io.BytesIO, rows: list[dict[str, Any]]) -> None:
    """The rows as ``write_csv`` writes them, into a stream (as a server would spool an upload)."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        out.write(upload(write_csv(Path(folder) / "f.csv", rows)).read_bytes())


class TestWhatThePagesAskFor:
    """The services the web pages call besides the API's: the agreements a file may go into, the
    import jobs alone, and an upload refused while it is spooled (empty, or over the limit)."""

    def test_the_open_agreements_and_the_import_jobs_alone(self, database):

        with database.session() as s:
            make_agreement(s)
            make_agreement(s, "DESA-2026", sponsor="DESA", funding="apbdes", approve=False)
            add_user(s, "staf.kadin", "sponsor", sponsor="KADIN")
            ani = actor(s, "ani")
            started = import_jobs.start(s, ImportJob(mode="check", agreement="KADIN-2026", file="k.csv"), by=ani)
            billed = jobs.start(s, kind="bill_run", params={}, by=ani)
        with database.session(readonly=True) as s:
            ani = actor(s, "ani")
            assert [a.code for a in imports.open_agreements(s, by=ani)] == ["KADIN-2026"]  # a draft takes no file
            assert [j.id for j in import_jobs.newest(s, by=ani, window=Window(10, 0)).items] == [started.id]
            assert import_jobs.show(s, started.id, by=ani).params["file"] == "k.csv"
            with pytest.raises(NotFound):
                import_jobs.show(s, billed.id, by=ani)  # a bill run is no import
            staff = actor(s, "staf.kadin")
            with pytest.raises(NotFound):
                import_jobs.show(s, started.id, by=staff)  # another user's job
            assert import_jobs.newest(s, by=staff, window=Window(10, 0)).total == 0
            with pytest.raises(NotPermitted):
                imports.open_agreements(s, by=staff)  # a sponsor's staff send no file

    def test_an_upload_is_refused_while_spooled_when_empty_or_too_large(self, database, tmp_path, monkeypatch):

        monkeypatch.setenv(reports.ENV_REPORTS_DIR, str(tmp_path / "reports"))
        spool = tmp_path / "reports" / reports.SPOOL
        with pytest.raises(InvalidInput) as empty:
            reports.spool(io.BytesIO(b""), "C:\\data\\kosong.csv", database.engine, refuse_empty=True)
        assert empty.value.code == "invalid.document_empty" and empty.value.message() == "Berkas 'kosong.csv' kosong."
        megabyte = 1024 * 1024
        with pytest.raises(InvalidInput) as large:
            reports.spool(io.BytesIO(b"x" * (2 * megabyte + 1)), "besar.csv", database.engine, limit=megabyte)
        assert large.value.code == "invalid.document_too_large"
        assert large.value.context["maximum"] == 1 and large.value.context["size"] == 2  # stopped past the limit
        assert list(spool.iterdir()) == [], "nothing kept of a refused upload"
        kept = reports.spool(io.BytesIO(b"x" * megabyte), "pas.csv", database.engine, limit=megabyte,
                             refuse_empty=True)
        assert kept.path.stat().st_size == megabyte
        assert reports.spool(io.BytesIO(b""), "kosong.csv", database.engine).path.exists()  # the API's, as before
