"""Scholarships year by year: a fisherman's JKK death, approved with two children (Rina in SD 6, Dodi
in SMA 3), opens their scholarships; each school year is then its own claim for one child, paying
that year's level (TK 1,5 jt, SD 1,5 jt, SMP 2 jt, SMA 3 jt, PT 12 jt a year) while the projection of
what is left shrinks. At most two children per worker; nothing without an approved death or total
disability (PP 82/2019)."""

from __future__ import annotations

import datetime as dt

import pytest

from lindung.claims import service
from lindung.claims.schemas import ClaimView
from tests.billing import factories as bf
from tests.claims.factories import CASHIER, enrolled, new, paid, paid_yearly, report, to_approved
from tests.conftest import TestDatabase
from tests.users import actor

MOTHER = {"name": "Siti Aminah", "relationship": "spouse"}
ACCOUNT = {"bank": "BRI", "number": "0123456789012", "holder": "Siti Aminah"}


def _fisherman(database: TestDatabase) -> str:
    """A paid-up fisherman (occupation nelayan), not dead."""
    with database.session() as s:
        bf.agreement(s)
        worker = enrolled(s, occupation="nelayan", first="2026-01", name="Darman")
        paid_yearly(s, "2026-01", 1)
        return worker.nik


def _drowned(database: TestDatabase) -> str:
    """The fisherman drowns on 3 May 2026; his JKK death claim with Rina (SD 6) and Dodi (SMA 3) is
    approved on 20 May."""
    nik = _fisherman(database)
    with database.session() as s:
        accident = report(s, nik, dt.date(2026, 5, 3), what="Perahu terbalik saat menjaring")
        death = new(s, dt.date(2026, 5, 20), nik=nik, type="jkk-death", event_date="2026-05-03", accident=accident.id,
                    claimant=MOTHER, account=ACCOUNT,
                    children=[{"name": "Rina", "level": "sd", "year": 6}, {"name": "Dodi", "level": "sma", "year": 3}])
        assert death.total == 70_000_000  # 48.000.000 + 10.000.000 + 12.000.000
        # Rina: 1,5 jt now; Dodi: 3 jt now
        assert death.scholarship_this_year == 4_500_000
        to_approved(s, death.number, dt.date(2026, 5, 20))
    return nik


def _scholarship(database: TestDatabase, nik: str, child: str, on: dt.date) -> ClaimView:
    name, level, year = child.split(":")
    with database.session() as s:
        return new(s, on, nik=nik, type="scholarship", event_date=on.isoformat(), claimant=MOTHER, account=ACCOUNT,
                   children=[{"name": name, "level": level, "year": int(year)}])


def test_each_school_year_pays_its_level_and_lowers_the_projection(database: TestDatabase) -> None:
    """Rina's SD 6 year pays 1.500.000; the next school year (SMP 1) pays 2.000.000, and what is left
    to her is 1.500.000 less: SD 6 + SMP 3 × 2 jt + SMA 3 × 3 jt + PT 5 × 12 jt = 76,5 jt, then
    SMP 3 × 2 jt + SMA 3 × 3 jt + PT 5 × 12 jt = 75 jt."""
    nik = _drowned(database)
    first = _scholarship(database, nik, "Rina:sd:6", dt.date(2026, 7, 13))
    assert (first.eligible, first.status, first.reason) == (True, "draft", None)
    assert [(c.code, c.amount) for c in first.components] == [("scholarship.this_year", 1_500_000)]
    assert first.total == first.scholarship_this_year == 1_500_000
    assert first.scholarship_projected == 76_500_000  # 1,5 + 6 + 9 + 60 jt
    assert [(c.name, c.level, c.year, c.years_paid) for c in first.children] == [("Rina", "sd", 6, 0)]
    with database.session() as s:
        assert to_approved(s, first.number, dt.date(2026, 7, 14)).status == "approved"
        done = paid(s, first.number, dt.date(2026, 7, 15))
        assert done.payment is not None and done.payment.amount == 1_500_000

    second = _scholarship(database, nik, "Rina:smp:1", dt.date(2027, 7, 12))
    assert second.eligible and second.total == 2_000_000  # SMP: 2 jt a year
    assert second.scholarship_projected == 75_000_000  # 6 + 9 + 60 jt
    assert first.scholarship_projected - second.scholarship_projected == 1_500_000  # exactly what was paid
    assert second.children[0].years_paid == 1
    with database.session() as s:
        to_approved(s, second.number, dt.date(2027, 7, 13))
        assert service.pay(s, second.number, "TRF-SMP1", dt.date(2027, 7, 14), by=actor(s, CASHIER),
                           today=dt.date(2027, 7, 14)).status == "paid"


def test_a_school_year_already_paid_is_refused(database: TestDatabase) -> None:
    """Rina's SD 6 year is paid; claiming it again is a conflict, not a second payment."""
    nik = _drowned(database)
    first = _scholarship(database, nik, "Rina:sd:6", dt.date(2026, 7, 13))
    with database.session() as s:
        to_approved(s, first.number, dt.date(2026, 7, 13))
        paid(s, first.number, dt.date(2026, 7, 13))
    with pytest.raises(service.ScholarshipYearClaimed) as err:
        _scholarship(database, nik, "Rina:sd:6", dt.date(2026, 8, 3))
    assert "Rina" in err.value.message("id") and "SD" in err.value.message("en")


def test_a_school_year_claimed_twice_while_the_first_is_open_is_refused(database: TestDatabase) -> None:
    """Rina's SD 6 claim is approved, not yet paid: a second claim for the same year must not be
    entered (else the year would be paid twice)."""
    nik = _drowned(database)
    first = _scholarship(database, nik, "Rina:sd:6", dt.date(2026, 7, 13))
    with database.session() as s:
        to_approved(s, first.number, dt.date(2026, 7, 13))
    with pytest.raises(service.ScholarshipYearClaimed):
        _scholarship(database, nik, "Rina:sd:6", dt.date(2026, 7, 14))


def test_a_third_child_gets_no_scholarship(database: TestDatabase) -> None:
    """Rina and Dodi are the two children the death claim recorded; a third is refused with the
    reason, and the claim ends rejected."""
    nik = _drowned(database)
    third = _scholarship(database, nik, "Budi:sd:1", dt.date(2026, 7, 13))
    assert (third.eligible, third.reason, third.status, third.total) == (
        False, "scholarship.max_children", "rejected", 0)
    assert third.reason_reference  # the parameter's legal basis
    assert (third.scholarship_this_year, third.scholarship_projected) == (0, 0)


def test_no_scholarship_without_an_approved_death_or_total_disability(database: TestDatabase) -> None:
    """The fisherman is alive and well: his child's scholarship has no entitlement behind it."""
    nik = _fisherman(database)
    claim = _scholarship(database, nik, "Rina:sd:6", dt.date(2026, 7, 13))
    assert (claim.eligible, claim.reason, claim.status, claim.total) == (
        False, "scholarship.no_entitlement", "rejected", 0)


def test_a_death_claim_not_yet_approved_opens_no_scholarship(database: TestDatabase) -> None:
    """Only an approved (or paid) death opens the scholarships: a draft one does not."""
    nik = _fisherman(database)
    with database.session() as s:
        accident = report(s, nik, dt.date(2026, 5, 3))
        new(s, dt.date(2026, 5, 20), nik=nik, type="jkk-death", event_date="2026-05-03", accident=accident.id,
            claimant=MOTHER, account=ACCOUNT, children=[{"name": "Rina", "level": "sd", "year": 6}])
    claim = _scholarship(database, nik, "Rina:sd:6", dt.date(2026, 7, 13))
    assert (claim.eligible, claim.reason) == (False, "scholarship.no_entitlement")


def _drowned_with(database: TestDatabase, children: list[dict[str, object]]) -> str:
    """The fisherman's JKK death approved with ``children`` declared on it."""
    nik = _fisherman(database)
    with database.session() as s:
        accident = report(s, nik, dt.date(2026, 5, 3))
        death = new(s, dt.date(2026, 5, 20), nik=nik, type="jkk-death", event_date="2026-05-03", accident=accident.id,
                    claimant=MOTHER, account=ACCOUNT, children=children)
        to_approved(s, death.number, dt.date(2026, 5, 20))
    return nik


def test_at_most_two_children_even_when_the_second_is_first_named_on_a_scholarship_claim(
        database: TestDatabase) -> None:
    """The death claim named Rina only; Budi's scholarship makes him the second child; Citra would be
    a third and is refused."""
    nik = _drowned_with(database, [{"name": "Rina", "level": "sd", "year": 6}])
    budi = _scholarship(database, nik, "Budi:sd:1", dt.date(2026, 7, 13))
    assert budi.eligible and budi.total == 1_500_000
    with database.session() as s:
        to_approved(s, budi.number, dt.date(2026, 7, 13))
        paid(s, budi.number, dt.date(2026, 7, 13))
    citra = _scholarship(database, nik, "Citra:tk:1", dt.date(2026, 7, 14))
    assert (citra.eligible, citra.reason, citra.status) == (False, "scholarship.max_children", "rejected")


def test_a_death_claim_filed_without_children_still_opens_the_scholarships(database: TestDatabase) -> None:
    """The widow files the death claim first and the school year of her daughter later: the JKK death
    (no minimum masa iur) entitles Rina all the same."""
    nik = _drowned_with(database, [])
    claim = _scholarship(database, nik, "Rina:sd:6", dt.date(2026, 7, 13))
    assert (claim.eligible, claim.reason, claim.total) == (True, None, 1_500_000)
