"""Who reaches what in billing: a sponsor's staff read their sponsor's bills, receipts, workers and
lists only (another sponsor's single record is not found, never forbidden; lists are filtered in
their queries), see NIKs masked, and may neither issue, pay nor end anything. On both engines."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from lindung.billing import coverage as cov
from lindung.billing import ends, lists
from lindung.billing import jobs as bill_jobs
from lindung.billing import service as billing
from lindung.billing.schemas import BillRunRequest, PaymentCreate
from lindung.enrolment import service as enrolment
from lindung.kit.auth import NotPermitted, OutOfScope
from lindung.kit.errors import NotFound
from lindung.rules.period import Month
from lindung.sponsors import service as sponsors
from tests.billing import factories as f
from tests.users import actor, add_user

KADIN_STAFF, DESA_STAFF = "kadin.staf", "desa.staf"
JAN, FEB, MAR = Month(2026, 1), Month(2026, 2), Month(2026, 3)


@pytest.fixture
def two_sponsors(database) -> dict[str, object]:
    """KADIN-2026 and DESA-2026, both billed monthly January to March for two workers each; January
    and February paid (receipts 1–4), March not. Each sponsor has a member of staff."""
    with database.session() as s:
        f.agreement(s, cycle=1)
        kadin = [w.nik for w in f.cohort(s, 2)]
        f.agreement(s, "DESA-2026", sponsor="DESA", funding="apbdes", cycle=1)
        desa = [w.nik for w in f.cohort(s, 2, "DESA-2026")]
        add_user(s, KADIN_STAFF, "sponsor", sponsor="KADIN")
        add_user(s, DESA_STAFF, "sponsor", sponsor="DESA")
    with database.session() as s:
        bills = f.bill(s, "2026-03", on=dt.date(2026, 1, 2)).bills
    codes = {(b.agreement, str(b.cycle.start)): b.payment_code for b in bills}
    receipts = {}
    for month, day in (("2026-01", dt.date(2026, 1, 10)), ("2026-02", dt.date(2026, 2, 10))):
        for code in ("KADIN-2026", "DESA-2026"):
            with database.session() as s:
                receipts[(code, month)] = f.pay(s, codes[(code, month)], 2 * 16_800, on=day).receipt
    return {"kadin": kadin, "desa": desa, "codes": codes, "receipts": receipts}


def read(database, fn, *args, by: str, **kw):
    with database.session() as s:
        return fn(s, *args, by=actor(s, by), **kw)


def masked(nik: str) -> str:
    return nik[:4] + "********" + nik[-4:]


class TestSingleRecordsOfAnotherSponsorAreNotFound:
    def test_bill_status(self, database, two_sponsors):
        codes = two_sponsors["codes"]
        own = read(database, billing.bill_status, codes[("KADIN-2026", "2026-03")], by=KADIN_STAFF)
        assert (own.agreement, own.unpaid) == ("KADIN-2026", 2 * 16_800)
        with pytest.raises(billing.BillNotFound):
            read(database, billing.bill_status, codes[("DESA-2026", "2026-03")], by=KADIN_STAFF)
        assert read(database, billing.bill_status, codes[("DESA-2026", "2026-03")], by=f.MAKER).agreement == \
            "DESA-2026"

    def test_find_receipt(self, database, two_sponsors):
        receipts = two_sponsors["receipts"]
        own = read(database, billing.find_receipt, receipts[("DESA-2026", "2026-02")], by=DESA_STAFF)
        assert (own.agreement, own.amount) == ("DESA-2026", 2 * 16_800)
        with pytest.raises(NotFound) as hidden:
            read(database, billing.find_receipt, receipts[("KADIN-2026", "2026-02")], by=DESA_STAFF)
        assert hidden.value.code == "billing.receipt_not_found"

    def test_billable_agreement_ids(self, database, two_sponsors):
        with database.session(readonly=True) as s:
            scope = actor(s, KADIN_STAFF).scope
            assert billing.billable_agreement_ids(s, MAR, "kadin-2026", scope=scope) == [
                sponsors.get_agreement(s, "KADIN-2026").id]
            with pytest.raises(NotFound):
                billing.billable_agreement_ids(s, MAR, "DESA-2026", scope=scope)

    def test_coverage(self, database, two_sponsors):
        own = read(database, cov.coverage, two_sponsors["kadin"][0], at=dt.date(2026, 2, 15), by=KADIN_STAFF)
        assert own.protected and own.worker.nik == masked(two_sponsors["kadin"][0])
        assert {m.agreement for m in own.months} == {"KADIN-2026"}
        with pytest.raises(NotFound):
            read(database, cov.coverage, two_sponsors["desa"][0], at=dt.date(2026, 2, 15), by=KADIN_STAFF)

    def test_coverage_shows_another_sponsor_s_months_without_its_agreement_bill_or_amount(self, database,
                                                                                        two_sponsors):
        """A worker DESA paid for in January and February whom KADIN enrols from April: KADIN's staff
        see the worker's cover (those months count), not DESA's agreement, bills or amounts."""
        moved = two_sponsors["desa"][0]
        with database.session() as s:
            ends.leave(s, moved, "DESA-2026", last_month=FEB, by=actor(s, f.MAKER), today=dt.date(2026, 3, 20))
            enrolment.enrol(s, moved, "KADIN-2026", by=actor(s, f.MAKER), today=dt.date(2026, 3, 20),
                            first=Month(2026, 4))
        with database.session() as s:
            f.bill(s, "2026-04", on=dt.date(2026, 4, 1))
        seen = read(database, cov.coverage, moved, at=dt.date(2026, 4, 10), by=KADIN_STAFF)
        months = {str(m.month): m for m in seen.months}
        assert (months["2026-01"].state, months["2026-01"].line, months["2026-01"].paid_on) == (
            "paid", "paid", dt.date(2026, 1, 10))
        assert [(months[m].agreement, months[m].payment_code, months[m].amount) for m in ("2026-01", "2026-02")] == [
            (None, None, None)] * 2
        assert (months["2026-04"].agreement, months["2026-04"].amount) == ("KADIN-2026", 8_400)
        assert seen.contribution_months == 2
        branch = read(database, cov.coverage, moved, at=dt.date(2026, 4, 10), by=f.MAKER)
        assert {str(m.month): m.agreement for m in branch.months}["2026-01"] == "DESA-2026"


class TestListsHoldTheSponsorsOwnRows:
    def test_overdue_bills(self, database, two_sponsors):
        at = dt.date(2026, 3, 20)
        assert {r.agreement for r in read(database, lists.overdue_bills, at, by=f.MAKER)} == {"KADIN-2026",
                                                                                             "DESA-2026"}
        own = read(database, lists.overdue_bills, at, by=KADIN_STAFF)
        assert [(r.agreement, str(r.cycle_from), r.unpaid) for r in own] == [("KADIN-2026", "2026-03", 2 * 16_800)]

    def test_agreements_with_unpaid(self, database, two_sponsors):
        at = dt.date(2026, 3, 20)
        assert [r.agreement for r in read(database, lists.agreements_with_unpaid, at, by=f.MAKER)] == [
            "DESA-2026", "KADIN-2026"]
        own = read(database, lists.agreements_with_unpaid, at, by=DESA_STAFF)
        assert [(r.agreement, r.workers, r.unpaid) for r in own] == [("DESA-2026", 2, 2 * 16_800)]

    def test_protection_ending(self, database, two_sponsors):
        at = dt.date(2026, 2, 10)
        everyone = read(database, lists.protection_ending, at, by=f.MAKER)
        assert {r.agreement for r in everyone} == {"KADIN-2026", "DESA-2026"} and len(everyone) == 4
        own = read(database, lists.protection_ending, at, by=KADIN_STAFF)
        assert {(r.nik, r.agreement, str(r.protected_until)) for r in own} == {
            (masked(n), "KADIN-2026", "2026-02-28") for n in two_sponsors["kadin"]}

    def test_protection_ending_follows_the_month_the_cover_ends_in(self, database, two_sponsors):
        """A worker DESA paid for until February and KADIN enrols from March: the cover ends in
        DESA's month, so DESA's staff are told, and KADIN's are not."""
        moved = two_sponsors["desa"][0]
        with database.session() as s:
            ends.leave(s, moved, "DESA-2026", last_month=FEB, by=actor(s, f.MAKER), today=dt.date(2026, 2, 5))
            enrolment.enrol(s, moved, "KADIN-2026", by=actor(s, f.MAKER), today=dt.date(2026, 2, 5), first=MAR)
        at = dt.date(2026, 2, 10)
        assert masked(moved) not in {r.nik for r in read(database, lists.protection_ending, at, by=KADIN_STAFF)}
        desa = {r.nik: r.agreement for r in read(database, lists.protection_ending, at, by=DESA_STAFF)}
        assert desa[masked(moved)] == "DESA-2026"

    def test_lapsing(self, database, two_sponsors):
        at = dt.date(2026, 3, 20)
        everyone = read(database, lists.lapsing, at, days=90, by=f.MAKER)
        assert {r.payment_code for r in everyone} == {two_sponsors["codes"][("KADIN-2026", "2026-03")],
                                                      two_sponsors["codes"][("DESA-2026", "2026-03")]}
        own = read(database, lists.lapsing, at, days=90, by=DESA_STAFF)
        assert {(r.nik, r.agreement, r.payment_code, r.arrears) for r in own} == {
            (masked(n), "DESA-2026", two_sponsors["codes"][("DESA-2026", "2026-03")], 16_800)
            for n in two_sponsors["desa"]}

    def test_statements(self, database, two_sponsors):
        assert [r.agreement for r in read(database, lists.statements, by=f.MAKER)] == ["DESA-2026", "KADIN-2026"]
        own = read(database, lists.statements, by=KADIN_STAFF)
        assert [(r.agreement, r.billed, r.received) for r in own] == [("KADIN-2026", 6 * 16_800, 4 * 16_800)]
        assert [r.agreement for r in read(database, lists.statements, "kadin", by=KADIN_STAFF)] == ["KADIN-2026"]
        with pytest.raises(NotFound):
            read(database, lists.statements, "DESA", by=KADIN_STAFF)

    @pytest.mark.parametrize("make", [lists.protection_ending, lists.lapsing])
    def test_full_niks_are_not_theirs_to_see(self, database, two_sponsors, make):
        with pytest.raises(NotPermitted) as refused:
            read(database, make, dt.date(2026, 3, 20), days=90, unmask=True, by=KADIN_STAFF)
        assert refused.value.context["permission"] == "worker.read_nik"
        assert database.scalar("SELECT count(*) FROM audit_log WHERE action = 'list.unmask'") == 0

    def test_a_region_viewer_gets_no_list(self, database, two_sponsors):
        with database.session() as s:
            add_user(s, "pemantau", "viewer", region="32.16")
        for make in (lists.overdue_bills, lists.agreements_with_unpaid):
            with pytest.raises(NotPermitted):
                read(database, make, dt.date(2026, 3, 20), by="pemantau")
        with database.session() as s:  # should a branch give the viewer bill.read, still no list
            viewer = actor(s, "pemantau")
            with pytest.raises(OutOfScope):
                lists.overdue_bills(s, dt.date(2026, 3, 20),
                                    by=dataclasses.replace(viewer, permissions=viewer.permissions | {"bill.read"}))


class TestASponsorsStaffCannotWrite:
    def test_cannot_issue_bills(self, database, two_sponsors):
        with pytest.raises(NotPermitted) as refused:
            read(database, billing.issue_bills, Month(2026, 4), today=dt.date(2026, 4, 1), by=KADIN_STAFF)
        assert refused.value.context["permission"] == "bill.issue"
        with pytest.raises(NotPermitted):
            read(database, bill_jobs.start, BillRunRequest(month=Month(2026, 4), issue_date=dt.date(2026, 4, 1)),
                 by=KADIN_STAFF)
        assert database.scalar("SELECT count(*) FROM jobs") == 0
        assert database.scalar("SELECT count(*) FROM bills") == 6

    def test_cannot_record_a_payment(self, database, two_sponsors):
        code = two_sponsors["codes"][("KADIN-2026", "2026-03")]
        with pytest.raises(NotPermitted) as refused:
            read(database, billing.pay, PaymentCreate(code=code, amount=33_600, reference="KADIN-OWN",
                                                      paid_on=dt.date(2026, 3, 10)),
                 today=dt.date(2026, 3, 10), by=KADIN_STAFF)
        assert refused.value.context["permission"] == "payment.record"
        assert database.scalar("SELECT count(*) FROM payments") == 4

    def test_cannot_end_anything(self, database, two_sponsors):
        nik = two_sponsors["kadin"][0]
        for fn, args, kw in (
                (ends.record_death, (nik,), {"died_on": dt.date(2026, 3, 1)}),
                (ends.leave, (nik, "KADIN-2026"), {"last_month": MAR}),
                (ends.end_agreement, ("KADIN-2026",), {"last_month": MAR})):
            with pytest.raises(NotPermitted) as refused:
                read(database, fn, *args, today=dt.date(2026, 3, 20), by=KADIN_STAFF, **kw)
            assert refused.value.context["permission"] == "enrolment.end"
        assert database.scalar("SELECT count(*) FROM worker_deaths") == 0
        assert database.scalar("SELECT count(*) FROM enrolment_ends") == 0
        assert database.scalar("SELECT status FROM agreements WHERE code = 'KADIN-2026'") == "active"

    def test_given_the_permissions_they_would_still_reach_only_their_own(self, database, two_sponsors):
        """Should a branch give its sponsors' staff these permissions, the scope still holds: another
        sponsor's bill, worker and agreement are not found, and a bill run bills their own only."""
        codes, desa = two_sponsors["codes"], two_sponsors["desa"]
        with database.session() as s:
            staff = actor(s, KADIN_STAFF)
            widened = dataclasses.replace(staff, permissions=staff.permissions | {
                "bill.issue", "payment.record", "enrolment.end"})
            run = billing.issue_bills(s, Month(2026, 4), today=dt.date(2026, 4, 1), by=widened)
            assert {b.agreement for b in run.bills} == {"KADIN-2026"}
            with pytest.raises(billing.BillNotFound):
                billing.pay(s, PaymentCreate(code=codes[("DESA-2026", "2026-03")], amount=33_600, reference="X"),
                            today=dt.date(2026, 4, 1), by=widened)
            with pytest.raises(NotFound):
                ends.record_death(s, desa[0], died_on=dt.date(2026, 3, 1), today=dt.date(2026, 4, 1), by=widened)
            with pytest.raises(NotFound):
                ends.leave(s, desa[0], "DESA-2026", last_month=MAR, today=dt.date(2026, 4, 1), by=widened)
            with pytest.raises(NotFound):
                ends.end_agreement(s, "DESA-2026", last_month=MAR, today=dt.date(2026, 4, 1), by=widened)
