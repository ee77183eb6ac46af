"""Ends: a worker dying (refund or credit for months paid after the death month), a worker leaving,
an agreement ending — no further bills after any of them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from lindung.billing import coverage as cov
from lindung.billing import ends
from lindung.billing import service as billing
from lindung.billing.models import CreditEntry, EnrolmentEnd, Refund, WorkerDeath
from lindung.enrolment.models import Enrolment
from lindung.kit.errors import InvalidInput
from lindung.rules.period import Month
from lindung.sponsors.models import Agreement
from tests.billing import factories as f
from tests.billing.checks import assert_counters_match_lines

YEAR = 3 * 16_800 + 9 * 8_400  # one Kadin worker, 2026: 126.000


def paid_kadin_year(database, *, after_death: str, workers: int = 3) -> list[str]:
    """KADIN-2026 (12-month cycle), billed and paid in full on 10 January; the workers' NIKs."""
    with database.session() as s:
        f.agreement(s, after_death=after_death)
        niks = [w.nik for w in f.cohort(s, workers)]
    with database.session() as s:
        code = f.bill(s, "2026-01", on=dt.date(2026, 1, 2)).bills[0].payment_code
    with database.session() as s:
        f.pay(s, code, workers * YEAR, on=dt.date(2026, 1, 10))
    return niks


def statement(database) -> dict[str, dict[str, object]]:
    from lindung.billing import lists

    with database.session(readonly=True) as s:
        return {row.agreement: row.model_dump() for row in lists.statements(s, by=f.maker(s))}


class TestAWorkerDiesUnderAnAgreementThatCredits:
    def test_months_paid_after_the_death_month_become_credit(self, database):
        niks = paid_kadin_year(database, after_death="credit")
        with database.session() as s:
            result = ends.record_death(s, niks[0], died_on=dt.date(2026, 5, 10), by=f.maker(s),
                                       today=dt.date(2026, 5, 12))
        [x] = result.settlements
        # June–December were paid at Rp8.400: 7 months
        assert (x.agreement, x.policy, x.voided_worker_months, x.paid_worker_months, x.paid_amount) == (
            "KADIN-2026", "credit", 7, 7, 58_800)
        assert (result.enrolments_ended, result.enrolments_cancelled, str(result.last_month)) == (1, 0, "2026-05")
        with database.session() as s:
            [credit] = s.scalars(select(CreditEntry).where(CreditEntry.kind == "after_end")).all()
            assert credit.amount == 58_800
            assert s.scalars(select(Refund)).all() == []
            assert s.get(WorkerDeath, credit.worker_id).died_on == dt.date(2026, 5, 10)
            enrolment = s.scalars(select(Enrolment).where(Enrolment.worker_id == credit.worker_id)).one()
            assert Month.from_index(enrolment.last_month) == Month(2026, 5)
            assert_counters_match_lines(s)
        row = statement(database)["KADIN-2026"]
        assert (row["billed"], row["settled"], row["credit"], row["refunds"], row["outstanding"]) == (
            3 * YEAR, 3 * YEAR, 58_800, 0, 0)

    def test_the_death_month_stays_covered_and_the_months_after_do_not(self, database):
        niks = paid_kadin_year(database, after_death="credit", workers=1)
        with database.session() as s:
            ends.record_death(s, niks[0], died_on=dt.date(2026, 5, 10), by=f.maker(s), today=dt.date(2026, 5, 12))
        with database.session() as s:
            on_the_day = cov.coverage(s, niks[0], at=dt.date(2026, 5, 10), by=f.maker(s))
            after = cov.coverage(s, niks[0], at=dt.date(2026, 6, 10), by=f.maker(s))
        assert on_the_day.protected and on_the_day.worker.died_on == dt.date(2026, 5, 10)
        assert not after.protected and after.decision.reason == "unpaid"
        assert on_the_day.protected_until == dt.date(2026, 5, 31)

    def test_credit_after_a_death_pays_the_next_bill(self, database):
        with database.session() as s:
            f.agreement(s, "DESA-2026", sponsor="DESA", funding="apbdes", cycle=3, after_death="credit")
            niks = [w.nik for w in f.cohort(s, 2, "DESA-2026")]
        with database.session() as s:
            code = f.bill(s, "2026-01", on=dt.date(2026, 1, 2)).bills[0].payment_code  # Jan–Mar, 2 workers
        with database.session() as s:
            f.pay(s, code, 6 * 16_800, on=dt.date(2026, 1, 10))
        with database.session() as s:
            ends.record_death(s, niks[1], died_on=dt.date(2026, 1, 20), by=f.maker(s), today=dt.date(2026, 1, 25))
        with database.session() as s:
            april = f.bill(s, "2026-04", on=dt.date(2026, 4, 1)).bills[0]
        # one worker left, April–June at Rp8.400 (APBDes is discounted from April); the deceased's
        # February and March (2 × Rp16.800) became credit, which settles all three months
        assert (april.worker_months, april.total) == (3, 3 * 8_400)
        assert (april.credit_applied, april.credit_months, april.payable) == (3 * 8_400, 3, 0)
        with database.session() as s:
            assert_counters_match_lines(s)
        assert statement(database)["DESA-2026"]["credit"] == 2 * 16_800 - 3 * 8_400


class TestAWorkerDiesUnderAnAgreementThatRefunds:
    def test_months_paid_after_the_death_month_are_refunded(self, database):
        niks = paid_kadin_year(database, after_death="refund")
        with database.session() as s:
            ends.record_death(s, niks[1], died_on=dt.date(2026, 9, 30), by=f.maker(s), today=dt.date(2026, 10, 2))
        with database.session() as s:
            [refund] = s.scalars(select(Refund)).all()
            assert (refund.reason, refund.worker_months, refund.amount) == ("death", 3, 3 * 8_400)
            assert (Month.from_index(refund.first_month), Month.from_index(refund.last_month)) == (
                Month(2026, 10), Month(2026, 12))
            assert s.scalars(select(CreditEntry).where(CreditEntry.kind == "after_end")).all() == []
        row = statement(database)["KADIN-2026"]
        assert (row["refunds"], row["credit"]) == (25_200, 0)


class TestADeathStopsTheBills:
    def test_unpaid_months_after_the_death_month_are_cancelled_and_never_billed_again(self, database):
        with database.session() as s:
            f.agreement(s, "DESA-2026", sponsor="DESA", funding="apbdes", cycle=1)
            niks = [w.nik for w in f.cohort(s, 2, "DESA-2026")]
        with database.session() as s:
            bills = f.bill(s, "2026-03", on=dt.date(2026, 3, 1)).bills
        with database.session() as s:
            result = ends.record_death(s, niks[0], died_on=dt.date(2026, 2, 3), by=f.maker(s),
                                       today=dt.date(2026, 3, 2))
        [x] = result.settlements
        assert (x.voided_worker_months, x.voided_unpaid, x.paid_amount, x.policy) == (1, 16_800, 0, "none")
        with database.session() as s:
            march = billing.bill_status(s, bills[2].payment_code, by=f.maker(s))
            assert (march.cancelled, march.unpaid_worker_months, march.unpaid) == (16_800, 1, 16_800)
            february = billing.bill_status(s, bills[1].payment_code, by=f.maker(s))
            assert february.unpaid_worker_months == 2  # the death month stays billed
            april = f.bill(s, "2026-04").bills[0]
            assert april.worker_months == 1
            assert_counters_match_lines(s)

    def test_a_death_is_recorded_once_and_not_in_the_future(self, database):
        niks = paid_kadin_year(database, after_death="credit", workers=1)
        with pytest.raises(InvalidInput), database.session() as s:
            ends.record_death(s, niks[0], died_on=dt.date(2026, 5, 10), by=f.maker(s), today=dt.date(2026, 5, 1))
        with database.session() as s:
            ends.record_death(s, niks[0], died_on=dt.date(2026, 5, 10), by=f.maker(s), today=dt.date(2026, 5, 12))
        with pytest.raises(ends.DeathAlreadyRecorded), database.session() as s:
            ends.record_death(s, niks[0], died_on=dt.date(2026, 5, 11), by=f.maker(s), today=dt.date(2026, 5, 12))


class TestAWorkerLeaves:
    def test_no_further_bills_and_paid_months_after_leaving_follow_the_policy(self, database):
        niks = paid_kadin_year(database, after_death="refund", workers=2)
        with database.session() as s:
            result = ends.leave(s, niks[0], "KADIN-2026", last_month=Month(2026, 8), by=f.maker(s),
                                today=dt.date(2026, 8, 20))
        [x] = result.settlements
        assert (x.paid_worker_months, x.paid_amount, x.policy) == (4, 4 * 8_400, "refund")
        with database.session() as s:
            [end] = s.scalars(select(EnrolmentEnd)).all()
            assert (end.reason, Month.from_index(end.previous_last_month), Month.from_index(end.last_month)) == (
                "left", Month(2026, 12), Month(2026, 8))
            assert s.scalars(select(Refund)).one().reason == "left"
            assert_counters_match_lines(s)
        with pytest.raises(ends.NothingToEnd), database.session() as s:
            ends.leave(s, niks[0], "KADIN-2026", last_month=Month(2026, 8), by=f.maker(s), today=dt.date(2026, 8, 20))


class TestAnAgreementEnds:
    def test_no_further_bills_and_unpaid_months_after_the_end_are_cancelled(self, database):
        with database.session() as s:
            f.agreement(s, "DESA-2026", sponsor="DESA", funding="apbdes", cycle=3)
            f.cohort(s, 2, "DESA-2026")
            f.agreement(s)
            f.cohort(s, 1)
        with database.session() as s:
            first = f.bill(s, "2026-04", on=dt.date(2026, 4, 1)).bills
        assert [(b.agreement, str(b.cycle.start)) for b in first] == [
            ("DESA-2026", "2026-01"), ("DESA-2026", "2026-04"), ("KADIN-2026", "2026-01")]
        with database.session() as s:
            f.pay(s, first[0].payment_code, 6 * 16_800, on=dt.date(2026, 4, 2))
        with database.session() as s:
            result = ends.end_agreement(s, "DESA-2026", last_month=Month(2026, 4), by=f.maker(s),
                                        today=dt.date(2026, 4, 20))
        assert (result.enrolments_ended, result.enrolments_cancelled) == (2, 0)
        # May and June of both workers were billed (April cycle) and not paid: cancelled
        assert (result.settlement.voided_worker_months, result.settlement.voided_unpaid) == (4, 4 * 8_400)
        with database.session() as s:
            assert s.scalars(select(Agreement.status).where(Agreement.code == "DESA-2026")).one() == "ended"
            later = f.bill(s, "2026-10", on=dt.date(2026, 10, 1)).bills
            assert later == []  # KADIN is billed for the year already, DESA is ended
            status = billing.bill_status(s, first[1].payment_code, by=f.maker(s))
            assert (status.total, status.cancelled, status.unpaid) == (6 * 8_400, 4 * 8_400, 2 * 8_400)
            assert len(s.scalars(select(EnrolmentEnd).where(EnrolmentEnd.reason == "agreement_ended")).all()) == 2
            assert_counters_match_lines(s)
        with pytest.raises(billing.AgreementNotBillable), database.session() as s:
            billing.billable_agreement_ids(s, Month(2026, 10), "DESA-2026")
