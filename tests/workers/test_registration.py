"""Registering workers: the NIK decides who a person is, and what it encodes must agree."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from lindung.audit import service as audit
from lindung.audit.models import AuditEntry
from lindung.kit.errors import Conflict, InvalidInput, NotFound
from lindung.workers import service as workers
from lindung.workers.models import Worker
from lindung.workers.schemas import HeirIn
from tests.factories import DESA_BANDUNG, DESA_TARUMAJAYA, MAKER, TODAY, make_worker, nik
from tests.users import actor


class TestAValidWorker:
    def test_is_registered_with_what_the_nik_encodes(self, database):
        number = nik(kecamatan="01", born=dt.date(1995, 7, 1), sex="P", serial=1)
        assert number == "3216014107950001"
        with database.session() as s:
            w = make_worker(s, nik_=number, name="  Siti   Aminah ", occupation="Tukang Ojek",
                            sex="P", birth_date=dt.date(1995, 7, 1), phone="0812-3456-7890")
        with database.session(readonly=True) as s:
            w = s.scalars(select(Worker).where(Worker.nik == number)).one()
            assert (w.name, w.sex, w.birth_date) == ("Siti Aminah", "P", dt.date(1995, 7, 1))
            assert (w.nik_province_code, w.nik_regency_code, w.nik_district_code) == ("32", "32.16", "32.16.01")
            assert (w.occupation_code, w.domicile_code, w.phone) == ("ojek", DESA_TARUMAJAYA, "081234567890")
            assert w.needs_review is False

    def test_sex_and_birth_date_are_taken_from_the_nik_when_not_given(self, database):
        with database.session() as s:
            w = make_worker(s, nik_=nik(born=dt.date(1980, 12, 31), sex="P", serial=7))
            assert (w.sex, w.birth_date) == ("P", dt.date(1980, 12, 31))

    def test_declared_income_defaults_to_the_lowest_bracket_lower_bound(self, database):
        with database.session() as s:
            w = make_worker(s)
            expected = workers.lowest_income(TODAY)
            assert w.declared_income == expected
            assert make_worker(s, income=2_500_000).declared_income == 2_500_000

    def test_the_view_names_the_bracket_of_the_declared_income(self, database):
        with database.session() as s:
            for income, bracket in ((None, {"number": 1, "base": 1_000_000}),
                                    (2_499_999, {"number": 8, "base": 2_400_000}),
                                    (2_500_000, {"number": 9, "base": 2_600_000})):
                w = make_worker(s, income=income)
                assert workers.describe(s, w, today=TODAY).income_bracket.model_dump() == bracket

    def test_a_domicile_outside_the_nik_region_is_fine(self, database):
        with database.session() as s:
            w = make_worker(s, nik_=nik(kecamatan="01"), desa=DESA_BANDUNG)
            assert (w.domicile_code, w.nik_regency_code) == (DESA_BANDUNG, "32.16")

    def test_heirs_are_kept_in_order_with_relationship_codes(self, database):
        heirs = (HeirIn(name="Budi", relationship="spouse"),
                 HeirIn(name="Ani", relationship="child", nik=nik(born=dt.date(2010, 3, 10), sex="P", serial=2)))
        with database.session() as s:
            w = make_worker(s, heirs=heirs)
            assert [(h.position, h.name, h.relationship_code, h.nik) for h in w.heirs] == [
                (1, "Budi", "spouse", None), (2, "Ani", "child", heirs[1].nik)]

    def test_relationships_as_an_officer_writes_them_in_indonesian(self, database):
        heirs = tuple(HeirIn(name=f"Ahli waris {i}", relationship=label) for i, label in enumerate(
            ("Suami", "istri", "Anak Kandung", "ibu", "Kakek", "cucu", "adik", "Mertua", "penerima wasiat")))
        with database.session() as s:
            w = make_worker(s, heirs=heirs)
            assert [h.relationship_code for h in w.heirs] == [
                "spouse", "spouse", "child", "parent", "grandparent", "grandchild", "sibling", "parent_in_law",
                "will_beneficiary"]

    def test_the_funeral_organiser_is_no_heir(self, database):
        with database.session() as s, pytest.raises(InvalidInput) as exc:
            make_worker(s, heirs=(HeirIn(name="Pak RT", relationship="pengurus pemakaman"),))
        assert exc.value.code == "invalid.relationship"


class TestWhatTheNikSaysMustAgree:
    def test_a_birth_date_that_disagrees_is_refused_showing_both_values(self, database):
        number = nik(born=dt.date(1995, 7, 1), sex="P", serial=1)
        with database.session() as s, pytest.raises(InvalidInput) as exc:
            make_worker(s, nik_=number, birth_date=dt.date(1996, 7, 1))
        message = exc.value.message("id")
        assert exc.value.code == "invalid.birth_date_mismatch"
        assert "1996-07-01" in message and "1995-07-01" in message
        assert number not in message and "3216********0001" in message

    def test_a_sex_that_disagrees_is_refused_showing_both_values(self, database):
        with database.session() as s, pytest.raises(InvalidInput) as exc:
            make_worker(s, nik_=nik(sex="P"), sex="L")
        assert exc.value.code == "invalid.sex_mismatch"
        assert "diisi L, menurut NIK P" in exc.value.message("id")
        assert "given L, the NIK says P" in exc.value.message("en")

    @pytest.mark.parametrize(("text", "reason"), [
        ("321601170590001", "format"),         # 15 digits
        ("3216011705900000", "serial"),
        ("3216013202900001", "birth_date"),    # 32 February
        ("9916011705900001", "province"),
    ])
    def test_a_structurally_invalid_nik_is_refused_with_its_reason(self, database, text, reason):
        with database.session() as s, pytest.raises(workers.InvalidNik) as exc:
            make_worker(s, nik_=text)
        assert reason in exc.value.reasons
        assert exc.value.code == "invalid.nik"

    def test_a_kecamatan_that_no_longer_exists_is_flagged_not_rejected(self, database):
        number = nik(kecamatan="99")
        with database.session() as s:
            w = make_worker(s, nik_=number)
            assert (w.needs_review, w.review_reason) == (True, workers.REVIEW_NIK_DISTRICT_UNKNOWN)
            assert w.nik_district_code == "32.16.99"


class TestOneWorkerPerNik:
    def test_the_same_nik_cannot_be_registered_twice_whatever_the_sponsor(self, database):
        number = nik()
        with database.session() as s:
            make_worker(s, nik_=number)
        with database.session() as s, pytest.raises(Conflict) as exc:
            make_worker(s, nik_=number, name="Another Name")
        assert exc.value.code == "worker.exists"
        assert number not in exc.value.message("id")

    def test_a_nik_written_with_separators_is_the_same_nik(self, database):
        number = nik()
        with database.session() as s:
            make_worker(s, nik_=number)
        spaced = f"{number[:4]} {number[4:8]}-{number[8:12]}.{number[12:]}"
        with database.session() as s, pytest.raises(Conflict):
            make_worker(s, nik_=spaced)
        with database.session(readonly=True) as s:
            assert workers.get(s, spaced).nik == number


    def test_a_registered_worker_under_a_nik_with_another_serial_is_refused_until_the_officer_says_otherwise(
            self, database):
        # A NIK has no check digit: the serial typed wrong is another valid NIK of the same kecamatan,
        # birth date and sex. With the same name, it is the registered worker, most likely.
        registered = nik(serial=123)
        with database.session() as s:
            make_worker(s, nik_=registered, name="Asep Saputra")
        with database.session() as s, pytest.raises(Conflict) as exc:
            make_worker(s, nik_=nik(serial=132), name="H. ASEP SAPUTRA", different_person=False)
        assert exc.value.code == "worker.possibly_registered"
        message = exc.value.message("id")
        assert "3216********0123" in message and "Asep Saputra" in message and registered not in message
        assert "--different-person" in exc.value.message("en")
        with database.session() as s:  # another name, born the same day there: another person
            make_worker(s, nik_=nik(serial=456), name="Ujang Suherman", different_person=False)
            # The officer checked the ID card: another Asep Saputra.
            make_worker(s, nik_=nik(serial=132), name="Asep Saputra", different_person=True)
        with database.session(readonly=True) as s:
            assert {w.nik[12:] for w in s.scalars(select(Worker))} == {"0123", "0132", "0456"}
            said = s.scalars(select(AuditEntry).where(AuditEntry.action == "worker.different_person")).one()
            assert (said.actor, said.data) == (MAKER, {"niks": ["3216********0123"]})  # only where it was asked
            assert audit.detail_text(said, "en") == "another person than 3216********0123 (ID card checked)"

    def test_two_officers_registering_one_person_under_two_serials_at_once_register_one(self, database):
        # Two desks, one farmer, her NIK typed two ways: the second waits for the first, then sees her.
        from tests.racing import race

        for attempt in range(3):
            born = dt.date(1980, 3, 1) + dt.timedelta(days=attempt)
            numbers = [nik(born=born, sex="P", serial=1000 + i) for i in range(4)]
            results = race(database, [
                lambda s, n=n: make_worker(s, nik_=n, name="Oneng Suhara", sex="P", different_person=False).nik
                for n in numbers])
            assert sorted(type(r).__name__ for r in results) == ["PossiblyRegistered"] * 3 + ["str"], results
        with database.session(readonly=True) as s:
            assert len(s.scalars(select(Worker).where(Worker.name == "Oneng Suhara")).all()) == 3

class TestADomicileGivenByName:
    """At the counter an officer knows the desa's name, seldom its code: 'Sukamurni, Sukakarya'."""

    @pytest.mark.parametrize(("desa", "nik_kecamatan"), [
        ("Sukamurni, Sukakarya", "01"), ("Desa Sukamurni, Kec. Sukakarya, Kab. Bekasi", "01"),
        ("sukamurni", "14"),  # three Sukamurni; the NIK's kecamatan (Sukakarya) holds one
    ])
    def test_the_one_desa_that_fits_is_the_domicile(self, database, desa, nik_kecamatan):
        with database.session() as s:
            w = make_worker(s, nik_=nik(kecamatan=nik_kecamatan), desa=desa)
            assert w.domicile_code == "32.16.14.2001"

    def test_a_name_that_fits_several_places_lists_them_with_their_codes(self, database):
        with database.session() as s, pytest.raises(InvalidInput) as exc:
            make_worker(s, nik_=nik(kecamatan="01"), desa="Sukamurni")
        assert exc.value.message() == (
            "Desa/kelurahan 'Sukamurni' ada di 3 tempat: 32.05.19.2018 Sukamurni (Cilawu, Kabupaten Garut); "
            "32.16.14.2001 Sukamurni (Sukakarya, Kabupaten Bekasi); 36.03.01.2013 Sukamurni (Balaraja, "
            "Kabupaten Tangerang). Tulis kodenya, atau tambahkan kecamatan: 'Desa, Kecamatan'.")
        assert database.scalar("SELECT count(*) FROM workers") == 0

    @pytest.mark.parametrize(("desa", "code", "english"), [
        ("Sukamurni, Tarumajaya", "invalid.desa_not_there",
         "There is no desa/kelurahan named 'Sukamurni' in Tarumajaya."),
        ("Atlantis", "invalid.desa_name_unknown", "No desa/kelurahan is named 'Atlantis' in the Kemendagri list."),
        (", Sukakarya", "invalid.region", None),
    ])
    def test_a_name_that_fits_nowhere_is_refused_saying_so(self, database, desa, code, english):
        with database.session() as s, pytest.raises(InvalidInput) as exc:
            make_worker(s, nik_=nik(kecamatan="01"), desa=desa)
        assert exc.value.code == code
        if english:
            assert exc.value.message("en") == english

    def test_a_common_name_lists_ten_places_and_how_many_more(self, database):
        with database.session() as s, pytest.raises(InvalidInput) as exc:
            make_worker(s, nik_=nik(kecamatan="01"), desa="Sukamaju")
        count = exc.value.context["count"]
        assert count > 10
        assert exc.value.context["places"].count(";") == 10 and exc.value.context["places"].endswith(
            f"… (+{count - 10})")

    def test_the_command_takes_a_name_too(self, database, cli):
        number = nik(kecamatan="01")
        r = cli("worker", "add", "--nik", number, "--name", "Euis", "--desa", "Sukamurni, Sukakarya",
                "--occupation", "Petani", "--json")
        assert r.exit_code == 0, r.stderr
        assert r.json()["domicile"]["code"] == "32.16.14.2001"
        r = cli("worker", "update", number, "--desa", "Sukamurni", "--lang", "en")
        assert r.exit_code == 2 and "fits 3 places: 32.05.19.2018 Sukamurni (Cilawu, Kabupaten Garut);" in r.err


class TestOtherFieldsAreChecked:
    @pytest.mark.parametrize(("field", "value", "code"), [
        ("occupation", "astronot", "invalid.occupation"),
        ("desa", "32.16.01", "invalid.not_village"),
        ("desa", "32.16.01.9999", "invalid.region_unknown"),
        ("phone", "12ab", "invalid.phone"),
        ("income", -1, "invalid.income"),
        ("heirs", (HeirIn(name="X", relationship="cousin"),), "invalid.relationship"),
        ("heirs", (HeirIn(name="X", relationship="child", nik="1234"),), "invalid.heir_nik"),
    ])
    def test_a_bad_value_is_refused_naming_the_problem(self, database, field, value, code):
        with database.session() as s, pytest.raises(InvalidInput) as exc:
            make_worker(s, **{field: value})
        assert exc.value.code == code


class TestShowingAWorker:
    def test_the_nik_and_phone_are_masked_by_default_and_nothing_is_audited(self, database):
        number = nik(serial=42)
        with database.session() as s:
            make_worker(s, nik_=number, phone="081234567890",
                        heirs=(HeirIn(name="Ani", relationship="child", nik=nik(serial=43)),))
        with database.session() as s:
            shown = workers.view(s, number, unmask=False, by=actor(s, "ani"))
        assert shown.nik == number[:4] + "********" + "0042" and shown.masked
        assert shown.phone == "0812****7890"
        assert shown.heirs[0].nik is not None and shown.heirs[0].nik.count("*") == 8
        assert database.scalar("SELECT count(*) FROM audit_log WHERE subject_type = 'worker'") == 0

    def test_an_unmask_is_written_to_the_audit_log_without_the_nik(self, database):
        number = nik(serial=44)
        with database.session() as s:
            worker_id = make_worker(s, nik_=number).id
        with database.session() as s:
            shown = workers.view(s, number, unmask=True, by=actor(s, "auditor"))
        assert shown.nik == number and not shown.masked
        with database.session(readonly=True) as s:
            entry = s.scalars(select(AuditEntry).where(AuditEntry.subject_type == "worker")).one()
            assert (entry.actor, entry.action, entry.subject_type, entry.subject_id) == (
                "auditor", "worker.unmask", "worker", worker_id)
            assert entry.at.tzinfo is not None
            assert number not in str(entry.data) and number not in audit.detail_text(entry, "en")

    def test_an_unknown_nik_is_not_found_and_stays_masked(self, database):
        number = nik(serial=45)
        with database.session(readonly=True) as s, pytest.raises(NotFound) as exc:
            workers.get(s, number)
        assert number not in exc.value.message("en")
