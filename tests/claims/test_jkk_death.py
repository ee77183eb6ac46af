"""A fisherman of the Kadin cohort, paid up, drowns at sea: JKK death 70.000.000 plus scholarships for
two children, approved by a second user, paid once, the letter produced; the months the sponsor paid
after his death become its credit."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from lindung.billing.models import ContributionLine, CreditEntry
from lindung.claims import service
from lindung.claims.schemas import AccidentReport
from lindung.kit.errors import Conflict
from lindung.rules.period import Month
from tests.billing import factories as f
from tests.claims.factories import CASHIER, OFFICER, SUPERVISOR, new, to_approved
from tests.conftest import TestDatabase
from tests.users import actor

TODAY = dt.date(2026, 5, 20)


def test_a_fisherman_drowns_his_heirs_are_paid_once_and_the_sponsor_gets_its_months_back(
        database: TestDatabase) -> None:
    with database.session() as s:
        f.agreement(s, "KADIN-2026", after_death="credit")
        fisherman = f.cohort(s, 1, occupation="nelayan")[0]
        run = f.bill(s, "2026-01", on=dt.date(2026, 1, 2))
        bill = run.bills[0]
        f.pay(s, bill.payment_code, bill.payable, on=dt.date(2026, 1, 5))
        nik = fisherman.nik
        june = Month(2026, 6).index
        after_death = s.scalar(select(func.sum(ContributionLine.amount)).where(
            ContributionLine.worker_id == fisherman.id, ContributionLine.month >= june,
            ContributionLine.void_seq == 0, ContributionLine.status == "paid"))
        assert after_death is not None and after_death > 0
    with database.session() as s:
        accident = service.report_accident(
            s, AccidentReport(nik=nik, occurred_on=dt.date(2026, 5, 3), place="Perairan Muara Gembong",
                              what="Perahu terbalik saat menjaring, tenggelam", reporter="family",
                              reported_by="Siti Aminah (istri)",
                              reported_at=dt.datetime(2026, 5, 4, 8, 0, tzinfo=dt.UTC)),
            by=actor(s, OFFICER), now=dt.datetime(2026, 5, 4, 8, 0, tzinfo=dt.UTC))
        assert not accident.late
        claim = new(s, TODAY, nik=nik, type="jkk-death", event_date="2026-05-03", accident=accident.id,
                    children=[{"name": "Rina", "level": "sd", "year": 6}, {"name": "Dodi", "level": "sma", "year": 3}],
                    claimant={"name": "Siti Aminah", "relationship": "spouse"},
                    account={"bank": "BRI", "number": "0123456789012", "holder": "Siti Aminah"})
        assert claim.eligible and claim.status == "draft"
        assert claim.total == 70_000_000
        assert [(c.code, c.amount) for c in claim.components] == [
            ("jkk.death", 48_000_000), ("jkk.funeral", 10_000_000), ("jkk.periodic", 12_000_000)]
        assert claim.scholarship_this_year == 1_500_000 + 3_000_000
        # Rina: SD 6 (1,5 jt) + SMP 3 × 2 jt + SMA 3 × 3 jt + PT 5 × 12 jt = 76,5 jt; Dodi: SMA 3 (3 jt) + PT 60 jt
        assert claim.scholarship_projected == 76_500_000 + 63_000_000
        assert claim.payee.name == "Siti Aminah" and claim.payee.relationship == "spouse"
        number = claim.number
    with database.session() as s, pytest.raises(Conflict):
        service.verify(s, number, by=actor(s, OFFICER), today=TODAY)
    with database.session() as s:
        approved = to_approved(s, number, TODAY)
        assert approved.status == "approved"
        assert approved.approved_by == SUPERVISOR
    with database.session() as s:
        paid = service.pay(s, number, "TRF-0001", TODAY, by=actor(s, CASHIER), today=TODAY)
        assert paid.status == "paid" and paid.payment is not None and paid.payment.amount == 70_000_000
        assert paid.payment.account_number == "*********9012"
    with database.session() as s, pytest.raises(service.AlreadyPaid):
        service.pay(s, number, "TRF-0002", TODAY, by=actor(s, CASHIER), today=TODAY)
    with database.session() as s:
        # June..December 2026 were paid in January: what the sponsor paid for them becomes its credit
        assert s.scalar(select(func.sum(CreditEntry.amount))) == after_death
