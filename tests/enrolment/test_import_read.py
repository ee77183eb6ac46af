"""Reading sponsor files: kinds, encodings, delimiters, header aliases, row numbers, broken files."""

from __future__ import annotations

import codecs
import datetime as dt

import pytest

from lindung.enrolment import importer_read
from lindung.enrolment.files import opened
from lindung.enrolment.importer_read import ImportFileError, NumberCell
from tests.enrolment.import_files import upload, write_workbook, write_xlsx


def open_sheet(path, sheet=None):
    """The file as the services read it: its bytes, handed over (``Upload``)."""
    return importer_read.open_sheet(upload(path), sheet)


def rows_of(path):
    """The sheet and its rows, each row's cells as a list (the reader gives tuples)."""
    sheet = open_sheet(path)
    return sheet, [(n, list(cells)) for n, cells in sheet.rows]


class TestHeaderNames:
    @pytest.mark.parametrize("header", [
        "NIK,Nama Lengkap,Tgl Lahir,L/P,Pekerjaan,Kode Desa",
        "No KTP,Nama,Tanggal Lahir,Jenis Kelamin,pekerjaan,Kode Wilayah",
        "NOMOR INDUK KEPENDUDUKAN,NAMA LENGKAP,TGL. LAHIR,JK,PEKERJAAN,DESA",
        "nik ,  nama_lengkap,tgl_lahir,l / p,Jenis Pekerjaan,kode desa/kelurahan",
    ])
    def test_aliases_in_any_case(self, tmp_path, header):
        path = tmp_path / "f.csv"
        path.write_text(header + ",No HP,Penghasilan,Catatan\n1,2,3,4,5,6,7,8,9\n", encoding="utf-8")
        sheet, rows = rows_of(path)
        assert sheet.header.columns == {"nik": 0, "name": 1, "birth_date": 2, "sex": 3, "occupation": 4,
                                        "desa": 5, "phone": 6, "income": 7}
        assert rows == [(2, ["1", "2", "3", "4", "5", "6", "7", "8", "9"])]

    @pytest.mark.parametrize(("header", "desa", "kecamatan"), [
        ("NIK,Nama,Tgl Lahir,JK,Pekerjaan,Kode Desa,Nama Desa,Kode Kecamatan,Kecamatan", 5, 7),
        ("NIK,Nama,Tgl Lahir,JK,Pekerjaan,Desa,Kode Desa,Kecamatan,Kode Kecamatan", 6, 8),
        ("NIK,Nama,Tgl Lahir,JK,Pekerjaan,Kelurahan,Kode Kelurahan,Kecamatan", 6, 7),
        ("NIK,Nama,Tgl Lahir,JK,Pekerjaan,Kode Desa,Kecamatan,Kec,Kab,Kota", 5, 6),  # helpers: the first
    ])
    def test_a_region_given_by_code_and_by_name_reads_the_code(self, tmp_path, header, desa, kecamatan):
        path = tmp_path / "f.csv"
        path.write_text(header + "\n", encoding="utf-8")
        sheet = open_sheet(path)
        assert (sheet.header.columns["desa"], sheet.header.columns["kecamatan"]) == (desa, kecamatan)

    @pytest.mark.parametrize("header", ["NIK,Nama,Tgl Lahir,JK,Pekerjaan,Desa,Kelurahan",
                                        "NIK,Nama,Tgl Lahir,JK,Pekerjaan,Kode Desa,Kode Wilayah"])
    def test_two_region_columns_of_one_kind_are_an_error(self, tmp_path, header):
        path = tmp_path / "f.csv"
        path.write_text(header + "\n", encoding="utf-8")
        with pytest.raises(ImportFileError) as caught:
            open_sheet(path)
        assert caught.value.code == "import.duplicate_column"

    def test_two_columns_for_one_field_is_an_error(self, tmp_path):
        path = tmp_path / "f.csv"
        path.write_text("NIK,No KTP,Nama,Tgl Lahir,L/P,Pekerjaan,Kode Desa\n", encoding="utf-8")
        with pytest.raises(ImportFileError) as caught:
            open_sheet(path)
        assert caught.value.code == "import.duplicate_column"


class TestCsvText:
    HEADER = "NIK;Nama;Tgl Lahir;L/P;Pekerjaan;Kode Desa"

    def test_windows_1252_is_detected(self, tmp_path):
        path = tmp_path / "f.csv"
        path.write_bytes((self.HEADER + "\n3216011705900001;Dédé Rohmat;17-05-1990;L;Petani;3216012001\n")
                         .encode("cp1252"))
        sheet, rows = rows_of(path)
        assert (sheet.encoding, sheet.delimiter) == ("cp1252", ";")
        assert rows[0][1][1] == "Dédé Rohmat"

    def test_utf8_with_bom_and_quoted_fields(self, tmp_path):
        path = tmp_path / "f.csv"
        path.write_bytes(b"\xef\xbb\xbf" + (
            b'NIK,Nama,Tgl Lahir,L/P,Pekerjaan,Kode Desa\n'
            b'3216011705900001,"Komar, S.Pd",17/05/1990,L,Guru Ngaji,32.16.01.2001\n'))
        sheet, rows = rows_of(path)
        assert (sheet.encoding, sheet.delimiter) == ("utf-8", ",")
        assert rows == [(2, ["3216011705900001", "Komar, S.Pd", "17/05/1990", "L", "Guru Ngaji",
                             "32.16.01.2001"])]

    @pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
    def test_excel_unicode_text_utf16_with_its_mark_and_tabs(self, tmp_path, encoding):
        path = tmp_path / "f.txt"
        row = "3216011705900001\tDédé Rohmat\t17-05-1990\tL\tPetani\t3216012001"
        text = self.HEADER.replace(";", "\t") + "\r\n" + row + "\r\n"
        mark = {"utf-16": b"", "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}[encoding]
        path.write_bytes(mark + text.encode(encoding))
        sheet, rows = rows_of(path)
        assert (sheet.encoding, sheet.delimiter) == ("utf-16", "\t")
        assert rows == [(2, ["3216011705900001", "Dédé Rohmat", "17-05-1990", "L", "Petani", "3216012001"])]

    def test_utf16_without_its_mark_is_no_text_file(self, tmp_path):
        path = tmp_path / "f.csv"
        path.write_bytes((self.HEADER + "\n").encode("utf-16-le"))
        with pytest.raises(ImportFileError) as raised:
            rows_of(path)
        assert raised.value.code == "import.not_tabular"

    def test_row_numbers_are_those_a_spreadsheet_shows(self, tmp_path):
        path = tmp_path / "f.csv"
        path.write_text(self.HEADER + "\n\n1;a;;;;\n;;;;;\n2;b;;;;\n", encoding="utf-8")
        _, rows = rows_of(path)
        assert [n for n, _ in rows] == [3, 5]  # blank rows keep their numbers but are not data

    def test_the_header_may_sit_below_a_title(self, tmp_path):
        path = tmp_path / "f.csv"
        path.write_text("DAFTAR PEKERJA RENTAN 2026\n\n" + self.HEADER + "\n1;a;b;c;d;e\n", encoding="utf-8")
        sheet, rows = rows_of(path)
        assert sheet.header.row == 3
        assert rows == [(4, ["1", "a", "b", "c", "d", "e"])]


class TestWorkbooksOfSeveralSheets:
    HEADER = ("NIK", "Nama", "Tgl Lahir", "L/P", "Pekerjaan", "Kode Desa")
    INSTRUCTIONS = (("Petunjuk pengisian",), ("Isi satu pekerja per baris; NIK sebagai teks.",))

    def test_the_one_sheet_with_a_list_is_read_wherever_it_is(self, tmp_path):
        path = write_workbook(tmp_path / "f.xlsx", {
            "Petunjuk": self.INSTRUCTIONS, "Data": [["Daftar 2026"], self.HEADER, ["1", "a", "b", "c", "d", "e"]],
            "Pilihan": [["Petani"], ["Nelayan"]]})
        sheet, rows = rows_of(path)
        assert (sheet.sheet, sheet.header.row, rows) == ("Data", 2, [(3, ["1", "a", "b", "c", "d", "e"])])

    def test_a_single_sheet_is_not_named(self, tmp_path):
        sheet, _rows = rows_of(write_workbook(tmp_path / "f.xlsx", {"Lembar1": [self.HEADER]}))
        assert sheet.sheet is None

    def test_several_lists_are_refused_naming_them_so_that_none_is_left_out(self, tmp_path):
        path = write_workbook(tmp_path / "f.xlsx", {
            "Petunjuk": self.INSTRUCTIONS, "Tambun": [self.HEADER, ["1"] * 6], "Cibitung": [self.HEADER, ["2"] * 6]})
        with pytest.raises(ImportFileError) as caught:
            open_sheet(path)
        assert caught.value.message() == (
            "Berkas f.xlsx punya 2 lembar berisi daftar pekerja: 'Tambun', 'Cibitung'. Impor tiap lembar "
            "sendiri-sendiri dengan --sheet NAMA; tidak ada yang disimpan.")
        assert "Import each on its own with --sheet NAME" in caught.value.message("en")

    @pytest.mark.parametrize(("wanted", "read"), [("Cibitung", "2"), (" cibitung ", "2"), ("Tambun", "1")])
    def test_a_sheet_is_chosen_by_name(self, tmp_path, wanted, read):
        path = write_workbook(tmp_path / "f.xlsx", {
            "Tambun": [self.HEADER, ["1"] * 6], "Cibitung": [self.HEADER, ["2"] * 6]})
        sheet = open_sheet(path, wanted)
        assert sheet.sheet == wanted.strip().capitalize()
        assert list(sheet.rows) == [(2, (read,) * 6)]

    def test_an_unknown_sheet_names_those_there_are(self, tmp_path):
        path = write_workbook(tmp_path / "f.xlsx", {"Tambun": [self.HEADER], "Cibitung": [self.HEADER]})
        with pytest.raises(ImportFileError) as caught:
            open_sheet(path, "Tambon")
        assert caught.value.message("en") == (
            "File f.xlsx has no worksheet 'Tambon'. Its worksheets: 'Tambun', 'Cibitung'.")

    def test_a_chosen_sheet_without_a_list_says_what_it_lacks(self, tmp_path):
        path = write_workbook(tmp_path / "f.xlsx", {"Petunjuk": self.INSTRUCTIONS, "Data": [self.HEADER[:4]]})
        with pytest.raises(ImportFileError) as caught:
            open_sheet(path, "Data")
        assert caught.value.message() == (
            "Berkas f.xlsx [Data] tidak punya kolom wajib: Pekerjaan, Kode Desa (baris judul: baris 1).")

    def test_when_no_sheet_has_a_list_the_nearest_says_what_it_lacks(self, tmp_path):
        path = write_workbook(tmp_path / "f.xlsx", {"Petunjuk": self.INSTRUCTIONS, "Data": [self.HEADER[:5]]})
        with pytest.raises(ImportFileError) as caught:
            open_sheet(path)
        assert caught.value.code == "import.missing_columns"
        assert caught.value.context["file"] == "f.xlsx [Data]" and caught.value.context["columns"] == "Kode Desa"
        only_text = write_workbook(tmp_path / "g.xlsx", {"A": self.INSTRUCTIONS, "B": [["x"]]})
        with pytest.raises(ImportFileError) as caught:
            open_sheet(only_text)
        assert caught.value.code == "import.no_header"

    def test_a_csv_has_no_sheets(self, tmp_path):
        path = tmp_path / "f.csv"
        path.write_text(",".join(self.HEADER) + "\n", encoding="utf-8")
        with pytest.raises(ImportFileError) as caught:
            open_sheet(path, "Data")
        assert caught.value.message("en") == "File f.csv is a CSV file and has no worksheets; leave out --sheet Data."


class TestXlsxCells:
    def test_numbers_dates_and_text(self, tmp_path):
        path = write_xlsx(tmp_path / "f.xlsx", [
            ["NIK", "Nama", "Tgl Lahir", "L/P", "Pekerjaan", "Kode Desa", "Penghasilan"],
            [3216011705900001, "Asep", dt.date(1990, 5, 17), "L", "Petani", 3216012001, 1500000],
            ["3216011705900001", "Asep", dt.datetime(1990, 5, 17), "L", "Petani", "32.16.01.2001", ""],
        ])
        _, rows = rows_of(path)
        first, second = rows[0][1], rows[1][1]
        assert type(first[0]) is NumberCell and first[0] == "3216011705900001"
        assert first[2] == "1990-05-17" and first[5] == "3216012001" and first[6] == "1500000"
        assert type(second[0]) is str and second[2] == "1990-05-17"


class TestNotASpreadsheet:
    def test_a_missing_file(self, tmp_path):
        with pytest.raises(ImportFileError) as caught, opened(tmp_path / "nope.csv"):
            pass
        assert caught.value.code == "import.file_missing"

    def test_a_folder_is_said_to_be_one(self, tmp_path):
        with pytest.raises(ImportFileError) as caught, opened(tmp_path):
            pass
        assert caught.value.code == "import.file_is_folder"
        assert caught.value.message("id") == (f"{tmp_path} adalah folder, bukan berkas: sebut berkas CSV atau XLSX "
                                              "di dalamnya.")

    def test_an_empty_file_has_no_header(self, tmp_path):
        (tmp_path / "f.csv").write_bytes(b"")
        with pytest.raises(ImportFileError) as caught:
            open_sheet(tmp_path / "f.csv")
        assert caught.value.code == "import.no_header"

    def test_a_renamed_word_file_is_not_a_workbook(self, tmp_path):
        path = tmp_path / "f.xlsx"
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
        with pytest.raises(ImportFileError) as caught:
            open_sheet(path)
        assert caught.value.code == "import.broken_file"


class TestAStreamIsReadAsItGoes:
    """A door hands a file over as a stream (the CLI's open file, a server's spooled upload): it is read
    from its start each time, and left open for its owner."""

    def test_rows_read_from_a_stream_left_open_and_read_again(self, tmp_path):
        path = tmp_path / "f.csv"
        path.write_bytes(b"\xef\xbb\xbfNIK;Nama;Tgl Lahir;L/P;Pekerjaan;Kode Desa\n"
                         b"3216011705900001;D\xc3\xa9d\xc3\xa9;17-05-1990;L;Petani;3216012001\n")
        with opened(path) as sent:
            sent.content.read(5)  # wherever the stream stands, it is read from its start
            first = [(n, list(cells)) for n, cells in importer_read.open_sheet(sent).rows]
            again = importer_read.open_sheet(sent)
            del again  # dropped half-read: the stream stays open
            assert not sent.content.closed
            assert [(n, list(c)) for n, c in importer_read.open_sheet(sent).rows] == first == [
                (2, ["3216011705900001", "Dédé", "17-05-1990", "L", "Petani", "3216012001"])]

    def test_a_name_sent_with_folders_keeps_only_the_file_s(self):
        from lindung.enrolment.schemas import Upload

        assert Upload("C:\\Users\\ani\\kadin.csv", b"").file_name == "kadin.csv"
        assert Upload("/home/ani/kadin.csv", b"").file_name == "kadin.csv"
        assert Upload("..", b"").file_name == "file"
