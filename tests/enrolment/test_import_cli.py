"""``lindung import workers``: summary, JSON, the error file in Indonesian and English, exit codes,
and a killed import leaving nothing behind."""

from __future__ import annotations

import csv
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text

from lindung.audit import service as audit
from lindung.audit.models import AuditEntry
from lindung.rules.money import rp
from tests.enrolment.import_files import BORN, HEADER, cells, person, write_csv, write_workbook
from tests.factories import make_agreement


def read_report(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


@pytest.fixture
def kadin(database: Any) -> Any:
    with database.session() as s:
        make_agreement(s)
    return database


class TestTheCommand:
    def test_json_summary_has_the_four_counts(self, kadin, cli, tmp_path):
        path = write_csv(tmp_path / "kadin.csv", [person(), person(occupation="Ojol"),
                                                  person(occupation="Astronot")])
        result = cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--json")
        assert result.exit_code == 0, result.stderr
        out = result.json()
        assert {k: out[k] for k in ("read", "enrolled", "already_enrolled", "refused")} == {
            "read": 3, "enrolled": 2, "already_enrolled": 0, "refused": 1}
        again = cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--json").json()
        assert (again["enrolled"], again["already_enrolled"], again["refused"]) == (0, 2, 1)

    def test_the_summary_reads_in_indonesian_and_english(self, kadin, cli, tmp_path):
        path = write_csv(tmp_path / "kadin.csv", [person(), person(occupation="Astronot")])
        result = cli("import", "workers", str(path), "--agreement", "KADIN-2026")
        assert result.exit_code == 0
        assert "dibaca 2, didaftarkan 1, sudah terdaftar 0, ditolak 1" in " ".join(result.stdout.split())
        assert "--errors" in result.stdout
        number = cli("import", "list", "--json").json()[0]["id"]
        assert f"Nomor impor: {number} (lindung import list; membatalkan sebelum ditagih: lindung import undo " \
               f"{number})" in result.out
        result = cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--lang", "en")
        assert "read 2, enrolled 0, already enrolled 1, refused 1" in " ".join(result.stdout.split())
        assert "Import number" not in result.out  # nothing enrolled: nothing to find again

    def test_counts_are_grouped_as_each_language_writes_them(self, kadin, cli, tmp_path):
        path = write_csv(tmp_path / "kadin.csv", [*(person() for _ in range(1000)), person(occupation="Astronot")])
        said = " ".join(cli("import", "workers", str(path), "--agreement", "KADIN-2026").stdout.split())
        assert "dibaca 1.001, didaftarkan 1.000, sudah terdaftar 0, ditolak 1." in said, said
        said = " ".join(cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--lang", "en").stdout.split())
        assert "read 1,001, enrolled 0, already enrolled 1,000, refused 1." in said, said
        assert "1.000 / 1.000" in cli("agreement", "show", "KADIN-2026").stdout
        assert "│ 1.000 │" in " ".join(cli("import", "list").stdout.split())  # its active enrolments
        assert "│ 1,000 │" in " ".join(cli("import", "list", "--lang", "en").stdout.split())
        assert "1,000 / 1,000" in cli("agreement", "show", "KADIN-2026", "--lang", "en").stdout

    def test_the_heirs_recorded_and_those_kept_are_said(self, kadin, cli, tmp_path):
        header = (*HEADER, "Nama Ahli Waris", "Hubungan")
        rows = [{**person(), "Nama Ahli Waris": "Siti", "Hubungan": "Istri"},
                {**person(), "Nama Ahli Waris": "Ujang", "Hubungan": "Anak"}]
        path = write_csv(tmp_path / "kadin.csv", rows, header=header)
        check = cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--check")
        assert "Ahli waris yang akan dicatat: 2." in check.out
        result = cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--json")
        assert (result.json()["heirs"], result.json()["heirs_kept"]) == (2, 0)
        changed = [{**rows[0], "Nama Ahli Waris": "Euis"}, rows[1]]
        again = cli("import", "workers", str(write_csv(tmp_path / "lagi.csv", changed, header=header)),
                    "--agreement", "KADIN-2026", "--lang", "en")
        assert ("The file's heir was not used for 1 worker(s) who already have other heirs in the registry "
                "(rows 2): check with the worker") in " ".join(again.out.split())
        kept = cli("import", "workers", str(tmp_path / "lagi.csv"), "--agreement", "KADIN-2026", "--json").json()
        assert (kept["heirs_kept"], kept["heirs_kept_rows"]) == (1, [2])
        shown = cli("worker", "show", rows[0]["NIK"], "--json").json()
        assert [(h["name"], h["relationship"]) for h in shown["heirs"]] == [("Siti", "spouse")]

    def test_the_error_file_in_indonesian(self, kadin, cli, tmp_path):
        rows = [person(), person(nik_text="3216011705"), person(born=BORN, birth_text="18-05-1990")]
        path = write_csv(tmp_path / "kadin.csv", rows)
        report = tmp_path / "ditolak.csv"
        result = cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--errors", str(report))
        assert result.exit_code == 0
        assert str(report) in "".join(result.stdout.split())  # Rich may wrap a long path
        assert read_report(report) == [
            ["baris", "kolom", "nilai", "alasan"],
            ["3", "NIK", "3216011705", "NIK harus 16 digit angka: '3216011705'."],
            ["4", "Tgl Lahir", "18-05-1990",
             "Tanggal lahir 18-05-1990 tidak sesuai dengan NIK (menurut NIK: 1990-05-17)."],
        ]
        assert not report.with_name(report.name + ".partial").exists()
        flat = " ".join(result.out.split())
        assert "Alasan penolakan (baris): tanggal lahir ≠ NIK 1, NIK bukan 16 digit 1." in flat

    def test_the_reasons_most_rows_first_in_english_and_json(self, kadin, cli, tmp_path):
        rows = [person(occupation="Astronot"), person(), person(occupation="Astronaut"), person(phone="x")]
        path = write_csv(tmp_path / "kadin.csv", rows)
        shown = cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--check", "--lang", "en")
        assert "Reasons refused (rows): occupation unknown 2, phone invalid 1." in " ".join(shown.out.split())
        out = cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--json").json()
        assert out["refused_by_reason"] == {"occupation_unknown": 2, "phone_invalid": 1}
        assert cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--json").json()[
            "refused_by_reason"] == {"occupation_unknown": 2, "phone_invalid": 1}  # the same file again

    def test_every_reason_a_row_can_be_refused_for_has_a_short_label(self):
        from lindung.enrolment import importer_repository, importer_rows
        from lindung.kit.i18n import catalogue

        source = Path(importer_rows.__file__).read_text(encoding="utf-8")
        codes = (set(re.findall(r'"(import\.[a-z_]+)"', source)) | set(importer_repository.REFUSALS.values())
                 | set(importer_rows._NIK_CODES.values()))
        assert len(codes) >= 30
        for code in codes:
            for lang in ("id", "en"):
                assert catalogue().get("import.reason." + code.removeprefix("import."), {}).get(lang), (code, lang)

    def test_the_error_file_in_english(self, kadin, cli, tmp_path):
        first = person()
        path = write_csv(tmp_path / "kadin.csv", [first, person(nik_text=first["NIK"]),
                                                  person(occupation="Astronot")])
        report = tmp_path / "refused.csv"
        cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--errors", str(report),
            "--lang", "en")
        assert read_report(report) == [
            ["row", "column", "value", "reason"],
            ["3", "NIK", first["NIK"], "This NIK already appears at row 2 of the same file."],
            ["4", "Pekerjaan", "Astronot", "Occupation 'Astronot' cannot be mapped to the occupation catalogue."],
        ]

    def test_exit_code_is_non_zero_only_when_nothing_could_be_read(self, kadin, cli, tmp_path):
        all_bad = write_csv(tmp_path / "bad.csv", [person(occupation="Astronot")])
        assert cli("import", "workers", str(all_bad), "--agreement", "KADIN-2026").exit_code == 0
        header_only = write_csv(tmp_path / "empty.csv", [])
        result = cli("import", "workers", str(header_only), "--agreement", "KADIN-2026", "--json")
        assert result.exit_code == 1
        assert result.json()["read"] == 0
        broken = tmp_path / "list.xlsx"
        broken.write_bytes(b"PK\x03\x04not really a workbook")
        result = cli("import", "workers", str(broken), "--agreement", "KADIN-2026")
        assert result.exit_code == 2
        assert "rusak" in result.stderr
        assert "Traceback" not in result.stderr

    def test_no_nik_is_written_to_the_log_or_the_terminal(self, kadin, cli, tmp_path, caplog):
        rows = [person(), person(born=BORN, birth_text="18-05-1990")]
        path = write_csv(tmp_path / "kadin.csv", rows)
        result = cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--errors",
                     str(tmp_path / "e.csv"))
        for r in rows:
            assert r["NIK"] not in result.stdout + result.stderr + caplog.text



class TestTheRefusedRowsGoBackToBeCorrected:
    """``--refused-rows``: the refused rows whole, as sent, with their reasons, in a file the import
    reads again once corrected."""

    def test_corrected_in_the_workbook_and_imported_again(self, kadin, cli, tmp_path):
        good, astronaut = person(), person(occupation="Astronot", phone="0812 777 888")
        wrong_birth = person(born=BORN, birth_text="18-05-1990", sex_text="P")
        rows = [good, astronaut, wrong_birth, person(nik_text=good["NIK"])]
        path = write_csv(tmp_path / "kadin.csv", rows, delimiter=";", encoding="cp1252")
        out = tmp_path / "perbaiki.xlsx"
        result = cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--refused-rows", str(out))
        assert result.exit_code == 0, result.stderr
        assert "untuk diperbaiki lalu diimpor lagi (3 baris):" in result.out
        assert str(out) in "".join(result.stdout.split())  # Rich may wrap a long path
        book = load_workbook(out)
        sheet = book.active
        got = [["" if c.value is None else c.value for c in row] for row in sheet.iter_rows()]
        assert got[0] == [*HEADER, "Baris di berkas asal", "Alasan penolakan"]
        sent = cells(rows)
        assert [line[:-2] for line in got[1:]] == [[str(v) for v in sent[i]] for i in (2, 3, 4)]
        assert [line[-2] for line in got[1:]] == ["3", "4", "5"]
        assert got[1][-1] == "Pekerjaan: Pekerjaan 'Astronot' tidak dapat dipetakan ke katalog pekerjaan."
        assert got[2][-1].startswith("Tgl Lahir: Tanggal lahir 18-05-1990 tidak sesuai dengan NIK")
        assert "; L/P: " in got[2][-1]
        assert got[3][-1] == "NIK: NIK ini sudah ada di baris 2 pada berkas yang sama."
        # The sponsor corrects the two rows it can and drops the duplicate; the same file goes back in.
        sheet_rows = [line[:-2] for line in got[1:3]]
        sheet_rows[0][HEADER.index("Pekerjaan")] = "Petani"
        sheet_rows[1][HEADER.index("Tgl Lahir")] = wrong_birth["Tgl Lahir"].replace("18-05", "17-05")
        sheet_rows[1][HEADER.index("L/P")] = "L"
        fixed = write_workbook(tmp_path / "diperbaiki.xlsx", {"Ditolak": [got[0], *(
            [*line, n, reason] for line, n, reason in zip(sheet_rows, ("3", "4"), ("x", "y"), strict=True))]})
        again = cli("import", "workers", str(fixed), "--agreement", "KADIN-2026", "--json").json()
        assert (again["read"], again["enrolled"], again["already_enrolled"], again["refused"]) == (2, 2, 0, 0)
        assert cli("agreement", "show", "KADIN-2026", "--json").json()["use"]["enrolled"] == 3

    def test_as_csv_in_english_from_a_check_of_a_workbook(self, kadin, cli, tmp_path, monkeypatch):
        temporary = tmp_path / "tmp"
        temporary.mkdir()
        monkeypatch.setattr(tempfile, "tempdir", str(temporary))
        rows = [person(), person(occupation="Astronot")]
        path = write_workbook(tmp_path / "pemkab.xlsx", {
            "Petunjuk": [["Isi NIK sebagai teks"]],
            "Tambun": [["DAFTAR PEKERJA RENTAN 2026"], [], *cells(rows)]})
        out = tmp_path / "refused.csv"
        result = cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--check", "--lang", "en",
                     "--refused-rows", str(out), "--json")
        assert result.json()["refused_rows_file"] == str(out)
        assert read_report(out) == [
            [*HEADER, "Row in the original file", "Why refused"],
            [*(str(v) for v in cells(rows)[2]), "5",
             "Pekerjaan: Occupation 'Astronot' cannot be mapped to the occupation catalogue."]]
        assert cli("agreement", "show", "KADIN-2026", "--json").json()["use"]["enrolled"] == 0  # a check saves nothing
        assert list(temporary.iterdir()) == []  # the report it was written from is gone
        assert not out.with_name(out.name + ".partial").exists()

    def test_no_refusal_writes_just_the_header_and_a_bad_place_is_refused_first(self, kadin, cli, tmp_path):
        path = write_csv(tmp_path / "kadin.csv", [person()])
        out = tmp_path / "none.csv"
        assert cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--refused-rows", str(out)
                   ).exit_code == 0
        assert read_report(out) == [[*HEADER, "Baris di berkas asal", "Alasan penolakan"]]
        result = cli("import", "workers", str(write_csv(tmp_path / "b.csv", [person()])), "--agreement",
                     "KADIN-2026", "--refused-rows", str(tmp_path / "no-such-folder" / "x.xlsx"))
        assert result.exit_code == 2
        assert cli("agreement", "show", "KADIN-2026", "--json").json()["use"]["enrolled"] == 1


class TestNoReportOverwritesTheSponsorsFile:
    def test_an_output_that_is_the_input_or_the_other_output_is_refused_first(self, kadin, cli, tmp_path,
                                                                              monkeypatch):
        path = write_csv(tmp_path / "kadin.csv", [person(), person(occupation="Astronot")])
        sent = path.read_bytes()
        monkeypatch.chdir(tmp_path)
        for args, says in (
                (("--refused-rows", "kadin.csv"), "adalah berkas yang dibaca"),  # the same file, named otherwise
                (("--errors", str(path)), "adalah berkas yang dibaca"),
                (("--errors", "x.csv", "--refused-rows", str(tmp_path / "x.csv")), "menunjuk berkas yang sama")):
            r = cli("import", "workers", str(path), "--agreement", "KADIN-2026", *args)
            assert r.exit_code == 2 and says in " ".join(r.err.split()), r.err
        assert path.read_bytes() == sent
        assert cli("agreement", "show", "KADIN-2026", "--json").json()["use"]["enrolled"] == 0


class TestAWorkbookOfSeveralLists:
    """A regency sends one workbook with a worksheet per kecamatan: none is left out unnoticed."""

    def test_each_sheet_is_imported_on_its_own_and_a_bare_import_saves_nothing(self, kadin, cli, tmp_path):
        tambun, cibitung = [person(), person()], [person(), person(occupation="Astronot"), person()]
        path = write_workbook(tmp_path / "pemkab.xlsx", {
            "Petunjuk": [["Isi NIK sebagai teks"]], "Tambun": cells(tambun), "Cibitung": cells(cibitung)})

        bare = cli("import", "workers", str(path), "--agreement", "KADIN-2026")
        assert bare.exit_code == 2
        assert "punya 2 lembar berisi daftar pekerja: 'Tambun', 'Cibitung'" in bare.err
        assert cli("agreement", "show", "KADIN-2026", "--json").json()["use"]["enrolled"] == 0

        out = cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--sheet", "cibitung", "--json").json()
        assert (out["sheet"], out["file"], out["read"], out["enrolled"], out["refused"]) == (
            "Cibitung", "pemkab.xlsx [Cibitung]", 3, 2, 1)
        shown = cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--sheet", "Tambun")
        assert shown.exit_code == 0, shown.stderr
        assert "Dibaca dari lembar 'Tambun'." in shown.out and "didaftarkan 2" in shown.out
        # Which worksheet a worker came from stays with the worker.
        registered = cli("worker", "show", tambun[0]["NIK"], "--json").json()["registered"]
        assert registered["source"] == "import:pemkab.xlsx [Tambun]"
        assert cli("agreement", "show", "KADIN-2026", "--json").json()["use"]["enrolled"] == 4

        unknown = cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--sheet", "Cikarang",
                      "--lang", "en")
        assert unknown.exit_code == 2
        assert "has no worksheet 'Cikarang'. Its worksheets: 'Petunjuk', 'Tambun', 'Cibitung'." in unknown.err


class TestACheckOnly:
    """``--check``: every check against the registry as it is, the report, and nothing saved."""

    STATE = ("SELECT (SELECT COUNT(*) FROM workers), (SELECT COUNT(*) FROM enrolments), "
             "(SELECT COUNT(*) FROM provenances), enrolled_count, committed_cost FROM agreements "
             "WHERE code = 'KADIN-2026'")

    def state(self, database: Any) -> tuple[Any, ...]:
        with database.session(readonly=True) as s:
            return tuple(s.execute(text(self.STATE)).one())

    def test_says_what_an_import_would_do_and_saves_nothing(self, kadin, cli, tmp_path):
        first = person()
        rows = [first, person(occupation="Tukang Ojek"), person(nik_text=first["NIK"]),
                person(occupation="Astronot")]
        path = write_csv(tmp_path / "kadin.csv", rows)
        before = self.state(kadin)
        report = tmp_path / "cek.csv"
        result = cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--check", "--errors",
                     str(report), "--by", "ani")
        assert result.exit_code == 0, result.stderr
        said = " ".join(result.stdout.split())
        assert self.state(kadin) == before
        checked = read_report(report)
        assert [r[:3] for r in checked[1:]] == [["4", "NIK", first["NIK"]], ["5", "Pekerjaan", "Astronot"]]
        with kadin.session(readonly=True) as s:
            entry = s.scalars(select(AuditEntry).where(AuditEntry.action.startswith("enrolment."))).one()
            assert (entry.actor, entry.action, entry.data) == (
                "ani", "enrolment.import_check",
                {"file": "kadin.csv", "read": 4, "enrolled": 2, "already": 0, "refused": 2, "heirs": 0})
            assert audit.detail_text(entry, "en") == (
                "check of kadin.csv: read 4, would enrol 2, already enrolled 0, refused 2")

        # The real import then does what the check said, and a check after it finds nothing to add.
        done = cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--errors",
                   str(tmp_path / "real.csv"), "--json").json()
        assert (done["read"], done["enrolled"], done["already_enrolled"], done["refused"]) == (4, 2, 0, 2)
        assert done["committed_cost"] > 0 and self.state(kadin)[4] == done["committed_cost"]
        # (the cost depends on today's month: the span runs from it to the agreement's end)
        assert (f"Pemeriksaan KADIN-2026 (tidak ada yang disimpan): dibaca 4, akan didaftarkan 2 "
                f"({rp(done['committed_cost'])}), sudah terdaftar 0, ditolak 2.") in said
        assert read_report(tmp_path / "real.csv") == checked
        again = cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--dry-run", "--json",
                    "--lang", "en").json()
        assert (again["enrolled"], again["already_enrolled"], again["refused"], again["dry_run"]) == (
            0, 2, 2, True)
        assert self.state(kadin)[:2] == (2, 2)

    def test_in_english_and_against_the_quota_left(self, cli, database, tmp_path):
        with database.session() as s:
            make_agreement(s, quota=1, budget=201_600)
        path = write_csv(tmp_path / "kadin.csv", [person(), person()])
        result = cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--check", "--lang", "en")
        assert result.exit_code == 0, result.stderr
        assert self.state(database)[:2] == (0, 0)
        cost = cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--json").json()["committed_cost"]
        assert (f"Check against KADIN-2026 (nothing saved): read 2, would enrol 1 ({rp(cost)}), already "
                "enrolled 0, refused 1.") in " ".join(result.stdout.split())
        assert self.state(database)[:2] == (1, 1)



def run_in_a_terminal(args: list[str], env: dict[str, str], timeout: float = 120) -> tuple[int, str]:
    """Run ``lindung ARGS`` with a pseudo-terminal as its stdout and stderr, as an officer would;
    returns the exit code and everything it wrote there (escape codes included)."""
    import pty
    import select

    lindung = Path(sys.executable).with_name("lindung")
    controller, terminal = pty.openpty()
    child = subprocess.Popen([str(lindung), *args], stdin=subprocess.DEVNULL, stdout=terminal, stderr=terminal,
                             env={**env, "TERM": "xterm-256color", "COLUMNS": "100"}, close_fds=True)
    os.close(terminal)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 0.2)
            if ready:
                try:
                    data = os.read(controller, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
            elif child.poll() is not None:
                break
    finally:
        os.close(controller)
        code = child.wait(timeout=30)
    return code, b"".join(chunks).decode("utf-8", "replace")


class TestOnATerminal:
    def test_a_progress_bar_shows_while_importing_and_checking(self, kadin, tmp_path):
        path = write_csv(tmp_path / "kadin.csv", [person() for _ in range(900)])
        env = {**os.environ, "LINDUNG_DATABASE_URL": kadin.url}
        code, shown = run_in_a_terminal(["import", "workers", str(path), "--agreement", "KADIN-2026",
                                         "--check"], env)
        assert code == 0, shown
        assert "Memeriksa kadin.csv" in shown and "━" in shown  # the bar, drawn on the terminal
        assert "tidak ada yang disimpan" in shown
        code, shown = run_in_a_terminal(["import", "workers", str(path), "--agreement", "KADIN-2026",
                                         "--lang", "en"], env)
        assert code == 0, shown
        assert "Importing kadin.csv" in shown and "━" in shown
        assert "enrolled 900" in " ".join(shown.split())
        # Piped (not a terminal), as in the other tests here: no bar, only the summary.
        piped = subprocess.run([str(Path(sys.executable).with_name("lindung")), "import", "workers", str(path),
                                "--agreement", "KADIN-2026"], env=env, capture_output=True, text=True,
                               timeout=120)
        assert "━" not in piped.stdout + piped.stderr and "sudah terdaftar 900" in piped.stdout


CHILD = """
import datetime as dt, os, sys, time
from pathlib import Path
from lindung.enrolment.files import opened
from lindung.enrolment.importer import import_workers
from lindung.kit.db import make_engine, session_scope
from lindung.users.service import acting

def slow(done, total):
    if done >= 400:
        open(sys.argv[2], "w").write(str(done))
        time.sleep(60)

engine = make_engine(os.environ["LINDUNG_DATABASE_URL"])
with session_scope(engine) as s, opened(Path(sys.argv[1])) as upload:
    import_workers(s, upload, "KADIN-2026", by=acting(s, "ani"), today=dt.date(2026, 1, 10), on_progress=slow,
                   batch_rows=200)
"""


class TestAKilledImport:
    def test_leaves_the_database_as_it_was(self, kadin, tmp_path):
        from sqlalchemy import text

        path = write_csv(tmp_path / "big.csv", [person() for _ in range(1000)])
        marker = tmp_path / "halfway"
        env = {**os.environ, "LINDUNG_DATABASE_URL": kadin.url}
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(path), str(marker)], env=env)
        try:
            deadline = time.monotonic() + 60
            while not marker.exists():
                assert child.poll() is None, "the import ended before it was killed"
                assert time.monotonic() < deadline
                time.sleep(0.05)
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
        kadin.engine.dispose()
        assert kadin.scalar("SELECT COUNT(*) FROM workers") == 0
        assert kadin.scalar("SELECT COUNT(*) FROM enrolments") == 0
        assert kadin.scalar("SELECT enrolled_count FROM agreements") == 0
        with kadin.engine.connect() as conn:  # the next import is not blocked by the dead one
            conn.execute(text("SELECT 1"))
        from lindung.enrolment.importer import import_workers
        from tests.enrolment.import_files import upload
        from tests.factories import MAKER, TODAY
        from tests.users import actor

        with kadin.session() as s:
            assert import_workers(s, upload(path), "KADIN-2026", by=actor(s, MAKER), today=TODAY).enrolled == 1000


def test_the_rows_of_kept_heirs_are_listed_ten_at_most() -> None:
    from lindung.enrolment.cli import rows_line

    assert rows_line([2], 1) == "2"
    assert rows_line(list(range(2, 12)), 10) == "2, 3, 4, 5, 6, 7, 8, 9, 10, 11"
    assert rows_line(list(range(2, 14)), 12) == "2, 3, 4, 5, 6, 7, 8, 9, 10, 11, …"
    assert rows_line(list(range(2, 1002)), 5000) == "2, 3, 4, 5, 6, 7, 8, 9, 10, 11, …"
