"""Payments: whole worker-months oldest first, partial payments, duplicates (also racing), amounts,
credit from a remainder or an overpayment applied to the next bill, numbered receipts."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from sqlalchemy import select

from lindung.billing import service as billing
from lindung.billing.models import Bill, ContributionLine, Payment
from lindung.billing.schemas import PaymentCreate
from lindung.kit import db as kitdb
from lindung.kit.errors import InvalidInput
from lindung.rules.period import Month
from tests.billing import factories as f
from tests.billing.checks import assert_counters_match_lines
from tests.users import actor

JAN_10 = dt.date(2026, 1, 10)


def kadin_year(database, workers: int = 5, code: str = "KADIN-2026", sponsor: str = "KADIN") -> str:
    """An agreement with ``workers`` workers, its 12-month bill issued on 2 January; the payment code."""
    return kadin_year_with_workers(database, workers, code, sponsor)[0]


def kadin_year_with_workers(database, workers: int = 5, code: str = "KADIN-2026", sponsor: str = "KADIN"
                            ) -> tuple[str, list[int]]:
    with database.session() as s:
        f.agreement(s, code, sponsor=sponsor)
        ids = [w.id for w in f.cohort(s, workers, code)]
    with database.session() as s:
        ids_ = billing.billable_agreement_ids(s, Month(2026, 1), code)
        return f.bill(s, "2026-01", on=dt.date(2026, 1, 2), agreement_ids=ids_).bills[0].payment_code, ids


def monthly(database, workers: int = 3, code: str = "DESA-2026") -> None:
    with database.session() as s:
        f.agreement(s, code, sponsor="DESA", funding="apbdes", cycle=1)
        f.cohort(s, workers, code)


def paid_months(s, bill_code: str) -> list[tuple[str, int]]:
    bill = s.scalars(select(Bill).where(Bill.payment_code == bill_code)).one()
    rows = s.execute(select(ContributionLine.month, ContributionLine.worker_id)
                     .where(ContributionLine.bill_id == bill.id, ContributionLine.status == "paid")
                     .order_by(ContributionLine.month, ContributionLine.worker_id)).all()
    return [(str(Month.from_index(m)), w) for m, w in rows]


class TestPayingABillInFull:
    def test_the_receipt_shows_every_month_settled(self, database):
        code = kadin_year(database)
        with database.session() as s:
            r = f.pay(s, code, 630_000, on=JAN_10, reference="BNI 2026 0001")
        assert r.receipt == "TBPI/2026/000001"
        assert (r.amount, r.allocated, r.worker_months, r.credit_after) == (630_000, 630_000, 60, 0)
        assert r.reference == "BNI20260001" and r.sponsor.code == "KADIN" and r.agreement == "KADIN-2026"
        assert [(str(x.month), x.worker_months, x.amount) for x in r.allocation] == (
            [(f"2026-0{i}", 5, 84_000) for i in (1, 2, 3)]
            + [(str(Month(2026, i)), 5, 42_000) for i in range(4, 13)])
        assert (r.bill.unpaid_worker_months, r.bill.unpaid) == (0, 0)
        with database.session() as s:
            assert database.scalar("SELECT count(*) FROM contribution_lines WHERE status = 'due'") == 0
            assert {line.paid_on for line in s.scalars(select(ContributionLine))} == {JAN_10}
            assert_counters_match_lines(s)

    def test_receipts_are_numbered_without_gaps(self, database):
        monthly(database)
        with database.session() as s:
            codes = [b.payment_code for b in f.bill(s, "2026-03").bills]
        numbers = []
        for i, code in enumerate(codes):
            with database.session() as s:
                numbers.append(f.pay(s, code, 50_400, on=dt.date(2026, 3, 10), reference=f"R{i}").receipt)
        assert numbers == ["TBPI/2026/000001", "TBPI/2026/000002", "TBPI/2026/000003"]
        with database.session() as s:
            again = billing.find_receipt(s, "tbpi/2026/000002", by=actor(s, f.CASHIER))
        assert (again.amount, again.worker_months, str(again.cycle.start)) == (50_400, 3, "2026-02")


class TestAPartialPayment:
    def test_whole_worker_months_oldest_first_and_the_rest_is_credit(self, database):
        code, (first, second) = kadin_year_with_workers(database, workers=2)
        with database.session() as s:
            r = f.pay(s, code, 3 * 16_800 + 5_000, on=JAN_10)
        # January for both workers, then February for the first worker; 5.000 left as credit
        assert (r.worker_months, r.allocated, r.credit_added, r.credit_after) == (3, 50_400, 5_000, 5_000)
        with database.session() as s:
            assert paid_months(s, code) == [("2026-01", first), ("2026-01", second), ("2026-02", first)]
        assert (r.bill.unpaid_worker_months, r.bill.unpaid) == (21, 2 * (3 * 16_800 + 9 * 8_400) - 50_400)

    def test_a_second_payment_uses_the_credit_left_by_the_first(self, database):
        monthly(database, workers=3)
        with database.session() as s:
            code = f.bill(s, "2026-01").bills[0].payment_code  # 3 × 16.800 = 50.400
        with database.session() as s:
            first = f.pay(s, code, 40_000, on=JAN_10)
        assert (first.worker_months, first.allocated, first.credit_after) == (2, 33_600, 6_400)
        with database.session() as s:
            second = f.pay(s, code, 10_400, on=dt.date(2026, 1, 12))
        assert (second.credit_before, second.worker_months, second.allocated, second.credit_used,
                second.credit_after) == (6_400, 1, 16_800, 6_400, 0)
        assert (second.bill.unpaid_worker_months, second.bill.unpaid) == (0, 0)
        with database.session() as s:
            assert_counters_match_lines(s)

    def test_too_little_for_one_worker_month_settles_nothing(self, database):
        monthly(database, workers=1)
        with database.session() as s:
            code = f.bill(s, "2026-01").bills[0].payment_code
        with database.session() as s:
            r = f.pay(s, code, 16_799, on=JAN_10)
        assert (r.worker_months, r.allocated, r.credit_after, r.bill.unpaid) == (0, 0, 16_799, 16_800)


class TestOverpaymentBecomesCreditForTheNextBill:
    def test_the_next_bill_is_settled_from_credit_first(self, database):
        monthly(database, workers=2)
        with database.session() as s:
            jan = f.bill(s, "2026-01", on=dt.date(2026, 1, 2)).bills[0]
        with database.session() as s:
            r = f.pay(s, jan.payment_code, 33_600 + 20_000, on=JAN_10)
        assert (r.allocated, r.credit_added, r.credit_after) == (33_600, 20_000, 20_000)
        with database.session() as s:
            feb = f.bill(s, "2026-02", on=dt.date(2026, 2, 2)).bills[0]
        assert (feb.total, feb.credit_applied, feb.credit_months, feb.payable) == (33_600, 16_800, 1, 16_800)
        with database.session() as s:
            status = billing.bill_status(s, feb.payment_code, by=actor(s, f.CASHIER))
            assert (status.unpaid_worker_months, status.unpaid) == (1, 16_800)
            # the credited month counts as paid on the day the bill was issued
            assert [line.paid_on for line in s.scalars(select(ContributionLine).where(
                ContributionLine.month == Month(2026, 2).index, ContributionLine.status == "paid"))] == [
                dt.date(2026, 2, 2)]
            r2 = f.pay(s, feb.payment_code, 16_800, on=dt.date(2026, 2, 10))
        assert (r2.credit_before, r2.allocated, r2.credit_after) == (3_200, 16_800, 3_200)
        with database.session() as s:
            assert_counters_match_lines(s)

    def test_paying_a_settled_bill_again_is_all_credit(self, database):
        monthly(database, workers=1)
        with database.session() as s:
            code = f.bill(s, "2026-01").bills[0].payment_code
        with database.session() as s:
            f.pay(s, code, 16_800, on=JAN_10)
        with database.session() as s:
            r = f.pay(s, code, 16_800, on=dt.date(2026, 1, 11))
        assert (r.allocated, r.credit_after) == (0, 16_800)


class TestADuplicateReference:
    def test_is_refused_and_records_nothing(self, database):
        code = kadin_year(database)
        with database.session() as s:
            f.pay(s, code, 100_000, on=JAN_10, reference="BRI-777")
        with pytest.raises(billing.DuplicatePayment) as refused, database.session() as s:
            f.pay(s, code, 100_000, on=JAN_10, reference=" bri-777 ")
        assert refused.value.context["receipt"] == "TBPI/2026/000001"
        assert "BRI-777" in refused.value.message("en")
        with database.session() as s:
            assert len(list(s.scalars(select(Payment)))) == 1
            assert f.pay(s, code, 100_000, on=JAN_10, reference="BRI-778").receipt == "TBPI/2026/000002"
            assert_counters_match_lines(s)


class TestARetryOfTheSamePayment:
    """``record_payment`` (the API's): the same reference, bill, amount and day again is the first
    receipt, nothing written; other details under that reference are refused."""

    def test_answers_the_first_receipt_and_records_nothing(self, database):
        code = kadin_year(database)
        payment = PaymentCreate(code=code, amount=100_000, reference="BRI-777", paid_on=JAN_10)
        with database.session() as s:
            first, replayed = billing.record_payment(s, payment, today=JAN_10, by=actor(s, f.CASHIER))
        assert not replayed
        with database.session() as s:
            again, replayed = billing.record_payment(s, payment.model_copy(update={"reference": " bri-777"}),
                                                     today=dt.date(2026, 1, 12), by=actor(s, f.CASHIER))
        assert replayed and again == first
        for change in ({"amount": 100_001}, {"paid_on": dt.date(2026, 1, 9)}):
            with pytest.raises(billing.DuplicatePayment) as refused, database.session() as s:
                billing.record_payment(s, payment.model_copy(update=change), today=JAN_10, by=actor(s, f.CASHIER))
            assert refused.value.context["receipt"] == "TBPI/2026/000001"
        assert database.scalar("SELECT count(*) FROM payments") == 1
        assert database.scalar("SELECT last_no FROM receipt_counters") == 1
        assert database.scalar("SELECT count(*) FROM audit_log WHERE action = 'payment.accept'") == 1


class TestTwoPaymentsWithTheSameReferenceAtOnce:
    """Racing on PostgreSQL: on the same bill the agreement lock orders them; on two sponsors' bills
    nothing is shared but the reference, and the unique constraint refuses the second."""

    @pytest.mark.parametrize("bills", ["same bill", "two sponsors' bills"])
    def test_only_one_is_accepted(self, postgres_database, bills):
        database = postgres_database
        codes = [kadin_year(database)]
        codes.append(codes[0] if bills == "same bill" else kadin_year(database, code="CSR-2026", sponsor="CSR"))
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def pay_once(code: str) -> None:
            engine = database.new_engine()
            try:
                with kitdb.session_scope(engine) as s:
                    barrier.wait()
                    billing.pay(s, PaymentCreate(code=code, amount=84_000, reference="MANDIRI-1", paid_on=JAN_10),
                                today=JAN_10, by=actor(s, f.CASHIER))
                outcomes.append("accepted")
            except billing.DuplicatePayment:
                outcomes.append("duplicate")
            finally:
                engine.dispose()

        threads = [threading.Thread(target=pay_once, args=(code,)) for code in codes]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["accepted", "duplicate"]
        assert database.scalar("SELECT count(*) FROM payments") == 1
        assert database.scalar("SELECT count(*) FROM contribution_lines WHERE status = 'paid'") == 5
        assert database.scalar("SELECT last_no FROM receipt_counters") == 1


class TestAmountsMustBePositiveWholeRupiah:
    @pytest.mark.parametrize("amount", [0, -16_800, 16_800.0, Decimal("16800"), True, "16800"])
    def test_refused(self, database, amount):
        code = kadin_year(database, workers=1)
        with pytest.raises(InvalidInput) as refused, database.session() as s:
            f.pay(s, code, amount, on=JAN_10)
        assert refused.value.code == "invalid.amount"
        assert database.scalar("SELECT count(*) FROM payments") == 0


class TestWhatIsPaidMustExist:
    def test_a_mistyped_payment_code_fails_its_check_digit(self, database):
        code = kadin_year(database, workers=1)
        wrong = code[:-2] + str((int(code[-2]) + 1) % 10) + code[-1]
        with pytest.raises(InvalidInput) as refused, database.session() as s:
            f.pay(s, wrong, 16_800, on=JAN_10)
        assert refused.value.code == "invalid.payment_code"

    def test_an_unknown_payment_code(self, database):
        kadin_year(database, workers=1)
        unknown = billing.payment_code(99, Month(2026, 1), 1)
        with pytest.raises(billing.BillNotFound), database.session() as s:
            f.pay(s, unknown, 16_800, on=JAN_10)

    def test_a_payment_dated_in_the_future_or_before_the_bill(self, database):
        code = kadin_year(database, workers=1)
        with pytest.raises(InvalidInput) as future, database.session() as s:
            billing.pay(s, PaymentCreate(code=code, amount=16_800, reference="X1", paid_on=dt.date(2026, 2, 1)),
                        today=JAN_10, by=actor(s, f.CASHIER))
        assert future.value.code == "invalid.date_future"
        with pytest.raises(InvalidInput) as early, database.session() as s:
            f.pay(s, code, 16_800, on=dt.date(2026, 1, 1))
        assert early.value.code == "invalid.paid_before_bill"
