"""Issuing bills: cycles, prices by sector and funding source, idempotence, supplementary bills,
inputs kept as they were, set-based issuing. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import event, select, text, update
from sqlalchemy.exc import IntegrityError

from lindung.billing import service as billing
from lindung.billing.models import Bill, ContributionLine, ContributionPrice
from lindung.rules.period import Month
from lindung.sponsors import service as sponsors
from lindung.sponsors.schemas import AgreementCreate
from lindung.workers.models import Worker
from tests.billing import factories as f
from tests.billing.checks import assert_counters_match_lines
from tests.users import actor

JAN, APR, DEC = Month(2026, 1), Month(2026, 4), Month(2026, 12)


def lines_of(s, worker_id: int) -> dict[str, int]:
    rows = s.execute(select(ContributionLine.month, ContributionLine.amount)
                     .where(ContributionLine.worker_id == worker_id, ContributionLine.void_seq == 0)
                     .order_by(ContributionLine.month)).all()
    return {str(Month.from_index(m)): a for m, a in rows}


class TestAKadinCohortBilledForAYear:
    """Kadin prepays 12 months: one bill, the PP 50/2025 discount from April for non-transport workers."""

    def test_one_bill_for_the_year_to_the_rupiah(self, database):
        with database.session() as s:
            f.agreement(s)  # KADIN-2026, kadin funding, 2026-01 × 12, billing cycle 12
            f.cohort(s, 5)
        with database.session() as s:
            run = f.bill(s, "2026-01", on=dt.date(2026, 1, 2))
        assert len(run.bills) == 1
        b = run.bills[0]
        assert (b.agreement, str(b.cycle.start), str(b.cycle.end), b.seq) == ("KADIN-2026", "2026-01", "2026-12", 1)
        assert b.worker_months == 60
        # Jan–Mar at Rp16.800, Apr–Dec at Rp8.400 (kadin is not excluded from the discount)
        assert b.total == 5 * (3 * 16_800 + 9 * 8_400) == 630_000
        assert b.due_date == dt.date(2026, 1, 15)
        assert len(b.payment_code) == 16 and b.payment_code.isdigit()
        assert billing.normalize_payment_code(b.payment_code) == b.payment_code

    def test_months_and_amounts_of_one_worker(self, database):
        with database.session() as s:
            f.agreement(s)
            w = f.cohort(s, 1)[0]
        with database.session() as s:
            f.bill(s, "2026-01")
            assert lines_of(s, w.id) == {str(m): 16_800 if m < APR else 8_400 for m in JAN.span(12)}

    def test_billing_again_issues_nothing_new(self, database):
        with database.session() as s:
            f.agreement(s)
            f.cohort(s, 3)
        with database.session() as s:
            first = f.bill(s, "2026-01")
        for month in ("2026-01", "2026-06", "2026-12"):
            with database.session() as s:
                again = f.bill(s, month)
            assert again.bills == [] and again.worker_months == 0
        assert first.worker_months == 36
        assert database.scalar("SELECT count(*) FROM bills") == 1
        assert database.scalar("SELECT count(*) FROM contribution_lines") == 36


class TestCyclesAlignedToTheAgreementStart:
    def test_monthly_cycle_issues_every_month_due_and_only_once(self, database):
        with database.session() as s:
            f.agreement(s, "DESA-2026", sponsor="DESA", funding="apbdes", cycle=1)
            f.cohort(s, 2, "DESA-2026")
        with database.session() as s:
            run = f.bill(s, "2026-03", on=dt.date(2026, 3, 2))
        assert [(str(b.cycle.start), b.worker_months, b.total) for b in run.bills] == [
            ("2026-01", 2, 33_600), ("2026-02", 2, 33_600), ("2026-03", 2, 33_600)]
        assert [b.due_date for b in run.bills] == [dt.date(2026, 1, 15), dt.date(2026, 2, 16), dt.date(2026, 3, 16)]
        with database.session() as s:
            assert f.bill(s, "2026-03").bills == []
            assert [str(b.cycle.start) for b in f.bill(s, "2026-04").bills] == ["2026-04"]

    def test_quarterly_cycles_start_at_the_agreement_start_month(self, database):
        with database.session() as s:
            f.agreement(s, "CSR-Q", sponsor="CSR", funding="csr", start="2026-02", cycle=3)
            f.cohort(s, 1, "CSR-Q")
        with database.session() as s:
            run = f.bill(s, "2026-06")
        assert [(str(b.cycle.start), str(b.cycle.end)) for b in run.bills] == [
            ("2026-02", "2026-04"), ("2026-05", "2026-07")]
        # Feb, Mar at 16.800; Apr at 8.400 | May, Jun, Jul at 8.400
        assert [b.total for b in run.bills] == [16_800 + 16_800 + 8_400, 3 * 8_400]

    def test_the_last_cycle_is_cut_at_the_agreement_end(self, database):
        with database.session() as s:
            f.agreement(s, "SHORT", sponsor="CSR", funding="csr", start="2026-01", months=8, cycle=6)
            f.cohort(s, 1, "SHORT")
        with database.session() as s:
            run = f.bill(s, "2026-12")
        assert [(str(b.cycle.start), str(b.cycle.end), b.worker_months) for b in run.bills] == [
            ("2026-01", "2026-06", 6), ("2026-07", "2026-08", 2)]


class TestAWorkerEnrolledLaterGetsASupplementaryBill:
    def test_only_the_new_worker_months_are_billed(self, database):
        with database.session() as s:
            f.agreement(s)
            f.cohort(s, 2)
        with database.session() as s:
            f.bill(s, "2026-01")
        with database.session() as s:
            late = f.cohort(s, 1, today=dt.date(2026, 3, 5))[0]  # starts in the month it is accepted
        with database.session() as s:
            run = f.bill(s, "2026-03", on=dt.date(2026, 3, 6))
        assert len(run.bills) == 1
        b = run.bills[0]
        assert (b.seq, str(b.cycle.start), b.worker_months, b.total) == (2, "2026-01", 10, 16_800 + 9 * 8_400)
        assert b.payment_code != billing.payment_code(1, JAN, 1)
        with database.session() as s:
            assert list(lines_of(s, late.id)) == [str(m) for m in Month(2026, 3).span(10)]
            assert f.bill(s, "2026-03").bills == []


class TestPricesFollowSectorAndFundingSource:
    """PP 50/2025: transport workers get the discount in every month of 2026; APBD-funded workers never."""

    def test_an_ojek_driver_discounted_and_an_apbd_farmer_not(self, database):
        with database.session() as s:
            f.agreement(s, "CSR-OJEK", sponsor="CSR", funding="csr", target_occupations=("ojek",))
            f.agreement(s, "APBD-TANI", sponsor="PEMKAB", funding="apbd", target_occupations=("petani",))
            ojek = f.cohort(s, 1, "CSR-OJEK", occupation="ojek")[0]
            farmer = f.cohort(s, 1, "APBD-TANI", occupation="petani")[0]
        with database.session() as s:
            run = f.bill(s, "2026-01")
            assert lines_of(s, ojek.id) == {str(m): 8_400 for m in JAN.span(12)}
            assert lines_of(s, farmer.id) == {str(m): 16_800 for m in JAN.span(12)}
        assert {b.agreement: b.total for b in run.bills} == {"CSR-OJEK": 12 * 8_400, "APBD-TANI": 12 * 16_800}

    def test_each_line_keeps_the_inputs_it_was_priced_from(self, database):
        with database.session() as s:
            f.agreement(s, "CSR-OJEK", sponsor="CSR", funding="csr", target_occupations=("ojek",))
            ojek = f.cohort(s, 1, "CSR-OJEK", occupation="ojek")[0]
        with database.session() as s:
            f.bill(s, "2026-01")
            price = s.execute(select(ContributionPrice).join(
                ContributionLine, ContributionLine.price_id == ContributionPrice.id)
                .where(ContributionLine.worker_id == ojek.id, ContributionLine.month == JAN.index)).scalar_one()
            assert (price.sector, price.base, price.funding_code, price.jht) == ("transport", 1_000_000, "csr", False)
            assert (price.jkk, price.jkm, price.discount_jkk, price.discount_jkm, price.jht_amount) == (
                10_000, 6_800, -5_000, -3_400, 0)
            assert price.discount_rate == "0.5" and price.amount == 8_400
            explained = json.loads(price.explanation)
            assert explained["total"] == 8_400 and "PP 50/2025" in json.dumps(explained)

    def test_later_edits_to_the_worker_never_change_an_issued_bill(self, database):
        with database.session() as s:
            f.agreement(s, "CSR-OJEK", sponsor="CSR", funding="csr")
            ojek = f.cohort(s, 1, "CSR-OJEK", occupation="ojek")[0]
        with database.session() as s:
            f.bill(s, "2026-01")
            before = lines_of(s, ojek.id)
        with database.session() as s:  # the worker becomes a farmer with a higher income, later
            s.execute(update(Worker).where(Worker.id == ojek.id).values(occupation_code="petani",
                                                                        declared_income=5_000_000))
        with database.session() as s:
            assert f.bill(s, "2026-12").bills == []
            assert lines_of(s, ojek.id) == before
            assert s.scalar(select(Bill.total)) == 12 * 8_400


class TestWhichAgreementsAreBilled:
    def test_a_draft_agreement_is_not_billed(self, database):
        with database.session() as s:
            f.agreement(s)
            f.cohort(s, 1)
            sponsors.draft_agreement(s, AgreementCreate(
                code="DRAFT", sponsor="KADIN", quota=10, budget=10**9, start=JAN, months=12), by=actor(s, f.MAKER))
        with database.session() as s:
            assert [b.agreement for b in f.bill(s, "2026-01").bills] == ["KADIN-2026"]
        with database.session() as s, pytest.raises(billing.AgreementNotBillable):
            billing.billable_agreement_ids(s, JAN, "DRAFT")

    def test_nothing_is_billed_before_the_agreement_starts(self, database):
        with database.session() as s:
            f.agreement(s, start="2026-03")
            f.cohort(s, 1, first=None, today=dt.date(2026, 2, 1))
        with database.session() as s:
            assert f.bill(s, "2026-02").bills == []
            assert [str(b.cycle.start) for b in f.bill(s, "2026-03").bills] == ["2026-03"]

    def test_one_agreement_only(self, database):
        with database.session() as s:
            f.agreement(s)
            f.agreement(s, "CSR-1", sponsor="CSR", funding="csr")
            f.cohort(s, 1)
            f.cohort(s, 1, "CSR-1")
        with database.session() as s:
            ids = billing.billable_agreement_ids(s, JAN, "csr-1")
            assert [b.agreement for b in f.bill(s, "2026-01", agreement_ids=ids).bills] == ["CSR-1"]
            assert [b.agreement for b in f.bill(s, "2026-01").bills] == ["KADIN-2026"]


class TestIssuingIsSetBased:
    """The number of statements does not grow with the number of workers: no loop per worker-month."""

    @staticmethod
    def statements_to_bill(database, workers: int) -> int:
        with database.session() as s:
            code = f"SB-{workers}"
            f.agreement(s, code, sponsor=f"S{workers}", funding="csr")
            f.cohort(s, workers, code)
            agreement_id = sponsors.get_agreement(s, code).id
        count = 0

        def counter(*_args: object) -> None:
            nonlocal count
            count += 1

        event.listen(database.engine, "before_cursor_execute", counter)
        try:
            with database.session() as s:
                run = f.bill(s, "2026-01", agreement_ids=[agreement_id])
        finally:
            event.remove(database.engine, "before_cursor_execute", counter)
        assert run.worker_months == 12 * workers
        return count

    def test_two_workers_and_twenty_take_the_same_statements(self, database):
        self.statements_to_bill(database, 1)  # stores the prices of the package once
        assert self.statements_to_bill(database, 2) == self.statements_to_bill(database, 20)


class TestTheLedgerRefusesAWorkerMonthTwice:
    def test_the_live_key_is_unique(self, database):
        with database.session() as s:
            f.agreement(s)
            w = f.cohort(s, 1)[0]
        with database.session() as s:
            f.bill(s, "2026-01")
        with pytest.raises(IntegrityError, match=r"(?i)unique|duplicate"), database.session() as s:
            s.execute(text(
                "INSERT INTO contribution_lines (month, worker_id, void_seq, bill_id, enrolment_id, price_id, "
                "amount, status) SELECT month, worker_id, 0, bill_id, enrolment_id, price_id, amount, 'due' "
                "FROM contribution_lines WHERE worker_id = :w AND month = :m"), {"w": w.id, "m": JAN.index})
        with database.session() as s:
            assert_counters_match_lines(s)


class TestTwoBillRunsAtOnce:
    """On PostgreSQL two runs lock the agreements they bill; the second finds the cycles billed."""

    def test_the_second_issues_nothing(self, postgres_database):
        import threading

        from lindung.kit import db as kitdb

        database = postgres_database
        with database.session() as s:
            f.agreement(s)
            f.cohort(s, 4)
        barrier = threading.Barrier(2)
        issued: list[int] = []

        def run() -> None:
            engine = database.new_engine()
            try:
                with kitdb.session_scope(engine) as s:
                    barrier.wait()
                    issued.append(len(billing.issue_bills(s, JAN, today=dt.date(2026, 1, 2),
                                                           by=actor(s, f.MAKER)).bills))
            finally:
                engine.dispose()

        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(issued) == [0, 1]
        assert database.scalar("SELECT count(*) FROM contribution_lines") == 48
        with database.session() as s:
            assert_counters_match_lines(s)
