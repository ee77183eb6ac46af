"""``enrolment.refused_rows``: the rows an error report names, found again in the sponsor's file."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import load_workbook

from lindung.enrolment.refused_rows import is_xlsx, reasons_from_report
from lindung.enrolment.refused_rows import write_refused_rows as write_to
from tests.enrolment.import_files import upload


def write_refused_rows(source: Path, sheet: str | None, reasons: object, out: Path, lang: str = "id") -> int:
    """The rows written to the file ``out`` (XLSX when its name ends so), from ``source``'s bytes."""
    with out.open("wb") as f:
        return write_to(upload(source), sheet, reasons, f, lang, xlsx=is_xlsx(out.name))  # type: ignore[arg-type]


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_rows_are_found_by_their_number_past_titles_blank_and_short_rows(tmp_path: Path) -> None:
    source = tmp_path / "pemkab.csv"
    source.write_text(
        "DAFTAR PEKERJA RENTAN\r\n"                                   # 1
        "\r\n"                                                        # 2
        "NIK;Nama;Tgl Lahir;L/P;Pekerjaan;Kode Desa;Catatan\r\n"       # 3: the header
        "3216011705900001;Asep;17-05-1990;L;Petani;3216012001;ok\r\n"  # 4
        ";;;;;;\r\n"                                                  # 5: blank, left out
        "3216011705900002;Ujang;17-05-1990;L;Astronot\r\n"             # 6: short
        "3216011705900003;Dedi;17-05-1990;L;Petani;3216012001;x;extra\r\n",  # 7: longer than the header
        encoding="cp1252")
    out = tmp_path / "ditolak.csv"
    n = write_refused_rows(source, None, [(6, "Pekerjaan: tidak dikenal"), (6, "Kode Desa: kosong"),
                                          (7, "NIK: dua kali")], out)
    assert n == 2
    assert _read(out) == [
        ["NIK", "Nama", "Tgl Lahir", "L/P", "Pekerjaan", "Kode Desa", "Catatan", "Baris di berkas asal",
         "Alasan penolakan"],
        ["3216011705900002", "Ujang", "17-05-1990", "L", "Astronot", "", "", "6",
         "Pekerjaan: tidak dikenal; Kode Desa: kosong"],
        ["3216011705900003", "Dedi", "17-05-1990", "L", "Petani", "3216012001", "x", "7", "NIK: dua kali"],
    ]


def test_an_error_report_reads_back_as_reasons_and_a_workbook_keeps_text(tmp_path: Path) -> None:
    report = tmp_path / "e.csv"
    with report.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([["baris", "kolom", "nilai", "alasan"], ["2", "NIK", "1", "NIK salah."],
                                 ["2", "Nama", "", "Nama kosong."]])
    with report.open("rb") as f:
        assert list(reasons_from_report(f)) == [(2, "NIK: NIK salah."), (2, "Nama: Nama kosong.")]
    source = tmp_path / "f.csv"
    source.write_text("NIK,Nama,Tgl Lahir,L/P,Pekerjaan,Kode Desa\n0216011705900001,,17-05-1990,L,Petani,1\n",
                      encoding="utf-8")
    out = tmp_path / "x.xlsx"
    with report.open("rb") as f:
        assert write_refused_rows(source, None, reasons_from_report(f), out, "en") == 1
    rows = [[c.value for c in row] for row in load_workbook(out).active.iter_rows()]  # type: ignore[union-attr]
    assert rows[0][-2:] == ["Row in the original file", "Why refused"]
    assert rows[1][0] == "0216011705900001"  # text: the leading zero stays
    assert rows[1][-1] == "NIK: NIK salah.; Nama: Nama kosong."
