"""Coverage: was this worker protected on this date, and why — month by month, protected_until,
masa iur, lapse and re-enrolment; one indexed query on the ledger; masked NIK and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import pytest
from sqlalchemy import event, select

from lindung.audit.models import AuditEntry
from lindung.billing import coverage as cov
from lindung.billing import ends
from lindung.billing import repository as repo
from lindung.billing.schemas import Coverage
from lindung.enrolment import service as enrolment
from lindung.kit.errors import NotFound
from lindung.rules.period import Month
from tests.billing import factories as f


def cover(database, nik: str, at: dt.date, **kw) -> Coverage:
    with database.session() as s:
        return cov.coverage(s, nik, at=at, by=f.maker(s), **kw)


def states(c: Coverage) -> dict[str, str]:
    return {str(m.month): m.state for m in c.months}


def arrears(c: Coverage) -> list[tuple[Month, dt.date]]:
    return [(a.month, a.payable_until) for a in c.arrears]


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
        assert c.protected and c.decision.reason == "paid_by_event"
        assert c.decision.paid_on == dt.date(2026, 1, 10)
        assert c.protected_until == dt.date(2026, 12, 31)
        assert c.contribution_months == 6  # masa iur counts the months up to June
        assert states(c)["2026-06"] == "paid" and states(c)["2026-07"] == "paid"

    def test_the_first_days_before_the_payment_are_covered_by_the_due_date(self, database, nik):
        c = cover(database, nik, dt.date(2026, 1, 5))
        assert c.protected and c.decision.reason == "paid_by_due_date"
        assert c.decision.due.due_date == dt.date(2026, 1, 15)

    def test_not_protected_after_the_year(self, database, nik):
        c = cover(database, nik, dt.date(2027, 1, 20))
        assert not c.protected and c.decision.reason == "unpaid"
        assert c.contribution_months == 12
        assert states(c)["2027-01"] == "grace"

    def test_not_protected_before_the_cover_started(self, database, nik):
        c = cover(database, nik, dt.date(2025, 12, 20))
        assert not c.protected and c.decision.reason == "unpaid"
        assert c.protected_until is None


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
        assert c.decision.reason == "paid_after_event_and_due_date"
        assert c.decision.paid_on == dt.date(2026, 1, 20)

    def test_an_event_after_the_payment_is_covered(self, database, nik):
        c = cover(database, nik, dt.date(2026, 1, 25))
        assert c.protected and c.decision.reason == "paid_by_event"

    def test_an_event_before_a_payment_made_by_the_due_date_is_covered(self, database):
        with database.session() as s:
            f.agreement(s, "DESA-2026", sponsor="DESA", funding="apbdes", cycle=1)
            w = f.cohort(s, 1, "DESA-2026")[0]
        with database.session() as s:
            code = f.bill(s, "2026-01", on=dt.date(2026, 1, 2)).bills[0].payment_code
        with database.session() as s:
            f.pay(s, code, 16_800, on=dt.date(2026, 1, 14))
        c = cover(database, w.nik, dt.date(2026, 1, 10))
        assert c.protected and c.decision.reason == "paid_by_due_date"


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
        assert c.protected and c.decision.reason == "paid_by_event"
        assert c.protected_until == dt.date(2026, 3, 31)
        assert arrears(c) == [(Month(2026, 4), dt.date(2026, 6, 30))]
        assert c.model_dump(mode="json")["arrears"] == [{"month": "2026-04", "payable_until": "2026-06-30"}]
        assert states(c)["2026-04"] == "grace"

    def test_a_month_not_yet_due_is_not_arrears(self, database, nik):
        on_the_due_date = cover(database, nik, dt.date(2026, 4, 15))  # April's due date, still unpaid
        assert on_the_due_date.arrears == []
        the_day_after = cover(database, nik, dt.date(2026, 4, 16))
        assert arrears(the_day_after) == [(Month(2026, 4), dt.date(2026, 6, 30))]

    def test_paying_the_arrears_clears_them_and_mends_the_break(self, database, village):
        nik, april = village
        with database.session() as s:
            f.pay(s, april, 16_800, on=dt.date(2026, 5, 25))
        c = cover(database, nik, dt.date(2026, 5, 26))
        assert c.arrears == []
        assert c.protected_until == dt.date(2026, 5, 31)
        assert states(c)["2026-04"] == "paid_late"

    def test_the_arrears_past_their_window_end_the_membership(self, database, nik):
        c = cover(database, nik, dt.date(2026, 7, 1))
        # April can no longer be paid: the membership ended on 30 June. May, paid in time, started a
        # new one, whose June is now in arrears.
        assert c.memberships[0].ended_on == dt.date(2026, 6, 30)
        assert states(c)["2026-04"] == "lapsed"
        assert c.current is not None and c.current.start == Month(2026, 5)
        assert arrears(c) == [(Month(2026, 6), dt.date(2026, 8, 31))]


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
        assert in_grace.contribution_months == 2 and len(in_grace.memberships) == 1
        assert in_grace.protected_until == dt.date(2026, 2, 28)
        lapsed = cover(database, w.nik, dt.date(2026, 6, 1))
        assert lapsed.contribution_months == 0 and lapsed.protected_until is None
        assert lapsed.memberships[0].ended_on == dt.date(2026, 5, 31)
        assert states(lapsed)["2026-03"] == "lapsed"

        with database.session() as s:  # the village stops; a CSR sponsor takes the worker from July
            ends.leave(s, w.nik, "DESA-2026", last_month=Month(2026, 2), by=f.maker(s),
                       today=dt.date(2026, 6, 20))
            f.agreement(s, "CSR-2026B", sponsor="CSR", funding="csr", start="2026-07", months=6, cycle=1)
            enrolment.enrol(s, w.nik, "CSR-2026B", by=f.maker(s), today=dt.date(2026, 6, 25))
        for month, day in (("2026-07", dt.date(2026, 7, 5)), ("2026-08", dt.date(2026, 8, 5))):
            with database.session() as s:
                code = f.bill(s, month, on=day).bills[0].payment_code
            with database.session() as s:
                f.pay(s, code, 8_400, on=day)

        again = cover(database, w.nik, dt.date(2026, 8, 20))
        assert again.protected
        assert again.contribution_months == 2
        assert [(str(m.start), m.paid_months) for m in again.memberships] == [("2026-01", 2), ("2026-07", 2)]
        assert [states(again)[m] for m in ("2026-02", "2026-03", "2026-04", "2026-07")] == [
            "paid", "lapsed", "outside", "paid"]


class TestAnAnswerAsOfAPastDay:
    """The demo's regency: billed monthly on the first working day, paying a few days before each due
    date except March, paid five weeks late (20 April); June is billed and unpaid. Asked on a later day
    about 23 March, the answer knows what was known on 23 March (docs/decisions/0028-coverage-as-of.md)."""

    PAID: ClassVar[dict[str, dt.date]] = {
        "2026-01": dt.date(2026, 1, 12), "2026-02": dt.date(2026, 2, 12), "2026-03": dt.date(2026, 4, 20),
        "2026-04": dt.date(2026, 4, 13), "2026-05": dt.date(2026, 5, 12)}

    @pytest.fixture
    def nik(self, database) -> str:
        with database.session() as s:
            f.agreement(s, "TANI-2026", sponsor="PEMKAB", funding="apbd", cycle=1)
            w = f.cohort(s, 1, "TANI-2026", occupation="petani")[0]
        codes = {}
        for month, issued in (("2026-01", dt.date(2026, 1, 2)), ("2026-02", dt.date(2026, 2, 2)),
                              ("2026-03", dt.date(2026, 3, 2)), ("2026-04", dt.date(2026, 4, 1)),
                              ("2026-05", dt.date(2026, 5, 4)), ("2026-06", dt.date(2026, 6, 1))):
            with database.session() as s:
                codes[month] = f.bill(s, month, on=issued).bills[0].payment_code
        for month, day in sorted(self.PAID.items(), key=lambda x: x[1]):
            with database.session() as s:
                f.pay(s, codes[month], 16_800, on=day)
        return w.nik

    @staticmethod
    def consistent(c: Coverage) -> None:
        """No month is "not yet due" with a payment, and no payment after the day is shown."""
        for m in c.months:
            assert not (m.state == cov.FUTURE and m.paid_on is not None), m
            assert m.paid_on is None or m.paid_on <= c.at, m
            assert (m.line == "paid") == (m.paid_on is not None), m

    def test_the_months_are_as_they_stood_on_that_day(self, database, nik):
        c = cover(database, nik, dt.date(2026, 3, 23))
        self.consistent(c)
        assert [(str(m.month), m.state, m.line, m.paid_on) for m in c.months] == [
            ("2026-01", "paid", "paid", dt.date(2026, 1, 12)),
            ("2026-02", "paid", "paid", dt.date(2026, 2, 12)),
            ("2026-03", "grace", "due", None)]  # past its due date (16 March), unpaid then
        # April to June were billed, and March to May paid, after 23 March: counted apart, not shown
        assert (c.payments_after, c.bills_after) == (3, 3)
        assert arrears(c) == [(Month(2026, 3), dt.date(2026, 5, 31))]
        assert (c.protected_until, c.contribution_months) == (dt.date(2026, 2, 28), 2)
        # the decision: March's payment came after the event and after its due date, so it does not count
        assert not c.protected and c.decision.reason == "paid_after_event_and_due_date"
        assert c.decision.paid_on == dt.date(2026, 4, 20)

    def test_the_same_months_today_show_what_came_after(self, database, nik):
        c = cover(database, nik, dt.date(2026, 6, 20))
        self.consistent(c)
        assert [(str(m.month), m.state, m.paid_on) for m in c.months] == [
            ("2026-01", "paid", dt.date(2026, 1, 12)), ("2026-02", "paid", dt.date(2026, 2, 12)),
            ("2026-03", "paid_late", dt.date(2026, 4, 20)), ("2026-04", "paid", dt.date(2026, 4, 13)),
            ("2026-05", "paid", dt.date(2026, 5, 12)), ("2026-06", "grace", None)]
        assert (c.payments_after, c.bills_after) == (0, 0)

    def test_before_a_month_s_due_date_it_is_not_yet_due_and_a_payment_by_then_covers_the_event(self, database,
                                                                                                 nik):
        c = cover(database, nik, dt.date(2026, 4, 8))  # April billed on the 1st, due the 15th, paid the 13th
        self.consistent(c)
        assert [(str(m.month), m.state, m.paid_on) for m in c.months][-2:] == [
            ("2026-03", "grace", None), ("2026-04", "future", None)]
        assert c.protected and c.decision.reason == "paid_by_due_date"
        assert c.decision.paid_on == dt.date(2026, 4, 13)

    def test_a_year_paid_ahead_shows_no_payment_before_it_was_made(self, database):
        with database.session() as s:
            f.agreement(s)
            w = f.cohort(s, 1)[0]
        with database.session() as s:
            code = f.bill(s, "2026-01", on=dt.date(2026, 1, 2)).bills[0].payment_code
        with database.session() as s:
            f.pay(s, code, 3 * 16_800 + 9 * 8_400, on=dt.date(2026, 1, 10))
        before = cover(database, w.nik, dt.date(2026, 1, 5))
        self.consistent(before)
        assert {m.state for m in before.months[1:]} == {"future"} and before.payments_after == 12
        after = cover(database, w.nik, dt.date(2026, 3, 23))
        self.consistent(after)
        assert {m.state for m in after.months} == {"paid"} and len(after.months) == 12  # paid ahead: paid
        assert after.payments_after == 0

    def test_the_command_says_the_answer_is_as_of_that_day(self, database, nik, cli):
        english = cli("coverage", nik, "--at", "2026-03-23", "--lang", "en")
        assert english.exit_code == 0, english.stderr
        said = " ".join(english.stdout.split())
        assert "The state below is as of 23 March 2026, as known then: 3 months paid and 3 months billed after " \
               "that date are left out." in said
        assert "Month by month, as of 23 March 2026" in said
        decision, table = said.split("Month by month")
        assert "The contribution for 2026-03 was only paid on 2026-04-20, after the event" in decision
        assert not {"2026-04-20", "2026-04-13", "2026-05-12", "2026-04", "2026-06"} & set(table.split())
        indonesian = cli("coverage", nik, "--at", "2026-03-23")
        assert "Keadaan di bawah ini per 23 Maret 2026" in " ".join(indonesian.stdout.split())
        today = cli("coverage", nik, "--at", "2026-06-20", "--lang", "en")
        assert "as known then" not in today.stdout
        data = cli("coverage", nik, "--at", "2026-03-23", "--json").json()
        assert (data["payments_after"], data["bills_after"]) == (3, 3)
        assert [m["month"] for m in data["months"]] == ["2026-01", "2026-02", "2026-03"]

    def test_a_death_recorded_later_is_said_as_known_today(self, database, nik, cli):
        with database.session() as s:
            ends.record_death(s, nik, died_on=dt.date(2026, 5, 20), by=f.maker(s), today=dt.date(2026, 6, 20))
        before = " ".join(cli("coverage", nik, "--at", "2026-03-23", "--lang", "en").stdout.split())
        assert "The worker died later, on 2026-05-20 (known today)." in before
        after = " ".join(cli("coverage", nik, "--at", "2026-06-20", "--lang", "en").stdout.split())
        assert "The worker died on 2026-05-20." in after and "died later" not in after


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
        assert masked.worker.nik == w.nik[:4] + "********" + w.nik[-4:] and masked.worker.masked
        with database.session() as s:
            assert s.scalars(select(AuditEntry).where(AuditEntry.action == "coverage.unmask")).all() == []
        full = cover(database, w.nik, dt.date(2026, 1, 5), unmask=True)
        assert full.worker.nik == w.nik and not full.worker.masked
        with database.session() as s:
            entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "coverage.unmask")).one()
            assert (entry.subject_type, entry.subject_id, entry.actor) == ("worker", w.id, f.MAKER)
            assert w.nik not in (entry.detail or "")

    def test_an_unknown_nik_is_named_masked(self, database):
        with pytest.raises(NotFound) as missing, database.session() as s:
            cov.coverage(s, "3216015705900999", at=dt.date(2026, 1, 5), by=f.maker(s))
        assert "3216015705900999" not in missing.value.message("en")
