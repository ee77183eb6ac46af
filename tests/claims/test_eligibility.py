"""Eligibility at the event date, from the coverage ledger (rules.md 2.3): a month is covered when it
was paid by the event or by its due date (the 15th, moved to a working day). An ineligible claim is
still recorded, and ends rejected at once with the reason and its legal reference when nothing can
change it any more. A stage I report later than 2 × 24 hours is flagged, never refused."""

from __future__ import annotations

import datetime as dt

import pytest

from lindung.claims import service
from lindung.claims.schemas import AccidentReport
from lindung.kit import clock
from lindung.rules.params import default_parameters
from tests.billing import factories as bf
from tests.claims.factories import OFFICER, SUPERVISOR, attach_all, bill_and_pay, enrolled, new, report
from tests.conftest import TestDatabase
from tests.users import actor


def _village_worker(database: TestDatabase, *, start: str = "2026-01", first: str = "2026-01",
                    enrolled_on: dt.date = bf.JAN_1) -> str:
    """A worker of a village's agreement billed month by month (cycle 1)."""
    with database.session() as s:
        bf.agreement(s, "DESA-2026", sponsor="DESA", funding="apbdes", start=start, cycle=1)
        return enrolled(s, "DESA-2026", first=first, today=enrolled_on).nik


def test_an_accident_in_a_month_paid_only_after_its_due_date_is_not_covered(database: TestDatabase) -> None:
    """January paid on time; February's bill (due Monday 16 February: the 15th is a Sunday) is paid
    on the 25th, after the accident of the 20th and after its due date: February protected nothing on
    the 20th. The claim is recorded and rejected at once with the reason; nothing is payable."""
    nik = _village_worker(database)
    with database.session() as s:
        bill_and_pay(s, "2026-01", billed_on=dt.date(2026, 1, 2), paid_on=dt.date(2026, 1, 5))
        bill_and_pay(s, "2026-02", billed_on=dt.date(2026, 2, 2), paid_on=dt.date(2026, 2, 25))
    with database.session() as s:
        accident = report(s, nik, dt.date(2026, 2, 20))
        claim = new(s, dt.date(2026, 3, 2), nik=nik, type="jkk-stmb", event_date="2026-03-01",
                    accident=accident.id, months=1)
        assert claim.eligible is False
        assert claim.reason == "coverage.paid_after_event_and_due_date"
        assert claim.status == "rejected"
        assert claim.reason_reference == default_parameters().at("coverage.event_policy", dt.date(2026, 2, 20)
                                                                 ).reference
        assert claim.reason_reference  # the legal basis is named
        assert claim.total == 0
        assert claim.rejected_reason == "coverage.paid_after_event_and_due_date"
        assert [step.status for step in claim.history] == ["draft", "rejected"]


def test_a_month_paid_after_the_claim_but_by_its_due_date_counts_at_submission(database: TestDatabase) -> None:
    """An accident on 10 February while February is not yet paid: not eligible for now (unpaid), but
    not final, since the sponsor may still pay by the 16th. It pays on the 13th; at submission the
    decision is computed again and the claim becomes eligible."""
    nik = _village_worker(database)
    with database.session() as s:
        bill_and_pay(s, "2026-01", billed_on=dt.date(2026, 1, 2), paid_on=dt.date(2026, 1, 5))
        bills = bf.bill(s, "2026-02", on=dt.date(2026, 2, 2)).bills
        accident = report(s, nik, dt.date(2026, 2, 10))
        claim = new(s, dt.date(2026, 2, 11), nik=nik, type="jkk-stmb", event_date="2026-02-10",
                    accident=accident.id, months=1)
        assert (claim.eligible, claim.reason, claim.status, claim.total) == (
            False, "coverage.unpaid", "draft", 0)
        bf.pay(s, bills[0].payment_code, bills[0].payable, on=dt.date(2026, 2, 13))
    with database.session() as s:
        submitted = service.submit(s, claim.number, by=actor(s, OFFICER), today=dt.date(2026, 2, 13))
        assert (submitted.eligible, submitted.reason, submitted.status) == (True, None, "submitted")
        assert submitted.total == 1_000_000  # 1 × 100% × Rp1.000.000


def test_verified_before_the_month_is_paid_the_approval_decides_once_more(database: TestDatabase) -> None:
    """Entered, submitted and verified on 11 February while February is unpaid (due the 16th): the
    supervisor cannot approve yet (not eligible, said why); the sponsor pays on the 13th, and the
    approval on the 13th decides again and approves 1.000.000."""
    nik = _village_worker(database)
    day = dt.date(2026, 2, 11)
    with database.session() as s:
        bill_and_pay(s, "2026-01", billed_on=dt.date(2026, 1, 2), paid_on=dt.date(2026, 1, 5))
        bills = bf.bill(s, "2026-02", on=dt.date(2026, 2, 2)).bills
        accident = report(s, nik, dt.date(2026, 2, 10))
        claim = new(s, day, nik=nik, type="jkk-stmb", event_date="2026-02-10", accident=accident.id, months=1,
                    account={"bank": "BRI", "number": "0123456789", "holder": "Asep"})
        attach_all(s, claim.number, day)
        service.submit(s, claim.number, by=actor(s, OFFICER), today=day)
        verified = service.verify(s, claim.number, by=actor(s, OFFICER), today=day)
        assert (verified.status, verified.eligible, verified.reason) == ("verified", False, "coverage.unpaid")
    with database.session() as s, pytest.raises(service.NotEligible) as err:
        service.approve(s, claim.number, by=actor(s, SUPERVISOR), today=day)
    assert claim.number in err.value.message("id") and "not eligible yet" in err.value.message("en")
    with database.session() as s:
        bf.pay(s, bills[0].payment_code, bills[0].payable, on=dt.date(2026, 2, 13))
    with database.session() as s:
        approved = service.approve(s, claim.number, by=actor(s, SUPERVISOR), today=dt.date(2026, 2, 13))
        assert (approved.status, approved.eligible, approved.total) == ("approved", True, 1_000_000)


def test_an_accident_five_days_after_enrolment_paid_on_time_is_covered(database: TestDatabase) -> None:
    """No waiting period (PP 44/2015): enrolled on 1 March, March paid on the 3rd, the accident on
    the 6th is covered."""
    nik = _village_worker(database, start="2026-03", first="2026-03", enrolled_on=dt.date(2026, 3, 1))
    with database.session() as s:
        bill_and_pay(s, "2026-03", billed_on=dt.date(2026, 3, 2), paid_on=dt.date(2026, 3, 3))
        accident = report(s, nik, dt.date(2026, 3, 6))
        claim = new(s, dt.date(2026, 3, 9), nik=nik, type="jkk-stmb", event_date="2026-03-06",
                    accident=accident.id, months=2)
        assert (claim.eligible, claim.reason, claim.status) == (True, None, "draft")
        assert claim.total == 2_000_000  # 2 × 100% × Rp1.000.000
        assert claim.sponsor == "DESA" and claim.agreement == "DESA-2026"


def test_an_accident_before_the_enrolment_began_is_not_covered(database: TestDatabase) -> None:
    """Enrolled from March: an accident in February happened while he was not a participant."""
    nik = _village_worker(database, start="2026-01", first="2026-03")
    with database.session() as s:
        bill_and_pay(s, "2026-03", billed_on=dt.date(2026, 3, 2), paid_on=dt.date(2026, 3, 3))
        accident = report(s, nik, dt.date(2026, 2, 10))
        claim = new(s, dt.date(2026, 3, 9), nik=nik, type="jkk-stmb", event_date="2026-02-10",
                    accident=accident.id, months=1)
        assert (claim.eligible, claim.reason, claim.status, claim.total) == (
            False, "coverage.not_enrolled", "rejected", 0)
        assert claim.reason_reference


def test_a_membership_lapsed_after_the_arrears_window_is_not_covered(database: TestDatabase) -> None:
    """Only January was ever paid. February's arrears window (3 months: February .. April) closed on
    30 April, so the membership ended then; an accident in May finds no membership."""
    nik = _village_worker(database)
    with database.session() as s:
        bill_and_pay(s, "2026-01", billed_on=dt.date(2026, 1, 2), paid_on=dt.date(2026, 1, 5))
        accident = report(s, nik, dt.date(2026, 5, 11))
        claim = new(s, dt.date(2026, 5, 12), nik=nik, type="jkk-stmb", event_date="2026-05-11",
                    accident=accident.id, months=1)
        assert (claim.eligible, claim.reason, claim.status, claim.total) == (
            False, "coverage.lapsed", "rejected", 0)
        assert claim.reason_reference == default_parameters().at(
            "contribution.arrears_grace_months", dt.date(2026, 5, 11)).reference


def test_a_report_later_than_48_hours_is_flagged_and_still_taken(database: TestDatabase) -> None:
    """The deadline is 2 × 24 hours from the accident (a day's start when its time is not known):
    exactly 48 hours is in time, a minute more is late; a late report is recorded and its claims
    are taken and decided as any other."""
    nik = _village_worker(database)
    with database.session() as s:
        bill_and_pay(s, "2026-01", billed_on=dt.date(2026, 1, 2), paid_on=dt.date(2026, 1, 5))
        start = clock.day_start(dt.date(2026, 1, 6))
        in_time = report(s, nik, dt.date(2026, 1, 6), reported_at=start + dt.timedelta(hours=48))
        late = report(s, nik, dt.date(2026, 1, 6), reported_at=start + dt.timedelta(hours=48, minutes=1))
        assert (in_time.late, late.late) == (False, True)
        assert late.deadline_hours == 48
        claim = new(s, dt.date(2026, 1, 20), nik=nik, type="jkk-stmb", event_date="2026-01-06",
                    accident=late.id, months=1)
        assert (claim.eligible, claim.status, claim.total) == (True, "draft", 1_000_000)
        shown = service.show_accident(s, late.id, by=actor(s, OFFICER), today=dt.date(2026, 1, 20))
        assert shown.late and shown.claims == [claim.number]


def test_the_48_hours_count_from_the_accident_s_time_of_day_in_the_branch_s_zone(database: TestDatabase) -> None:
    """An accident at 08:00 WIB on 6 January reported at 20:00 WIB the next day: 36 hours later, in
    time. (The deadline runs from 6 January 08:00 WIB = 01:00 UTC, and the report is received on
    7 January 13:00 UTC.)"""
    nik = _village_worker(database)
    with database.session() as s:
        occurred = dt.datetime(2026, 1, 6, 1, 0, tzinfo=dt.UTC)  # 08:00 WIB
        received = occurred + dt.timedelta(hours=36)
        accident = service.report_accident(
            s, AccidentReport(nik=nik, occurred_on=dt.date(2026, 1, 6), occurred_time=dt.time(8, 0),
                              place="Jalan raya Tarumajaya", what="Tertabrak motor saat berjualan",
                              reporter="worker", reported_by="Asep Saputra", reported_at=received),
            by=actor(s, OFFICER), now=received)
        assert accident.late is False
