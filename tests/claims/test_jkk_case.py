"""A JKK case over time: one accident gathers its claims. A market trader is hit by a motorbike; he
cannot work for 15 months, claimed in three periods (6 + 6 + 3 months), then the doctor assesses a
10% partial disability; the sea transport to the hospital is refunded up to its cap (PP 82/2019).
Every amount is decided at the accident's date, on his dasar of Rp1.000.000."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from lindung.claims import service
from lindung.claims.schemas import AccidentOutcome
from lindung.kit.errors import InvalidInput
from tests.billing import factories as bf
from tests.claims.factories import CASHIER, OFFICER, enrolled, new, paid, paid_yearly, report, to_approved
from tests.conftest import TestDatabase
from tests.users import actor

ACCIDENT = dt.date(2026, 1, 12)
ACCOUNT = {"bank": "BNI", "number": "9876543210", "holder": "Asep Saputra"}


def _case(database: TestDatabase) -> tuple[str, int]:
    """(NIK, accident id): a worker paid up for 2026 (the yearly bill paid on 5 January), hurt on
    12 January and reported the next morning."""
    with database.session() as s:
        bf.agreement(s)
        worker = enrolled(s, first="2026-01")
        paid_yearly(s, "2026-01", 1)
        accident = report(s, worker.nik, ACCIDENT, what="Tertabrak sepeda motor saat mendorong gerobak")
        assert accident.late is False
        return worker.nik, accident.id


Lines = list[tuple[str, int, str]]


def _stmb(database: TestDatabase, nik: str, accident: int, months: int, on: dt.date) -> tuple[str, Lines, int]:
    """One STMB period entered, approved and paid on ``on``: (number, components, paid amount)."""
    with database.session() as s:
        claim = new(s, on, nik=nik, type="jkk-stmb", event_date=on.isoformat(), accident=accident, months=months,
                    account=ACCOUNT)
        assert claim.eligible and claim.status == "draft"
        assert claim.base == 1_000_000  # the lowest bracket's dasar (no income declared)
        assert (claim.payee.name, claim.payee.relationship) == ("Asep Saputra", "self")
        number = claim.number
    with database.session() as s:
        to_approved(s, number, on)
        done = paid(s, number, on)
        assert done.status == "paid" and done.payment is not None and done.payment.amount == done.total
        return number, [(c.code, c.amount, c.arithmetic) for c in done.components], done.payment.amount


def test_stmb_in_three_periods_pays_13_5_million_then_a_10_percent_disability(database: TestDatabase) -> None:
    """15 months of incapacity: the first 12 at 100% of the dasar, then 50% (PP 82/2019). Each period
    starts where the last one ended, so the third period's 3 months are at 50%."""
    nik, accident = _case(database)
    first, one, paid_1 = _stmb(database, nik, accident, 6, dt.date(2026, 7, 13))
    assert one == [("jkk.stmb.1", 6_000_000, "6 × 100% × Rp1.000.000")]  # months 1..6
    second, two, paid_2 = _stmb(database, nik, accident, 6, dt.date(2027, 1, 13))
    assert two == [("jkk.stmb.1", 6_000_000, "6 × 100% × Rp1.000.000")]  # months 7..12
    third, three, paid_3 = _stmb(database, nik, accident, 3, dt.date(2027, 4, 13))
    assert three == [("jkk.stmb.2", 1_500_000, "3 × 50% × Rp1.000.000")]  # months 13..15
    assert paid_1 + paid_2 + paid_3 == 13_500_000  # 6.000.000 + 6.000.000 + 1.500.000

    today = dt.date(2027, 4, 20)
    with database.session() as s:
        outcome = service.record_outcome(
            s, accident, AccidentOutcome(outcome="disabled", on=dt.date(2027, 4, 15), percent=Decimal("10"),
                                         assessed_by="dr. Hasan, Sp.OT"), by=actor(s, OFFICER), today=today)
        assert (outcome.outcome, outcome.percent, outcome.assessed_by) == ("disabled", Decimal("10"),
                                                                           "dr. Hasan, Sp.OT")
        assert outcome.claims == [first, second, third]
    with database.session() as s:
        claim = new(s, today, nik=nik, type="jkk-disability-partial", event_date="2027-04-15", accident=accident,
                    account=ACCOUNT)
        assert claim.eligible and claim.status == "draft"
        # the percentage and the doctor come from the stage II report: 10% × 80 × Rp1.000.000
        assert [(c.code, c.amount, c.arithmetic) for c in claim.components] == [
            ("jkk.partial_anatomical", 8_000_000, "10% × 80 × Rp1.000.000")]
        assert claim.total == 8_000_000
        assert claim.inputs["assessed_by"] == "dr. Hasan, Sp.OT"
        assert Decimal(claim.inputs["percent"]) == Decimal(10)
        number = claim.number
    with database.session() as s:
        approved = to_approved(s, number, today)
        assert (approved.status, approved.total) == ("approved", 8_000_000)
        assert service.pay(s, number, "TRF-CACAT", today, by=actor(s, CASHIER), today=today).total == 8_000_000
    with database.session() as s:
        shown = service.show_accident(s, accident, by=actor(s, OFFICER), today=today)
        assert shown.claims == [first, second, third, number]
        with pytest.raises(service.OutcomeRecorded):
            service.record_outcome(s, accident, AccidentOutcome(outcome="recovered"), by=actor(s, OFFICER),
                                   today=today)


def test_sea_transport_is_refunded_up_to_its_cap(database: TestDatabase) -> None:
    """The boat to the hospital cost Rp2.500.000; the sea cap is Rp2.000.000 (PP 82/2019)."""
    nik, accident = _case(database)
    with database.session() as s:
        claim = new(s, dt.date(2026, 1, 20), nik=nik, type="jkk-care", event_date="2026-01-13", accident=accident,
                    care="transport", mode="sea", amount=2_500_000, account=ACCOUNT)
        assert claim.eligible
        [line] = claim.components
        assert (line.code, line.amount) == ("jkk.transport.sea", 2_000_000)  # min(2.500.000, cap 2.000.000)
        assert claim.total == 2_000_000


def test_a_disability_claim_needs_a_percentage(database: TestDatabase) -> None:
    """Before the stage II report, a partial disability claim without --percent is refused."""
    nik, accident = _case(database)
    with database.session() as s, pytest.raises(InvalidInput) as err:
        new(s, dt.date(2026, 1, 20), nik=nik, type="jkk-disability-partial", event_date="2026-01-20",
            accident=accident)
    assert err.value.code == "invalid.claim_percent_needed"
