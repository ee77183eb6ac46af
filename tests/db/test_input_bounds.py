"""What a person types beyond what its column holds is refused with a message naming the bound, on
both engines, and nothing is stored: before these checks PostgreSQL stopped such a command with a
traceback ("bigint out of range", "value too long for type character varying(100)") while SQLite
stored the value. And a bug of ours is said as one, with every NIK in its traceback masked."""

from __future__ import annotations

from typing import Any

import pytest
import typer
from sqlalchemy import func, select, text

from lindung.audit.models import AuditEntry, Provenance
from lindung.billing.models import WorkerDeath
from lindung.enrolment.models import Enrolment
from lindung.kit.db import make_engine
from lindung.kit.numbers import COUNT_MAX, MONEY_MAX
from lindung.sponsors.models import Agreement, AgreementAmendment
from lindung.terminal.app import INTERNAL_ERROR_EXIT, run_app
from lindung.workers.models import Heir, Worker
from tests.enrolment.import_files import person, write_csv
from tests.factories import DESA_TARUMAJAYA, enrol, make_agreement, make_sponsor, make_worker, nik

OFFICER_TOO_LONG = "Petugas " + "x" * 100  # 108 characters; the column holds 100


def count(database: Any, model: Any) -> int:
    with database.session(readonly=True) as s:
        return int(s.scalar(select(func.count()).select_from(model)))


class TestNumbersBeyondTheirBound:
    @pytest.mark.parametrize(("option", "value", "said"), [
        ("--quota", str(COUNT_MAX + 1), "Kuota terlalu besar: '100000001'. Paling banyak 100.000.000."),
        ("--quota", "2147483648", "Kuota terlalu besar: '2147483648'. Paling banyak 100.000.000."),
        ("--budget", "9223372036854775808",
         "Anggaran terlalu besar: '9223372036854775808'. Paling banyak Rp999.999.999.999.999."),
        ("--income", str(MONEY_MAX + 1),
         "Penghasilan terlalu besar: '1000000000000000'. Paling banyak Rp999.999.999.999.999."),
        ("--months", "1201", "Jumlah bulan terlalu besar: '1201'. Paling banyak 1.200."),
    ])
    def test_an_agreement_is_refused_and_not_drafted(self, database, cli, option, value, said):
        with database.session() as s:
            make_sponsor(s)
        given = {"--quota": "1000", "--budget": "201600000", "--months": "12", option: value}
        r = cli("agreement", "add", "--code", "KADIN-2027", "--sponsor", "KADIN", "--start", "2027-01",
                *[x for pair in given.items() for x in pair], "--by", "ani")
        assert (r.exit_code, r.err) == (2, f"Galat: {said}")
        assert count(database, Agreement) == 0

    def test_the_largest_amounts_are_taken(self, database, cli):
        with database.session() as s:
            make_sponsor(s)
        r = cli("agreement", "add", "--code", "KADIN-2027", "--sponsor", "KADIN", "--start", "2027-01",
                "--quota", str(COUNT_MAX), "--budget", str(MONEY_MAX), "--months", "12", "--by", "ani", "--json")
        assert r.exit_code == 0, r.err
        assert (r.json()["quota"], r.json()["budget"]) == (COUNT_MAX, MONEY_MAX)

    def test_an_addendum_beyond_the_bound_is_refused_in_english_too(self, database, cli):
        with database.session() as s:
            make_agreement(s)
        r = cli("agreement", "amend", "KADIN-2026", "--budget", str(MONEY_MAX + 1), "--by", "ani", "--lang", "en")
        assert (r.exit_code, r.err) == (
            2, "Error: Budget too large: '1000000000000000'. At most Rp999.999.999.999.999.")
        assert count(database, AgreementAmendment) == 0

    def test_a_worker_income_beyond_the_bound_is_refused_at_registration_and_update(self, database, cli):
        number = nik(serial=41)
        r = cli("worker", "add", "--nik", number, "--name", "Asep Saputra", "--desa", DESA_TARUMAJAYA,
                "--occupation", "petani", "--income", "99999999999999999999999")
        assert r.exit_code == 2 and "Penghasilan terlalu besar" in r.err, r.err
        assert count(database, Worker) == 0
        with database.session() as s:
            registered = make_worker(s).nik
        r = cli("worker", "update", registered, "--income", "9223372036854775807")
        assert r.exit_code == 2 and "Penghasilan terlalu besar" in r.err, r.err

    def test_a_payment_beyond_the_bound_is_refused_before_anything_is_looked_up(self, database, cli):
        r = cli("pay", "--code", "0000001202601017", "--amount", "9223372036854775807", "--reference", "TRF-1",
                "--date", "2026-01-10")
        assert (r.exit_code, r.err) == (
            2, "Galat: Jumlah terlalu besar: '9223372036854775807'. Paling banyak Rp999.999.999.999.999.")

    def test_an_income_in_a_sponsor_file_beyond_the_bound_refuses_that_row_only(self, database, cli, tmp_path):
        with database.session() as s:
            make_agreement(s)
        path = write_csv(tmp_path / "kadin.csv", [person(income="1.500.000"), person(income=str(MONEY_MAX + 1)),
                                                  person(income="99999999999999999999999"),
                                                  person(income=str(MONEY_MAX))])
        errors = tmp_path / "errors.csv"
        r = cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--errors", str(errors), "--json")
        assert r.exit_code == 0, r.err
        assert (r.json()["enrolled"], r.json()["refused"]) == (2, 2)
        report = errors.read_text(encoding="utf-8-sig")
        assert report.count("tulis rupiah tanpa desimal, paling banyak Rp999.999.999.999.999") == 2
        with database.session(readonly=True) as s:
            assert sorted(s.scalars(select(Worker.declared_income))) == [1_500_000, MONEY_MAX]

    def test_days_and_months_beyond_the_bound(self, database, cli):
        r = cli("billing", "ending", "--days", "99999999999999999999999")
        assert (r.exit_code, r.err) == (2, "Galat: Jumlah hari terlalu besar: '99999999999999999999999'. "
                                           "Paling banyak 36.600.")
        r = cli("simulate", "benefit", "jkk-stmb", "--date", "2026-05-10", "--income", "1000000",
                "--months", "1201", "--lang", "en")
        assert (r.exit_code, r.err) == (2, "Error: Number of months too large: '1201'. At most 1,200.")

    def test_the_audit_log_from_the_first_to_the_last_day_of_the_calendar(self, database, cli):
        with database.session() as s:
            make_agreement(s)
        r = cli("audit", "--since", "0001-01-01", "--until", "9999-12-31", "--json")
        assert r.exit_code == 0, r.err
        assert len(r.json()) == count(database, AuditEntry) > 0


    @pytest.mark.parametrize("command", [("import", "undo"), ("import", "approve"), ("import", "reject")])
    def test_an_import_number_beyond_any_row_is_no_import_number(self, database, cli, command):
        r = cli(*command, "2147483648", "--by", "budi")
        assert r.exit_code == 2 and "tidak valid: '2147483648'" in r.err, r.err


def test_a_death_before_the_birth_the_nik_says_is_refused_and_coverage_stays(database, cli):
    with database.session() as s:
        make_agreement(s)
        number = enrol(s, make_worker(s)).worker.nik  # born 17 May 1990
    r = cli("billing", "death", number, "--date", "1990-05-16")
    assert (r.exit_code, r.err) == (2, "Galat: Tanggal meninggal 1990-05-16 lebih awal daripada tanggal lahir "
                                       "1990-05-17 (menurut NIK 3216********" + number[-4:] + "): periksa tanggalnya.")
    assert count(database, WorkerDeath) == 0
    with database.session(readonly=True) as s:
        assert s.scalars(select(Enrolment.status)).all() == ["active"]
    assert cli("billing", "death", number, "--date", "1990-05-17").exit_code == 0  # the day itself is possible


class TestWhoActs:
    @pytest.mark.parametrize("command", [
        ("worker", "add", "--nik", nik(serial=42), "--name", "Asep Saputra", "--desa", DESA_TARUMAJAYA,
         "--occupation", "petani"),
        ("worker", "update", "{nik}", "--phone", "0813 1111 2222"),
        ("worker", "show", "{nik}", "--unmask"),
    ])
    def test_a_name_longer_than_the_column_is_refused_and_nothing_is_written(self, database, cli, command):
        with database.session() as s:
            registered = make_worker(s).nik
        before = count(database, AuditEntry), count(database, Provenance), count(database, Worker)
        r = cli(*[a.replace("{nik}", registered) for a in command], "--by", OFFICER_TOO_LONG)
        # Who acts is a user now: a name no user has (none is this long) is refused before anything is read.
        said = " ".join(r.err.split())
        assert r.exit_code == 7 and said.startswith("Galat: Pengguna 'Petugas xxx") and "' tidak dikenal." in said
        assert said.endswith("tidak ada yang disimpan."), said
        assert (count(database, AuditEntry), count(database, Provenance), count(database, Worker)) == before
        with database.session(readonly=True) as s:
            assert s.scalar(select(Worker.phone).where(Worker.nik == registered)) != "081311112222"


class TestHeirs:
    def add(self, cli, *heirs: str, serial: int = 43, lang: str = "id") -> Any:
        number = nik(serial=serial)
        return cli("worker", "add", "--nik", number, "--name", "Asep Saputra", "--desa", DESA_TARUMAJAYA,
                   "--occupation", "petani", *[x for h in heirs for x in ("--heir", h)], "--lang", lang)

    def test_a_worker_is_not_their_own_heir(self, database, cli):
        r = self.add(cli, f"Asep:anak:{nik(serial=43)}")
        assert (r.exit_code, r.err) == (2, "Galat: Ahli waris Asep ber-NIK 3216********0043, NIK pekerja itu "
                                           "sendiri: pekerja tidak dapat menjadi ahli warisnya sendiri.")
        assert count(database, Worker) == 0

    @pytest.mark.parametrize("heirs", [
        ("Euis:istri", "euis :Istri"),  # one name and relationship, written twice
        (f"Euis:istri:{nik(sex='P', serial=7)}", f"Euis Lestari:spouse:{nik(sex='P', serial=7)}"),  # one NIK
    ])
    def test_nobody_is_named_twice(self, database, cli, heirs):
        r = self.add(cli, *heirs, lang="en")
        assert r.exit_code == 2 and "is given twice (number 1 and 2)" in r.err, r.err
        assert count(database, Worker) == 0

    def test_two_people_of_one_name_with_other_relationships_are_two_heirs(self, database, cli):
        assert self.add(cli, "Euis:istri", "Euis:anak").exit_code == 0
        with database.session(readonly=True) as s:
            assert s.scalars(select(Heir.relationship_code).order_by(Heir.position)).all() == ["spouse", "child"]

    def test_a_name_that_begins_as_a_formula_is_no_name_and_invisible_characters_are_left_out(self, database, cli):
        r = cli("worker", "add", "--nik", nik(serial=44), "--name", "=HYPERLINK(\"http://x\")", "--desa",
                DESA_TARUMAJAYA, "--occupation", "petani")
        assert r.exit_code == 2 and "Nama tidak boleh diawali =, +, - atau @" in r.err, r.err
        assert self.add(cli, "@Euis:istri").exit_code == 2
        assert count(database, Worker) == 0
        assert self.add(cli, "Euis\u200b Lestari:istri").exit_code == 0
        with database.session(readonly=True) as s:
            assert s.scalars(select(Heir.name)).all() == ["Euis Lestari"]

    def test_an_unknown_relationship_lists_those_taken_in_the_reader_s_language(self, database, cli):
        r = self.add(cli, "Ujang:sepupu", lang="en")
        assert (r.exit_code, r.err) == (2, "Error: Unknown relationship: 'sepupu'. Use spouse, child, parent, "
                                           "grandparent, grandchild, sibling, parent_in_law, will_beneficiary.")
        r = self.add(cli, "Ujang:sepupu")
        assert r.err.startswith("Galat: Hubungan keluarga tidak dikenal: 'sepupu'. Gunakan spouse (suami/istri "
                                "(janda/duda)), child (anak), parent (orang tua),"), r.err

    def test_a_wrong_heir_nik_names_the_heir(self, database, cli):
        r = self.add(cli, "Euis:istri", "Ujang:anak:123")
        assert (r.exit_code, r.err) == (2, "Galat: NIK ahli waris Ujang tidak valid (123): harus 16 digit angka.")

    def test_a_name_longer_than_the_column_is_refused_on_registration_and_update(self, database, cli):
        long = "Euis " + "a" * 200
        r = self.add(cli, f"{long}:istri")
        assert r.exit_code == 2 and "Nama ahli waris lebih dari 200 karakter" in r.err, r.err
        with database.session() as s:
            registered = make_worker(s).nik
        r = cli("worker", "update", registered, "--heir", f"{long}:istri")
        assert r.exit_code == 2 and "Nama ahli waris lebih dari 200 karakter" in r.err, r.err
        r = cli("worker", "update", registered, "--heir", f"Ujang:anak:{registered}")
        assert r.exit_code == 2 and "pekerja tidak dapat menjadi ahli warisnya sendiri" in r.err, r.err
        assert count(database, Heir) == 0


def test_an_addendum_reference_longer_than_its_column_is_refused_not_cut(database, cli):
    with database.session() as s:
        make_agreement(s)
    reference = "Adendum I " + "No. 12/PKS/2026 " * 15  # 250 characters
    r = cli("agreement", "amend", "KADIN-2026", "--quota", "1200", "--reference", reference, "--by", "ani")
    assert r.exit_code == 2 and "Rujukan adendum terlalu panjang (249 karakter, paling banyak 200)" in r.err, r.err
    assert count(database, AgreementAmendment) == 0


class TestABugOfOurs:
    def test_is_said_as_one_with_every_nik_in_its_traceback_masked(self, capsys):
        small = typer.Typer()

        @small.command()
        def fail(number: str) -> None:
            raise RuntimeError(f'duplicate key value violates unique constraint "uq_workers_nik": '
                               f"Key (nik)=({number}) already exists.")

        assert run_app(small, ["3216014107950001"]) == INTERNAL_ERROR_EXIT
        err = " ".join(capsys.readouterr().err.split())
        assert "Traceback" in err and "Key (nik)=(3216********0001)" in err and "3216014107950001" not in err
        assert err.endswith("Galat: Galat di dalam Lindung, bukan pada masukan Anda; perintah dihentikan dan "
                            "perubahan yang sedang dikerjakannya tidak disimpan. Kirim pesan di atas (NIK di "
                            "dalamnya sudah disamarkan) kepada pengelola Lindung.")

    def test_a_database_error_never_repeats_the_statement_parameters(self, database):
        engine = make_engine(database.url)
        try:
            with engine.begin() as conn:
                conn.execute(text("CREATE TABLE bounds_probe (n INTEGER CHECK (n < 10))"))
            with pytest.raises(Exception) as raised, engine.begin() as conn:
                conn.execute(text("INSERT INTO bounds_probe (n) VALUES (:secret)"), {"secret": 3216014107950001})
            assert "3216014107950001" not in str(raised.value)
            assert "hidden due to hide_parameters=True" in str(raised.value)
        finally:
            with engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS bounds_probe"))
            engine.dispose()
