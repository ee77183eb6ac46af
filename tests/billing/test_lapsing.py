"""Who is about to lapse: workers in arrears whose membership ends within N days unless the oldest
month in arrears is paid (rules.md 2.3), on both engines."""

from __future__ import annotations

import datetime as dt

import pytest

from lindung.audit import service as audit
from lindung.audit.models import AuditEntry
from lindung.billing import ends, lists
from lindung.kit.errors import InvalidInput
from tests.billing import factories as f


def lapsing(database, at: dt.date, days: int = 30, **kw) -> list[dict]:
    """The list's rows as JSON values (dates and months as text), as the CSV has them."""
    with database.session() as s:
        return [row.model_dump(mode="json") for row in lists.lapsing(s, at, days=days, by=f.maker(s), **kw)]


@pytest.fixture
def village(database) -> dict:
    """DESA-2026 billed monthly from January to May for two workers; the village pays January to
    March and May, not April. A third worker, enrolled in the Kadin cohort, is paid for the year."""
    with database.session() as s:
        f.agreement(s, "DESA-2026", sponsor="DESA", funding="apbdes", cycle=1)
        workers = [w.nik for w in f.cohort(s, 2, "DESA-2026")]
        f.agreement(s)
        kadin = f.cohort(s, 1)[0].nik
    with database.session() as s:
        bills = f.bill(s, "2026-05", on=dt.date(2026, 1, 2)).bills
    desa = {b.cycle.start.month: b.payment_code for b in bills if b.agreement == "DESA-2026"}
    (kadin_code,) = [b.payment_code for b in bills if b.agreement == "KADIN-2026"]
    # Village budgets get the PP 50/2025 discount: Rp16.800 a month until March, Rp8.400 from April.
    for month, day, price in ((1, dt.date(2026, 1, 10), 16_800), (2, dt.date(2026, 2, 10), 16_800),
                              (3, dt.date(2026, 3, 10), 16_800), (5, dt.date(2026, 5, 8), 8_400)):
        with database.session() as s:
            f.pay(s, desa[month], 2 * price, on=day)
    with database.session() as s:
        f.pay(s, kadin_code, 3 * 16_800 + 9 * 8_400, on=dt.date(2026, 1, 10))
    return {"workers": workers, "kadin": kadin, "april": desa[4]}


class TestArrearsWhoseWindowClosesSoon:
    def test_listed_with_the_oldest_month_its_bill_and_the_day_it_must_be_paid_by(self, database, village):
        got = lapsing(database, dt.date(2026, 5, 20), days=45)
        assert [r["nik"] for r in got] == [n[:4] + "********" + n[-4:] for n in village["workers"]]
        assert {(r["agreement"], r["arrears_from"], r["arrears_months"], r["arrears"], r["payable_until"],
                 r["days_left"], r["payment_code"], r["contribution_months"]) for r in got} == {
            ("DESA-2026", "2026-04", 1, 8_400, "2026-06-30", 41, village["april"], 4)}

    def test_not_listed_while_the_window_closes_later_than_the_days_asked(self, database, village):
        assert lapsing(database, dt.date(2026, 5, 20), days=30) == []  # 30 June is 41 days away

    def test_a_month_not_yet_due_is_not_arrears(self, database, village):
        assert lapsing(database, dt.date(2026, 4, 15), days=90) == []  # April falls due on the 15th
        assert len(lapsing(database, dt.date(2026, 4, 16), days=90)) == 2

    def test_paying_the_arrears_takes_them_off_the_list(self, database, village):
        with database.session() as s:
            f.pay(s, village["april"], 2 * 8_400, on=dt.date(2026, 5, 25))
        assert lapsing(database, dt.date(2026, 5, 26), days=45) == []
        # …but the list on an earlier day shows what was unpaid then
        assert len(lapsing(database, dt.date(2026, 5, 20), days=45)) == 2

    def test_past_the_window_april_ended_the_membership_and_only_the_new_ones_arrears_count(self, database, village):
        with database.session() as s:
            f.bill(s, "2026-06", on=dt.date(2026, 6, 1))  # June, billed and never paid
        got = lapsing(database, dt.date(2026, 7, 1), days=90)
        # April's window closed on 30 June: that membership ended. May, paid in time, began a new one
        # (masa iur 1), whose June is now in arrears until 31 August.
        assert {(r["arrears_from"], r["arrears_months"], r["payable_until"], r["contribution_months"])
                for r in got} == {("2026-06", 1, "2026-08-31", 1)}
        assert len(got) == 2

    def test_a_worker_whose_death_is_recorded_is_left_out(self, database, village):
        with database.session() as s:
            ends.record_death(s, village["workers"][0], died_on=dt.date(2026, 5, 2), by=f.maker(s),
                              today=dt.date(2026, 5, 3))
        got = lapsing(database, dt.date(2026, 5, 20), days=45)
        assert [r["nik"][-4:] for r in got] == [village["workers"][1][-4:]]


class TestPersonalData:
    def test_masked_unless_unmasked_and_unmasking_is_audited(self, database, village):
        got = lapsing(database, dt.date(2026, 5, 20), days=45, unmask=True)
        assert sorted(r["nik"] for r in got) == sorted(village["workers"])
        with database.session() as s:
            entries = s.query(AuditEntry).filter(AuditEntry.action == "list.unmask").all()
            assert len(entries) == 1 and entries[0].data == {"list": "lapsing", "at": "2026-05-20", "days": 45,
                                                             "shown": 2}
            said = audit.detail_text(entries[0], "en")
            assert all(n not in said and n not in str(entries[0].data) for n in village["workers"])

    def test_a_negative_window_is_refused(self, database):
        with database.session() as s, pytest.raises(InvalidInput):
            lists.lapsing(s, dt.date(2026, 5, 20), days=-1, by=f.maker(s))
