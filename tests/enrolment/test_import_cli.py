"""``lindung import workers``: summary, JSON, the error file in Indonesian and English, exit codes,
and a killed import leaving nothing behind."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.enrolment.import_files import person, write_csv
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
        result = cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--lang", "en")
        assert "read 2, enrolled 0, already enrolled 1, refused 1" in " ".join(result.stdout.split())

    def test_the_error_file_in_indonesian(self, kadin, cli, tmp_path):
        rows = [person(), person(nik_text="3216011705"), person(birth_text="18-05-1990")]
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

    def test_the_error_file_in_english(self, kadin, cli, tmp_path):
        first = person()
        path = write_csv(tmp_path / "kadin.csv", [first, {**person(), "NIK": first["NIK"]},
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
        rows = [person(), person(birth_text="18-05-1990")]
        path = write_csv(tmp_path / "kadin.csv", rows)
        result = cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--errors",
                     str(tmp_path / "e.csv"))
        for r in rows:
            assert r["NIK"] not in result.stdout + result.stderr + caplog.text


CHILD = """
import datetime as dt, os, sys, time
from lindung.enrolment.importer import import_workers
from lindung.kit.db import make_engine, session_scope

def slow(done, total):
    if done >= 400:
        open(sys.argv[2], "w").write(str(done))
        time.sleep(60)

engine = make_engine(os.environ["LINDUNG_DATABASE_URL"])
with session_scope(engine) as s:
    import_workers(s, sys.argv[1], "KADIN-2026", by="x", today=dt.date(2026, 1, 10), on_progress=slow,
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
        from tests.factories import MAKER, TODAY

        with kadin.session() as s:
            assert import_workers(s, path, "KADIN-2026", by=MAKER, today=TODAY).enrolled == 1000
