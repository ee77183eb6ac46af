"""Enrolling one worker at a time: coverage span, committed cost, and every invariant."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from lindung.enrolment import errors
from lindung.enrolment import repository as enrolment_repo
from lindung.enrolment.models import Enrolment
from lindung.kit.errors import InvalidInput
from lindung.rules.period import Month
from lindung.sponsors import service as sponsors
from tests.factories import (
    DESA_BANDUNG,
    DESA_MUARAGEMBONG,
    DESA_PEBAYURAN,
    enrol,
    make_agreement,
    make_worker,
)


class TestAnEnrolment:
    def test_covers_from_the_first_month_to_the_agreement_end_with_its_cost_committed(self, database):
        with database.session() as s:
            make_agreement(s)
            w = make_worker(s, occupation="pedagang")
            e = enrol(s, w, first="2026-01")
            # Jan–Mar Rp16.800, Apr–Dec Rp8.400 (PP 50/2025, non-transport)
            assert (e.first_month, e.last_month) == (Month(2026, 1).index, Month(2026, 12).index)
            assert (e.sector, e.occupation_code, e.committed_cost) == ("other", "pedagang", 126_000)
        with database.session(readonly=True) as s:
            a = sponsors.get_agreement(s, "KADIN-2026")
            assert (a.enrolled_count, a.committed_cost) == (1, 126_000)

    def test_a_transport_worker_is_priced_at_the_transport_discount(self, database):
        with database.session() as s:
            make_agreement(s)
            e = enrol(s, make_worker(s, occupation="ojek"))
            assert (e.sector, e.committed_cost) == ("transport", 12 * 8_400)

    def test_an_apbd_funded_worker_pays_the_full_price(self, database):
        with database.session() as s:
            make_agreement(s, "TANI-2026", sponsor="PEMKAB", funding="apbd")
            e = enrol(s, make_worker(s, occupation="petani"), "TANI-2026")
            assert e.committed_cost == 12 * 16_800

    def test_the_committed_cost_is_kept_as_it_was_when_the_worker_changes_occupation(self, database):
        with database.session() as s:
            make_agreement(s)
            w = make_worker(s, occupation="pedagang")
            enrol(s, w)
            w.occupation_code = "ojek"
        with database.session(readonly=True) as s:
            e = s.scalars(select(Enrolment)).one()
            assert (e.occupation_code, e.sector, e.committed_cost) == ("pedagang", "other", 126_000)

    def test_counters_equal_the_sum_of_enrolments(self, database):
        with database.session() as s:
            make_agreement(s)
            for occ in ("pedagang", "ojek", "pemulung", "kurir"):
                enrol(s, make_worker(s, occupation=occ))
        with database.session(readonly=True) as s:
            a = sponsors.get_agreement(s, "KADIN-2026")
            assert (a.enrolled_count, a.committed_cost) == enrolment_repo.totals(s, a.id) == (
                4, 2 * 126_000 + 2 * 100_800)


class TestTheFirstMonth:
    """coverage.sponsored_start_policy: a cohort starts at the agreement's start; later, the month
    the enrolment is accepted."""

    @pytest.mark.parametrize(("today", "first", "cost"), [
        (dt.date(2025, 12, 15), "2026-01", 126_000),
        (dt.date(2026, 1, 10), "2026-01", 126_000),
        (dt.date(2026, 5, 20), "2026-05", 8 * 8_400),
        (dt.date(2026, 12, 31), "2026-12", 8_400),
    ])
    def test_by_default_it_is_the_later_of_the_agreement_start_and_the_acceptance_month(
            self, database, today, first, cost):
        with database.session() as s:
            make_agreement(s)
            e = enrol(s, make_worker(s), first=None, today=today)
            assert (str(Month.from_index(e.first_month)), e.committed_cost) == (first, cost)

    def test_after_the_agreement_period_nobody_can_be_enrolled(self, database):
        with database.session() as s:
            make_agreement(s)
            w = make_worker(s)
            with pytest.raises(errors.AgreementPeriodOver):
                enrol(s, w, first=None, today=dt.date(2027, 1, 4))

    @pytest.mark.parametrize("first", ["2025-12", "2027-01"])
    def test_an_explicit_month_outside_the_period_is_refused(self, database, first):
        with database.session() as s:
            make_agreement(s)
            w = make_worker(s)
            with pytest.raises(InvalidInput) as exc:
                enrol(s, w, first=first)
        assert exc.value.code == "invalid.month_outside"


class TestOnlyOpenAgreementsAcceptEnrolments:
    def test_a_draft_refuses(self, database):
        with database.session() as s:
            make_agreement(s, approve=False)
            w = make_worker(s)
            with pytest.raises(errors.AgreementNotOpen):
                enrol(s, w)

    def test_an_active_agreement_accepts_and_an_ended_one_refuses(self, database):
        with database.session() as s:
            make_agreement(s, activate=True)
            enrol(s, make_worker(s))
            sponsors.end(s, "KADIN-2026")
            w = make_worker(s)
            with pytest.raises(errors.AgreementNotOpen) as exc:
                enrol(s, w)
        assert "is ended;" in exc.value.message("en")
        assert "berstatus berakhir;" in exc.value.message("id")  # the status in the reader's language


class TestQuotaAndBudget:
    def test_the_quota_can_never_be_exceeded(self, database):
        with database.session() as s:
            make_agreement(s, quota=2)
            enrol(s, make_worker(s))
            enrol(s, make_worker(s))
        with database.session() as s, pytest.raises(errors.QuotaExceeded) as exc:
            enrol(s, make_worker(s))
        assert "2 of 2" in exc.value.message("en")
        with database.session(readonly=True) as s:
            assert sponsors.get_agreement(s, "KADIN-2026").enrolled_count == 2

    def test_a_full_quota_is_said_with_its_counts_grouped_per_language(self):
        full = errors.QuotaExceeded(agreement="BEKASI-TANI-2026", quota=26_000, enrolled=26_000)
        assert full.message("id") == "Kuota perjanjian BEKASI-TANI-2026 sudah penuh (26.000 dari 26.000 pekerja)."
        assert full.message("en") == "Agreement BEKASI-TANI-2026's quota is full (26,000 of 26,000 workers)."
        assert full.context["quota"] == 26_000  # the context itself (JSON, logs) keeps the number

    def test_the_budget_can_never_be_exceeded(self, database):
        with database.session() as s:
            make_agreement(s, quota=10, budget=200_000)
            enrol(s, make_worker(s, occupation="pedagang"))
        with database.session() as s, pytest.raises(errors.BudgetExceeded) as exc:
            enrol(s, make_worker(s, occupation="pedagang"))
        assert "Rp74.000" in exc.value.message("id")  # 200.000 − 126.000 left
        with database.session(readonly=True) as s:
            a = sponsors.get_agreement(s, "KADIN-2026")
            assert (a.enrolled_count, a.committed_cost) == (1, 126_000)

    def test_a_cheaper_transport_worker_still_fits_when_a_dearer_one_does_not(self, database):
        with database.session() as s:
            make_agreement(s, quota=10, budget=126_000 + 100_800)
            enrol(s, make_worker(s, occupation="pedagang"))
            enrol(s, make_worker(s, occupation="ojek"))
            a = sponsors.get_agreement(s, "KADIN-2026")
            assert a.committed_cost == a.budget

    @pytest.mark.parametrize("assignment", ["enrolled_count = quota + 1", "committed_cost = budget + 1"])
    def test_the_database_refuses_counters_beyond_quota_or_budget(self, database, assignment):
        with database.session() as s:
            make_agreement(s, quota=5)
        with pytest.raises(IntegrityError), database.session() as s:
            s.execute(text(f"UPDATE agreements SET {assignment}"))


class TestNeverCoveredTwiceForTheSameMonth:
    def test_a_second_sponsor_overlapping_is_a_conflict_naming_the_first_agreement(self, database):
        with database.session() as s:
            make_agreement(s)
            make_agreement(s, "CSR-2026", sponsor="CSR", funding="csr", start="2026-06")
            w = make_worker(s)
            enrol(s, w)
        with database.session() as s, pytest.raises(errors.OverlappingEnrolment) as exc:
            enrol(s, w.nik, "CSR-2026", first="2026-06")
        message = exc.value.message("en")
        assert "KADIN-2026" in message and "2026-01 – 2026-12" in message and "CSR-2026" in message
        assert w.nik not in message

    def test_non_overlapping_spans_under_two_sponsors_are_fine(self, database):
        with database.session() as s:
            make_agreement(s, months=6)  # 2026-01 .. 2026-06
            make_agreement(s, "CSR-2026", sponsor="CSR", funding="csr", start="2026-07", months=6)
            w = make_worker(s)
            enrol(s, w)
            enrol(s, w, "CSR-2026", first="2026-07")
            assert s.scalar(select(Enrolment.id).where(Enrolment.worker_id == w.id).limit(1)) is not None

    def test_the_same_agreement_twice_is_already_enrolled(self, database):
        with database.session() as s:
            make_agreement(s)
            w = make_worker(s)
            enrol(s, w)
            with pytest.raises(errors.AlreadyEnrolled):
                enrol(s, w, first="2026-03")

    def test_postgresql_refuses_an_overlap_written_behind_the_service(self, postgres_database):
        with postgres_database.session() as s:
            make_agreement(s)
            make_agreement(s, "CSR-2026", sponsor="CSR", funding="csr")
            enrol(s, make_worker(s))
        with pytest.raises(IntegrityError, match="ex_enrolments_no_overlap"), postgres_database.session() as s:
            s.execute(text(
                "INSERT INTO enrolments (worker_id, agreement_id, first_month, last_month, occupation_code, "
                "sector, committed_cost, status, provenance_id) "
                "SELECT worker_id, (SELECT id FROM agreements WHERE code = 'CSR-2026'), first_month + 3, "
                "last_month, occupation_code, sector, 0, 'active', provenance_id FROM enrolments"))


class TestTargetGroup:
    def test_an_occupation_outside_the_target_is_refused(self, database):
        with database.session() as s:
            make_agreement(s, "TANI", sponsor="PEMKAB", funding="apbd", target_occupations=("petani",))
            w = make_worker(s, occupation="ojek", desa=DESA_PEBAYURAN)
            with pytest.raises(errors.NotTargeted) as exc:
                enrol(s, w, "TANI")
        assert exc.value.code == "enrolment.not_targeted_occupation"

    def test_a_domicile_outside_the_target_regions_is_refused(self, database):
        with database.session() as s:
            make_agreement(s, "NELAYAN", sponsor="CSR", funding="csr", target_regions=("32.16.17", "32.16.01"))
            enrol(s, make_worker(s, occupation="nelayan", desa=DESA_MUARAGEMBONG), "NELAYAN")
            w = make_worker(s, occupation="nelayan", desa=DESA_BANDUNG)
            with pytest.raises(errors.NotTargeted) as exc:
                enrol(s, w, "NELAYAN")
        assert exc.value.code == "enrolment.not_targeted_region"
