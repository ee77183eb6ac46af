"""Bulk enrolment from sponsor spreadsheets, on SQLite and PostgreSQL: what lands, what is refused
and why, and that nothing is ever half-imported.

Every scenario runs three times per engine: with the file merged as one range of rows; row by row
(one row per batch and per range, each range merged in the importer's merge thread); and row by
row with a filter of NIKs so small that every row after the first is suspected of repeating an
earlier NIK, so that the database decides every duplicate. All three must give exactly the same
outcome: every check depends only on the row and on the rows before it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from lindung.enrolment import importer
from lindung.enrolment import repository as enrolment_repo
from lindung.enrolment.errors import AgreementNotOpen
from lindung.enrolment.importer import import_workers
from lindung.enrolment.importer_read import ImportFileError
from lindung.enrolment.importer_rows import RowError
from lindung.enrolment.models import Enrolment
from lindung.enrolment.refused_rows import render_error
from lindung.enrolment.schemas import ImportSummary
from lindung.kit.numbers import MONEY_MAX
from lindung.rules.money import rp
from lindung.rules.period import Month
from lindung.sponsors import service as sponsors
from lindung.workers.models import Worker
from tests.enrolment.import_files import cells, person, serial, upload, write_csv, write_xlsx
from tests.factories import (
    DESA_BANDUNG,
    DESA_MUARAGEMBONG,
    DESA_PEBAYURAN,
    DESA_TARUMAJAYA,
    MAKER,
    TODAY,
    enrol,
    make_agreement,
    make_worker,
    nik,
)
from tests.users import actor

PRICE_OTHER = 126_000  # Kadin (discount applies): Jan–Mar 16.800, Apr–Dec 8.400
PRICE_TRANSPORT = 12 * 8_400  # transport sector: discounted the whole year


@pytest.fixture(autouse=True, params=["whole file", "row by row", "row by row, every NIK a suspect"])
def ranges(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if str(request.param).startswith("row by row"):
        monkeypatch.setattr(importer, "BATCH_ROWS", 1)
        monkeypatch.setattr(importer, "MERGE_ROWS", 1)
    if str(request.param).endswith("a suspect"):
        monkeypatch.setattr(importer, "NIK_FILTER_BITS", 0)
    return str(request.param)


def run_import(database: Any, path: Path, agreement: str = "KADIN-2026", **kw: Any
               ) -> tuple[ImportSummary, list[RowError]]:
    errors: list[RowError] = []
    with database.session() as s:
        summary = import_workers(s, upload(path), agreement, by=actor(s, MAKER), today=TODAY,
                                 on_errors=lambda rows: errors.extend(rows), **kw)
    return summary, errors


def setup(database: Any, **agreement: Any) -> None:
    with database.session() as s:
        make_agreement(s, **agreement)


def counts(database: Any) -> tuple[int, int, int, int]:
    """(workers, active enrolments, agreement's enrolled_count, agreement's committed_cost)."""
    with database.session(readonly=True) as s:
        workers = s.scalar(select(func.count()).select_from(Worker))
        enrolled = s.scalar(select(func.count()).select_from(Enrolment).where(Enrolment.status == "active"))
        a = sponsors.get_agreement(s, "KADIN-2026")
        return int(workers or 0), int(enrolled or 0), a.enrolled_count, a.committed_cost


def covered_by_kadin(database: Any, tmp_path: Path) -> dict[str, Any]:
    """A worker's row, imported into KADIN-2026; TANI-2026 (another sponsor, same months) is open."""
    with database.session() as s:
        make_agreement(s)
        make_agreement(s, "TANI-2026", sponsor="PEMKAB", funding="apbd")
    row = person()
    run_import(database, write_csv(tmp_path / "kadin.csv", [row]))
    return row


def reasons(errors: list[RowError]) -> dict[int, list[tuple[str, str, str, str]]]:
    out: dict[int, list[tuple[str, str, str, str]]] = {}
    for row, column, value, code, detail in errors:
        out.setdefault(row, []).append((column, value, code, detail))
    return out


class TestValidRowsAreEnrolled:
    def test_each_valid_row_becomes_a_worker_enrolled_with_its_cost_committed(self, database, tmp_path):
        setup(database)
        rows = [person(occupation="Petani", name="  Siti   Nurhayati ", sex="P", born=dt.date(1985, 2, 3)),
                person(occupation="Tukang Ojek", income="1.500.000"),
                person(occupation="ojol", phone="0812-3456-7890")]
        summary, errors = run_import(database, write_csv(tmp_path / "kadin.csv", rows))
        assert (summary.read, summary.enrolled, summary.already_enrolled, summary.refused) == (3, 3, 0, 0)
        assert errors == []
        assert summary.committed_cost == PRICE_OTHER + 2 * PRICE_TRANSPORT
        assert counts(database) == (3, 3, 3, PRICE_OTHER + 2 * PRICE_TRANSPORT)
        with database.session(readonly=True) as s:
            by_nik = {w.nik: w for w in s.scalars(select(Worker))}
            siti = by_nik[rows[0]["NIK"]]
            assert (siti.name, siti.sex, siti.birth_date, siti.domicile_code, siti.occupation_code) == (
                "Siti Nurhayati", "P", dt.date(1985, 2, 3), "32.16.01.2001", "petani")
            assert siti.declared_income == 0  # the lowest bracket starts at 0
            assert (siti.nik_province_code, siti.nik_regency_code, siti.nik_district_code) == (
                "32", "32.16", "32.16.01")
            assert not siti.needs_review
            assert by_nik[rows[1]["NIK"]].declared_income == 1_500_000
            assert by_nik[rows[2]["NIK"]].phone == "081234567890"
            enrolments = {e.worker.nik: e for e in s.scalars(select(Enrolment))}
            ojek = enrolments[rows[1]["NIK"]]
            assert (ojek.occupation_code, ojek.sector, ojek.committed_cost) == ("ojek", "transport",
                                                                                 PRICE_TRANSPORT)
            assert (ojek.first_month, ojek.last_month) == (Month(2026, 1).index, Month(2026, 12).index)
            # One provenance for the whole import: who, when, which file.
            assert {w.provenance_id for w in by_nik.values()} == {e.provenance_id for e in enrolments.values()}
            assert (siti.provenance.actor, siti.provenance.source) == (MAKER, "import:kadin.csv")
            a = sponsors.get_agreement(s, "KADIN-2026")
            assert (a.enrolled_count, a.committed_cost) == enrolment_repo.totals(s, a.id)

    def test_names_are_kept_as_written_whatever_their_characters(self, database, tmp_path):
        # On PostgreSQL the staged rows go in by COPY, whose text format reads a backslash as an
        # escape and "\N" as NULL: what the sponsor wrote must land unchanged all the same.
        names = ["Ahmad \\N", "Ni Komang Ayu\\Sari", "I Gede O'Neil", "Dewi Ñandú “Ucu”", "Siti\\tAminah"]
        rows = [person(name=name) for name in names]
        setup(database)
        summary, errors = run_import(database, write_csv(tmp_path / "f.csv", rows))
        assert (summary.enrolled, errors) == (len(names), [])
        with database.session(readonly=True) as s:
            stored = {w.nik: w.name for w in s.scalars(select(Worker))}
        assert [stored[r["NIK"]] for r in rows] == names

    def test_a_worker_already_registered_is_enrolled_without_a_second_worker(self, database, tmp_path):
        setup(database)
        with database.session() as s:
            w = make_worker(s, occupation="pemulung")
            number = w.nik
        row = person(nik_text=number, born=dt.date(1990, 5, 17), occupation="Petani")
        summary, errors = run_import(database, write_csv(tmp_path / "f.csv", [row]))
        assert (summary.enrolled, summary.new_workers, errors) == (1, 0, [])
        with database.session(readonly=True) as s:
            e = s.scalars(select(Enrolment)).one()
            # The registry's occupation at acceptance decides the sector, as for one-at-a-time enrolment.
            assert (e.occupation_code, e.sector) == ("pemulung", "other")
        assert counts(database)[:3] == (1, 1, 1)

    def test_a_nik_whose_kecamatan_is_not_in_the_region_list_is_accepted_and_flagged(self, database, tmp_path):
        setup(database)
        row = person(nik_text=f"321699{dt.date(1990, 5, 17):%d%m%y}0042")
        summary, _ = run_import(database, write_csv(tmp_path / "f.csv", [row, person(), person()]))
        assert (summary.enrolled, summary.needs_review) == (3, 1)
        with database.session(readonly=True) as s:
            w = s.scalars(select(Worker).where(Worker.nik == row["NIK"])).one()
            assert (w.needs_review, w.review_reason) == (True, "nik_district_unknown")
            assert s.scalar(select(func.count()).select_from(Worker).where(Worker.needs_review.is_(True))) == 1
        again, _ = run_import(database, write_csv(tmp_path / "f.csv", [row]))
        assert (again.already_enrolled, again.needs_review) == (1, 0)  # flagged when it was created


class TestADesaWrittenAsAName:
    """Sponsors often write the desa's name and its kecamatan instead of the Kemendagri code: a name is
    taken when exactly one desa fits (``regions.names``), otherwise the row is refused saying why."""

    HEADER = ("No", "NIK", "Nama Lengkap", "Tgl Lahir", "L/P", "Pekerjaan", "Desa", "Kecamatan")

    def test_the_one_desa_that_fits_is_taken_and_the_rest_refused_saying_why(self, database, tmp_path):
        setup(database)
        rows = []
        for desa, kecamatan, nik_kecamatan in (
                ("Sukamurni", "Kec. Sukakarya", "01"),  # row 2: the kecamatan places it in Kabupaten Bekasi
                ("Desa Sagara Makmur", "", "01"),  # row 3: only one desa of that name in Indonesia
                ("SUKAMURNI", "", "14"),  # row 4: three Sukamurni, one in the NIK's kecamatan (Sukakarya)
                ("Sukamurni", "", "01"),  # row 5: three Sukamurni, none in Tarumajaya: refused
                ("Sukamurni", "Tarumajaya", "01"),  # row 6: not in that kecamatan: refused
                ("Atlantis", "", "01"),  # row 7: no such desa
                ("32.16.01.2001", "Sukakarya", "01")):  # row 8: a code is a code, the kecamatan unread
            row = person(nik_text=nik(kecamatan=nik_kecamatan), name=f"Warga {desa} {len(rows)}")
            row.update({"Desa": desa, "Kecamatan": kecamatan})
            rows.append(row)
        summary, errors = run_import(database, write_csv(tmp_path / "f.csv", rows, header=self.HEADER))
        assert (summary.read, summary.enrolled, summary.refused) == (7, 4, 3)
        assert errors == [(5, "Desa", "Sukamurni", "import.desa_ambiguous", "3"),
                          (6, "Desa", "Sukamurni", "import.desa_not_there", "Tarumajaya"),
                          (7, "Desa", "Atlantis", "import.desa_unknown", "")]
        with database.session(readonly=True) as s:
            domiciles = {w.nik: w.domicile_code for w in s.scalars(select(Worker))}
        assert [domiciles.get(r["NIK"]) for r in rows] == [
            "32.16.14.2001", "32.16.01.2001", "32.16.14.2001", None, None, None, "32.16.01.2001"]

    def test_the_refusals_read_in_both_languages(self):
        assert render_error((5, "Desa", "Sukamurni", "import.desa_ambiguous", "3"))[3] == (
            "Nama desa/kelurahan 'Sukamurni' ada di 3 tempat; tulis kode desa Kemendagri (mis. 32.16.14.2001) "
            "atau tambahkan kolom Kecamatan.")
        assert render_error((6, "Desa", "Sukamurni", "import.desa_not_there", "Tarumajaya"), "en")[3] == (
            "There is no desa/kelurahan named 'Sukamurni' in Tarumajaya.")


class TestThreeDateFormsAndEveryEncoding:
    @pytest.mark.parametrize("form", ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"])
    def test_each_accepted_date_form(self, database, tmp_path, form):
        setup(database)
        born = dt.date(1979, 12, 31)
        summary, errors = run_import(database, write_csv(tmp_path / "f.csv", [
            person(born=born, birth_text=born.strftime(form))]))
        assert (summary.enrolled, errors) == (1, [])

    @pytest.mark.parametrize(("encoding", "bom", "delimiter"), [
        ("utf-8", True, ","), ("utf-8", False, ";"), ("cp1252", False, ";"), ("cp1252", False, ",")])
    def test_bom_windows_1252_and_semicolons(self, database, tmp_path, encoding, bom, delimiter):
        setup(database)
        rows = [person(name="Dédé Sunarya"), person(name="Ujang; Komar", occupation="Buruh Harian Lepas")]
        path = write_csv(tmp_path / "f.csv", rows, encoding=encoding, bom=bom, delimiter=delimiter)
        summary, errors = run_import(database, path)
        assert (summary.enrolled, errors) == (2, [])
        with database.session(readonly=True) as s:
            assert sorted(s.scalars(select(Worker.name))) == ["Dédé Sunarya", "Ujang; Komar"]


class TestRefusedRowsComeBackWithTheirReason:
    def test_every_kind_of_defect_in_one_file(self, database, tmp_path):
        setup(database)
        good = person()
        born = dt.date(1990, 5, 17)
        rows = [
            good,                                                        # row 2
            person(nik_text="321601170590001"),                          # 3: 15 digits
            person(nik_text=f"9916011705900{7:03d}"),                    # 4: province 99
            person(born=born, birth_text="18-05-1990"),                  # 5: birth date ≠ NIK
            person(sex="P", sex_text="L"),                               # 6: sex ≠ NIK
            person(desa="32.16.99.9999"),                                # 7: unknown desa
            person(occupation="Astronot"),                               # 8: unmapped occupation
            person(birth_text="31/02/1990"),                             # 9: not a date
            person(nik_text=good["NIK"]),                            # 10: duplicate of row 2
            person(income="sejuta"),                                     # 11: income
            person(phone="bukan nomor"),                                 # 12: phone
        ]
        summary, errors = run_import(database, write_csv(tmp_path / "f.csv", rows))
        assert (summary.read, summary.enrolled, summary.refused) == (11, 1, 10)
        got = reasons(errors)
        assert got[3] == [("NIK", "321601170590001", "import.nik_format", "")]
        assert got[4] == [("NIK", rows[2]["NIK"], "import.nik_province", "99")]
        assert got[5] == [("Tgl Lahir", "18-05-1990", "import.birth_date_mismatch", "1990-05-17")]
        assert got[6] == [("L/P", "L", "import.sex_mismatch", "P")]
        assert got[7] == [("Kode Desa", "32.16.99.9999", "import.desa_unknown", "")]
        assert got[8] == [("Pekerjaan", "Astronot", "import.occupation_unknown", "")]
        assert got[9] == [("Tgl Lahir", "31/02/1990", "import.date_invalid", "")]
        assert got[10] == [("NIK", good["NIK"], "import.duplicate_in_file", "2")]
        assert got[11] == [("Penghasilan", "sejuta", "import.income_invalid", rp(MONEY_MAX))]
        assert got[12] == [("No HP", "bukan nomor", "import.phone_invalid", "")]
        assert set(got) == {3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
        assert [e[0] for e in errors] == sorted(e[0] for e in errors)  # file order
        # The summary counts the rows each reason refused, as the error file has them.
        assert summary.refused_by_reason == {code.removeprefix("import."): 1 for _r, _c, _v, code, _d in errors}
        assert len(summary.refused_by_reason) == 10

    def test_a_row_with_several_defects_reports_each(self, database, tmp_path):
        setup(database)
        summary, errors = run_import(database, write_csv(tmp_path / "f.csv", [
            person(sex="L", sex_text="X", desa="1234", occupation=""), person(occupation="")]))
        assert summary.refused == 2
        assert [e[3] for e in errors] == ["import.sex_invalid", "import.occupation_missing",
                                          "import.desa_unknown", "import.occupation_missing"]
        assert summary.refused_by_reason == {"sex_invalid": 1, "occupation_missing": 2, "desa_unknown": 1}

    def test_a_worker_whose_registry_record_disagrees_is_refused_with_the_registry_values(
            self, database, tmp_path):
        setup(database)
        with database.session() as s:
            w = make_worker(s)
            w.birth_date = dt.date(1991, 1, 1)  # an old record typed by hand
            number = w.nik
        summary, errors = run_import(database, write_csv(tmp_path / "f.csv", [
            person(nik_text=number, born=dt.date(1990, 5, 17))]))
        assert summary.refused == 1
        assert [(e[3], e[4]) for e in errors] == [("import.worker_mismatch", "1991-01-01 L")]

    def test_a_nik_registered_to_a_person_of_another_name_is_refused_and_spellings_of_one_name_pass(
            self, database, tmp_path):
        # A typo in a NIK's serial gives another valid NIK with the same birth date and sex: the
        # registered worker would be covered instead of the sponsor's. Only the name tells them apart.
        setup(database)
        registered = {}
        with database.session() as s:
            for name in ("Siti Aminah", "Muhammad Yusuf", "Budi Santoso", "Agus", "Dewi Lestari"):
                sex = "P" if name[0] in "SD" else "L"
                registered[name] = make_worker(s, nik_=nik(kecamatan=DESA_TARUMAJAYA.split(".")[2], sex=sex),
                                               name=name).nik
        rows = [person(nik_text=registered["Siti Aminah"], name="Siti Rahmah", sex="P"),     # another woman
                person(nik_text=registered["Muhammad Yusuf"], name="H. M. Yusuf"),           # a title, an initial
                person(nik_text=registered["Budi Santoso"], name="BUDI SANTOSA"),           # a typo
                person(nik_text=registered["Agus"], name="Agus Salim"),                     # a fuller name
                person(nik_text=registered["Dewi Lestari"], name="Dewi Sartika", sex="P"),  # another woman
                person()]
        summary, errors = run_import(database, write_csv(tmp_path / "f.csv", rows))
        assert (summary.read, summary.enrolled, summary.new_workers, summary.refused) == (6, 4, 1, 2)
        assert [(e[0], e[1], e[2], e[3], e[4]) for e in errors] == [
            (2, "NIK", registered["Siti Aminah"], "import.registered_other_name", ""),
            (6, "NIK", registered["Dewi Lestari"], "import.registered_other_name", "")]
        message = render_error(errors[0])[3]
        assert "atas nama orang lain" in message and "Aminah" not in message  # the registry's name is not shown
        assert "another name" in render_error(errors[0], "en")[3]
        with database.session(readonly=True) as s:  # the registry keeps its names; nothing was renamed
            names = {w.nik: w.name for w in s.scalars(select(Worker))}
            assert {names[n] for n in registered.values()} == set(registered)
            enrolled = {e.worker.nik for e in s.scalars(select(Enrolment))}
        assert enrolled == {registered[n] for n in ("Muhammad Yusuf", "Budi Santoso", "Agus")} | {rows[5]["NIK"]}
        assert counts(database)[1:3] == (4, 4)

    def test_a_registered_worker_sent_under_a_nik_with_another_serial_is_refused_naming_the_masked_nik(
            self, database, tmp_path):
        # The sponsor typed the serial wrong: a new worker would cover the registered person twice.
        setup(database)
        kecamatan = DESA_TARUMAJAYA.split(".")[2]
        with database.session() as s:
            registered = make_worker(s, nik_=nik(kecamatan=kecamatan, serial=123), name="Asep Saputra").nik
            make_worker(s, nik_=nik(kecamatan=kecamatan, serial=321), name="Ujang Suherman")
        typo, neighbour = nik(kecamatan=kecamatan, serial=132), nik(kecamatan=kecamatan, serial=456)
        rows = [person(nik_text=typo, name="ASEP SAPUTRA"),
                person(nik_text=neighbour, name="Dadang Sudrajat"),  # born the same day there: another man
                person()]
        summary, errors = run_import(database, write_csv(tmp_path / "f.csv", rows))
        assert (summary.enrolled, summary.new_workers, summary.refused) == (2, 2, 1)
        masked = registered[:4] + "*" * 8 + "0123"
        assert errors == [(2, "NIK", typo, "import.registered_other_serial", masked)]
        assert masked in render_error(errors[0])[3] and registered not in render_error(errors[0])[3]
        # If the ID card shows another person after all, the branch registers them, and the row goes in.
        with database.session() as s:
            make_worker(s, nik_=typo, name="Asep Saputra")
        summary, errors = run_import(database, write_csv(tmp_path / "again.csv", [rows[0]]))
        assert (summary.enrolled, summary.new_workers, errors) == (1, 0, [])
        assert counts(database)[:3] == (5, 3, 3)

    def test_the_other_name_is_refused_before_the_row_could_count_as_already_enrolled(self, database, tmp_path):
        covered = covered_by_kadin(database, tmp_path)
        summary, errors = run_import(database, write_csv(tmp_path / "again.csv", [
            {**covered, "Nama Lengkap": "Ujang Suherman"}, person()]))
        assert (summary.enrolled, summary.already_enrolled, summary.refused) == (1, 0, 1)
        assert [(e[0], e[3]) for e in errors] == [(2, "import.registered_other_name")]
        summary, errors = run_import(database, write_csv(tmp_path / "again.csv", [covered]))
        assert (summary.already_enrolled, summary.refused, errors) == (1, 0, [])


class TestADuplicateNamesTheFirstRowOfItsNik:
    def test_every_later_row_names_the_first_even_across_ranges(self, database, tmp_path):
        setup(database)
        twin = person()
        rows = [twin, person(), person(nik_text=twin["NIK"]), person(), person(nik_text=twin["NIK"])]
        summary, errors = run_import(database, write_csv(tmp_path / "f.csv", rows))
        assert (summary.enrolled, summary.refused) == (3, 2)
        assert [(e[0], e[3], e[4]) for e in errors] == [(4, "import.duplicate_in_file", "2"),
                                                        (6, "import.duplicate_in_file", "2")]

    def test_the_first_row_counts_even_when_it_was_refused_for_the_target_group(self, database, tmp_path):
        setup(database, target_occupations=("petani",))
        first = person(occupation="Ojol")
        rows = [first, person(), person(nik_text=first["NIK"])]
        summary, errors = run_import(database, write_csv(tmp_path / "f.csv", rows))
        assert (summary.enrolled, summary.refused) == (1, 2)
        assert [(e[0], e[3], e[4]) for e in errors] == [(2, "import.not_target_occupation", "ojek"),
                                                        (4, "import.duplicate_in_file", "2")]

    def test_the_first_row_counts_even_when_it_was_past_the_quota(self, database, tmp_path):
        setup(database, quota=2)
        rows = [person(), person(), person(), person()]
        rows.append(person(nik_text=rows[2]["NIK"]))
        rows.append(person(nik_text=rows[0]["NIK"]))
        summary, errors = run_import(database, write_csv(tmp_path / "f.csv", rows))
        assert (summary.enrolled, summary.refused) == (2, 4)
        assert [(e[0], e[3], e[4]) for e in errors] == [(4, "import.quota_exhausted", ""),
                                                        (5, "import.quota_exhausted", ""),
                                                        (6, "import.duplicate_in_file", "4"),
                                                        (7, "import.duplicate_in_file", "2")]
        assert counts(database)[1:3] == (2, 2)

    def test_the_first_row_counts_when_it_was_a_registered_worker(self, database, tmp_path):
        setup(database)
        with database.session() as s:
            number = make_worker(s).nik
        row = person(nik_text=number, born=dt.date(1990, 5, 17))
        summary, errors = run_import(database, write_csv(tmp_path / "f.csv", [person(), row, person(), row]))
        assert (summary.enrolled, summary.new_workers, summary.refused) == (3, 2, 1)
        assert [(e[0], e[3], e[4]) for e in errors] == [(5, "import.duplicate_in_file", "3")]

    def test_the_first_row_counts_when_it_overlapped_another_agreement(self, database, tmp_path):
        row = covered_by_kadin(database, tmp_path)
        summary, errors = run_import(database, write_csv(tmp_path / "pemkab.csv", [person(), row, row]),
                                     agreement="TANI-2026")
        assert (summary.enrolled, summary.refused) == (1, 2)
        assert [(e[0], e[3], e[4]) for e in errors] == [(3, "import.overlap", "KADIN-2026"),
                                                        (4, "import.duplicate_in_file", "3")]

    def test_a_row_refused_by_validation_is_not_the_first(self, database, tmp_path):
        setup(database)
        twin = person()
        rows = [{**twin, "Tgl Lahir": "31-02-1990"}, person(), twin, twin]
        summary, errors = run_import(database, write_csv(tmp_path / "f.csv", rows))
        assert (summary.enrolled, summary.refused) == (2, 2)
        assert [(e[0], e[3], e[4]) for e in errors if e[3] == "import.duplicate_in_file"] == [
            (5, "import.duplicate_in_file", "4")]


class TestTheSamePersonTwiceInOneFile:
    """A list put together from several desa's lists can name one person twice, once with a typo in
    the NIK's serial: both rows would become workers, one person covered twice."""

    def test_a_later_row_with_an_earlier_row_s_name_under_another_serial_names_that_row(self, database, tmp_path):
        setup(database)
        siti = person(name="Siti Aminah", sex="P")
        rows = [siti,
                person(),
                person(nik_text=serial(siti["NIK"], 9876), name="SITI AMINAH"),     # the typo: refused
                person(nik_text=serial(siti["NIK"], 9875), name="Siti Rahmah"),     # born that day there: another woman
                person(name="Siti Aminah", sex="P"),                                # a namesake born another day
                person(nik_text=serial(siti["NIK"], 9874), name="Siti Aminah")]     # the typo again: names row 2
        summary, errors = run_import(database, write_csv(tmp_path / "f.csv", rows))
        assert (summary.read, summary.enrolled, summary.new_workers, summary.refused) == (6, 4, 4, 2)
        assert errors == [(4, "NIK", rows[2]["NIK"], "import.same_person_in_file", "2"),
                          (7, "NIK", rows[5]["NIK"], "import.same_person_in_file", "2")]
        assert summary.refused_by_reason == {"same_person_in_file": 2}
        assert "baris 2" in render_error(errors[0])[3]
        assert "row 2" in render_error(errors[0], "en")[3]
        with database.session(readonly=True) as s:
            assert set(s.scalars(select(Worker.nik))) == {rows[i]["NIK"] for i in (0, 1, 3, 4)}
        assert counts(database)[1:3] == (4, 4)

    def test_the_earlier_row_is_found_when_it_was_validated_after_the_later_one(self, database, tmp_path):
        # A phone number written with spaces sends its row through the row-by-row checks, after the
        # rest of its batch: file order still decides which row is the first.
        setup(database)
        first = person(name="Ai Rohimah", sex="P", phone="0812 3456 7890", income="1000000")
        rows = [first, person(nik_text=serial(first["NIK"], 77), name="Ai Rohimah", income="1000000")]
        summary, errors = run_import(database, write_csv(tmp_path / "f.csv", rows))
        assert (summary.enrolled, summary.refused) == (1, 1)
        assert [(e[0], e[3], e[4]) for e in errors] == [(3, "import.same_person_in_file", "2")]
        with database.session(readonly=True) as s:
            assert s.scalars(select(Worker.nik)).all() == [first["NIK"]]

    def test_the_earlier_row_counts_even_when_it_was_refused_itself(self, database, tmp_path):
        # As for a NIK that comes twice: the sponsor checks the ID card, whichever row was right.
        setup(database, target_occupations=("petani",))
        first = person(occupation="Ojol", name="Ujang Suherman")
        rows = [first, person(nik_text=serial(first["NIK"], 7), name="Ujang Suherman")]
        summary, errors = run_import(database, write_csv(tmp_path / "f.csv", rows))
        assert (summary.enrolled, summary.refused) == (0, 2)
        assert [(e[0], e[3], e[4]) for e in errors] == [(2, "import.not_target_occupation", "ojek"),
                                                        (3, "import.same_person_in_file", "2")]

    def test_sent_again_the_row_meets_the_registered_worker_instead(self, database, tmp_path):
        setup(database)
        first = person(name="Dadang Sudrajat")
        rows = [first, person(nik_text=serial(first["NIK"], 4321), name="Dadang Sudrajat")]
        path = write_csv(tmp_path / "f.csv", rows)
        summary, errors = run_import(database, path)
        assert (summary.enrolled, [e[3] for e in errors]) == (1, ["import.same_person_in_file"])
        summary, errors = run_import(database, path)
        assert (summary.enrolled, summary.already_enrolled) == (0, 1)
        assert [(e[0], e[3], e[4]) for e in errors] == [
            (3, "import.registered_other_serial", first["NIK"][:4] + "*" * 8 + first["NIK"][12:])]
        assert counts(database)[:2] == (1, 1)


class TestExcelFiles:
    def test_a_nik_stored_as_a_number_is_refused_and_never_fixed(self, database, tmp_path):
        setup(database)
        a, b = person(), person()
        rows = cells([a, b])
        rows[1][1] = int(a["NIK"])          # typed into a General cell: stored as a number
        rows[2][3] = dt.date(1990, 5, 17)   # a real date cell
        b["NIK"] = nik(born=dt.date(1990, 5, 17))
        rows[2][1] = b["NIK"]
        summary, errors = run_import(database, write_xlsx(tmp_path / "f.xlsx", rows))
        assert (summary.read, summary.enrolled, summary.refused) == (2, 1, 1)
        assert [(e[0], e[1], e[2], e[3]) for e in errors] == [(2, "NIK", a["NIK"], "import.nik_number")]

    def test_a_birth_date_whose_date_format_was_lost_is_read_as_the_day_it_counts(self, database, tmp_path):
        """A date cell turned General shows its serial (17 May 1990 is 33.010): read as that day, it
        must still agree with the NIK, as any date does; a serial of another day is refused showing
        both, a number no day is unreadable, and text digits are not taken for a serial."""
        setup(database)
        good, other = person(born=dt.date(1990, 5, 17)), person(born=dt.date(1991, 1, 1))
        small, text = person(), person()
        rows = cells([good, other, small, text])
        rows[1][3] = 33010                  # 17 May 1990
        rows[2][3] = 33011.0                # 18 May 1990, stored as a float as Excel does
        rows[3][3] = 59                     # before 1 March 1900: Excel's serials are not days there
        rows[4][3] = "33010"                # typed as text: not a serial
        summary, errors = run_import(database, write_xlsx(tmp_path / "f.xlsx", rows))
        assert (summary.enrolled, summary.refused) == (1, 3), errors
        got = reasons(errors)
        assert [(c, v, code) for c, v, code, _d in got[3]] == [
            ("Tgl Lahir", "1990-05-18", "import.birth_date_mismatch")]
        assert [(c, v, code) for c, v, code, _d in got[4]] == [("Tgl Lahir", "59", "import.date_invalid")]
        assert [(c, v, code) for c, v, code, _d in got[5]] == [("Tgl Lahir", "33010", "import.date_invalid")]

    def test_a_title_above_the_header_is_skipped(self, database, tmp_path):
        setup(database)
        rows = [["DAFTAR PEKERJA RENTAN KADIN 2026"], [], *cells([person()])]
        summary, errors = run_import(database, write_xlsx(tmp_path / "f.xlsx", rows))
        assert (summary.enrolled, errors) == (1, [])


class TestImportingTheSameFileAgainAddsNothing:
    def test_second_import_counts_everyone_as_already_enrolled(self, database, tmp_path):
        setup(database)
        rows = [person(), person(occupation="Ojol"), person(occupation="Astronot")]
        path = write_csv(tmp_path / "f.csv", rows)
        first, _ = run_import(database, path)
        before = counts(database)
        second, errors = run_import(database, path)
        assert (first.enrolled, first.refused) == (2, 1)
        assert (second.read, second.enrolled, second.already_enrolled, second.refused) == (3, 0, 2, 1)
        assert [e[3] for e in errors] == ["import.occupation_unknown"]
        assert counts(database) == before


class TestOneWorkerOneCoverage:
    def test_a_worker_of_another_sponsor_is_refused_naming_the_first_agreement(self, database, tmp_path):
        row = covered_by_kadin(database, tmp_path)
        summary, errors = run_import(database, write_csv(tmp_path / "pemkab.csv", [row, person()]),
                                     agreement="TANI-2026")
        assert (summary.enrolled, summary.refused) == (1, 1)
        assert [(e[0], e[3], e[4]) for e in errors] == [(2, "import.overlap", "KADIN-2026")]

    def test_an_enrolment_that_ended_before_the_span_is_no_overlap(self, database, tmp_path):
        with database.session() as s:
            make_agreement(s, "OLD-2025", sponsor="CSR", funding="csr", start="2025-01", months=12)
            make_agreement(s)
            w = make_worker(s)
            enrol(s, w, "OLD-2025", first="2025-01", today=dt.date(2025, 1, 5))
            number = w.nik
        summary, errors = run_import(database, write_csv(tmp_path / "f.csv", [person(nik_text=number)]))
        assert (summary.enrolled, errors) == (1, [])


class TestQuotaAndBudgetInFileOrder:
    def test_rows_beyond_the_remaining_quota_are_refused(self, database, tmp_path):
        setup(database, quota=3)
        with database.session() as s:
            enrol(s, make_worker(s))
        rows = [person(), person(), person(), person(occupation="Astronot")]
        summary, errors = run_import(database, write_csv(tmp_path / "f.csv", rows))
        assert (summary.enrolled, summary.refused) == (2, 2)
        assert [(e[0], e[3]) for e in errors] == [(4, "import.quota_exhausted"), (5, "import.occupation_unknown")]
        assert counts(database)[1:3] == (3, 3)

    def test_rows_beyond_the_remaining_budget_are_refused(self, database, tmp_path):
        setup(database, quota=10, budget=PRICE_OTHER + PRICE_TRANSPORT + PRICE_OTHER // 2)
        rows = [person(), person(occupation="Ojol"), person(), person(occupation="Ojol")]
        summary, errors = run_import(database, write_csv(tmp_path / "f.csv", rows))
        assert (summary.enrolled, summary.committed_cost) == (2, PRICE_OTHER + PRICE_TRANSPORT)
        # Row 5 (a cheaper transport worker) comes after row 4 went past the budget: file order holds.
        assert [(e[0], e[3]) for e in errors] == [(4, "import.budget_exhausted"), (5, "import.budget_exhausted")]
        assert counts(database)[3] == PRICE_OTHER + PRICE_TRANSPORT


class TestTargetGroup:
    def test_occupations_and_regions_outside_the_target_are_refused(self, database, tmp_path):
        setup(database, target_occupations=("petani", "nelayan"), target_regions=("32.16.13",))
        rows = [person(desa=DESA_PEBAYURAN), person(desa=DESA_PEBAYURAN, occupation="Ojol"),
                person(desa=DESA_MUARAGEMBONG, occupation="Nelayan"), person(desa=DESA_BANDUNG)]
        summary, errors = run_import(database, write_csv(tmp_path / "f.csv", rows))
        assert summary.enrolled == 1
        assert [(e[0], e[3], e[4]) for e in errors] == [(3, "import.not_target_occupation", "ojek"),
                                                        (4, "import.not_target_region", DESA_MUARAGEMBONG),
                                                        (5, "import.not_target_region", DESA_BANDUNG)]
        assert "(ojek)" in render_error(errors[0])[3]


class TestNothingHalfDone:
    def test_an_import_interrupted_midway_leaves_the_database_unchanged(self, database, tmp_path):
        setup(database)
        with database.session() as s:
            enrol(s, make_worker(s))
        before = counts(database)
        path = write_csv(tmp_path / "f.csv", [person() for _ in range(7)])

        def interrupt_after_first_batch(done: int, _total: int) -> None:
            if done >= 2:
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            run_import(database, path, on_progress=interrupt_after_first_batch, batch_rows=2)
        assert counts(database) == before
        summary, _ = run_import(database, path)  # and the connection is fit for the next import
        assert summary.enrolled == 7

    def test_a_failure_in_the_merge_rolls_everything_back(self, database, tmp_path, monkeypatch):
        from lindung.enrolment import importer_repository

        setup(database)
        before = counts(database)

        def broken_collect(*_a: Any, **_k: Any) -> None:
            raise RuntimeError("disk full")

        monkeypatch.setattr(importer_repository, "collect_refusals", broken_collect)
        with pytest.raises(RuntimeError):
            run_import(database, write_csv(tmp_path / "f.csv", [person(), person()]))
        assert counts(database) == before

    def test_an_agreement_that_is_not_approved_takes_no_import(self, database, tmp_path):
        setup(database, approve=False)
        with pytest.raises(AgreementNotOpen):
            run_import(database, write_csv(tmp_path / "f.csv", [person()]))
        assert counts(database) == (0, 0, 0, 0)


class TestBrokenFiles:
    @pytest.mark.parametrize(("name", "content", "code"), [
        ("scan.pdf", b"%PDF-1.4\n\x00\x01\x02binary", "import.not_tabular"),
        ("list.xlsx", b"PK\x03\x04" + b"\x00" * 40, "import.broken_file"),
        ("list.csv", b"3216011705900001,Asep,17-05-1990\n", "import.no_header"),
        ("list.csv", b"NIK;Nama\n3216011705900001;Asep\n", "import.missing_columns"),
    ])
    def test_a_file_that_cannot_be_read_is_a_clear_error_and_changes_nothing(
            self, database, tmp_path, name, content, code):
        setup(database)
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(ImportFileError) as caught:
            run_import(database, path)
        assert caught.value.code == code
        assert counts(database) == (0, 0, 0, 0)

    def test_a_truncated_xlsx_is_a_broken_file(self, database, tmp_path):
        setup(database)
        full = write_xlsx(tmp_path / "full.xlsx", cells([person() for _ in range(50)]))
        cut = tmp_path / "cut.xlsx"
        cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
        with pytest.raises(ImportFileError) as caught:
            run_import(database, cut)
        assert caught.value.code == "import.broken_file"

    def test_missing_columns_are_named(self, database, tmp_path):
        setup(database)
        path = tmp_path / "f.csv"
        path.write_text("No KTP,Nama,Tgl Lahir\n3216011705900001,Asep,17-05-1990\n", encoding="utf-8")
        with pytest.raises(ImportFileError) as caught:
            run_import(database, path)
        assert caught.value.context["columns"] == "L/P, Pekerjaan, Kode Desa"
        assert "L/P, Pekerjaan, Kode Desa" in caught.value.message("id")

