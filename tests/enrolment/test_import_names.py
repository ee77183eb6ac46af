"""Names in a sponsor's file as they are seen, on SQLite and PostgreSQL, with the file as one range and
row by row (``ranges`` of test_import): the invisible characters a spreadsheet or a chat carries are
left out, and a name that begins as a spreadsheet formula ("=HYPERLINK(…)", "@Budi") is refused, so
that it never becomes a live formula in a list of workers, the error file or the refused rows sent
back to the sponsor (which write it as text: ``kit.cells``)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from lindung.workers.models import Heir, Worker
from tests.enrolment.import_files import person, write_csv
from tests.enrolment.test_import import ranges, reasons, run_import, setup  # noqa: F401 (ranges: fixture)
from tests.enrolment.test_import_heirs import HEIR_HEADER, heir

FORMULAS = ['=HYPERLINK("http://contoh.test","klik")', "@Budi", "'-Dedi", "+cmd|' /C calc'!A0"]


def names_stored(database: Any) -> list[str]:
    with database.session(readonly=True) as s:
        return sorted(s.scalars(select(Worker.name)))


class TestNamesInAFile:
    def test_invisible_characters_are_left_out_of_what_is_kept(self, database, tmp_path):
        setup(database)
        rows = [person(name="Asep\u200b Saputra"), person(name="Ujang\x07 Suryana"), person(name="Siti\tAminah"),
                person(name="\ufeffEnting  Kartika\u00a0")]
        summary, errors = run_import(database, write_csv(tmp_path / "kadin.csv", rows))
        assert (summary.enrolled, errors) == (4, [])
        assert names_stored(database) == ["Asep Saputra", "Enting Kartika", "Siti Aminah", "Ujang Suryana"]

    def test_a_name_that_begins_as_a_formula_refuses_its_row_only(self, database, tmp_path):
        setup(database)
        rows = [person(name="Asep Saputra"), *(person(name=name) for name in FORMULAS), person(name="Dedi-Mulyadi")]
        summary, errors = run_import(database, write_csv(tmp_path / "kadin.csv", rows))
        assert (summary.enrolled, summary.refused) == (2, 4)
        assert reasons(errors) == {
            3: [("Nama Lengkap", FORMULAS[0], "import.name_formula", "=")],
            4: [("Nama Lengkap", "@Budi", "import.name_formula", "@")],
            5: [("Nama Lengkap", "'-Dedi", "import.name_formula", "-")],  # behind the apostrophe of kit.cells
            6: [("Nama Lengkap", FORMULAS[3], "import.name_formula", "+")]}
        assert names_stored(database) == ["Asep Saputra", "Dedi-Mulyadi"]

    def test_an_heir_s_name_likewise(self, database, tmp_path):
        setup(database)
        rows = [heir(person(), "Euis\u200b Lestari"), heir(person(), "=1+1", "Anak")]
        summary, errors = run_import(database, write_csv(tmp_path / "kadin.csv", rows, header=HEIR_HEADER))
        assert (summary.enrolled, summary.heirs) == (1, 1)
        assert reasons(errors) == {3: [("Nama Ahli Waris", "=1+1", "import.name_formula", "=")]}
        with database.session(readonly=True) as s:
            assert s.scalars(select(Heir.name)).all() == ["Euis Lestari"]


class TestWhatGoesBackToTheSponsor:
    def test_the_error_file_and_the_refused_rows_hold_the_formula_as_text(self, database, cli, tmp_path):
        setup(database)
        path = write_csv(tmp_path / "kadin.csv", [person(name=FORMULAS[0]), person(phone="+62 812-3456-7890")])
        errors, refused_csv, refused_xlsx = tmp_path / "e.csv", tmp_path / "r.csv", tmp_path / "r.xlsx"
        for refused in (refused_csv, refused_xlsx):
            r = cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--check", "--errors",
                    str(errors), "--refused-rows", str(refused))
            assert r.exit_code == 0, r.err
        with errors.open(encoding="utf-8-sig", newline="") as f:
            assert list(csv.reader(f))[1][:3] == ["2", "Nama Lengkap", "'" + FORMULAS[0]]
        with refused_csv.open(encoding="utf-8-sig", newline="") as f:
            assert list(csv.reader(f))[1][2] == "'" + FORMULAS[0]
        cell = load_workbook(refused_xlsx).active["C2"]
        assert (cell.value, cell.data_type) == (FORMULAS[0], "s")
        # Sent back and imported again, the row is refused again, not enrolled under "'=HYPERLINK(…".
        again = cli("import", "workers", str(refused_csv), "--agreement", "KADIN-2026", "--json")
        assert (again.json()["refused"], again.json()["refused_by_reason"]) == (1, {"name_formula": 1})

    def test_a_list_of_workers_writes_a_formula_from_before_this_check_as_text(self, database, cli, tmp_path):
        setup(database)
        summary, _errors = run_import(database, write_csv(tmp_path / "kadin.csv", [person(name="Asep Saputra")]))
        assert summary.enrolled == 1
        with database.session() as s:  # a name registered before names were checked
            s.scalars(select(Worker)).one().name = FORMULAS[0]
        out = tmp_path / "peserta.csv"
        assert cli("agreement", "workers", "KADIN-2026", "--out", str(out)).exit_code == 0
        with Path(out).open(encoding="utf-8", newline="") as f:
            assert "'" + FORMULAS[0] in [cell for row in csv.reader(f) for cell in row]
