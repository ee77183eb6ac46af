"""A small world for the public checks, built with the services: a worker protected for 2026, one who
lapsed (paid for 2024 only), one who died with a paid JKM claim (the spouse is the payee)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tests.billing import factories as bf
from tests.claims.factories import enrolled, new, paid, to_approved

TODAY = dt.date(2026, 6, 10)
DIED = dt.date(2026, 4, 14)
PAID_UNTIL = dt.date(2026, 12, 31)
"""The last day of the protected worker's last paid month (the 2026 cycle: January to December)."""


@dataclass(frozen=True)
class World:
    protected_nik: str
    protected_born: dt.date
    lapsed_nik: str
    lapsed_born: dt.date
    deceased_nik: str
    deceased_born: dt.date
    claim_number: str
    payee_nik: str
    claim_paid_on: dt.date


def _pay_cycle(s: Session, month: str, agreement_id: int, on: dt.date) -> None:
    run = bf.bill(s, month, on=on, agreement_ids=[agreement_id])
    assert len(run.bills) == 1
    for b in run.bills:
        bf.pay(s, b.payment_code, b.payable, on=on)


def build(s: Session) -> World:
    old = bf.agreement(s, "KADIN-2024", start="2024-01", months=24, cycle=12)
    lapsed = enrolled(s, "KADIN-2024", occupation="petani", first="2024-01", name="Sri Wahyuni")
    _pay_cycle(s, "2024-01", old.id, dt.date(2024, 1, 5))  # 2024 paid; 2025 never: lapsed
    now = bf.agreement(s, "KADIN-2026", start="2026-01", months=12, cycle=12)
    protected = enrolled(s, "KADIN-2026", occupation="pedagang", first="2026-01", name="Joko Hartono")
    deceased = enrolled(s, "KADIN-2026", occupation="petani", first="2026-01", name="Ujang Suparman")
    _pay_cycle(s, "2026-01", now.id, dt.date(2026, 1, 5))
    spouse_nik = bf.nik(born=dt.date(1992, 3, 9), sex="P")
    claim = new(s, DIED + dt.timedelta(days=6), nik=deceased.nik, type="jkm", event_date=DIED.isoformat(),
                claimant={"name": "Siti Rahmah", "relationship": "spouse", "nik": spouse_nik},
                account={"bank": "BRI", "number": "0123456789012", "holder": "Siti Rahmah"})
    to_approved(s, claim.number, DIED + dt.timedelta(days=6))
    done = paid(s, claim.number, DIED + dt.timedelta(days=8))
    assert done.status == "paid" and done.payment is not None
    return World(protected.nik, protected.birth_date, lapsed.nik, lapsed.birth_date, deceased.nik,
                 deceased.birth_date, claim.number, spouse_nik, done.payment.paid_on)
