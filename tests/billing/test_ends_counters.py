"""What an end gives back to the agreement: a death or a leaving frees the worker's place and the
committed cost of the months cut off, so the sponsor can enrol a replacement within the same quota
and budget; an agreement ending gives back the cost but keeps its places; a worker whose death is
recorded is never enrolled again. The counters always equal what the enrolment rows say."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lindung.billing import ends
from lindung.billing.schemas import EndResult
from lindung.enrolment import repository as enrolment_repo
from lindung.enrolment import service as enrolment
from lindung.enrolment.errors import BudgetExceeded, QuotaExceeded, WorkerDeceased
from lindung.enrolment.models import Enrolment
from lindung.enrolment.schemas import Enrolled
from lindung.rules.period import Month
from lindung.sponsors import service as sponsors
from tests.billing import factories as f
from tests.racing import race

YEAR = 3 * 16_800 + 9 * 8_400  # one Kadin worker (not transport), 2026, discounted from April: 126.000
JAN_MAY = 3 * 16_800 + 2 * 8_400  # what a worker who dies in May keeps: 67.200


def counters(s: Session, code: str) -> tuple[int, int]:
    a = sponsors.get_agreement(s, code)
    s.refresh(a)
    assert (a.enrolled_count, a.committed_cost) == enrolment_repo.totals(s, a.id)
    return a.enrolled_count, a.committed_cost


def full_kadin(database, workers: int = 3) -> tuple[list[str], str]:
    """KADIN-2026 with a quota of ``workers`` and a budget of exactly their year, all taken; the NIKs
    and a registered but unenrolled worker's NIK."""
    with database.session() as s:
        a = f.agreement(s, quota=workers)
        a.budget = workers * YEAR
        s.flush()
        niks = [w.nik for w in f.cohort(s, workers)]
        spare = f.worker(s, name="Dedi Pengganti").nik
    return niks, spare


class TestADeathFreesThePlaceAndTheMonthsAfter:
    def test_a_replacement_fits_in_the_quota_and_budget_the_death_gave_back(self, database):
        niks, spare = full_kadin(database)
        with pytest.raises(QuotaExceeded), database.session() as s:
            enrolment.enrol(s, spare, "KADIN-2026", by=f.maker(s), today=dt.date(2026, 5, 12))
        with database.session() as s:
            ends.record_death(s, niks[0], died_on=dt.date(2026, 5, 10), by=f.maker(s), today=dt.date(2026, 5, 12))
        with database.session(readonly=True) as s:
            assert counters(s, "KADIN-2026") == (2, 2 * YEAR + JAN_MAY)
            died = s.scalars(select(Enrolment).order_by(Enrolment.id)).first()
            assert died is not None and died.committed_cost == JAN_MAY
        # accepted in May the replacement would start in May: eight months (Rp67.200) do not fit in
        # the Rp58.800 given back; accepted in June, seven months fit to the rupiah
        with pytest.raises(BudgetExceeded), database.session() as s:
            enrolment.enrol(s, spare, "KADIN-2026", by=f.maker(s), today=dt.date(2026, 5, 12))
        with database.session() as s:
            e = enrolment.enrol(s, spare, "KADIN-2026", by=f.maker(s), today=dt.date(2026, 6, 1))
            assert (e.from_, e.committed_cost) == (Month(2026, 6), 7 * 8_400)
        with database.session(readonly=True) as s:
            assert counters(s, "KADIN-2026") == (3, 3 * YEAR)

    def test_a_worker_whose_death_is_recorded_is_never_enrolled_again(self, database):
        niks, _spare = full_kadin(database, workers=1)
        with database.session() as s:
            ends.record_death(s, niks[0], died_on=dt.date(2026, 5, 10), by=f.maker(s), today=dt.date(2026, 5, 12))
            f.agreement(s, "DESA-2027", sponsor="DESA", funding="apbdes", start="2027-01")
        with pytest.raises(WorkerDeceased) as caught, database.session() as s:
            enrolment.enrol(s, niks[0], "DESA-2027", by=f.maker(s), today=dt.date(2026, 12, 1))
        assert caught.value.message("id") == (
            f"Pekerja {niks[0][:4]}********{niks[0][-4:]} telah meninggal dunia pada 2026-05-10; "
            "tidak dapat didaftarkan.")
        assert "died on 2026-05-10" in caught.value.message("en")
        with database.session(readonly=True) as s:
            assert counters(s, "DESA-2027") == (0, 0)


class TestLeavingAndEnding:
    def test_leaving_frees_the_place_and_the_months_after(self, database):
        niks, _spare = full_kadin(database, workers=2)
        with database.session() as s:
            ends.leave(s, niks[0], "KADIN-2026", last_month=Month(2026, 8), by=f.maker(s), today=dt.date(2026, 8, 20))
        with database.session(readonly=True) as s:
            assert counters(s, "KADIN-2026") == (1, YEAR + 3 * 16_800 + 5 * 8_400)

    def test_an_enrolment_that_had_not_started_gives_back_everything(self, database):
        with database.session() as s:
            f.agreement(s, quota=2)
            [later] = f.cohort(s, 1, first="2026-09")
            f.cohort(s, 1)
        with database.session(readonly=True) as s:
            assert counters(s, "KADIN-2026") == (2, 4 * 8_400 + YEAR)
        with database.session() as s:
            result = ends.leave(s, later.nik, "KADIN-2026", last_month=Month(2026, 6), by=f.maker(s),
                                today=dt.date(2026, 6, 20))
            assert (result.enrolments_ended, result.enrolments_cancelled) == (0, 1)
        with database.session(readonly=True) as s:
            assert counters(s, "KADIN-2026") == (1, YEAR)

    def test_an_agreement_ending_keeps_its_places_and_gives_back_the_months_after(self, database):
        with database.session() as s:
            f.agreement(s, "DESA-2026", sponsor="DESA", funding="apbdes", cycle=3)
            f.cohort(s, 2, "DESA-2026")
            f.cohort(s, 1, "DESA-2026", occupation="ojek")
            f.cohort(s, 1, "DESA-2026", first="2026-07")
        with database.session(readonly=True) as s:
            # APBDes is not excluded from the discount: Rp8.400 from April for the others; the ojek
            # driver's transport discount runs all 2026 (12 × Rp8.400); the fourth starts in July
            assert counters(s, "DESA-2026") == (4, 2 * YEAR + 12 * 8_400 + 6 * 8_400)
        with database.session() as s:
            result = ends.end_agreement(s, "DESA-2026", last_month=Month(2026, 4), by=f.maker(s),
                                        today=dt.date(2026, 4, 20))
            assert (result.enrolments_ended, result.enrolments_cancelled) == (3, 1)
        with database.session(readonly=True) as s:
            # January–April kept: 58.800 for each of the two, 4 × 8.400 for the ojek driver; the
            # July starter's enrolment is cancelled: place and cost back
            assert counters(s, "DESA-2026") == (3, 2 * (3 * 16_800 + 8_400) + 4 * 8_400)


class TestADeathRacingAnEnrolment:
    def test_either_the_enrolment_is_refused_or_it_is_cancelled_and_the_counters_agree(self, postgres_database):
        """The worker left KADIN after June and is being enrolled in it again from August when the
        branch records that the worker died in March. The enrolment locks the agreement, then the
        worker; the death must take them in the same order (it changes that agreement's counters),
        or the two deadlock."""
        database = postgres_database
        for attempt in range(8):
            code = f"KADIN-{attempt}"
            with database.session() as s:
                f.agreement(s, code, sponsor="KADIN", quota=5)
                [w] = f.cohort(s, 1, code)
                ends.leave(s, w.nik, code, last_month=Month(2026, 6), by=f.maker(s), today=dt.date(2026, 6, 20))
            death, enrolled = race(database, [
                lambda s, n=w.nik: ends.record_death(s, n, died_on=dt.date(2026, 3, 3), by=f.maker(s),
                                                     today=dt.date(2026, 7, 5)),
                lambda s, n=w.nik, code=code: enrolment.enrol(s, n, code, by=f.maker(s), today=dt.date(2026, 7, 5),
                                                              first=Month(2026, 8)),
            ])
            assert isinstance(death, EndResult), (death, enrolled)
            assert isinstance(enrolled, Enrolled | WorkerDeceased), (death, enrolled)
            with database.session(readonly=True) as s:
                # January–March kept; an enrolment that won the race (August onward) was cancelled
                assert counters(s, code) == (0, 3 * 16_800)
                if isinstance(enrolled, Enrolled):
                    august = s.scalars(select(Enrolment).where(Enrolment.worker_id == w.id,
                                                               Enrolment.first_month == Month(2026, 8).index)).one()
                    assert august.status == "cancelled"
