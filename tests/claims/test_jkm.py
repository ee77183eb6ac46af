"""A farmer dies of an illness (JKM, a death not caused by work): 42.000.000 to the heir, and a
child's scholarship when the masa iur is at least 36 months (PP 82/2019); the payee is the first
group of heirs, from the worker's recorded heirs and the claimant's declaration."""

from __future__ import annotations

import datetime as dt

from lindung.claims import service
from tests.billing import factories as bf
from tests.claims.factories import OFFICER, enrolled, new, paid, paid_yearly, to_approved
from tests.conftest import TestDatabase
from tests.users import actor

DIED = dt.date(2026, 4, 14)
TODAY = dt.date(2026, 4, 20)
# Santunan kematian 20.000.000 + berkala 24 × 500.000 + biaya pemakaman 10.000.000
JKM = [("jkm.lump_sum", 20_000_000), ("jkm.periodic", 12_000_000), ("jkm.funeral", 10_000_000)]
ACCOUNT = {"bank": "BRI", "number": "0123456789012", "holder": "Siti Rahmah"}
SPOUSE = {"name": "Siti Rahmah", "relationship": "spouse"}


def test_forty_months_of_contributions_pay_42_million_and_the_smp_child_s_scholarship(
        database: TestDatabase) -> None:
    """A farmer enrolled since January 2023 by a sponsor who paid every yearly bill on time dies in
    April 2026: masa iur January 2023 .. April 2026 = 36 + 4 = 40 months ≥ 36, so his daughter in
    SMP 1 gets her scholarship. The claim goes through approval to its one payment."""
    with database.session() as s:
        bf.agreement(s, "KADIN-2023", start="2023-01", months=48, cycle=12)
        farmer = enrolled(s, "KADIN-2023", occupation="petani", first="2023-01", name="Ujang Suparman")
        paid_yearly(s, "2023-01", 4)  # 2023-01, 2024-01, 2025-01, 2026-01: each cycle of 12 months
        nik = farmer.nik
    with database.session() as s:
        claim = new(s, TODAY, nik=nik, type="jkm", event_date=DIED.isoformat(), claimant=SPOUSE, account=ACCOUNT,
                    children=[{"name": "Rina", "level": "smp", "year": 1}])
        assert (claim.eligible, claim.status, claim.reason) == (True, "draft", None)
        assert claim.contribution_months == 40
        assert [(c.code, c.amount) for c in claim.components] == JKM
        assert claim.total == 42_000_000  # 20.000.000 + 12.000.000 + 10.000.000
        assert claim.scholarship_this_year == 2_000_000  # SMP: 2 jt a year
        # SMP years 1..3 (3 × 2 jt) + SMA 3 × 3 jt + PT 5 × 12 jt = 6 + 9 + 60 = 75 jt (under the 87 jt cap)
        assert claim.scholarship_projected == 75_000_000
        [rina] = claim.children
        assert (rina.name, rina.eligible, rina.reason, rina.this_year, rina.projected) == (
            "Rina", True, None, 2_000_000, 75_000_000)
        assert (claim.payee.name, claim.payee.relationship, claim.payee.note) == ("Siti Rahmah", "spouse", None)
        assert claim.sponsor == "KADIN" and claim.agreement == "KADIN-2023"
        number = claim.number
    with database.session() as s:
        approved = to_approved(s, number, TODAY)
        assert (approved.status, approved.total, approved.contribution_months) == ("approved", 42_000_000, 40)
    with database.session() as s:
        done = paid(s, number, TODAY)
        assert done.status == "paid" and done.payment is not None
        assert (done.payment.amount, done.payment.account_holder) == (42_000_000, "Siti Rahmah")
        assert [step.status for step in done.history] == ["draft", "submitted", "verified", "approved", "paid"]


def test_twenty_months_pay_42_million_and_no_scholarship_with_the_reason(database: TestDatabase) -> None:
    """The same death with an enrolment from September 2024: masa iur September 2024 .. April 2026 =
    4 + 12 + 4 = 20 months < 36: the JKM itself does not depend on the masa iur (42 jt), the
    scholarship does, and the child's line says why there is none."""
    with database.session() as s:
        bf.agreement(s, "KADIN-2024", start="2024-09", months=24, cycle=12)
        farmer = enrolled(s, "KADIN-2024", occupation="petani", first="2024-09", name="Ujang Suparman")
        paid_yearly(s, "2024-09", 2)  # 2024-09 .. 2025-08, 2025-09 .. 2026-08
        nik = farmer.nik
    with database.session() as s:
        claim = new(s, TODAY, nik=nik, type="jkm", event_date=DIED.isoformat(), claimant=SPOUSE, account=ACCOUNT,
                    children=[{"name": "Rina", "level": "smp", "year": 1}])
        assert claim.eligible and claim.status == "draft"
        assert claim.contribution_months == 20
        assert [(c.code, c.amount) for c in claim.components] == JKM
        assert claim.total == 42_000_000
        assert (claim.scholarship_this_year, claim.scholarship_projected) == (0, 0)
        [rina] = claim.children
        assert (rina.eligible, rina.reason, rina.this_year, rina.projected) == (
            False, "scholarship.contribution_months_short", 0, 0)


def _farmer_with_heirs(database: TestDatabase, heirs: list[dict[str, str]]) -> str:
    with database.session() as s:
        bf.agreement(s, "KADIN-2026")
        farmer = enrolled(s, occupation="petani", name="Ujang Suparman", heirs=heirs)
        paid_yearly(s, "2026-01", 1)
        return farmer.nik


def test_with_no_claimant_the_payee_is_the_first_recorded_heir(database: TestDatabase) -> None:
    """Nobody declared a claim as heir: the worker's recorded heirs decide, in legal priority (his
    mother is in the second group, his wife in the first)."""
    nik = _farmer_with_heirs(database, [{"name": "Enok Sumarni", "relationship": "ibu"},
                                        {"name": "Siti Rahmah", "relationship": "istri", "nik": bf.nik(sex="P")}])
    with database.session() as s:
        claim = new(s, TODAY, nik=nik, type="jkm", event_date=DIED.isoformat(), account=ACCOUNT)
        assert claim.total == 42_000_000
        assert (claim.payee.name, claim.payee.relationship, claim.payee.note) == ("Siti Rahmah", "spouse", None)
        assert claim.payee.nik is not None and "*" in claim.payee.nik  # the heir's NIK, masked
        # a spouse is paid on her marriage book too
        assert "buku_nikah" in [d.code for d in claim.documents if d.required]


def test_a_sibling_claiming_while_a_spouse_is_recorded_is_not_the_payee(database: TestDatabase) -> None:
    """The worker's brother files the claim, but a wife is recorded: the benefit goes to her, and the
    claim says why the claimant is not paid."""
    nik = _farmer_with_heirs(database, [{"name": "Siti Rahmah", "relationship": "spouse"}])
    with database.session() as s:
        claim = new(s, TODAY, nik=nik, type="jkm", event_date=DIED.isoformat(), account=ACCOUNT,
                    claimant={"name": "Dadang Suparman", "relationship": "sibling"})
        assert claim.eligible and claim.total == 42_000_000
        assert (claim.payee.name, claim.payee.relationship) == ("Siti Rahmah", "spouse")
        assert claim.payee.note == "claims.payee.claimant_not_entitled"
        shown = service.show(s, claim.number, by=actor(s, OFFICER), today=TODAY)
        assert (shown.payee.name, shown.payee.note) == ("Siti Rahmah", "claims.payee.claimant_not_entitled")
