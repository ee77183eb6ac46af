"""``lindung import template``: the spreadsheet a sponsor fills in, and what the import makes of it."""

from __future__ import annotations

import os
from typing import Any

import pytest
from openpyxl import load_workbook

from lindung.enrolment.importer_read import DISPLAY
from lindung.enrolment.template import COLUMNS, TEXT_COLUMNS
from lindung.kit.lokal import all_regions
from lindung.rules.catalogues import match_occupation, match_relationship, occupations
from lindung.workers.service import heir_relationships
from tests.enrolment.import_files import person
from tests.factories import TODAY, make_agreement

TARUMAJAYA = "32.16.01"


def validations(sheet: Any) -> dict[str, Any]:
    """Data-validation rules of a worksheet by the column they cover."""
    return {str(v.sqref).split(":")[0].rstrip("0123456789"): v for v in sheet.data_validations.dataValidation}


class TestTheTemplate:
    def test_without_an_agreement_every_occupation_and_text_columns(self, database, cli, tmp_path):
        out = tmp_path / "templat.xlsx"
        r = cli("import", "template", "--out", str(out), "--json")
        assert r.exit_code == 0, r.stderr
        assert r.json() == {"file": str(out), "agreement": None, "occupations": len(occupations()), "villages": 0}
        book = load_workbook(out)
        assert book.sheetnames == ["Data", "Petunjuk", "Pekerjaan", "Hubungan"]
        data = book["Data"]
        assert [c.value for c in data[1]] == [DISPLAY[f] for f in COLUMNS]
        for i, field in enumerate(COLUMNS):
            letter = chr(ord("A") + i)
            assert (data.column_dimensions[letter].number_format == "@") == (field in TEXT_COLUMNS), field
        rules = validations(data)
        assert (rules["D"].type, rules["D"].formula1) == ("list", '"L,P"')
        assert rules["E"].formula1 == f"=Pekerjaan!$A$2:$A${len(occupations()) + 1}"
        assert (rules["A"].type, rules["A"].formula1) == ("textLength", "16")
        # Every label offered maps back to its code through the catalogue the import uses.
        listed = [(row[0].value, row[1].value) for row in book["Pekerjaan"].iter_rows(min_row=2)]
        assert len(listed) == len(occupations())
        assert all(match_occupation(label).code == code for label, code in listed)  # type: ignore[union-attr]
        assert "Templat daftar pekerja" in book["Petunjuk"]["A1"].value
        # The heir's relationship: what an heir may be (heirs.priority), each label read back to its code.
        kin = [(row[0].value, row[1].value) for row in book["Hubungan"].iter_rows(min_row=2)]
        assert [code for _label, code in kin] == list(heir_relationships(TODAY))
        assert "funeral_organiser" not in dict(kin).values()
        assert all(match_relationship(label).code == code for label, code in kin)  # type: ignore[union-attr]
        assert rules["J"].formula1 == f"=Hubungan!$A$2:$A${len(kin) + 1}"
        assert (rules["K"].type, rules["K"].formula1) == ("textLength", "16")

    def test_an_agreement_brings_its_target_group_and_its_desa(self, database, cli, tmp_path):
        with database.session() as s:
            make_agreement(s, "TANI-2026", sponsor="PEMKAB", funding="apbd", quota=500,
                           target_occupations=("petani", "buruh_tani"), target_regions=(TARUMAJAYA,))
        r = cli("import", "template", "--agreement", "tani-2026", "--out", str(tmp_path / "t.xlsx"), "--lang", "en")
        assert r.exit_code == 0, r.stderr
        expected = sorted(x.code for x in all_regions() if x.level == 4 and x.code.startswith(TARUMAJAYA + "."))
        assert f"Template written to {tmp_path / 't.xlsx'}: 2 occupations, {len(expected)} target desa" in r.out
        book = load_workbook(tmp_path / "t.xlsx")
        assert book.sheetnames == ["Data", "Petunjuk", "Pekerjaan", "Hubungan", "Desa"]
        assert [row[1].value for row in book["Pekerjaan"].iter_rows(min_row=2)] == ["buruh_tani", "petani"]
        desa = [[c.value for c in row] for row in book["Desa"].iter_rows(min_row=2)]
        assert [d[0] for d in desa] == expected
        assert desa[0][2:] == ["Tarumajaya", "Kabupaten Bekasi"]
        assert validations(book["Data"])["F"].formula1 == f"=Desa!$A$2:$A${len(expected) + 1}"
        petunjuk = [row[0].value for row in book["Petunjuk"].iter_rows() if row[0].value]
        assert "Agreement TANI-2026 (Sponsor PEMKAB), 2026-01 to 2026-12; 500 places left in its quota." in petunjuk

    def test_a_filled_in_template_imports_from_its_data_sheet(self, database, cli, tmp_path):
        with database.session() as s:
            make_agreement(s)
        path = tmp_path / "kadin.xlsx"
        assert cli("import", "template", "--agreement", "KADIN-2026", "--out", str(path)).exit_code == 0
        book = load_workbook(path)
        rows = [person(), person(occupation="Pengemudi Ojek"), person(occupation="Astronot")]
        kin = [row[0].value for row in book["Hubungan"].iter_rows(min_row=2)]
        for i, r in enumerate(rows):  # as Excel keeps what is typed into text cells: strings
            book["Data"].append([r["NIK"], r["Nama Lengkap"], r["Tgl Lahir"], r["L/P"], r["Pekerjaan"],
                                 r["Kode Desa"], r["No HP"], "", "Siti Aminah" if i == 0 else "",
                                 kin[0] if i == 0 else "", ""])
        book.save(path)
        out = cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--json").json()
        assert (out["sheet"], out["read"], out["enrolled"], out["refused"], out["heirs"]) == ("Data", 3, 2, 1, 1)


class TestWhatCannotBeDone:
    def test_an_unknown_agreement_writes_no_file(self, database, cli, tmp_path):
        r = cli("import", "template", "--agreement", "NOPE", "--out", str(tmp_path / "t.xlsx"))
        assert r.exit_code == 3 and not (tmp_path / "t.xlsx").exists()

    @pytest.mark.parametrize("command", [("import", "template"), ("agreement", "workers", "KADIN-2026")])
    def test_an_output_in_a_missing_folder_or_on_a_folder_is_a_clear_error(self, database, cli, tmp_path, command):
        with database.session() as s:
            make_agreement(s)
        r = cli(*command, "--out", str(tmp_path / "nowhere" / "t.xlsx"))
        assert r.exit_code == 2 and f"the folder {tmp_path / 'nowhere'} does not exist" in cli(
            *command, "--out", str(tmp_path / "nowhere" / "t.xlsx"), "--lang", "en").err
        r = cli(*command, "--out", str(tmp_path))
        assert r.exit_code == 2 and f"--out '{tmp_path}' adalah folder" in r.err

    def test_an_error_file_that_cannot_be_written_stops_the_import_before_it_starts(self, database, cli, tmp_path):
        with database.session() as s:
            make_agreement(s)
        from tests.enrolment.import_files import write_csv

        path = write_csv(tmp_path / "kadin.csv", [person()])
        r = cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--errors",
                str(tmp_path / "nowhere" / "e.csv"))
        assert r.exit_code == 2 and "--errors" in r.err and "Traceback" not in r.err
        assert cli("agreement", "show", "KADIN-2026", "--json").json()["use"]["enrolled"] == 0

    @pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
    def test_a_folder_without_permission(self, database, cli, tmp_path):
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        r = cli("import", "template", "--out", str(locked / "t.xlsx"))
        assert r.exit_code == 2 and "tidak ada izin menulis" in r.err
