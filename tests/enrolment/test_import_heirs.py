"""Heirs in a sponsor's file (Nama Ahli Waris, Hubungan, NIK Ahli Waris), on SQLite and PostgreSQL:
the heir a row names is recorded with the worker it enrols, an heir that cannot be recorded refuses
the row saying why, and a file never replaces the heirs the registry already has. Each scenario runs
with the file as one range and row by row (``ranges`` of test_import)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from lindung.enrolment.importer_read import ImportFileError
from lindung.enrolment.refused_rows import render_error
from lindung.kit.i18n import t
from lindung.workers.models import Heir, Worker
from lindung.workers.schemas import HeirIn
from tests.enrolment.import_files import HEADER, person, write_csv
from tests.enrolment.test_import import counts, ranges, reasons, run_import, setup  # noqa: F401 (ranges: fixture)
from tests.factories import enrol, make_worker, nik

HEIR_HEADER = (*HEADER, "Nama Ahli Waris", "Hubungan", "NIK Ahli Waris")


def heir(row: dict[str, Any], name: str = "Siti Aminah", relationship: str = "Istri",
         number: str = "") -> dict[str, Any]:
    return {**row, "Nama Ahli Waris": name, "Hubungan": relationship, "NIK Ahli Waris": number}


def heirs_of(database: Any, number: str) -> list[tuple[int, str, str, str | None]]:
    with database.session(readonly=True) as s:
        worker = s.scalars(select(Worker).where(Worker.nik == number)).one()
        return [(h.position, h.name, h.relationship_code, h.nik) for h in worker.heirs]


class TestTheHeirARowNamesIsRecorded:
    def test_new_workers_get_their_heir_and_rows_without_one_get_none(self, database, tmp_path):
        setup(database)
        wife_nik = nik(born=dt.date(1992, 3, 4), sex="P")
        rows = [heir(person(), "  Siti   Aminah ", "Istri", wife_nik),
                heir(person(), "Ujang", "anak kandung"),
                heir(person(), "", ""),
                heir(person(), "Engkus", "Ayah")]
        summary, errors = run_import(database, write_csv(tmp_path / "f.csv", rows, header=HEIR_HEADER))
        assert errors == []
        assert (summary.enrolled, summary.heirs, summary.heirs_kept) == (4, 3, 0)
        assert heirs_of(database, rows[0]["NIK"]) == [(1, "Siti Aminah", "spouse", wife_nik)]
        assert heirs_of(database, rows[1]["NIK"]) == [(1, "Ujang", "child", None)]
        assert heirs_of(database, rows[2]["NIK"]) == []
        assert heirs_of(database, rows[3]["NIK"]) == [(1, "Engkus", "parent", None)]

    def test_importing_the_same_file_again_adds_no_second_heir(self, database, tmp_path):
        setup(database)
        rows = [heir(person()), heir(person(), "Ujang", "Anak")]
        path = write_csv(tmp_path / "f.csv", rows, header=HEIR_HEADER)
        run_import(database, path)
        summary, errors = run_import(database, path)
        assert (summary.already_enrolled, summary.heirs, summary.heirs_kept, errors) == (2, 0, 0, [])
        assert heirs_of(database, rows[1]["NIK"]) == [(1, "Ujang", "child", None)]

    def test_a_registered_worker_without_heirs_gets_the_file_s(self, database, tmp_path):
        setup(database)
        with database.session() as s:
            number = make_worker(s).nik
        summary, errors = run_import(database, write_csv(
            tmp_path / "f.csv", [heir(person(nik_text=number), "Iis", "suami")], header=HEIR_HEADER))
        assert (summary.enrolled, summary.new_workers, summary.heirs, errors) == (1, 0, 1, [])
        assert heirs_of(database, number) == [(1, "Iis", "spouse", None)]

    def test_a_worker_already_enrolled_gets_the_heir_a_later_file_names(self, database, tmp_path):
        # The first list had no heir columns; the sponsor sends it again with them.
        setup(database)
        with database.session() as s:
            number = make_worker(s).nik
            enrol(s, number)
        summary, _ = run_import(database, write_csv(
            tmp_path / "f.csv", [heir(person(nik_text=number), "Iis", "Istri")], header=HEIR_HEADER))
        assert (summary.already_enrolled, summary.heirs) == (1, 1)
        assert heirs_of(database, number) == [(1, "Iis", "spouse", None)]

    def test_the_registry_s_heirs_are_never_replaced_by_a_file(self, database, tmp_path):
        setup(database)
        with database.session() as s:
            same = make_worker(s, heirs=(HeirIn(name="Iis", relationship="spouse"),)).nik
            other = make_worker(s, heirs=(HeirIn(name="Iis", relationship="spouse"),
                                          HeirIn(name="Ujang", relationship="child"))).nik
        rows = [heir(person(nik_text=same), "IIS", "istri"), heir(person(nik_text=other), "Euis", "istri")]
        summary, errors = run_import(database, write_csv(tmp_path / "f.csv", rows, header=HEIR_HEADER))
        assert (summary.enrolled, summary.heirs, summary.heirs_kept, errors) == (2, 0, 1, [])
        assert summary.heirs_kept_rows == (3,)  # Euis, on the file's second row of data
        assert heirs_of(database, same) == [(1, "Iis", "spouse", None)]
        assert heirs_of(database, other) == [(1, "Iis", "spouse", None), (2, "Ujang", "child", None)]

    def test_the_rows_whose_heirs_were_kept_are_named_the_first_ones_only(self, database, tmp_path, monkeypatch):
        # The officer checks these with the workers: their rows, in file order, as far as the cap.
        from lindung.enrolment import importer

        monkeypatch.setattr(importer, "HEIRS_KEPT_ROWS", 2)
        setup(database)
        with database.session() as s:
            numbers = [make_worker(s, heirs=(HeirIn(name="Iis", relationship="spouse"),)).nik for _ in range(3)]
        rows = [heir(person()), *[heir(person(nik_text=n), "Euis", "istri") for n in numbers]]
        summary, errors = run_import(database, write_csv(tmp_path / "f.csv", rows, header=HEIR_HEADER))
        assert (summary.enrolled, summary.heirs, summary.heirs_kept, summary.heirs_kept_rows, errors) == (
            4, 1, 3, (3, 4), [])

    def test_rows_refused_for_other_reasons_leave_no_heir(self, database, tmp_path):
        setup(database, quota=1)
        first = heir(person(), "Iis", "Istri")
        rows = [first, heir(person(nik_text=first["NIK"]), "Euis", "Istri"), heir(person(), "Ujang", "Anak")]
        summary, errors = run_import(database, write_csv(tmp_path / "f.csv", rows, header=HEIR_HEADER))
        assert (summary.enrolled, summary.refused, summary.heirs) == (1, 2, 1)
        assert [code for _row, _col, _val, code, _d in errors] == ["import.duplicate_in_file",
                                                                     "import.quota_exhausted"]
        assert heirs_of(database, first["NIK"]) == [(1, "Iis", "spouse", None)]
        with database.session(readonly=True) as s:
            assert len(s.scalars(select(Heir)).all()) == 1


class TestAnHeirThatCannotBeRecordedRefusesTheRow:
    def test_every_kind_of_heir_defect(self, database, tmp_path):
        setup(database)
        me = person()
        rows = [heir(person(), "", "Istri"),                             # 2: no name
                heir(person(), "Siti", ""),                              # 3: no relationship
                heir(person(), "Siti", "Tetangga"),                      # 4: not a relationship
                heir(person(), "Siti", "pengurus pemakaman"),            # 5: no heir (funeral organiser)
                heir(person(), "Siti", "Istri", "1234"),                 # 6: NIK not 16 digits
                heir(me, "Asep", "Saudara", me["NIK"]),                  # 7: the worker himself
                heir(person(), "x" * 201, "Anak"),                       # 8: name too long
                heir(person(), "", "", nik(sex="P")),                    # 9: a NIK without a name
                heir(person(), "Siti", "Istri")]                         # 10: fine
        summary, errors = run_import(database, write_csv(tmp_path / "f.csv", rows, header=HEIR_HEADER))
        assert (summary.read, summary.enrolled, summary.refused, summary.heirs) == (9, 1, 8, 1)
        found = {row: [(column, code) for column, _value, code, _detail in problems]
                 for row, problems in reasons(errors).items()}
        assert found == {
            2: [("Nama Ahli Waris", "import.heir_name_missing")],
            3: [("Hubungan", "import.heir_relationship_missing")],
            4: [("Hubungan", "import.heir_relationship_unknown")],
            5: [("Hubungan", "import.heir_relationship_unknown")],
            6: [("NIK Ahli Waris", "import.nik_format")],
            7: [("NIK Ahli Waris", "import.heir_nik_self")],
            8: [("Nama Ahli Waris", "import.name_too_long")],
            9: [("Nama Ahli Waris", "import.heir_name_missing"), ("Hubungan", "import.heir_relationship_missing")],
        }
        unknown = next(e for e in errors if e[0] == 4)
        message = render_error(unknown, "id")[3]
        assert message.startswith("Hubungan ahli waris 'Tetangga' tidak dikenal; yang diterima: Suami/istri")
        assert "Pihak yang mengurus pemakaman" not in message
        # Each reader has the relationships in their language.
        assert render_error(unknown, "en")[3].startswith(
            "Heir relationship 'Tetangga' is unknown; accepted: Spouse (widow/widower), Child, Parent,")
        missing = next(e for e in errors if e[0] == 3)
        assert render_error(missing, "en")[3].endswith("Sibling, Parent-in-law, Named in the will.")
        assert counts(database)[:2] == (1, 1)

    def test_a_worker_row_with_its_own_defect_reports_the_heir_s_too(self, database, tmp_path):
        setup(database)
        rows = [heir(person(occupation="Astronot"), "Siti", "Tetangga")]
        summary, errors = run_import(database, write_csv(tmp_path / "f.csv", rows, header=HEIR_HEADER))
        assert summary.refused == 1
        assert [(column, code) for _r, column, _v, code, _d in errors] == [
            ("Pekerjaan", "import.occupation_unknown"), ("Hubungan", "import.heir_relationship_unknown")]


class TestHeirColumns:
    @pytest.mark.parametrize("header", [("Nama Ahli Waris",), ("Hubungan Ahli Waris", "NIK Ahli Waris")])
    def test_a_heir_column_without_its_partner_is_refused_as_a_file(self, database, tmp_path, header):
        setup(database)
        path = write_csv(tmp_path / "f.csv", [person()], header=(*HEADER, *header))
        with pytest.raises(ImportFileError) as caught:
            run_import(database, path)
        assert caught.value.code == "import.heir_columns"
        assert counts(database)[:2] == (0, 0)

    def test_header_aliases(self, database, tmp_path):
        setup(database)
        header = (*HEADER, "AHLI WARIS", "Hubungan Keluarga", "No KTP Ahli Waris")
        row = {**person(), "AHLI WARIS": "Siti", "Hubungan Keluarga": "isteri", "No KTP Ahli Waris": ""}
        summary, errors = run_import(database, write_csv(tmp_path / "f.csv", [row], header=header))
        assert (summary.heirs, errors) == (1, [])
        assert heirs_of(database, row["NIK"]) == [(1, "Siti", "spouse", None)]


def test_the_heir_messages_read_in_both_languages() -> None:
    for code in ("import.heir_name_missing", "import.heir_relationship_missing", "import.heir_relationship_unknown",
                 "import.heir_nik_self"):
        for lang in ("id", "en"):
            assert "{" not in t(code, lang, value="x", detail="Anak, Cucu", column="Hubungan")
    assert t("import.heirs_kept", "id", kept=2, rows="3, 9").startswith(
        "Ahli waris di berkas tidak dipakai untuk 2 pekerja yang sudah punya ahli waris lain di registri (baris 3, 9)")
