"""Coverage: was this worker protected on this date, and why — month by month, protected_until,
masa iur, lapse and re-enrolment; one indexed query on the ledger; masked NIK and the audit log."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, select

from lindung.audit.models import AuditEntry
from lindung.billing import coverage as cov
from lindung.billing import ends
from lindung.billing import repository as repo
from lindung.enrolment import service as enrolment
from lindung.kit.errors import NotFound
from lindung.rules.period import Month
from tests.billing import factories as f


def cover(database, nik: str, at: dt.date, **kw) -> cov.Coverage:
    with database.session() as s:
        return cov.coverage(s, nik, at=at, actor=f.MAKER, **kw)


def states(c: cov.Coverage) -> dict[str, str]:
    return {str(m.month): m.state for m in c.months}


class TestAKadinCohortPaidForTheYear:
    """Billed for 12 months on 2 January, paid on 10 January; one worker checked inside and outside."""

    @pytest.fixture
    def nik(self, database) -> str:
        with database.session() as s:
            f.agreement(s)
            workers = f.cohort(s, 4)
        with database.session() as s:
            code = f.bill(s, "2026-01", on=dt.date(2026, 1, 2)).bills[0].payment_code
        with database.session() as s:
            f.pay(s, code, 4 * (3 * 16_800 + 9 * 8_400), on=dt.date(2026, 1, 10))
        return workers[2].nik

    def test_protected_inside_the_year(self, database, nik):
        c = cover(database, nik, dt.date(2026, 6, 15))
        assert c.protected and c.decision.reason.value == "paid_by_event"
        assert c.decision.paid_on == dt.date(2026, 1, 10)
        assert c.history.protected_until == dt.date(2026, 12, 31)
        assert c.history.contribution_months == 6  # masa iur counts the months up to June
        assert states(c)["2026-06"] == "paid" and states(c)["2026-07"] == "paid"

    def test_the_first_days_before_the_payment_are_covered_by_the_due_date(self, database, nik):
        c = cover(database, nik, dt.date(2026, 1, 5))
        assert c.protected and c.decision.reason.value == "paid_by_due_date"
        assert c.decision.due.date == dt.date(2026, 1, 15)

    def test_not_protected_after_the_year(self, database, nik):
        c = cover(database, nik, dt.date(2027, 1, 20))
        assert not c.protected and c.decision.reason.value == "unpaid"
        assert c.history.contribution_months == 12
        assert states(c)["2027-01"] == "grace"

    def test_not_protected_before_the_cover_started(self, database, nik):
        c = cover(database, nik, dt.date(2025, 12, 20))
        assert not c.protected and c.decision.reason.value == "unpaid"
        assert c.history.protected_until is None


class TestASponsorPayingLate:
    """The January bill is due on 15 January and paid on the 20th."""

    @pytest.fixture
    def nik(self, database) -> str:
        with database.session() as s:
            f.agreement(s, "DESA-2026", sponsor="DESA", funding="apbdes", cycle=1)
            w = f.cohort(s, 1, "DESA-2026")[0]
        with database.session() as s:
            code = f.bill(s, "2026-01", on=dt.date(2026, 1, 2)).bills[0].payment_code
        with database.session() as s:
            f.pay(s, code, 16_800, on=dt.date(2026, 1, 20))
        return w.nik

    def test_an_event_before_the_late_payment_is_not_covered(self, database, nik):
        c = cover(database, nik, dt.date(2026, 1, 18))
        assert not c.protected
        assert c.decision.reason.value == "paid_after_event_and_due_date"
        assert c.decision.paid_on == dt.date(2026, 1, 20)

    def test_an_event_after_the_payment_is_covered(self, database, nik):
        c = cover(database, nik, dt.date(2026, 1, 25))
        assert c.protected and c.decision.reason.value == "paid_by_event"

    def test_an_event_before_a_payment_made_by_the_due_date_is_covered(self, database):
        with database.session() as s:
            f.agreement(s, "DESA-2026", sponsor="DESA", funding="apbdes", cycle=1)
            w = f.cohort(s, 1, "DESA-2026")[0]
        with database.session() as s:
            code = f.bill(s, "2026-01", on=dt.date(2026, 1, 2)).bills[0].payment_code
        with database.session() as s:
            f.pay(s, code, 16_800, on=dt.date(2026, 1, 14))
        c = cover(database, w.nik, dt.date(2026, 1, 10))
        assert c.protected and c.decision.reason.value == "paid_by_due_date"


class TestAMonthLeftUnpaidBetweenPaidOnes:
    """A village pays January to March and May, but not April: in May the worker is protected, without a
    break only until March, and April is arrears that can be paid until the end of June."""

    @pytest.fixture
    def village(self, database) -> tuple[str, str]:
        """(the worker's NIK, April's payment code)."""
        with database.session() as s:
            f.agreement(s, "DESA-2026", sponsor="DESA", funding="apbdes", cycle=1)
            w = f.cohort(s, 1, "DESA-2026")[0]
        with database.session() as s:
            codes = [b.payment_code for b in f.bill(s, "2026-05", on=dt.date(2026, 1, 2)).bills]
        for i, day in ((0, dt.date(2026, 1, 10)), (1, dt.date(2026, 2, 10)), (2, dt.date(2026, 3, 10)),
                       (4, dt.date(2026, 5, 8))):
            with database.session() as s:
                f.pay(s, codes[i], 16_800, on=day)
        return w.nik, codes[3]

    @pytest.fixture
    def nik(self, village) -> str:
        return village[0]

    def test_protected_in_may_with_april_in_arrears(self, database, nik):
        c = cover(database, nik, dt.date(2026, 5, 20))
        assert c.protected and c.decision.reason.value == "paid_by_event"
        assert c.history.protected_until == dt.date(2026, 3, 31)
        assert c.arrears == ((Month(2026, 4), dt.date(2026, 6, 30)),)
        assert c.to_dict()["arrears"] == [{"month": "2026-04", "payable_until": "2026-06-30"}]
        assert states(c)["2026-04"] == "grace"

    def test_a_month_not_yet_due_is_not_arrears(self, database, nik):
        on_the_due_date = cover(database, nik, dt.date(2026, 4, 15))  # April's due date, still unpaid
        assert on_the_due_date.arrears == ()
        the_day_after = cover(database, nik, dt.date(2026, 4, 16))
        assert the_day_after.arrears == ((Month(2026, 4), dt.date(2026, 6, 30)),)

    def test_paying_the_arrears_clears_them_and_mends_the_break(self, database, village):
        nik, april = village
        with database.session() as s:
            f.pay(s, april, 16_800, on=dt.date(2026, 5, 25))
        c = cover(database, nik, dt.date(2026, 5, 26))
        assert c.arrears == ()
        assert c.history.protected_until == dt.date(2026, 5, 31)
        assert states(c)["2026-04"] == "paid_late"

    def test_the_arrears_past_their_window_end_the_membership(self, database, nik):
        c = cover(database, nik, dt.date(2026, 7, 1))
        # April can no longer be paid: the membership ended on 30 June. May, paid in time, started a
        # new one, whose June is now in arrears.
        assert c.history.memberships[0].ended_on == dt.date(2026, 6, 30)
        assert states(c)["2026-04"] == "lapsed"
        assert c.history.current is not None and c.history.current.start == Month(2026, 5)
        assert c.arrears == ((Month(2026, 6), dt.date(2026, 8, 31)),)


class TestALapseAndARe_enrolment:
    """Paid January and February, then three months unpaid: the membership ends; enrolled again in
    July under another sponsor, the masa iur counts from zero."""

    def test_masa_iur_starts_again_from_zero(self, database):
        with database.session() as s:
            f.agreement(s, "DESA-2026", sponsor="DESA", funding="apbdes", cycle=1)
            w = f.cohort(s, 1, "DESA-2026")[0]
        with database.session() as s:
            codes = [b.payment_code for b in f.bill(s, "2026-05", on=dt.date(2026, 1, 2)).bills]
        for code, day in zip(codes[:2], (dt.date(2026, 1, 10), dt.date(2026, 2, 10)), strict=True):
            with database.session() as s:
                f.pay(s, code, 16_800, on=day)

        in_grace = cover(database, w.nik, dt.date(2026, 5, 31))
        assert in_grace.history.contribution_months == 2 and len(in_grace.history.memberships) == 1
        assert in_grace.history.protected_until == dt.date(2026, 2, 28)
        lapsed = cover(database, w.nik, dt.date(2026, 6, 1))
        assert lapsed.history.contribution_months == 0 and lapsed.history.protected_until is None
        assert lapsed.history.memberships[0].ended_on == dt.date(2026, 5, 31)
        assert states(lapsed)["2026-03"] == "lapsed"

        with database.session() as s:  # the village stops; a CSR sponsor takes the worker from July
            ends.leave(s, w.nik, "DESA-2026", last_month=Month(2026, 2), by=f.MAKER, today=dt.date(2026, 6, 20))
            f.agreement(s, "CSR-2026B", sponsor="CSR", funding="csr", start="2026-07", months=6, cycle=1)
            enrolment.enrol(s, w.nik, "CSR-2026B", by=f.MAKER, today=dt.date(2026, 6, 25))
        for month, day in (("2026-07", dt.date(2026, 7, 5)), ("2026-08", dt.date(2026, 8, 5))):
            with database.session() as s:
                code = f.bill(s, month, on=day).bills[0].payment_code
            with database.session() as s:
                f.pay(s, code, 8_400, on=day)

        again = cover(database, w.nik, dt.date(2026, 8, 20))
        assert again.protected
        assert again.history.contribution_months == 2
        assert [(str(m.start), m.paid_months) for m in again.history.memberships] == [("2026-01", 2), ("2026-07", 2)]
        assert [states(again)[m] for m in ("2026-02", "2026-03", "2026-04", "2026-07")] == [
            "paid", "lapsed", "outside", "paid"]


class TestOneIndexedQueryOnTheLedger:
    def test_the_ledger_is_read_once_through_its_key(self, database):
        with database.session() as s:
            f.agreement(s)
            w = f.cohort(s, 3)[1]
        with database.session() as s:
            f.bill(s, "2026-01")
        seen: list[str] = []

        def spy(_conn, _cursor, statement, *_args) -> None:
            seen.append(statement)

        event.listen(database.engine, "before_cursor_execute", spy)
        try:
            cover(database, w.nik, dt.date(2026, 3, 3))
        finally:
            event.remove(database.engine, "before_cursor_execute", spy)
        assert len([q for q in seen if "contribution_lines" in q]) == 1
        with database.session() as s:
            plan = " ".join(repo.explain_ledger_query(s, w.id))
        if database.dialect == "sqlite":
            assert "SEARCH l USING PRIMARY KEY (month=? AND worker_id=? AND void_seq=?)" in plan
        else:
            assert "Index Scan using pk_contribution_lines on contribution_lines l" in plan
            assert "Seq Scan on contribution_lines" not in plan


class TestPersonalData:
    def test_the_nik_is_masked_unless_unmasked_and_unmasking_is_audited(self, database):
        with database.session() as s:
            f.agreement(s)
            w = f.cohort(s, 1)[0]
        masked = cover(database, w.nik, dt.date(2026, 1, 5))
        assert masked.nik == w.nik[:4] + "********" + w.nik[-4:] and masked.masked
        with database.session() as s:
            assert s.scalars(select(AuditEntry).where(AuditEntry.action == "coverage.unmask")).all() == []
        full = cover(database, w.nik, dt.date(2026, 1, 5), unmask=True)
        assert full.nik == w.nik and not full.masked
        with database.session() as s:
            entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "coverage.unmask")).one()
            assert (entry.subject_type, entry.subject_id, entry.actor) == ("worker", w.id, f.MAKER)
            assert w.nik not in (entry.detail or "")

    def test_an_unknown_nik_is_named_masked(self, database):
        with pytest.raises(NotFound) as missing, database.session() as s:
            cov.coverage(s, "3216015705900999", at=dt.date(2026, 1, 5))
        assert "3216015705900999" not in missing.value.message("en")
